package starttls

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
)

// readAll reads lines until an error; it returns the lines (copied) and
// the error.
func readAll(lr *lineReader) ([]string, error) {
	var lines []string
	for {
		line, err := lr.readLine()
		if err != nil {
			return lines, err
		}
		lines = append(lines, string(line))
	}
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		max    int
		lines  []string
		err    error
		offset int64 // of a *SyntaxError: the start of the faulty line
	}{
		{name: "lines", in: "220 a\r\n250 b\r\n", max: 16, lines: []string{"220 a", "250 b"}, err: io.EOF},
		{name: "empty line", in: "\r\n", max: 16, lines: []string{""}, err: io.EOF},
		{name: "exactly the limit", in: "12345678901234\r\n", max: 16, lines: []string{"12345678901234"}, err: io.EOF},
		{name: "one over the limit", in: "123456789012345\r\n", max: 16, err: ErrLineTooLong},
		{name: "bare LF", in: "220 a\r\n250 b\n", max: 16, lines: []string{"220 a"}, err: ErrSyntax, offset: 7},
		{name: "bare LF at start", in: "\n", max: 16, err: ErrSyntax, offset: 0},
		{name: "bare CR", in: "22\r0 a\r\n", max: 16, err: ErrSyntax, offset: 0},
		{name: "CR CR LF", in: "250 a\r\n220\r\r\n", max: 16, lines: []string{"250 a"}, err: ErrSyntax, offset: 7},
		{name: "eof inside a line", in: "220 a\r\n250", max: 16, lines: []string{"220 a"}, err: io.ErrUnexpectedEOF},
		{name: "eof after CR", in: "220\r", max: 16, err: io.ErrUnexpectedEOF},
		{name: "offsets after compaction", in: "aaaaaaaaaa\r\nbbbbbbbbbb\r\nc\nd", max: 12, lines: []string{"aaaaaaaaaa", "bbbbbbbbbb"}, err: ErrSyntax, offset: 24},
	}
	for _, tt := range tests {
		for _, sizes := range [][]int{{len(tt.in) + 1}, {1}, {3, 7}, {255}} {
			t.Run(tt.name, func(t *testing.T) {
				lr := newLineReader(chunked.NewReader([]byte(tt.in), sizes...), tt.max)
				lines, err := readAll(lr)
				assert.Equal(t, tt.lines, lines)
				require.ErrorIs(t, err, tt.err)
				var se *SyntaxError
				if errors.As(err, &se) {
					assert.Equal(t, tt.offset, se.Offset)
				}
			})
		}
	}
}

func TestLineReaderBuffered(t *testing.T) {
	lr := newLineReader(strings.NewReader("220 go\r\n250 injected\r\n"), 64)
	line, err := lr.readLine()
	require.NoError(t, err)
	require.Equal(t, "220 go", string(line))
	require.Equal(t, len("250 injected\r\n"), lr.buffered())
	_, err = lr.readLine()
	require.NoError(t, err)
	require.Zero(t, lr.buffered())
}

func TestLineReaderAllocs(t *testing.T) {
	lr := newLineReader(chunked.NewLoop([]byte("250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")), 512)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := lr.readLine(); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

func BenchmarkLineReader(b *testing.B) {
	data := []byte("250-mx.example.test Hello client.example.test [192.0.2.1]\r\n")
	lr := newLineReader(chunked.NewLoop(data), 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := lr.readLine(); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLineReader checks that the same bytes read in any chunk sizes give
// the same lines and the same end, that no line exceeds the limit or holds
// CR or LF, and that a syntax error points at the start of a line.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n"), []byte{1}, uint8(32))
	f.Add([]byte("+OK\r\nSTLS\r\n.\r\n"), []byte{3, 1}, uint8(8))
	f.Add([]byte("* OK hi\r\nS1 OK\n"), []byte{200}, uint8(16))
	f.Add([]byte("a\rb\r\n"), []byte{2}, uint8(4))
	f.Fuzz(func(t *testing.T, data, sizes []byte, max uint8) {
		limit := int(max)%64 + 3
		whole, wholeErr := readAll(newLineReader(bytes.NewReader(data), limit))
		chunked, chunkedErr := readAll(newLineReader(chunked.NewReader(data, chunked.SizesFrom(sizes)...), limit))
		require.Equal(t, whole, chunked)
		require.Equal(t, errString(wholeErr), errString(chunkedErr))
		for _, line := range whole {
			require.LessOrEqual(t, len(line)+2, limit)
			require.NotContains(t, line, "\r")
			require.NotContains(t, line, "\n")
		}
		var se *SyntaxError
		if errors.As(wholeErr, &se) {
			require.Less(t, se.Offset, int64(len(data)))
			if se.Offset > 0 {
				require.Equal(t, byte('\n'), data[se.Offset-1])
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
