package crlf

import (
	"bytes"
	"errors"
	"io"
	"slices"
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

// authLong is a LongLine hook: lines starting "AUTH " may be 4096 long.
func authLong(head []byte) int {
	if bytes.HasPrefix(head, []byte("AUTH ")) {
		return 4096
	}
	return 0
}

func TestBufferGrowth(t *testing.T) {
	long := func(n int) string { return "AUTH " + strings.Repeat("a", n-len("AUTH \r\n")) + "\r\n" }
	tests := []struct {
		name     string
		in       string
		opt      Options
		want     []result
		wantSize int
	}{
		{"short lines keep the initial buffer", "EHLO x\r\nNOOP\r\n",
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 4096},
			[]result{{"EHLO x", nil}, {"NOOP", nil}}, 64},
		{"a line at the limit grows to the limit, never past it", strings.Repeat("b", 510) + "\r\nok\r\n",
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 4096},
			[]result{{strings.Repeat("b", 510), nil}, {"ok", nil}}, 512},
		{"a line over the limit does not grow past it", strings.Repeat("b", 3000) + "\r\nok\r\n",
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 4096},
			[]result{{"", ErrLineTooLong}, {"ok", nil}}, 512},
		{"LongLine lets one line grow by doubling", long(3000) + strings.Repeat("c", 600) + "\r\n",
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 8192, LongLine: authLong},
			[]result{{strings.TrimSuffix(long(3000), "\r\n"), nil}, {"", ErrLineTooLong}}, 4096},
		{"LongLine limit is clamped to MaxBuf", long(3000),
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 1024, LongLine: authLong},
			[]result{{"", ErrLineTooLong}}, 1024},
		{"LongLine at its limit", long(4096) + long(4097) + "x\r\n",
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 8192, LongLine: authLong},
			[]result{{strings.TrimSuffix(long(4096), "\r\n"), nil}, {"", ErrLineTooLong}, {"x", nil}}, 4096},
		{"LongLine refusing keeps the limit", strings.Repeat("M", 600) + "\r\n",
			Options{MaxLine: 512, BufSize: 64, MaxBuf: 8192, LongLine: authLong},
			[]result{{"", ErrLineTooLong}}, 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{{1 << 20}, {1}, {5, 300}, {63}} {
				r := NewReader(chunked.NewReader([]byte(tt.in), sizes...), tt.opt)
				require.Equal(t, tt.opt.BufSize, r.Size(), "the initial buffer")
				assert.Equal(t, tt.want, readAll(r), "chunks %v", sizes)
				// A whole line that arrives in one read within the
				// initial buffer needs no growth, so the size is a bound.
				assert.LessOrEqual(t, r.Size(), tt.wantSize, "chunks %v", sizes)
				if sizes[0] == 1 {
					assert.Equal(t, tt.wantSize, r.Size(), "byte by byte every line has to fit")
				}
			}
		})
	}
}

func TestNewReaderSizes(t *testing.T) {
	tests := []struct {
		opt                 Options
		size, maxLine, setN int
	}{
		{Options{}, DefaultBufSize, DefaultMaxLine, DefaultBufSize},
		{Options{MaxLine: 12288}, DefaultBufSize, 12288, 12288},
		{Options{MaxLine: 512, BufSize: 1024, MaxBuf: 12288}, 1024, 512, 12288},
		{Options{MaxLine: 20000, BufSize: 1024, MaxBuf: 12288}, 1024, 12288, 12288},
		{Options{BufSize: 1}, 3, DefaultMaxLine, DefaultMaxLine},
	}
	for _, tt := range tests {
		r := NewReader(nil, tt.opt)
		assert.Equal(t, tt.size, r.Size(), "%+v", tt.opt)
		assert.Equal(t, tt.maxLine, r.MaxLine(), "%+v", tt.opt)
		r.SetMaxLine(1 << 30)
		assert.Equal(t, tt.setN, r.MaxLine(), "SetMaxLine is clamped to MaxBuf: %+v", tt.opt)
		assert.Equal(t, tt.size, r.Size(), "SetMaxLine allocates nothing: %+v", tt.opt)
	}
}

