package dot

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/stretchr/testify/require"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		body, want string
		err        error
	}{
		{"", ".\r\n", nil},
		{"hi\r\n", "hi\r\n.\r\n", nil},
		{"no final crlf", "no final crlf\r\n.\r\n", nil},
		{".\r\n..\r\n.x", "..\r\n...\r\n..x\r\n.\r\n", nil},
		{"a.\r\n b\r\n", "a.\r\n b\r\n.\r\n", nil},
		{"bare\nlf\r\n", "", crlf.ErrBareLF},
		{"\n", "", crlf.ErrBareLF},
		{"bare\rcr\r\n", "", crlf.ErrBareCR},
		{"ends in cr\r", "", crlf.ErrBareCR},
		{"x\r\r\n", "", crlf.ErrBareCR},
		{"A\r\n.\r\r\nB", "", crlf.ErrBareCR},
	}
	for _, tt := range tests {
		got, err := Append([]byte("DATA>"), []byte(tt.body))
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, "%q", tt.body)
			require.Equal(t, "DATA>", string(got), "%q: dst unchanged on error", tt.body)
			continue
		}
		require.NoError(t, err, "%q", tt.body)
		require.Equal(t, "DATA>"+tt.want, string(got), "%q", tt.body)
	}
}

// writeIn writes body to a Writer in pieces of the given sizes.
func writeIn(body []byte, sizes ...int) ([]byte, error) {
	var out bytes.Buffer
	w := NewWriter(&out)
	for i := 0; len(body) > 0; i++ {
		n := min(len(body), max(1, sizes[i%len(sizes)]))
		if _, err := w.Write(body[:n]); err != nil {
			return nil, err
		}
		body = body[n:]
	}
	err := w.Close()
	return out.Bytes(), err
}

func TestWriterMatchesAppend(t *testing.T) {
	bodies := []string{"", "hi\r\n", ".\r\n..\r\n.x", "a\r\nb", string(message(200)),
		"bare\nlf\r\n", "cr\rx", "x\r", "\r\r\n"}
	for _, body := range bodies {
		want, werr := Append(nil, []byte(body))
		for _, sizes := range [][]int{{1 << 20}, {1}, {2, 3}, {5000}} {
			got, err := writeIn([]byte(body), sizes...)
			if werr != nil {
				require.ErrorIs(t, err, werr, "%q %v", body, sizes)
				continue
			}
			require.NoError(t, err)
			require.Equal(t, string(want), string(got), "%q %v", body, sizes)
		}
	}
}

func TestWriterStaysFailed(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	_, err := w.Write([]byte("ok\r\nbad\n"))
	require.ErrorIs(t, err, crlf.ErrBareLF)
	_, err = w.Write([]byte("more\r\n"))
	require.ErrorIs(t, err, crlf.ErrBareLF)
	require.ErrorIs(t, w.Close(), crlf.ErrBareLF)
	require.NotContains(t, out.String(), ".\r\n", "no terminator after a broken body")
	w.Reset(&out)
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Close(), ErrClosed)
}

type failingWriter struct{}

var errSink = errors.New("sink failed")

func (failingWriter) Write([]byte) (int, error) { return 0, errSink }

func TestWriterReportsSinkError(t *testing.T) {
	w := NewWriter(failingWriter{})
	_, err := w.Write(bytes.Repeat([]byte("x\r\n"), 5000))
	require.ErrorIs(t, err, errSink)
}

func TestWriteAllocatesNothing(t *testing.T) {
	body := message(20)
	body = body[:len(body)-3]
	w := NewWriter(io.Discard)
	dst := make([]byte, 0, 4*len(body))
	allocs := testing.AllocsPerRun(100, func() {
		w.Reset(io.Discard)
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var err error
		if dst, err = Append(dst[:0], body); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

func BenchmarkAppend(b *testing.B) {
	body := message(1000)
	body = body[:len(body)-3]
	dst := make([]byte, 0, 2*len(body))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var err error
		if dst, err = Append(dst[:0], body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	body := message(1000)
	body = body[:len(body)-3]
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		w.Reset(io.Discard)
		if _, err := w.Write(body); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzAppend: a body is refused exactly when it has a lone CR or LF; an
// accepted one decodes back to itself (with a final CRLF added when it had
// none), and the streaming Writer produces the same bytes in any chunking.
func FuzzAppend(f *testing.F) {
	f.Add([]byte(".\r\n..x\r\nend"), []byte{1})
	f.Add([]byte("a\nb"), []byte{2, 0})
	f.Add([]byte("x\r"), []byte{0})
	f.Fuzz(func(t *testing.T, body, split []byte) {
		enc, err := Append(nil, body)
		stream, serr := writeIn(body, append(chunked.SizesFrom(split), 1<<20)...)
		if hasLoneCROrLF(body) {
			require.Error(t, err)
			require.Error(t, serr)
			return
		}
		require.NoError(t, err)
		require.NoError(t, serr)
		require.Equal(t, string(enc), string(stream))
		want := string(body)
		if len(body) > 0 && !bytes.HasSuffix(body, []byte("\r\n")) {
			want += "\r\n"
		}
		got, next, derr := decode(append(enc, "NEXT\r\n"...), Options{})
		require.NoError(t, derr)
		require.Equal(t, want, got)
		require.Equal(t, "NEXT", next)
	})
}

// hasLoneCROrLF is the plain definition the encoder must agree with.
func hasLoneCROrLF(b []byte) bool {
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			return true
		}
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}
