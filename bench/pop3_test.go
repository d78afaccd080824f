package bench

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/pop3"
)

// The same two POP3 sessions, each as the client's command stream and the
// server's response stream, read through pop3 (CommandReader on the server
// side, ResponseReader on the client side) and through net/textproto
// (ReadLine, ReadDotLines, DotReader, with strings.Fields and strconv for
// the numbers, as POP3 code built on it does). Both sides of a session run
// in one iteration; b.SetBytes counts both streams.
//
//   - Pop3RETR: ten RETRs of a 74 kB message, the bodies read to the end.
//   - Pop3Listing: greeting, CAPA, AUTH PLAIN with an initial response
//     (decoded and split into its fields), STAT, LIST and UIDL of 300
//     messages, TOP n 0 of 20, DELE of 20, QUIT: listings parsed to numbers.

// pop3Body is a 74 kB message with some lines that need dot-stuffing.
var pop3Body = func() []byte {
	var b bytes.Buffer
	b.WriteString("Received: from mx.example.org by pop.example.net; Mon, 23 Nov 2026 18:00:00 +0000\r\n" +
		"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: quarterly report\r\n" +
		"Message-ID: <4ABCDEF@example.org>\r\nDate: Mon, 23 Nov 2026 17:59:58 +0000\r\n\r\n")
	for i := 0; b.Len() < 74_000; i++ {
		if i%40 == 0 {
			b.WriteString(".a line that starts with a dot and is stuffed on the wire\r\n")
		}
		fmt.Fprintf(&b, "Line %05d of the body, plain text the way most mail is written.\r\n", i)
	}
	return b.Bytes()
}()

// pop3Headers is what TOP n 0 returns.
var pop3Headers = pop3Body[:bytes.Index(pop3Body, []byte("\r\n\r\n"))+4]

// pop3Session is both streams of a session and the body octets its RETR
// and TOP responses carry, unstuffed, CRLF kept.
type pop3Session struct {
	commands, responses []byte
	bodyOctets          int64
}

func (s pop3Session) size() int64 { return int64(len(s.commands) + len(s.responses)) }

func mustBody(dst, body []byte) []byte {
	out, err := pop3.AppendBody(dst, body)
	if err != nil {
		panic(err)
	}
	return out
}

var pop3RETRSession = func() pop3Session {
	var s pop3Session
	s.responses = append(s.responses, "+OK POP3 ready\r\n"...)
	for i := 1; i <= 10; i++ {
		s.commands = append(s.commands, "RETR "+strconv.Itoa(i)+"\r\n"...)
		s.responses = append(s.responses, "+OK "+strconv.Itoa(len(pop3Body))+" octets\r\n"...)
		s.responses = mustBody(s.responses, pop3Body)
		s.bodyOctets += int64(len(pop3Body))
	}
	return s
}()

var pop3ListingSession = func() pop3Session {
	var c, r bytes.Buffer
	const n = 300
	r.WriteString("+OK POP3 ready <1896.697170952@pop.example.net>\r\n")
	c.WriteString("CAPA\r\n")
	r.WriteString("+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nRESP-CODES\r\n" +
		"PIPELINING\r\nUIDL\r\nEXPIRE NEVER\r\nSTLS\r\nIMPLEMENTATION bench\r\n.\r\n")
	auth, err := pop3.AppendPlainResponse([]byte("AUTH PLAIN "), "", "bob", "correct horse battery staple")
	if err != nil {
		panic(err)
	}
	c.Write(append(auth, "\r\n"...))
	c.WriteString("STAT\r\nLIST\r\nUIDL\r\n")
	r.WriteString("+OK Logged in.\r\n")
	fmt.Fprintf(&r, "+OK %d %d\r\n", n, n*len(pop3Body))
	r.WriteString("+OK scan listing follows\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&r, "%d %d\r\n", i, len(pop3Body)+i)
	}
	r.WriteString(".\r\n+OK unique-id listing follows\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&r, "%d %08x.%08x.pop.example.net\r\n", i, i*7919, i*104729)
	}
	r.WriteString(".\r\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&c, "TOP %d 0\r\n", i)
		r.WriteString("+OK\r\n")
		r.Write(mustBody(nil, pop3Headers))
	}
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&c, "DELE %d\r\n", i)
		fmt.Fprintf(&r, "+OK message %d deleted\r\n", i)
	}
	c.WriteString("QUIT\r\n")
	r.WriteString("+OK Logging out.\r\n")
	return pop3Session{commands: c.Bytes(), responses: r.Bytes(), bodyOctets: 20 * int64(len(pop3Headers))}
}()

