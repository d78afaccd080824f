package transcript

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
)

func TestReaderReadsChunks(t *testing.T) {
	src := sampleHeaderText + "S 5\n220 x\n" + "C 2\n\x00\n\n"
	for _, name := range []string{"whole", "one byte at a time"} {
		t.Run(name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(src)
			if name != "whole" {
				r = iotest.OneByteReader(r)
			}
			rd, err := NewReader(r, Options{})
			require.NoError(t, err)
			assert.Equal(t, sampleHeader, rd.Header())

			d, data, err := rd.Next()
			require.NoError(t, err)
			assert.Equal(t, ServerToClient, d)
			assert.Equal(t, "220 x", string(data))

			d, data, err = rd.Next()
			require.NoError(t, err)
			assert.Equal(t, ClientToServer, d)
			assert.Equal(t, "\x00\n", string(data))

			_, _, err = rd.Next()
			require.ErrorIs(t, err, io.EOF)
		})
	}
}

func TestReaderHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		offset int64
		want   error
	}{
		{"empty", "", 0, io.ErrUnexpectedEOF},
		{"wrong magic", "mailwire-transcript 2\n", 0, ErrFormat},
		{"missing key", "mailwire-transcript 1\nprotocol: smtp\nclient: x\n", 37, ErrFormat},
		{"no blank line", strings.TrimSuffix(sampleHeaderText, "\n") + "S 1\nx\n", int64(len(sampleHeaderText) - 1), ErrFormat},
		{"bad date", strings.Replace(sampleHeaderText, "18:04:05Z", "18:04:05.5Z", 1), 85, ErrFormat},
		{"one-digit hour", strings.Replace(sampleHeaderText, "T18:", "T8:", 1), 85, ErrFormat},
		{"control byte in value", strings.Replace(sampleHeaderText, "Postfix", "Post\x01fix", 1), 37, ErrFormat},
		{"cut in the header", sampleHeaderText[:50], 0, io.ErrUnexpectedEOF},
		{"over-long line", "mailwire-transcript 1\nprotocol: " + strings.Repeat("x", maxLine) + "\n", 22, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.src), Options{})
			require.ErrorIs(t, err, tt.want)
			var syn *SyntaxError
			if errors.As(err, &syn) {
				assert.Equal(t, tt.offset, syn.Offset)
				assert.NotEmpty(t, syn.Expected)
			}
		})
	}
}

func TestReaderChunkErrors(t *testing.T) {
	base := int64(len(sampleHeaderText))
	tests := []struct {
		name   string
		chunks string
		offset int64
		want   error
	}{
		{"unknown direction", "X 1\na\n", base, ErrFormat},
		{"no space", "C1\na\n", base, ErrFormat},
		{"zero size", "C 0\n\n", base, ErrFormat},
		{"leading zero", "C 01\na\n", base, ErrFormat},
		{"size not a number", "C 1a\na\n", base, ErrFormat},
		{"no LF after data", "C 1\nab\n", base + 5, ErrFormat},
		{"data cut short", "C 9\nabc", 0, io.ErrUnexpectedEOF},
		{"final LF missing", "C 3\nabc", 0, io.ErrUnexpectedEOF},
		{"chunk line cut short", "S 5", 0, io.ErrUnexpectedEOF},
		{"over the limit", "C 17\n", 0, ErrChunkTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(sampleHeaderText+tt.chunks), Options{MaxChunk: 16})
			require.NoError(t, err)
			_, _, err = rd.Next()
			require.ErrorIs(t, err, tt.want)
			var syn *SyntaxError
			if errors.As(err, &syn) {
				assert.Equal(t, tt.offset, syn.Offset)
			}
			_, _, again := rd.Next()
			assert.Equal(t, err, again, "errors are sticky")
		})
	}
}

// chunkStream returns a transcript of n chunks of size bytes each.
func chunkStream(n, size int) []byte {
	b, _ := AppendHeader(nil, sampleHeader)
	data := bytes.Repeat([]byte("x"), size)
	for i := 0; i < n; i++ {
		b = AppendChunk(b, Dir("CS"[i%2]), data)
	}
	return b
}

func TestReaderNextAllocs(t *testing.T) {
	rd, err := NewReader(bytes.NewReader(chunkStream(200, 100)), Options{})
	require.NoError(t, err)
	_, _, err = rd.Next() // the first chunk sizes the buffer
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(150, func() {
		_, _, err = rd.Next()
	})
	require.NoError(t, err)
	require.Zero(t, allocs)
}

func BenchmarkReaderNext(b *testing.B) {
	header, _ := AppendHeader(nil, sampleHeader)
	record := AppendChunk(nil, ServerToClient, bytes.Repeat([]byte("x"), 512))
	rd, err := NewReader(io.MultiReader(bytes.NewReader(header), chunked.NewLoop(record)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(record)))
	for b.Loop() {
		if _, _, err := rd.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
