package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/textproto"
	"testing"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtpwire"
)

// Dot-terminated bodies: SMTP DATA (smtpwire's CommandReader.Data) and POP3
// RETR/TOP (pop3's ResponseReader.Body) against net/textproto's DotReader.
//
// Normalisation: textproto turns every CRLF into LF, so mailwire's body is
// compared with its CRLFs turned into LF; both must also leave the same
// octets unread after the body (where the body ends is the smuggling
// question).

// dotResult is one reader's view of a body: the octets it handed out, its
// error, and what was left unread after it.
type dotResult struct {
	out, rest []byte
	err       error
}

func readTextprotoDot(in []byte) dotResult {
	br := bufio.NewReader(bytes.NewReader(in))
	out, err := io.ReadAll(textproto.NewReader(br).DotReader())
	rest, _ := io.ReadAll(br)
	return dotResult{out, rest, err}
}

func readSMTPData(in []byte) dotResult {
	src := bytes.NewReader(in)
	c := smtpwire.NewCommandReader(src, smtpwire.CommandReaderOptions{})
	out, err := io.ReadAll(c.Data(0))
	rest := append([]byte(nil), c.ReadAhead()...)
	tail, _ := io.ReadAll(src)
	return dotResult{out, append(rest, tail...), err}
}

func readPOP3Body(in []byte, allowBareLF bool) (dotResult, error) {
	src := bytes.NewReader(append([]byte("+OK\r\n"), in...))
	r := pop3.NewResponseReader(src, pop3.ResponseReaderOptions{AllowBareLF: allowBareLF})
	if _, err := r.ReadResponse(); err != nil {
		return dotResult{}, err
	}
	out, err := io.ReadAll(r.Body())
	rest := append([]byte(nil), r.ReadAhead()...)
	tail, _ := io.ReadAll(src)
	return dotResult{out, append(rest, tail...), err}, nil
}

// classifyDot names the table row that explains why mailwire refused a body
// textproto read, or returns "" when the input shows none. maxLine is the
// line limit mailwire applies (0: none). The error must say what the input
// shows: a bare-LF error needs a bare LF before the real end, and so on.
func classifyDot(in []byte, err error, maxLine int) string {
	body := in
	if n, ok := realEnd(in); ok {
		body = in[:n]
	}
	switch {
	case errors.Is(err, smtpwire.ErrBareLF) && hasBareLF(body):
		return rowBareLFBody
	case errors.Is(err, smtpwire.ErrBareCR) && hasBareCR(body):
		return rowBareCRBody
	case errors.Is(err, smtpwire.ErrLineTooLong) && maxLine > 0 && longestLine(body) > maxLine:
		return rowLongDataLine
	case errors.Is(err, io.ErrUnexpectedEOF) && !bytes.Equal(body, in):
		return "" // an end exists, so EOF is wrong
	case errors.Is(err, io.ErrUnexpectedEOF) && hasBareLF(in):
		// No <CRLF>.<CRLF> at all: textproto stopped at a bare-LF end.
		return rowBareLFBody
	}
	return ""
}

// checkDot compares mailwire's reading (mw) of a dot-terminated body with
// textproto's (tp).
func checkDot(t *testing.T, in []byte, mw, tp dotResult, maxLine int) {
	t.Helper()
	switch {
	case mw.err == nil && tp.err == nil:
		if !bytes.Equal(crlfToLF(mw.out), tp.out) {
			t.Fatalf("bodies differ on %q:\nmailwire  %q\ntextproto %q", in, mw.out, tp.out)
		}
		if hasBareLF(mw.out) || hasBareCR(mw.out) {
			t.Fatalf("mailwire handed out a bare line end from %q: %q", in, mw.out)
		}
		if !bytes.Equal(mw.rest, tp.rest) {
			t.Fatalf("bodies end at different places in %q:\nmailwire leaves  %q\ntextproto leaves %q", in, mw.rest, tp.rest)
		}
	case mw.err != nil && tp.err == nil:
		row := classifyDot(in, mw.err, maxLine)
		if row == "" {
			t.Fatalf("mailwire refuses %q (%v), textproto reads %q, and no FUZZING.md row explains it", in, mw.err, tp.out)
		}
		// The deliberate strictness is "drain to the real end, then fail":
		// nothing after a smuggled end may be left for the next command.
		if n, ok := realEnd(in); ok && !bytes.Equal(mw.rest, in[n:]) {
			t.Fatalf("%s: mailwire did not drain %q to its real end: left %q, want %q", row, in, mw.rest, in[n:])
		}
	case mw.err == nil && tp.err != nil:
		t.Fatalf("mailwire reads %q (%q), textproto refuses it (%v): no FUZZING.md row", in, mw.out, tp.err)
	}
}