// pop3Reader runs a session through pop3, reusing its readers.
type pop3Reader struct {
	src        pop3Session
	cmdSrc     bytes.Reader
	respSrc    bytes.Reader
	cmds       *pop3.CommandReader
	resps      *pop3.ResponseReader
	caps       pop3.Capabilities
	sasl       [pop3.DefaultMaxCommandLine]byte
	buf        [32 << 10]byte
	sum        int64
	bodyOctets int64
}

func newPop3Reader(s pop3Session) *pop3Reader {
	r := &pop3Reader{src: s}
	r.cmds = pop3.NewCommandReader(&r.cmdSrc, pop3.CommandReaderOptions{})
	r.resps = pop3.NewResponseReader(&r.respSrc, pop3.ResponseReaderOptions{})
	return r
}

func (r *pop3Reader) run() error {
	r.sum, r.bodyOctets = 0, 0
	r.cmdSrc.Reset(r.src.commands)
	r.respSrc.Reset(r.src.responses)
	r.cmds.Reset(&r.cmdSrc)
	r.resps.Reset(&r.respSrc)
	if _, err := r.resps.ReadResponse(); err != nil {
		return err
	}
	for {
		cmd, err := r.cmds.ReadCommand()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		resp, err := r.resps.ReadResponse()
		if err != nil {
			return err
		}
		if !resp.OK() {
			return fmt.Errorf("%s: %s", cmd.Verb, resp.Text)
		}
		if err := r.follow(cmd, resp); err != nil {
			return err
		}
	}
}

// follow reads what a +OK opens and uses the numbers, as a client would.
func (r *pop3Reader) follow(cmd pop3.Command, resp pop3.Response) error {
	switch cmd.Verb {
	case pop3.VerbCAPA:
		err := r.resps.ReadCapabilities(&r.caps)
		for range r.caps.Lines() {
			r.sum++
		}
		return err
	case pop3.VerbAUTH:
		msg, err := pop3.DecodeSASL(r.sasl[:0], cmd.Arg2)
		if err != nil {
			return err
		}
		p, err := pop3.ParsePlain(msg)
		r.sum += int64(len(p.Authcid) + len(p.Password))
		return err
	case pop3.VerbSTAT:
		count, size, err := pop3.ParseStat(resp.Text)
		r.sum += int64(count) + size
		return err
	case pop3.VerbLIST:
		for {
			s, err := r.resps.ReadScan()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			r.sum += s.Size
		}
	case pop3.VerbUIDL:
		for {
			u, err := r.resps.ReadUID()
			if err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			r.sum += int64(u.Msg + len(u.ID))
		}
	case pop3.VerbRETR, pop3.VerbTOP:
		n, err := drain(r.resps.Body(), r.buf[:])
		r.bodyOctets += n
		return err
	}
	return nil
}

// textprotoReader runs a session through net/textproto.
type textprotoReader struct {
	src        pop3Session
	cmdSrc     bytes.Reader
	respSrc    bytes.Reader
	cmdBuf     *bufio.Reader
	respBuf    *bufio.Reader
	cmds       *textproto.Reader
	resps      *textproto.Reader
	buf        [32 << 10]byte
	sum        int64
	bodyOctets int64
}

func newTextprotoReader(s pop3Session) *textprotoReader {
	r := &textprotoReader{src: s}
	r.cmdBuf = bufio.NewReader(&r.cmdSrc)
	r.respBuf = bufio.NewReader(&r.respSrc)
	r.cmds = textproto.NewReader(r.cmdBuf)
	r.resps = textproto.NewReader(r.respBuf)
	return r
}

func (r *textprotoReader) run() error {
	r.sum, r.bodyOctets = 0, 0
	r.cmdSrc.Reset(r.src.commands)
	r.respSrc.Reset(r.src.responses)
	r.cmdBuf.Reset(&r.cmdSrc)
	r.respBuf.Reset(&r.respSrc)
	if _, err := r.status(); err != nil {
		return err
	}
	for {
		line, err := r.cmds.ReadLine()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		args := strings.Fields(line)
		if len(args) == 0 {
			return fmt.Errorf("empty command")
		}
		verb := strings.ToUpper(args[0])
		if len(args) > 1 && verb != "USER" && verb != "PASS" && verb != "AUTH" {
			if _, err := strconv.Atoi(args[1]); err != nil {
				return err
			}
		}
		text, err := r.status()
		if err != nil {
			return err
		}
		if verb == "AUTH" && len(args) == 3 {
			msg, err := base64.StdEncoding.DecodeString(args[2])
			if err != nil {
				return err
			}
			f := bytes.Split(msg, []byte{0})
			if len(f) != 3 {
				return fmt.Errorf("PLAIN %q", msg)
			}
			r.sum += int64(len(f[1]) + len(f[2]))
		}
		if err := r.follow(verb, text); err != nil {
			return err
		}
	}
}

