package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/mailwire/mailwire/smtpwire"
)

// The same byte streams go through smtpwire, net/textproto and, where its
// exported API allows, emersion/go-smtp. go-smtp exports no reader of
// commands, replies or DATA bodies on their own, so it is measured end to
// end: its server over net.Pipe, the client writing the stream and
// discarding the replies. That includes its reply writing and goroutine
// hand-offs, so read those rows as "a whole go-smtp server on these bytes".

// smtpCommandStream: transactions of MAIL, RCPT and RSET, as a client
// sends them.
var smtpCommandStream = func() []byte {
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "MAIL FROM:<sender%d@example.org> SIZE=%d BODY=8BITMIME\r\n", i, 1000+i)
		fmt.Fprintf(&b, "RCPT TO:<rcpt%d@example.net>\r\nRCPT TO:<other%d@example.com>\r\nRSET\r\n", i, i)
	}
	return []byte(b.String())
}()

// smtpReplyStream: EHLO replies and transaction replies, as a server sends
// them.
var smtpReplyStream = func() []byte {
	var b strings.Builder
	for range smtpReplyEHLOs {
		b.WriteString("250-mx.example.net at your service\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n" +
			"250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n")
		b.WriteString("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 Start mail input\r\n250 2.0.0 Ok: queued as 4ABCDEF\r\n")
	}
	return []byte(b.String())
}()

// smtpReplyEHLOs is the number of EHLO replies in smtpReplyStream.
const smtpReplyEHLOs = 100

// checkCapabilities asks the five questions a client asks of the EHLO
// reply of smtpReplyStream and checks the answers.
func checkCapabilities(c *smtpwire.Capabilities) error {
	size, ok := c.MaxSize()
	_, auth := c.Lookup("AUTH")
	if !ok || size != 35882577 || !c.Has(smtpwire.ExtChunking) || !c.Has(smtpwire.Ext8BitMIME) ||
		!c.Has(smtpwire.ExtSMTPUTF8) || !c.Has(smtpwire.ExtPipelining) || c.Has(smtpwire.ExtStartTLS) || auth {
		return fmt.Errorf("capabilities lost: size %d %v, has %v %v %v %v, STARTTLS %v, AUTH %v", size, ok,
			c.Has(smtpwire.ExtChunking), c.Has(smtpwire.Ext8BitMIME), c.Has(smtpwire.ExtSMTPUTF8),
			c.Has(smtpwire.ExtPipelining), c.Has(smtpwire.ExtStartTLS), auth)
	}
	return nil
}

// smtpBody is a 74 kB message with some stuffed dots; smtpDataStream is it
// dot-stuffed and terminated.
var (
	smtpBody = func() []byte {
		var b bytes.Buffer
		b.WriteString("From: a@example.org\r\nTo: b@example.net\r\nSubject: benchmark\r\n\r\n")
		for i := range 1000 {
			if i%50 == 0 {
				b.WriteString(".a line that starts with a dot\r\n")
			}
			b.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n")
		}
		return b.Bytes()
	}()
	smtpDataStream = func() []byte {
		wire, err := smtpwire.AppendData(nil, smtpBody)
		if err != nil {
			panic(err)
		}
		return wire
	}()
)

// benchStream times one pass over stream per iteration: reset points the
// parser at a fresh reader of the stream, and pass reads it to its end.
func benchStream(b *testing.B, stream []byte, reset func(io.Reader), pass func() error) {
	src := bytes.NewReader(stream)
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		src.Reset(stream)
		reset(src)
		if err := pass(); err != nil {
			b.Fatal(err)
		}
	}
}

