package dot

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decode reads one body from src split by sizes and returns it, the error
// that ended it (nil for io.EOF) and the line that follows the body.
func decode(in []byte, opt Options, sizes ...int) (body, next string, err error) {
	src := crlf.NewReader(chunked.NewReader(in, sizes...), crlf.Options{BufSize: 16})
	got, err := io.ReadAll(NewReader(src, opt))
	line, lerr := src.ReadLine()
	if lerr != nil {
		line = []byte("<" + lerr.Error() + ">")
	}
	return string(got), string(line), err
}

func TestReaderBodies(t *testing.T) {
	tests := []struct {
		name, in, body string
		err            error
	}{
		{"empty body", ".\r\nNEXT\r\n", "", nil},
		{"one line", "Subject: x\r\n\r\nhi\r\n.\r\nNEXT\r\n", "Subject: x\r\n\r\nhi\r\n", nil},
		{"stuffed dot", "..\r\n..x\r\n.y\r\n.\r\nNEXT\r\n", ".\r\n.x\r\ny\r\n", nil},
		{"dot inside line", "a.b\r\n a\r\n.\r\nNEXT\r\n", "a.b\r\n a\r\n", nil},
		{"blank lines before end", "\r\n\r\n.\r\nNEXT\r\n", "\r\n\r\n", nil},
		{"long line", strings.Repeat("x", 100) + "\r\n.\r\nNEXT\r\n", strings.Repeat("x", 100) + "\r\n", nil},
		{"NUL is data", "\x00.\r\n.\x00\r\n.\r\nNEXT\r\n", "\x00.\r\n\x00\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{{1 << 20}, {1}, {2, 5}, {3}} {
				body, next, err := decode([]byte(tt.in), Options{}, sizes...)
				assert.Equal(t, tt.body, body, "chunks %v", sizes)
				assert.NoError(t, err, "chunks %v", sizes)
				assert.Equal(t, "NEXT", next, "chunks %v: the reader stops right after the terminator", sizes)
			}
		})
	}
}

// The end-of-data sequences used for SMTP smuggling (smtpsmug, SEC Consult's
// SMTP-Smuggling-Tools; research/smtp-starttls-tlspolicy.md §8). Each is put
// between "A" and "B\r\n.\r\n" followed by a smuggled command: the body must
// run to the real terminator and fail, and what follows must be the next
// command, never a second message.
func TestReaderSmugglingCorpus(t *testing.T) {
	corpus := []struct {
		seq string
		err error
	}{
		{"\n.\n", crlf.ErrBareLF},
		{"\r.\r", crlf.ErrBareCR},
		{"\r.\n", crlf.ErrBareCR},
		{"\n.\r", crlf.ErrBareLF},
		{"\n.\r\n", crlf.ErrBareLF},
		{"\r\n.\n", crlf.ErrBareLF},
		{"\r.\r\n", crlf.ErrBareCR},
		{"\r\n.\r", crlf.ErrBareCR},
		{"\r\n.\r\r\n", crlf.ErrBareCR},
		{"\r\r\n.\r\r\n", crlf.ErrBareCR},
		{"\n", crlf.ErrBareLF},
		{"\r", crlf.ErrBareCR},
	}
	smuggled := "MAIL FROM:<admin@victim.example>\r\nRCPT TO:<x@y>\r\nDATA\r\nevil\r\n"
	for _, c := range corpus {
		in := "A" + c.seq + smuggled + "B\r\n.\r\nQUIT\r\n"
		for _, sizes := range [][]int{{1 << 20}, {1}, {4}} {
			body, next, err := decode([]byte(in), Options{}, sizes...)
			require.ErrorIs(t, err, c.err, "%q chunks %v", c.seq, sizes)
			require.Equal(t, "QUIT", next, "%q: drained to the real end", c.seq)
			require.NotContains(t, body, "MAIL FROM", "%q: nothing after the violation is handed out", c.seq)
		}
	}
	for _, seq := range []string{"\r\n\x00.\r\n", "\r\n.\x00\r\n"} {
		body, next, err := decode([]byte("A"+seq+"B\r\n.\r\nQUIT\r\n"), Options{})
		require.NoError(t, err, "%q is data", seq)
		require.Contains(t, body, "B\r\n")
		require.Equal(t, "QUIT", next)
	}
}