func (r *textprotoReader) status() (string, error) {
	line, err := r.resps.ReadLine()
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, "+OK") {
		return "", fmt.Errorf("%s", line)
	}
	return strings.TrimPrefix(strings.TrimPrefix(line, "+OK"), " "), nil
}

func (r *textprotoReader) follow(verb, text string) error {
	switch verb {
	case "CAPA":
		lines, err := r.resps.ReadDotLines()
		r.sum += int64(len(lines))
		return err
	case "STAT":
		f := strings.Fields(text)
		if len(f) < 2 {
			return fmt.Errorf("STAT %q", text)
		}
		count, err1 := strconv.Atoi(f[0])
		size, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("STAT %q", text)
		}
		r.sum += int64(count) + size
	case "LIST", "UIDL":
		lines, err := r.resps.ReadDotLines()
		if err != nil {
			return err
		}
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) != 2 {
				return fmt.Errorf("%s %q", verb, l)
			}
			msg, err := strconv.Atoi(f[0])
			if err != nil {
				return err
			}
			if verb == "UIDL" {
				r.sum += int64(msg + len(f[1]))
				continue
			}
			size, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return err
			}
			r.sum += size
		}
	case "RETR", "TOP":
		n, err := drain(r.resps.DotReader(), r.buf[:])
		r.bodyOctets += n
		return err
	}
	return nil
}

// benchPop3Session checks every pass against the session's sum of numbers
// (taken once through textproto, which TestPop3SessionsAgree holds equal to
// pop3's) and its body octets (pop3 keeps CRLF, textproto one LF a line).
func benchPop3Session(b *testing.B, s pop3Session) {
	ref := newTextprotoReader(s)
	if err := ref.run(); err != nil {
		b.Fatal(err)
	}
	wantSum, wantTextprotoBody := ref.sum, ref.bodyOctets
	b.Run("pop3", func(b *testing.B) {
		r := newPop3Reader(s)
		b.ReportAllocs()
		b.SetBytes(s.size())
		for b.Loop() {
			if err := r.run(); err != nil || r.sum != wantSum || r.bodyOctets != s.bodyOctets {
				b.Fatal(err, r.sum, r.bodyOctets)
			}
		}
	})
	b.Run("textproto", func(b *testing.B) {
		r := newTextprotoReader(s)
		b.ReportAllocs()
		b.SetBytes(s.size())
		for b.Loop() {
			if err := r.run(); err != nil || r.sum != wantSum || r.bodyOctets != wantTextprotoBody {
				b.Fatal(err, r.sum, r.bodyOctets)
			}
		}
	})
}

func BenchmarkPop3RETR(b *testing.B) { benchPop3Session(b, pop3RETRSession) }

func BenchmarkPop3Listing(b *testing.B) { benchPop3Session(b, pop3ListingSession) }

// TestPop3SessionsAgree checks that both readers see the same numbers and
// body octets (textproto turns CRLF into LF, one octet less per line), so
// the benchmarks compare equal work.
func TestPop3SessionsAgree(t *testing.T) {
	for _, s := range []pop3Session{pop3RETRSession, pop3ListingSession} {
		p, tp := newPop3Reader(s), newTextprotoReader(s)
		if err := p.run(); err != nil {
			t.Fatal(err)
		}
		if err := tp.run(); err != nil {
			t.Fatal(err)
		}
		lines := int64(bytes.Count(s.responses, []byte("\r\n")))
		if p.sum != tp.sum || p.bodyOctets != s.bodyOctets || p.bodyOctets < tp.bodyOctets || p.bodyOctets-tp.bodyOctets > lines {
			t.Errorf("pop3: sum %d, %d body octets; textproto: sum %d, %d body octets", p.sum, p.bodyOctets, tp.sum, tp.bodyOctets)
		}
	}
}

// TestPop3SteadyStateAllocs: the pop3 side allocates nothing per session.
func TestPop3SteadyStateAllocs(t *testing.T) {
	for _, s := range []pop3Session{pop3RETRSession, pop3ListingSession} {
		r := newPop3Reader(s)
		if err := r.run(); err != nil {
			t.Fatal(err)
		}
		if allocs := testing.AllocsPerRun(10, func() {
			if err := r.run(); err != nil {
				t.Fatal(err)
			}
		}); allocs != 0 {
			t.Errorf("%v allocs per session", allocs)
		}
	}
}
