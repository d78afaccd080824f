// Package session speaks the client side of SMTP, LMTP, POP3 and IMAP far
// enough for a probe: greeting, capabilities, single commands and the
// STARTTLS step, over a connection whose bytes are logged (package record).
//
// Unlike starttls.Client it lets the caller do what a checker must: send
// bytes behind STARTTLS in one segment, look at what the server sent after
// its go-ahead, and run the handshake with any tls.Config. It still refuses to
// start TLS over plaintext bytes the server sent before the handshake.
//
// Replies are copied out of the protocol readers (smtpwire, pop3,
// imapwire), so a Reply stays valid; each is bounded by those readers'
// limits.
package session

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/imapwire"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtpwire"
)

// quirks: a probe reports on servers, it does not refuse their known
// deviations.
var quirks = imapwire.Quirks{TrailingSpace: true, MissingText: true, EmptyContinuation: true, NegativeSize: true}

// Proto is a mail protocol.
type Proto uint8

// The protocols.
const (
	SMTP Proto = iota + 1
	LMTP
	POP3
	IMAP
)

// String returns the lower-case name.
func (p Proto) String() string {
	switch p {
	case SMTP:
		return "smtp"
	case LMTP:
		return "lmtp"
	case POP3:
		return "pop3"
	case IMAP:
		return "imap"
	}
	return "Proto(" + strconv.Itoa(int(p)) + ")"
}