func TestReaderKeepsDataBeforeViolation(t *testing.T) {
	src := crlf.NewReader(strings.NewReader("good line\r\nbad\nline\r\n.\r\n"), crlf.Options{})
	d := NewReader(src, Options{})
	p := make([]byte, 100)
	n, err := d.Read(p)
	require.NoError(t, err)
	require.Equal(t, "good line\r\nbad", string(p[:n]))
	n, err = d.Read(p)
	require.Zero(t, n)
	require.ErrorIs(t, err, crlf.ErrBareLF)
	require.ErrorIs(t, d.Failed(), crlf.ErrBareLF)
	_, err = d.Read(p)
	require.ErrorIs(t, err, crlf.ErrBareLF, "the error is sticky")
}

// readIn reads a body with reads of psize octets.
func readIn(in []byte, opt Options, psize int) (string, error) {
	d := NewReader(crlf.NewReader(bytes.NewReader(in), crlf.Options{BufSize: 64}), opt)
	var body []byte
	p := make([]byte, psize)
	for {
		n, err := d.Read(p)
		body = append(body, p[:n]...)
		if err == io.EOF {
			return string(body), nil
		}
		if err != nil {
			return string(body), err
		}
	}
}

func TestReaderAnyReadSize(t *testing.T) {
	in := []byte("ab\r\n..c\r\n\r\n" + strings.Repeat("line\r\n", 30) + ".\r\n")
	want, err := readIn(in, Options{}, 4096)
	require.NoError(t, err)
	for psize := 1; psize < 9; psize++ {
		got, err := readIn(in, Options{}, psize)
		require.NoError(t, err, "read size %d", psize)
		require.Equal(t, want, got, "read size %d", psize)
	}
}

func TestReaderNeverHandsOutABareCR(t *testing.T) {
	for _, in := range []string{"a\rb\r\n.\r\n", "a\r\r\n.\r\n", "line\r\na\rb\r\n.\r\n"} {
		for psize := 1; psize < 4; psize++ {
			body, err := readIn([]byte(in), Options{}, psize)
			require.ErrorIs(t, err, crlf.ErrBareCR, "%q", in)
			require.NotContains(t, strings.ReplaceAll(body, "\r\n", ""), "\r", "%q read size %d", in, psize)
		}
	}
}

func TestReaderBareLFLenient(t *testing.T) {
	opt := Options{AllowBareLF: true}
	body, next, err := decode([]byte("a\n..b\nc\r\n.\nNEXT\r\n"), opt)
	require.NoError(t, err)
	require.Equal(t, "a\n.b\nc\r\n", body)
	require.Equal(t, "NEXT", next)
	_, _, err = decode([]byte("a\rb\n.\n"), opt)
	require.ErrorIs(t, err, crlf.ErrBareCR, "a bare CR is never accepted")
}

func TestReaderMaxSize(t *testing.T) {
	in := []byte("0123456789\r\n.\r\nNEXT\r\n")
	for _, sizes := range [][]int{{1 << 20}, {1}} {
		body, next, err := decode(in, Options{MaxSize: 12}, sizes...)
		require.NoError(t, err)
		require.Equal(t, "0123456789\r\n", body, "exactly at the limit is fine")
		require.Equal(t, "NEXT", next)
		body, next, err = decode(in, Options{MaxSize: 11}, sizes...)
		require.ErrorIs(t, err, ErrTooLarge)
		require.Equal(t, "0123456789\r", body, "the limit is exact")
		require.Equal(t, "NEXT", next, "drained to the real end")
	}
}

func TestReaderMaxLine(t *testing.T) {
	opt := Options{MaxLine: 8} // six octets of text and CRLF
	for _, sizes := range [][]int{{1 << 20}, {1}, {3}} {
		body, next, err := decode([]byte("123456\r\n..2345\r\n.\r\nNEXT\r\n"), opt, sizes...)
		require.NoError(t, err, "at the limit, the stuffing dot counted")
		require.Equal(t, "123456\r\n.2345\r\n", body)
		require.Equal(t, "NEXT", next)

		body, next, err = decode([]byte("ok\r\n1234567\r\nMAIL FROM:<x>\r\n.\r\nNEXT\r\n"), opt, sizes...)
		require.ErrorIs(t, err, crlf.ErrLineTooLong)
		require.Equal(t, "ok\r\n1234567", body, "the text fits; its CRLF is what goes past the limit")
		require.Equal(t, "NEXT", next, "drained to the real end")

		_, next, err = decode([]byte("..23456\r\n.\r\nNEXT\r\n"), opt, sizes...)
		require.ErrorIs(t, err, crlf.ErrLineTooLong, "the stuffing dot is sent, so it counts")
		require.Equal(t, "NEXT", next)
	}
	long := []byte(strings.Repeat("x", 5000) + "\r\n.\r\nNEXT\r\n")
	for psize := 1; psize < 4; psize++ {
		_, err := readIn(long, Options{MaxLine: 1000}, psize)
		require.ErrorIs(t, err, crlf.ErrLineTooLong, "read size %d", psize)
	}
	body, _, err := decode(long, Options{})
	require.NoError(t, err, "no limit by default")
	require.Len(t, body, 5002)
}

