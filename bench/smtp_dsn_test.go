package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/mailwire/mailwire/smtpwire"
)

// dsnTotals is what a server reads from a DSN transaction stream, summed:
// the benchmarks compare theirs with the one computed while building the
// corpus, so that a parser that skips a parameter or stops early fails.
type dsnTotals struct {
	mails, rcpts       int
	mailboxBytes       int    // len of every reverse- and forward-path mailbox
	size               uint64 // sum of SIZE
	body8bit, smtputf8 int    // MAIL with BODY=8BITMIME, with SMTPUTF8
	retHdrs            int    // MAIL with RET=HDRS
	envidBytes         int    // decoded ENVID octets
	notifySuccess      int    // RCPT with SUCCESS among NOTIFY
	notifyFailure      int
	notifyDelay        int
	notifyNever        int
	orcptRFC822        int // ORCPT of type rfc822
	orcptBytes         int // decoded ORCPT address octets
	orcptPlus          int // "+" in decoded ORCPT addresses (from xtext "+2B")
}

const (
	dsnTransactions = 50
	dsnRcpts        = 20
)

// smtpDSNStream: 50 transactions of a DSN-using client (RFC 3461 with
// RFC 1870 SIZE, RFC 6152 BODY and RFC 6531 SMTPUTF8): MAIL with five
// parameters, 20 RCPT with NOTIFY and ORCPT (one ORCPT per transaction with
// an xtext "+2B"), then RSET. smtpDSNWant is what reading it must give.
var smtpDSNStream, smtpDSNWant = func() ([]byte, dsnTotals) {
	var b strings.Builder
	var w dsnTotals
	for n := range dsnTransactions {
		from := fmt.Sprintf("sender-%d@example.org", n)
		size := 10000 + 37*n
		envid := fmt.Sprintf("QQ314159-%d", n)
		fmt.Fprintf(&b, "MAIL FROM:<%s> SIZE=%d BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=%s\r\n", from, size, envid)
		w.mails++
		w.mailboxBytes += len(from)
		w.size += uint64(size)
		w.body8bit++
		w.smtputf8++
		w.retHdrs++
		w.envidBytes += len(envid)
		for k := range dsnRcpts {
			to := fmt.Sprintf("rcpt-%d-%d@example.net", n, k)
			orcpt, decoded := to, to
			if k == 7 {
				to = fmt.Sprintf("rcpt+tag-%d-%d@example.net", n, k)
				orcpt = fmt.Sprintf("rcpt+2Btag-%d-%d@example.net", n, k)
				decoded = to
				w.orcptPlus++
			}
			notify := "SUCCESS,FAILURE"
			switch {
			case k%9 == 4:
				notify = "NEVER"
				w.notifyNever++
			case k%5 == 2:
				notify = "FAILURE,DELAY"
				w.notifyFailure++
				w.notifyDelay++
			default:
				w.notifySuccess++
				w.notifyFailure++
			}
			fmt.Fprintf(&b, "RCPT TO:<%s> NOTIFY=%s ORCPT=rfc822;%s\r\n", to, notify, orcpt)
			w.rcpts++
			w.mailboxBytes += len(to)
			w.orcptRFC822++
			w.orcptBytes += len(decoded)
		}
		b.WriteString("RSET\r\n")
	}
	return []byte(b.String()), w
}()

func (got dsnTotals) check(want dsnTotals) error {
	if got != want {
		return fmt.Errorf("read %+v, want %+v", got, want)
	}
	return nil
}

func BenchmarkSmtpDSNCommands(b *testing.B) {
	// What a DSN server does with each command: the line read, the path and
	// every parameter checked, and every parameter read back typed.
	b.Run("smtpwire", func(b *testing.B) {
		c := smtpwire.NewCommandReader(nil, smtpwire.CommandReaderOptions{})
		var got dsnTotals
		buf := make([]byte, 0, 512)
		benchStream(b, smtpDSNStream, func(r io.Reader) { c.Reset(r); got = dsnTotals{} }, func() error {
			if err := readDSNStream(c, &got, buf); err != nil {
				return err
			}
			return got.check(smtpDSNWant)
		})
	})
	// textproto only splits lines: no verb, path or parameter parsing.
	b.Run("textproto-ReadLine", func(b *testing.B) {
		br := bufio.NewReader(nil)
		tr := textproto.NewReader(br)
		lines := 0
		want := dsnTransactions * (dsnRcpts + 2)
		benchStream(b, smtpDSNStream, func(r io.Reader) { br.Reset(r); lines = 0 }, func() error {
			err := untilEOF(func() error {
				_, err := tr.ReadLine()
				if err == nil {
					lines++
				}
				return err
			})()
			if err == nil && lines != want {
				err = fmt.Errorf("read %d lines, want %d", lines, want)
			}
			return err
		})
	})
	// A whole go-smtp server with DSN and SMTPUTF8 on, its session reading
	// the same options.
	b.Run("go-smtp-server", func(b *testing.B) {
		stream := append(append([]byte("EHLO client.example\r\n"), smtpDSNStream...), "QUIT\r\n"...)
		var sess dsnSession
		runGoSMTPBackend(b, stream, len(smtpDSNStream),
			smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sess, nil }),
			func(s *smtp.Server) {
				s.EnableDSN = true
				s.EnableSMTPUTF8 = true
			},
			func(passes int) error {
				got := sess.totals()
				want := smtpDSNWant
				want.mails *= passes
				want.rcpts *= passes
				if got.mails != want.mails || got.rcpts != want.rcpts {
					return fmt.Errorf("go-smtp took %d MAIL and %d RCPT, want %d and %d", got.mails, got.rcpts, want.mails, want.rcpts)
				}
				return nil
			})
	})
}