func TestGrowthKeepsPipelinedBytes(t *testing.T) {
	in := "AUTH " + strings.Repeat("z", 200) + "\r\nSTARTTLS\r\nEHLO evil\r\n"
	r := NewReader(chunked.NewReader([]byte(in), 7), Options{MaxLine: 32, BufSize: 16, MaxBuf: 4096, LongLine: authLong})
	line, err := r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, "AUTH "+strings.Repeat("z", 200), string(line))
	require.Equal(t, 256, r.Size())
	for r.Buffered() < len("STARTTLS\r\nEHLO evil\r\n") {
		line, err = r.ReadLine()
		require.NoError(t, err)
		require.Equal(t, "STARTTLS", string(line))
		break
	}
	for r.Buffered() < len("EHLO evil\r\n") {
		require.NoError(t, r.Fill())
	}
	require.Equal(t, "EHLO evil\r\n", string(r.Peek()), "bytes behind STARTTLS stay visible after growth")
}

func TestGrowthResumesAfterSourceError(t *testing.T) {
	head := "AUTH " + strings.Repeat("q", 100)
	src := &timeoutOnce{}
	for part := range slices.Chunk([]byte(head), 1) { // each fits the free space
		src.parts = append(src.parts, part)
	}
	src.parts = append(src.parts, []byte("\r\n"))
	r := NewReader(src, Options{MaxLine: 32, BufSize: 16, MaxBuf: 4096, LongLine: authLong})
	_, err := r.ReadLine()
	require.ErrorIs(t, err, errTimeout)
	require.Equal(t, len(head), r.Buffered(), "the partial line stays buffered, in a grown buffer")
	line, err := r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, head, string(line))
	require.Equal(t, 128, r.Size())
}

func TestReadLineAllocatesNothingAfterGrowth(t *testing.T) {
	session := "AUTH " + strings.Repeat("k", 3000) + "\r\nRCPT TO:<b@example.net>\r\n"
	r := NewReader(chunked.NewLoop([]byte(session)), Options{MaxLine: 512, BufSize: 64, MaxBuf: 4096, LongLine: authLong})
	_, err := r.ReadLine()
	require.NoError(t, err)
	grown := r.Size()
	require.Greater(t, grown, 3000)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.ReadLine(); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs, "the long line again and again: the grown buffer is reused")
	require.Equal(t, grown, r.Size())
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
	f.Add([]byte("AUTH "+strings.Repeat("y", 300)+"\r\nAUTH x\r\n"+strings.Repeat("n", 90)+"\r\n"), []byte{3, 77}, uint8(40), false)
	f.Fuzz(func(t *testing.T, in, split []byte, maxLine uint8, lenient bool) {
		// A 16-octet initial buffer grows mid-line under any chunking:
		// for lines up to maxLine, and for AUTH lines up to 256.
		opt := Options{MaxLine: int(maxLine), BufSize: 16, MaxBuf: 256, AllowBareLF: lenient,
			LongLine: func(head []byte) int {
				if bytes.HasPrefix(head, []byte("AUTH ")) {
					return 256
				}
				return 0
			}}
		whole := readAll(NewReader(bytes.NewReader(in), opt))
		split1 := readAll(NewReader(chunked.NewReader(in), opt))
		rN := NewReader(chunked.NewReader(in, chunked.SizesFrom(split)...), opt)
		splitN := readAll(rN)
		require.Equal(t, whole, split1)
		require.Equal(t, whole, splitN)
		require.LessOrEqual(t, rN.Size(), 256, "never past MaxBuf")
		fixed := opt
		fixed.LongLine, fixed.BufSize = nil, 256
		limit := NewReader(nil, fixed).MaxLine()
		var rebuilt []byte
		clean := true
		for _, res := range whole {
			if res.err != nil {
				clean = false
				continue
			}
			require.NotContains(t, res.line, "\r")
			require.NotContains(t, res.line, "\n")
			if strings.HasPrefix(res.line, "AUTH ") {
				require.LessOrEqual(t, len(res.line)+1, 256)
			} else {
				require.LessOrEqual(t, len(res.line)+1, limit)
			}
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