// untilEOF calls next until it returns io.EOF.
func untilEOF(next func() error) func() error {
	return func() error {
		for {
			if err := next(); err != nil {
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	}
}

// exactly calls next until it returns io.EOF and fails unless it succeeded
// want times first, so a reader that stops early or splits wrongly cannot
// look fast.
func exactly(want int, next func() error) func() error {
	return func() error {
		n := 0
		for {
			if err := next(); err != nil {
				if err != io.EOF {
					return err
				}
				if n != want {
					return fmt.Errorf("read %d, want %d", n, want)
				}
				return nil
			}
			n++
		}
	}
}

// The counts the benchmarks check, from how the corpora are built.
const (
	smtpCommandCount = 200 * 4 // MAIL, two RCPT, RSET
	smtpReplyCount   = 100 * 5 // the EHLO reply and four transaction replies
)

// smtpBodyLines is how many lines smtpBody has: textproto's DotReader
// hands each CRLF out as a bare LF, one octet less per line.
var smtpBodyLines = bytes.Count(smtpBody, []byte("\r\n"))

func BenchmarkSmtpCommands(b *testing.B) {
	// The same work as textproto's ReadLine, plus the verb split.
	b.Run("smtpwire-ReadCommand", func(b *testing.B) {
		c := smtpwire.NewCommandReader(nil, smtpwire.CommandReaderOptions{})
		benchStream(b, smtpCommandStream, c.Reset, exactly(smtpCommandCount, func() error {
			cmd, err := c.ReadCommand()
			if err == nil && cmd.Verb == smtpwire.VerbUnknown {
				err = fmt.Errorf("verb of %q not recognized", cmd.Args)
			}
			return err
		}))
	})
	// Everything a server needs: paths checked, parameters validated.
	b.Run("smtpwire-ReadCommand+ParsePaths", func(b *testing.B) {
		c := smtpwire.NewCommandReader(nil, smtpwire.CommandReaderOptions{})
		benchStream(b, smtpCommandStream, c.Reset, exactly(smtpCommandCount, func() error {
			cmd, err := c.ReadCommand()
			if err != nil {
				return err
			}
			switch cmd.Verb {
			case smtpwire.VerbMAIL:
				var m smtpwire.MailFrom
				if m, err = smtpwire.ParseMailFrom(cmd.Args, smtpwire.PathOptions{}); err == nil && len(m.From.Mailbox) == 0 {
					err = fmt.Errorf("MAIL without its path")
				}
			case smtpwire.VerbRCPT:
				var r smtpwire.RcptTo
				if r, err = smtpwire.ParseRcptTo(cmd.Args, smtpwire.PathOptions{}); err == nil && len(r.To.Mailbox) == 0 {
					err = fmt.Errorf("RCPT without its path")
				}
			}
			return err
		}))
	})
	// What the first measurement compared with: textproto's line
	// and the verb split off, as code built on it does.
	b.Run("textproto-ReadLine+Fields", func(b *testing.B) {
		br := bufio.NewReader(nil)
		tr := textproto.NewReader(br)
		benchStream(b, smtpCommandStream, br.Reset, exactly(smtpCommandCount, func() error {
			line, err := tr.ReadLine()
			if err == nil && len(strings.Fields(line)) == 0 {
				err = fmt.Errorf("empty command")
			}
			return err
		}))
	})
	// textproto only splits lines: no verb, path or parameter parsing.
	b.Run("textproto-ReadLine", func(b *testing.B) {
		br := bufio.NewReader(nil)
		tr := textproto.NewReader(br)
		benchStream(b, smtpCommandStream, br.Reset, exactly(smtpCommandCount, func() error {
			_, err := tr.ReadLine()
			return err
		}))
	})
	b.Run("go-smtp-server", func(b *testing.B) {
		stream := append(append([]byte("EHLO client.example\r\n"), smtpCommandStream...), "QUIT\r\n"...)
		runGoSMTPServer(b, stream, len(smtpCommandStream))
	})
}

func BenchmarkSmtpReplies(b *testing.B) {
	b.Run("smtpwire", func(b *testing.B) {
		rr := smtpwire.NewReplyReader(nil, smtpwire.ReplyReaderOptions{})
		benchStream(b, smtpReplyStream, rr.Reset, exactly(smtpReplyCount, func() error {
			r, err := rr.ReadReply()
			if err == nil && r.Code/100 != 2 && r.Code != 354 {
				err = fmt.Errorf("reply code %d", r.Code)
			}
			return err
		}))
	})
	// What a client does with them: EHLO replies indexed and asked the
	// usual five questions (no allocation), every line walked, the answers
	// and the number of EHLO replies checked.
	b.Run("smtpwire+ParseCapabilities", func(b *testing.B) {
		rr := smtpwire.NewReplyReader(nil, smtpwire.ReplyReaderOptions{})
		var caps smtpwire.Capabilities // one per connection, as a client keeps it
		ehlos := 0
		benchStream(b, smtpReplyStream, func(r io.Reader) { rr.Reset(r); ehlos = 0 }, func() error {
			err := untilEOF(func() error {
				r, err := rr.ReadReply()
				if err != nil {
					return err
				}
				for i := range r.Len() {
					_ = r.Line(i)
				}
				if r.Len() > 1 {
					if err := caps.Parse(r); err != nil {
						return err
					}
					ehlos++
					return checkCapabilities(&caps)
				}
				return nil
			})()
			if err == nil && ehlos != smtpReplyEHLOs {
				err = fmt.Errorf("read %d EHLO replies, want %d", ehlos, smtpReplyEHLOs)
			}
			return err
		})
	})
	b.Run("textproto-ReadResponse", func(b *testing.B) {
		br := bufio.NewReader(nil)
		tr := textproto.NewReader(br)
		benchStream(b, smtpReplyStream, br.Reset, exactly(smtpReplyCount, func() error {
			_, _, err := tr.ReadResponse(0)
			return err
		}))
	})
}

func BenchmarkSmtpData(b *testing.B) {
	buf := make([]byte, 32*1024)
	b.Run("smtpwire", func(b *testing.B) {
		c := smtpwire.NewCommandReader(nil, smtpwire.CommandReaderOptions{})
		benchStream(b, smtpDataStream, c.Reset, func() error { return drainExactly(c.Data(0), buf, len(smtpBody)) })
	})
	b.Run("textproto-DotReader", func(b *testing.B) {
		br := bufio.NewReader(nil)
		tr := textproto.NewReader(br)
		benchStream(b, smtpDataStream, br.Reset, func() error {
			return drainExactly(tr.DotReader(), buf, len(smtpBody)-smtpBodyLines)
		})
	})
	b.Run("go-smtp-server", func(b *testing.B) {
		stream := []byte("EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n")
		stream = append(append(stream, smtpDataStream...), "QUIT\r\n"...)
		runGoSMTPServer(b, stream, len(smtpDataStream))
	})
}

func BenchmarkSmtpWriteData(b *testing.B) {
	b.Run("smtpwire-AppendData", func(b *testing.B) {
		dst := make([]byte, 0, len(smtpDataStream)+1024)
		b.ReportAllocs()
		b.SetBytes(int64(len(smtpBody)))
		for b.Loop() {
			out, err := smtpwire.AppendData(dst[:0], smtpBody)
			if err != nil || len(out) != len(smtpDataStream) {
				b.Fatal(err, len(out))
			}
		}
	})
	b.Run("textproto-DotWriter", func(b *testing.B) {
		var out bytes.Buffer
		out.Grow(len(smtpDataStream) + 1024)
		bw := bufio.NewWriter(&out)
		b.ReportAllocs()
		b.SetBytes(int64(len(smtpBody)))
		for b.Loop() {
			out.Reset()
			bw.Reset(&out)
			w := textproto.NewWriter(bw).DotWriter()
			if _, err := w.Write(smtpBody); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil || out.Len() != len(smtpDataStream) {
				b.Fatal(err, out.Len())
			}
		}
	})
}

// drain reads r to its end through buf and reports how many octets it read.
func drain(r io.Reader, buf []byte) (int64, error) {
	var total int64
	for {
		n, err := r.Read(buf)
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// drainExactly reads r to its end and fails unless it gave want octets.
func drainExactly(r io.Reader, buf []byte, want int) error {
	n, err := drain(r, buf)
	if err == nil && n != int64(want) {
		err = fmt.Errorf("read %d octets, want %d", n, want)
	}
	return err
}

// runGoSMTPServer serves one go-smtp connection per iteration over
// net.Pipe, writes stream to it and reads every reply until it closes.
func runGoSMTPServer(b *testing.B, stream []byte, payload int) {
	runGoSMTPBackend(b, stream, payload,
		smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return discardSession{}, nil }), nil, nil)
}

// runGoSMTPBackend is runGoSMTPServer with be's sessions, setup (if not nil)
// turning on server options, and check (if not nil) called with the number
// of connections served once they are all done.
func runGoSMTPBackend(b *testing.B, stream []byte, payload int, be smtp.Backend, setup func(*smtp.Server), check func(passes int) error) {
	l := &pipeListener{conns: make(chan net.Conn)}
	s := smtp.NewServer(be)
	if setup != nil {
		setup(s)
	}
	s.Domain = "mx.example.net"
	s.AllowInsecureAuth = true
	s.ErrorLog = log.New(io.Discard, "", 0) // the pipe closes under it at QUIT
	go s.Serve(l)                           //nolint:errcheck // ends with Close below
	defer s.Close()
	b.ReportAllocs()
	b.SetBytes(int64(payload))
	passes := 0
	for b.Loop() {
		client, server := net.Pipe()
		l.conns <- server
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = io.Copy(io.Discard, client)
		}()
		if _, err := client.Write(stream); err != nil {
			b.Fatal(err)
		}
		wg.Wait()
		client.Close()
		passes++
	}
	if check != nil {
		if err := check(passes); err != nil {
			b.Fatal(err)
		}
	}
}

type discardSession struct{}

func (discardSession) Reset()                               {}
func (discardSession) Logout() error                        { return nil }
func (discardSession) Mail(string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (discardSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }

// pipeListener hands out the server ends of net.Pipe connections.
type pipeListener struct {
	conns  chan net.Conn
	closed sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}

func (l *pipeListener) Close() error {
	l.closed.Do(func() { close(l.conns) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