// readDSNStream reads every command of smtpDSNStream from c, checks it
// and adds what it carries to t.
func readDSNStream(c *smtpwire.CommandReader, t *dsnTotals, buf []byte) error {
	var opt smtpwire.PathOptions
	var m smtpwire.MailFrom // kept from one command to the next, as a server keeps them
	var r smtpwire.RcptTo
	plus := []byte{'+'}
	for {
		cmd, err := c.ReadCommand()
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		switch cmd.Verb {
		case smtpwire.VerbMAIL:
			if err := m.Parse(cmd.Args, smtpwire.PathOptions{}); err != nil {
				return err
			}
			t.mails++
			t.mailboxBytes += len(m.From.Mailbox)
			ps := &m.Params
			if n, ok := ps.Size(); ok {
				t.size += n
			}
			if ps.Body() == smtpwire.Body8BitMIME {
				t.body8bit++
			}
			if ps.Has(smtpwire.ParamSMTPUTF8) {
				t.smtputf8++
			}
			opt.SMTPUTF8 = ps.Has(smtpwire.ParamSMTPUTF8)
			if ps.Ret() == smtpwire.RetHdrs {
				t.retHdrs++
			}
			if envid, ok := ps.EnvID(buf[:0]); ok {
				t.envidBytes += len(envid)
			}
		case smtpwire.VerbRCPT:
			if err := r.Parse(cmd.Args, opt); err != nil {
				return err
			}
			t.rcpts++
			t.mailboxBytes += len(r.To.Mailbox)
			ps := &r.Params
			n := ps.Notify()
			if n&smtpwire.NotifySuccess != 0 {
				t.notifySuccess++
			}
			if n&smtpwire.NotifyFailure != 0 {
				t.notifyFailure++
			}
			if n&smtpwire.NotifyDelay != 0 {
				t.notifyDelay++
			}
			if n&smtpwire.NotifyNever != 0 {
				t.notifyNever++
			}
			if typ, addr, ok := ps.ORCPT(buf[:0]); ok {
				if string(typ) == "rfc822" {
					t.orcptRFC822++
				}
				t.orcptBytes += len(addr)
				t.orcptPlus += bytes.Count(addr, plus)
			}
		case smtpwire.VerbRSET:
			opt.SMTPUTF8 = false
		default:
			return fmt.Errorf("unexpected %v", cmd.Verb)
		}
	}
}

// dsnSession is a go-smtp session that reads every DSN option it is handed,
// as readDSNStream does, and counts the commands it took.
type dsnSession struct {
	mails, rcpts atomic.Int64
	sink         atomic.Int64 // the options read, so that reading them is not dead code
}

func (s *dsnSession) totals() dsnTotals {
	return dsnTotals{mails: int(s.mails.Load()), rcpts: int(s.rcpts.Load())}
}

func (s *dsnSession) Reset()        {}
func (s *dsnSession) Logout() error { return nil }

func (s *dsnSession) Mail(from string, o *smtp.MailOptions) error {
	v := int64(len(from)) + o.Size + int64(len(o.EnvelopeID))
	if o.Body == smtp.Body8BitMIME {
		v++
	}
	if o.UTF8 {
		v++
	}
	if o.Return == smtp.DSNReturnHeaders {
		v++
	}
	s.sink.Add(v)
	s.mails.Add(1)
	return nil
}

func (s *dsnSession) Rcpt(to string, o *smtp.RcptOptions) error {
	v := int64(len(to)) + int64(len(o.Notify)) + int64(len(o.OriginalRecipient))
	if o.OriginalRecipientType == smtp.DSNAddressTypeRFC822 {
		v++
	}
	s.sink.Add(v)
	s.rcpts.Add(1)
	return nil
}

func (s *dsnSession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