// ParseProto returns the protocol named s.
func ParseProto(s string) (Proto, error) {
	for _, p := range []Proto{SMTP, LMTP, POP3, IMAP} {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown protocol %q (smtp, lmtp, pop3, imap)", s)
}

// Errors of a session, for errors.Is.
var (
	// ErrBuffered: the server sent bytes after its go-ahead that arrived
	// before the handshake started (response injection).
	ErrBuffered = errors.New("server sent bytes after its STARTTLS go-ahead (response injection)")
	// ErrNotGoAhead: the reply to STARTTLS was not the go-ahead.
	ErrNotGoAhead = errors.New("STARTTLS was not answered with the go-ahead")
)

// Reply is one server answer, copied: for SMTP a whole (multi-line)
// reply, for POP3 a status line (and a listing when one was read), for IMAP
// the untagged lines and the tagged completion.
type Reply struct {
	// OK: SMTP 2xx or 3xx, POP3 +OK or "+" continuation, IMAP tagged OK or
	// "+" continuation.
	OK bool
	// Code is the SMTP reply code (0 for POP3 and IMAP).
	Code int
	// Cond is the POP3 status (+OK, -ERR, +) or the IMAP condition of the
	// last line (OK, NO, BAD, BYE, PREAUTH, +).
	Cond string
	// Lines are the reply's lines as sent, without CRLF.
	Lines []string
}

// String joins the lines with " | ".
func (r Reply) String() string { return strings.Join(r.Lines, " | ") }

// Conn is a client session over one connection. It is not safe for
// concurrent use.
type Conn struct {
	Proto Proto
	Log   *record.Log
	// Hello is the EHLO/LHLO argument; empty means "mailprobe.invalid".
	Hello string

	raw    net.Conn // the TCP connection
	cur    *record.Conn
	secure bool
	smtp   *smtpwire.ReplyReader
	pop    *pop3.ResponseReader
	imap   *imapwire.Reader
	tag    int
	tlsc   *tls.Conn
}

// New starts a session on conn, which is fresh, or already TLS (implicit
// TLS, or after starttls.Client); raw is the TCP connection under it
// (conn itself when there is no TLS).
func New(p Proto, conn, raw net.Conn, log *record.Log) *Conn {
	c := &Conn{Proto: p, Log: log, raw: raw}
	if tc, ok := conn.(*tls.Conn); ok {
		c.secure, c.tlsc = true, tc
	}
	c.cur = record.Wrap(conn, log, c.secure)
	switch p {
	case SMTP, LMTP:
		c.smtp = smtpwire.NewReplyReader(c.cur, smtpwire.ReplyReaderOptions{})
	case POP3:
		c.pop = pop3.NewResponseReader(c.cur, pop3.ResponseReaderOptions{})
	case IMAP:
		c.imap = imapwire.NewReader(c.cur, imapwire.ClientSide, imapwire.Options{Quirks: quirks})
	}
	return c
}

// Dial connects to addr and starts a session; timeout bounds the dial and
// is set as the connection's deadline.
func Dial(ctx context.Context, p Proto, addr string, timeout time.Duration, log *record.Log) (*Conn, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	return New(p, conn, conn, log), nil
}

// Secure reports whether the session runs over TLS.
func (c *Conn) Secure() bool { return c.secure }

// TLS returns the TLS connection, or nil.
func (c *Conn) TLS() *tls.Conn { return c.tlsc }

// Raw returns the TCP connection.
func (c *Conn) Raw() net.Conn { return c.raw }

// Close closes the connection.
func (c *Conn) Close() error {
	if c.raw == nil {
		return nil
	}
	if c.tlsc != nil {
		_ = c.tlsc.Close()
	}
	return c.raw.Close()
}

// SetReadDeadline sets the read deadline of the connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.raw.SetReadDeadline(t) }

// Write sends b as it is.
func (c *Conn) Write(b []byte) error {
	if c.cur == nil {
		return nil // a replay sends nothing
	}
	_, err := c.cur.Write(b)
	return err
}

// Replay returns a session that reads the server's side of a finished
// plaintext exchange from data and sends nothing, to parse what another
// client (starttls.Client) read and dropped.
func Replay(p Proto, data []byte) *Conn { return ReplayFrom(p, bytes.NewReader(data)) }

// ReplayFrom is Replay reading from r.
func ReplayFrom(p Proto, r io.Reader) *Conn {
	c := &Conn{Proto: p}
	switch p {
	case SMTP, LMTP:
		c.smtp = smtpwire.NewReplyReader(r, smtpwire.ReplyReaderOptions{})
	case POP3:
		c.pop = pop3.NewResponseReader(r, pop3.ResponseReaderOptions{})
	case IMAP:
		c.imap = imapwire.NewReader(r, imapwire.ClientSide, imapwire.Options{Quirks: quirks})
	}
	return c
}

// ReadCapabilities reads the reply to a capability command that was
// already sent (IMAP: tagged tag).
func (c *Conn) ReadCapabilities(tag string) ([]string, Reply, error) {
	switch c.Proto {
	case SMTP, LMTP:
		return c.readSMTPCaps()
	case POP3:
		return c.readPOP3Caps()
	default:
		r, caps, err := c.readIMAPCaps(tag)
		return caps, r, err
	}
}

// WriteRedacted sends b without logging it, and logs shown in its place:
// for lines that carry credentials.
func (c *Conn) WriteRedacted(b []byte, shown string) error {
	if c.cur == nil {
		return nil
	}
	c.Log.Add(record.Sent, c.secure, []byte(shown))
	_, err := c.cur.Conn.Write(b)
	return err
}

// Read reads what the server sends, unparsed, into b (for checks that
// look for unsolicited bytes; only while nothing is buffered).
func (c *Conn) Read(b []byte) (int, error) { return c.cur.Read(b) }

// Buffered reports how many received bytes the protocol reader holds
// unread.
func (c *Conn) Buffered() int {
	switch {
	case c.smtp != nil:
		return c.smtp.Buffered()
	case c.pop != nil:
		return c.pop.Buffered()
	default:
		return c.imap.Buffered()
	}
}

// NextTag returns the tag the next IMAP command gets.
func (c *Conn) NextTag() string { return "M" + strconv.Itoa(c.tag+1) }

// TakeTag returns a new IMAP tag.
func (c *Conn) TakeTag() string {
	c.tag++
	return "M" + strconv.Itoa(c.tag)
}

// Greeting reads the server's greeting.
func (c *Conn) Greeting() (Reply, error) {
	switch c.Proto {
	case SMTP, LMTP:
		return c.readSMTP()
	case POP3:
		return c.readPOP3()
	default:
		return c.readIMAP("")
	}
}

// Command sends one command line (without CRLF; IMAP: without the tag)
// and reads its reply.
func (c *Conn) Command(line string) (Reply, error) {
	tag := ""
	if c.Proto == IMAP {
		tag = c.TakeTag()
		line = tag + " " + line
	}
	if strings.ContainsAny(line, "\r\n") {
		return Reply{}, fmt.Errorf("command %q contains CR or LF", line)
	}
	if err := c.Write([]byte(line + "\r\n")); err != nil {
		return Reply{}, err
	}
	return c.ReadReply(tag)
}

// ReadReply reads one reply: SMTP one reply, POP3 one status line, IMAP
// responses up to the completion tagged tag ("" for one untagged line).
func (c *Conn) ReadReply(tag string) (Reply, error) {
	switch c.Proto {
	case SMTP, LMTP:
		return c.readSMTP()
	case POP3:
		return c.readPOP3()
	default:
		return c.readIMAP(tag)
	}
}

// Capabilities asks for the capabilities (EHLO, LHLO, CAPA, CAPABILITY)
// and returns them one per entry, as the server wrote them.
func (c *Conn) Capabilities() ([]string, Reply, error) {
	switch c.Proto {
	case SMTP, LMTP:
		return c.smtpCaps()
	case POP3:
		return c.pop3Caps()
	default:
		return c.imapCaps()
	}
}

// StartTLSCommand is the upgrade command line of the protocol (IMAP
// without its tag).
func (p Proto) StartTLSCommand() string {
	if p == POP3 {
		return "STLS"
	}
	return "STARTTLS"
}

// StartTLS sends the upgrade command and reads the reply; it does not
// start the handshake. A reply that is not the go-ahead is ErrNotGoAhead.
func (c *Conn) StartTLS() (Reply, error) {
	r, err := c.Command(c.Proto.StartTLSCommand())
	if err != nil {
		return r, err
	}
	if !goAhead(c.Proto, r) {
		return r, fmt.Errorf("%w: %s", ErrNotGoAhead, r)
	}
	return r, nil
}

func goAhead(p Proto, r Reply) bool {
	switch p {
	case SMTP, LMTP:
		return r.Code == 220
	case POP3:
		return r.Cond == "+OK"
	default:
		return r.Cond == "OK"
	}
}

// GoAhead reports whether r is the protocol's go-ahead to STARTTLS.
func (p Proto) GoAhead(r Reply) bool { return goAhead(p, r) }

// Handshake runs the TLS client handshake on the raw connection with cfg,
// under ctx, and continues the session over TLS. It refuses (ErrBuffered)
// when the protocol reader holds bytes the server sent in plaintext after
// its last reply.
func (c *Conn) Handshake(ctx context.Context, cfg *tls.Config) (*tls.Conn, error) {
	if n := c.Buffered(); n > 0 {
		return nil, fmt.Errorf("%w: %d bytes", ErrBuffered, n)
	}
	tc := tls.Client(c.raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	c.tlsc, c.secure = tc, true
	c.cur = record.Wrap(tc, c.Log, true)
	switch {
	case c.smtp != nil:
		c.smtp.Reset(c.cur)
	case c.pop != nil:
		c.pop.Reset(c.cur)
	default:
		c.imap.Reset(c.cur)
	}
	return tc, nil
}
