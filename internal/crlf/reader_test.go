package crlf

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// result is one ReadLine outcome, comparable across chunkings.
type result struct {
	line string
	err  error
}

// readAll reads lines until io.EOF or io.ErrUnexpectedEOF.
func readAll(r *Reader) []result {
	var out []result
	for {
		line, err := r.ReadLine()
		if err == io.EOF {
			return out
		}
		out = append(out, result{string(line), err})
		if err == io.ErrUnexpectedEOF {
			return out
		}
	}
}

func TestReadLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  Options
		want []result
	}{
		{"empty input", "", Options{}, nil},
		{"one line", "EHLO x\r\n", Options{}, []result{{"EHLO x", nil}}},
		{"empty line", "\r\n", Options{}, []result{{"", nil}}},
		{"two lines", "a\r\nb\r\n", Options{}, []result{{"a", nil}, {"b", nil}}},
		{"bare LF strict", "a\nb\r\n", Options{}, []result{{"", ErrBareLF}, {"b", nil}}},
		{"bare LF lenient", "a\nb\r\n", Options{AllowBareLF: true}, []result{{"a", nil}, {"b", nil}}},
		{"bare CR inside", "a\rb\r\nc\r\n", Options{}, []result{{"", ErrBareCR}, {"c", nil}}},
		{"bare CR lenient too", "a\rb\n", Options{AllowBareLF: true}, []result{{"", ErrBareCR}}},
		{"CR CR LF", "a\r\r\n", Options{}, []result{{"", ErrBareCR}}},
		{"unterminated", "abc", Options{}, []result{{"", io.ErrUnexpectedEOF}}},
		{"lone CR at end", "abc\r", Options{}, []result{{"", io.ErrUnexpectedEOF}}},
		{"at limit", "12345678\r\n", Options{MaxLine: 10}, []result{{"12345678", nil}}},
		{"over limit", "123456789\r\nok\r\n", Options{MaxLine: 10}, []result{{"", ErrLineTooLong}, {"ok", nil}}},
		{"far over limit", strings.Repeat("x", 5000) + "\r\nok\r\n", Options{MaxLine: 10, BufSize: 16},
			[]result{{"", ErrLineTooLong}, {"ok", nil}}},
		{"over limit unterminated", strings.Repeat("x", 50), Options{MaxLine: 10, BufSize: 16},
			[]result{{"", io.ErrUnexpectedEOF}}},
		{"lenient at limit", "123456789\n", Options{MaxLine: 10, AllowBareLF: true}, []result{{"123456789", nil}}},
		{"NUL is data", "a\x00b\r\n", Options{}, []result{{"a\x00b", nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{{1 << 20}, {1}, {2, 3}, {7}} {
				r := NewReader(chunked.NewReader([]byte(tt.in), sizes...), tt.opt)
				assert.Equal(t, tt.want, readAll(r), "chunks %v", sizes)
			}
		})
	}
}

// timeoutOnce returns its data in two halves with a timeout error between.
type timeoutOnce struct {
	parts [][]byte
	timed bool
}

var errTimeout = errors.New("i/o timeout")

func (s *timeoutOnce) Read(p []byte) (int, error) {
	if len(s.parts) == 0 {
		return 0, io.EOF
	}
	if len(s.parts) == 1 && !s.timed {
		s.timed = true
		return 0, errTimeout
	}
	n := copy(p, s.parts[0])
	s.parts = s.parts[1:]
	return n, nil
}

func TestReadLineResumesAfterSourceError(t *testing.T) {
	src := &timeoutOnce{parts: [][]byte{[]byte("HELO exa"), []byte("mple.org\r\n")}}
	r := NewReader(src, Options{})
	_, err := r.ReadLine()
	require.ErrorIs(t, err, errTimeout)
	require.Equal(t, 8, r.Buffered(), "the partial line stays buffered")
	line, err := r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, "HELO example.org", string(line))
}

// dataWithError returns its data and an error in the same call.
type dataWithError struct{ done bool }

func (d *dataWithError) Read(p []byte) (int, error) {
	if d.done {
		return 0, io.EOF
	}
	d.done = true
	return copy(p, "a\r\nb\r\n"), io.EOF
}