func TestReaderUnexpectedEOF(t *testing.T) {
	_, _, err := decode([]byte("no end\r\n"), Options{})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestReaderResetReuses(t *testing.T) {
	src := crlf.NewReader(strings.NewReader("one\r\n.\r\ntwo\r\n.\r\n"), crlf.Options{})
	d := NewReader(src, Options{})
	b, err := io.ReadAll(d)
	require.NoError(t, err)
	require.Equal(t, "one\r\n", string(b))
	d.Reset(src, Options{})
	b, err = io.ReadAll(d)
	require.NoError(t, err)
	require.Equal(t, "two\r\n", string(b))
}

func message(lines int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.org\r\nSubject: test\r\n\r\n")
	for i := range lines {
		if i%10 == 0 {
			b.WriteString("..a stuffed line\r\n")
		}
		b.WriteString("The quick brown fox jumps over the lazy dog, again and again and again.\r\n")
	}
	b.WriteString(".\r\n")
	return b.Bytes()
}

func TestReaderAllocatesNothing(t *testing.T) {
	src := crlf.NewReader(chunked.NewLoop(message(20)), crlf.Options{})
	d := NewReader(src, Options{MaxSize: 1 << 20})
	p := make([]byte, 512)
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(src, Options{MaxSize: 1 << 20})
		for {
			_, err := d.Read(p)
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	require.Zero(t, allocs)
}

func BenchmarkReader(b *testing.B) {
	msg := message(1000)
	src := crlf.NewReader(chunked.NewLoop(msg), crlf.Options{BufSize: 32 << 10})
	d := NewReader(src, Options{})
	p := make([]byte, 32<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		d.Reset(src, Options{})
		for {
			_, err := d.Read(p)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzReader: any chunking gives the same body and error; a clean body has
// no lone CR or LF and encodes back to a stream that decodes to itself.
func FuzzReader(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\n..hi\r\n.\r\n"), []byte{1, 2}, false)
	f.Add([]byte("A\n.\nMAIL FROM:<a>\r\nB\r\n.\r\n"), []byte{0}, false)
	f.Add([]byte("a\n.\n"), []byte{3}, true)
	f.Add([]byte("A\r\n.\r\r\nB\r\n.\r\n"), []byte{5, 1}, false)
	f.Fuzz(func(t *testing.T, in, split []byte, lenient bool) {
		opt := Options{AllowBareLF: lenient, MaxSize: 200, MaxLine: 64}
		body, next, err := decode(in, opt, 1<<20)
		body1, next1, err1 := decode(in, opt)
		bodyN, nextN, errN := decode(in, opt, chunked.SizesFrom(split)...)
		require.Equal(t, body, body1)
		require.Equal(t, err, err1)
		require.Equal(t, next, next1)
		require.Equal(t, body, bodyN)
		require.Equal(t, err, errN)
		require.Equal(t, next, nextN)
		require.LessOrEqual(t, len(body), 200)
		if err == nil {
			for line := range strings.SplitAfterSeq(body, "\n") {
				require.LessOrEqual(t, len(line), 64, "an accepted line is within MaxLine")
			}
		}
		small, serr := readIn(in, opt, 1+len(split)%3)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			require.ErrorIs(t, serr, io.ErrUnexpectedEOF)
		} else {
			require.Equal(t, body, small, "small reads")
			require.Equal(t, err, serr, "small reads")
		}
		if err != nil || lenient {
			return
		}
		enc, aerr := Append(nil, []byte(body))
		require.NoError(t, aerr, "a clean body %q must encode", body)
		again, _, err2 := decode(enc, Options{})
		require.NoError(t, err2)
		require.Equal(t, body, again)
	})
}
