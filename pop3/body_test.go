package pop3

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

func TestBodyPaths(t *testing.T) {
	long := strings.Repeat("x", 5000) + "\r\n" // longer than the reader's buffer
	tests := []struct {
		name string
		body string // unstuffed, as the client sees it
	}{
		{"empty", ""},
		{"one line", "a\r\n"},
		{"stuffed lines", ".a\r\n..\r\n.\r\nb\r\n"},
		{"stuffed first and last", ".first\r\nmiddle\r\n.last\r\n"},
		{"blank lines", "\r\n\r\n\r\n"},
		{"long line", "head\r\n" + long + "tail\r\n"},
		{"long stuffed line", "." + long},
		{"many lines", strings.Repeat("Line of a body, long enough to matter.\r\n", 500)},
	}
	for _, tt := range tests {
		wire, err := AppendBody([]byte("+OK\r\n"), []byte(tt.body))
		require.NoError(t, err)
		wire = append(wire, "+OK next\r\n"...)
		for _, read := range []int{1, 3, 64, 4096, 1 << 16} {
			for _, chunk := range []int{1, 7, 4096} {
				r := bodyRead(chunked.NewReader(wire, chunk), ResponseReaderOptions{}, read)
				require.NoError(t, r.err, "%s read %d chunk %d", tt.name, read, chunk)
				require.Equal(t, tt.body, string(r.body), "%s read %d chunk %d", tt.name, read, chunk)
				require.Equal(t, `"next" <nil>`, r.next)
			}
		}
	}
}

func TestBodyAskedTwice(t *testing.T) {
	rr := NewResponseReader(strings.NewReader("+OK\r\nab\r\ncd\r\n.\r\n+OK next\r\n"), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	p := make([]byte, 4)
	n, err := rr.Body().Read(p)
	require.NoError(t, err)
	assert.Equal(t, "ab\r\n", string(p[:n]))
	rest, err := io.ReadAll(rr.Body())
	require.NoError(t, err)
	assert.Equal(t, "cd\r\n", string(rest))
	resp, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, "next", string(resp.Text))
}

func TestBodyMaxSize(t *testing.T) {
	body := strings.Repeat("0123456789\r\n", 10) // 120 octets
	wire := "+OK\r\n" + body + ".\r\n+OK next\r\n"
	for _, max := range []int64{1, 11, 12, 13, 119, 120, 121, 1000} {
		r := bodyRead(strings.NewReader(wire), ResponseReaderOptions{MaxBodySize: max})
		if max < 120 {
			require.ErrorIs(t, r.err, ErrTooLarge, max)
			assert.Equal(t, body[:max], string(r.body))
		} else {
			require.NoError(t, r.err, max)
			assert.Equal(t, body, string(r.body))
		}
		assert.Equal(t, `"next" <nil>`, r.next, max)
	}
}

func TestBodyViolationAfterCleanLines(t *testing.T) {
	clean := strings.Repeat("clean line\r\n", 50)
	for _, bad := range []struct {
		line string
		err  error
	}{{"bare\nLF\r\n", ErrBareLF}, {"bare\rCR\r\n", ErrBareCR}, {".\nx\r\n", ErrBareLF}, {".\rx\r\n", ErrBareCR}} {
		wire := "+OK\r\n" + clean + bad.line + "more\r\n.\r\n+OK next\r\n"
		r := bodyRead(strings.NewReader(wire), ResponseReaderOptions{})
		require.ErrorIs(t, r.err, bad.err, bad.line)
		assert.True(t, strings.HasPrefix(string(r.body), clean), bad.line)
		assert.NotContains(t, string(r.body), "more", "nothing after a violation is handed out")
		assert.Equal(t, `"next" <nil>`, r.next)
	}
}

func TestBodySourceErrorResumes(t *testing.T) {
	boom := errors.New("timeout")
	src := &flakyReader{parts: []string{"+OK\r\nfirst line\r\n", "sec", "ond\r\n.\r\n"}, err: boom, failed: true}
	rr := NewResponseReader(src, ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	body := rr.Body()
	var got []byte
	p := make([]byte, 64)
	errs := 0
	for {
		n, err := body.Read(p)
		got = append(got, p[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			require.ErrorIs(t, err, boom)
			errs++
			require.Less(t, errs, 10)
		}
	}
	assert.Equal(t, "first line\r\nsecond\r\n", string(got))
	assert.Positive(t, errs)
}

// flakyReader returns its parts with an error between each.
type flakyReader struct {
	parts  []string
	err    error
	failed bool
}

func (f *flakyReader) Read(p []byte) (int, error) {
	if len(f.parts) == 0 {
		return 0, io.EOF
	}
	if !f.failed {
		f.failed = true
		return 0, f.err
	}
	f.failed = false
	n := copy(p, f.parts[0])
	f.parts = f.parts[1:]
	return n, nil
}

func TestBodyAllocs(t *testing.T) {
	body := bytes.Repeat([]byte("Line of a message body.\r\n.dot\r\n"), 200)
	wire, err := AppendBody([]byte("+OK\r\n"), body)
	require.NoError(t, err)
	rr := NewResponseReader(chunked.NewLoop(wire), ResponseReaderOptions{MaxBodySize: 1 << 20})
	var p [1000]byte
	read := func() {
		if _, err := rr.ReadResponse(); err != nil {
			t.Fatal(err)
		}
		b := rr.Body()
		for {
			if _, err := b.Read(p[:]); err == io.EOF {
				return
			} else if err != nil {
				t.Fatal(err)
			}
		}
	}
	read()
	assert.Zero(t, testing.AllocsPerRun(100, read))
}

func BenchmarkBodyRead(b *testing.B) {
	body := bytes.Repeat([]byte("Line of a message body, about seventy octets long, as mail is.\r\n"), 1024)
	wire, err := AppendBody([]byte("+OK message follows\r\n"), body)
	require.NoError(b, err)
	rr := NewResponseReader(chunked.NewLoop(wire), ResponseReaderOptions{})
	var p [32 << 10]byte
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		if _, err := rr.ReadResponse(); err != nil {
			b.Fatal(err)
		}
		br := rr.Body()
		for {
			_, err := br.Read(p[:])
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestResponseReaderSize: the buffer is 8 KiB for status lines, listings
// and bodies alike, whatever the body's size or its lines' length, and
// grows only for a status line longer than that which MaxLine allows.
func TestResponseReaderSize(t *testing.T) {
	body, err := AppendBody(nil, bytes.Repeat([]byte(strings.Repeat("x", 9000)+"\r\n"), 5))
	require.NoError(t, err)
	wire := append(append([]byte("+OK\r\n+OK\r\n"), body...), "+OK "+strings.Repeat("y", 9000)+"\r\n"...)
	for _, tt := range []struct {
		maxLine int
		after   int // after the long status line
	}{{0, 8192}, {10000, 10000}} {
		rr := NewResponseReader(chunked.NewReader(wire, 1000), ResponseReaderOptions{MaxLine: tt.maxLine})
		_, err := rr.ReadResponse()
		require.NoError(t, err)
		assert.Equal(t, 8192, rr.Size(), "before any body")
		_, err = rr.ReadResponse()
		require.NoError(t, err)
		n, err := io.Copy(io.Discard, rr.Body())
		require.NoError(t, err)
		assert.Equal(t, int64(5*9002), n)
		assert.Equal(t, 8192, rr.Size(), "after a body of long lines")
		_, err = rr.ReadResponse()
		if tt.maxLine == 0 {
			require.ErrorIs(t, err, ErrLineTooLong)
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, tt.after, rr.Size())
	}
}