func TestDataArrivingWithErrorIsUsedFirst(t *testing.T) {
	r := NewReader(&dataWithError{}, Options{})
	require.Equal(t, []result{{"a", nil}, {"b", nil}}, readAll(r))
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestEmptyReadsAreBounded(t *testing.T) {
	_, err := NewReader(emptyReader{}, Options{}).ReadLine()
	require.ErrorIs(t, err, io.ErrNoProgress)
}

func TestBufferedPeekDiscardRead(t *testing.T) {
	r := NewReader(strings.NewReader("STARTTLS\r\nEHLO evil\r\n"), Options{})
	line, err := r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, "STARTTLS", string(line))
	require.Equal(t, len("EHLO evil\r\n"), r.Buffered(), "pipelined bytes are visible at the upgrade point")
	require.Equal(t, "EHLO evil\r\n", string(r.Peek()))
	r.Discard(5)
	p := make([]byte, 3)
	n, err := r.Read(p)
	require.NoError(t, err)
	require.Equal(t, "evi", string(p[:n]))
	line, err = r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, "l", string(line))
	require.Zero(t, r.Buffered())
}

func TestReadRawLargeGoesDirect(t *testing.T) {
	data := bytes.Repeat([]byte("z"), 10000)
	r := NewReader(bytes.NewReader(data), Options{BufSize: 64})
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, data, got)
}

func TestFillFullBuffer(t *testing.T) {
	r := NewReader(strings.NewReader(strings.Repeat("q", 100)), Options{MaxLine: 8, BufSize: 8})
	require.NoError(t, r.Fill())
	for r.Buffered() < 8 {
		require.NoError(t, r.Fill())
	}
	require.ErrorIs(t, r.Fill(), ErrBufferFull)
}

func TestSetMaxLineAndReset(t *testing.T) {
	r := NewReader(strings.NewReader("abcdef\r\n"), Options{MaxLine: 6, BufSize: 64})
	_, err := r.ReadLine()
	require.ErrorIs(t, err, ErrLineTooLong)
	r.SetMaxLine(1 << 20)
	require.Equal(t, 64, r.MaxLine(), "clamped to the buffer")
	r.Reset(strings.NewReader("abcdef\r\n"))
	line, err := r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, "abcdef", string(line))
	r.SetMaxLine(0)
	require.Equal(t, 64, r.MaxLine())
}

func TestReadLineAllocatesNothing(t *testing.T) {
	r := NewReader(chunked.NewLoop([]byte("MAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.net>\r\n")), Options{})
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.ReadLine(); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
	p := make([]byte, 7)
	allocs = testing.AllocsPerRun(1000, func() {
		if _, err := r.Read(p); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

// FuzzReadLine checks that any chunking of any input yields the same lines
// and errors, that every accepted line is within the limit and free of CR and
// LF, and that accepted lines plus CRLF are exactly the bytes they came from.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte("EHLO a\r\nMAIL FROM:<>\r\n"), []byte{0, 3}, uint8(20), false)
	f.Add([]byte("a\nb\r\r\nc\rd\r\n"), []byte{1}, uint8(0), true)
	f.Add([]byte(strings.Repeat("y", 300)+"\r\nshort\r\n"), []byte{9, 200}, uint8(40), false)
	f.Fuzz(func(t *testing.T, in, split []byte, maxLine uint8, lenient bool) {
		opt := Options{MaxLine: int(maxLine), BufSize: 64, AllowBareLF: lenient}
		whole := readAll(NewReader(bytes.NewReader(in), opt))
		split1 := readAll(NewReader(chunked.NewReader(in), opt))
		splitN := readAll(NewReader(chunked.NewReader(in, chunked.SizesFrom(split)...), opt))
		require.Equal(t, whole, split1)
		require.Equal(t, whole, splitN)
		limit := NewReader(nil, opt).MaxLine()
		var rebuilt []byte
		clean := true
		for _, res := range whole {
			if res.err != nil {
				clean = false
				continue
			}
			require.NotContains(t, res.line, "\r")
			require.NotContains(t, res.line, "\n")
			require.LessOrEqual(t, len(res.line)+1, limit)
			rebuilt = append(append(rebuilt, res.line...), "\r\n"...)
		}
		if clean && !lenient {
			require.Equal(t, string(in), string(rebuilt))
		}
	})
}

func BenchmarkReadLine(b *testing.B) {
	session := []byte(strings.Repeat("RCPT TO:<someone.long.name@example.org> NOTIFY=SUCCESS,FAILURE\r\n", 64))
	r := NewReader(chunked.NewLoop(session), Options{})
	b.ReportAllocs()
	b.SetBytes(int64(len(session) / 64))
	for b.Loop() {
		if _, err := r.ReadLine(); err != nil {
			b.Fatal(err)
		}
	}
}