// dotSeeds are the bench corpora and every recorded DATA body, plus the
// smuggling shapes.
func dotSeeds(f *testing.F) {
	// Seeds stay under 2 KiB: the fuzzer minimizes every new input, and
	// minimizing tens of kilobytes stalls a worker for many seconds.
	f.Add(append(clip(smtpDataStream, 1500), "\r\n.\r\n"...))
	f.Add(mustBody(nil, pop3Headers))
	for _, b := range dataBodies(f) {
		f.Add(clip(b, 2048))
	}
	for _, s := range []string{
		".\r\n", "a\r\n.\r\n", "..\r\n.\r\n", ".a\r\n.\r\nNEXT\r\n",
		"a\n.\nMAIL FROM:<x@y>\r\n.\r\n", "a\r.\rb\r\n.\r\n", "a\n.\r\nb\r\n.\r\n", "a\r\n.\nb\r\n.\r\n",
		"a\r\r\n.\r\n", "\n.\r\n", "a\r\n.", "a\r\n.\r", "x\x00y\r\n.\r\n",
	} {
		f.Add([]byte(s))
	}
}

func FuzzDiffSMTPData(f *testing.F) {
	dotSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		checkDot(t, in, readSMTPData(in), readTextprotoDot(in), smtpwire.DefaultMaxDataLine)
	})
}

func FuzzDiffPOP3Body(f *testing.F) {
	dotSeeds(f)
	for _, s := range sessions(f, "pop3-") {
		rest := s.server
		for len(rest) > 0 {
			i := bytes.Index(rest, []byte("\r\n+OK"))
			if i < 0 {
				break
			}
			rest = rest[i+2:]
			if j := bytes.Index(rest, []byte("\r\n")); j >= 0 {
				f.Add(clip(rest[j+2:], 2048))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		tp := readTextprotoDot(in)
		mw, err := readPOP3Body(in, false)
		if err != nil {
			t.Fatalf("+OK refused: %v", err)
		}
		checkDot(t, in, mw, tp, 0)

		// AllowBareLF reads bodies as textproto does, bare-LF ends
		// included; only a bare CR is still refused.
		mw, err = readPOP3Body(in, true)
		if err != nil {
			t.Fatalf("+OK refused: %v", err)
		}
		consumed := in[:len(in)-len(mw.rest)]
		switch {
		case (mw.err == nil || tp.err == nil) && hasEmptyLFLine(consumed):
			// textproto's DotReader does not start a line after an
			// empty bare-LF line, so "\n.\n" is not an end to it.
		case mw.err == nil && tp.err == nil:
			if !bytes.Equal(crlfToLF(mw.out), tp.out) || !bytes.Equal(mw.rest, tp.rest) {
				t.Fatalf("AllowBareLF: %q read differently:\nmailwire  %q leaving %q\ntextproto %q leaving %q", in, mw.out, mw.rest, tp.out, tp.rest)
			}
		case mw.err != nil && tp.err == nil:
			if !errors.Is(mw.err, pop3.ErrBareCR) || !hasBareCR(in) {
				t.Fatalf("AllowBareLF: mailwire refuses %q (%v), textproto reads %q, and no FUZZING.md row explains it", in, mw.err, tp.out)
			}
		case mw.err == nil && tp.err != nil:
			t.Fatalf("AllowBareLF: mailwire reads %q (%q), textproto refuses it (%v)", in, mw.out, tp.err)
		}
	})
}

// hasEmptyLFLine reports an LF at the start of a line: an empty line ended
// by a bare LF.
func hasEmptyLFLine(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] == '\n') {
			return true
		}
	}
	return false
}
