package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mailwire/mailwire/smtpwire"
)

// MAIL FROM and RCPT TO arguments: smtpwire.ParseCommand with ParseMailFrom
// or ParseRcptTo against emersion/go-smtp. go-smtp exports no path parser,
// so its server reads the command over net.Pipe (EHLO, MAIL, RCPT, QUIT)
// and a session records what it was handed; "accepted" means its Mail or
// Rcpt method was called.
//
// Normalisation: go-smtp hands out the mailbox with a quoted local part
// unquoted and without a source route; mailwire's Mailbox keeps the quotes,
// so it is unquoted the same way. Compared for MAIL: SIZE, SMTPUTF8,
// REQUIRETLS and BODY; for RCPT only the mailbox.

// pathCall is what go-smtp's session was handed for the command under test.
type pathCall struct {
	called bool
	addr   string
	mail   smtp.MailOptions
}

type recordSession struct {
	rcpt bool
	got  *pathCall
}

func (s recordSession) Reset()        {}
func (s recordSession) Logout() error { return nil }
func (s recordSession) Mail(from string, opts *smtp.MailOptions) error {
	if !s.rcpt {
		*s.got = pathCall{called: true, addr: from, mail: *opts}
	}
	return nil
}

func (s recordSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.rcpt {
		*s.got = pathCall{called: true, addr: to}
	}
	return nil
}
func (s recordSession) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }

var (
	goSMTPOnce sync.Once
	goSMTPL    *pipeListener
	goSMTPMu   sync.Mutex // one command under test at a time
	goSMTPCur  recordSession
)

// goSMTPPath runs "MAIL <arg>" (or, after a valid MAIL, "RCPT <arg>")
// through a go-smtp server and returns what its session got.
func goSMTPPath(rcpt bool, arg string) pathCall {
	goSMTPOnce.Do(func() {
		goSMTPL = &pipeListener{conns: make(chan net.Conn)}
		s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return goSMTPCur, nil }))
		s.Domain = "mx.example.net"
		s.EnableSMTPUTF8, s.EnableREQUIRETLS, s.EnableBINARYMIME, s.EnableDSN = true, true, true, true
		s.ErrorLog = log.New(io.Discard, "", 0)
		go s.Serve(goSMTPL) //nolint:errcheck // runs for the test binary's life
	})
	goSMTPMu.Lock()
	defer goSMTPMu.Unlock()
	var got pathCall
	goSMTPCur = recordSession{rcpt: rcpt, got: &got}
	client, server := net.Pipe()
	goSMTPL.conns <- server
	script := "EHLO client.example\r\nMAIL " + arg + "\r\nQUIT\r\n"
	if rcpt {
		script = "EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT " + arg + "\r\nQUIT\r\n"
	}
	go func() { _, _ = io.WriteString(client, script) }()
	_, _ = io.Copy(io.Discard, bufio.NewReader(client)) // until QUIT closes it
	client.Close()
	return got
}

// unquoteLocal turns `"a b"@x` into `a b@x`, as go-smtp hands it out.
func unquoteLocal(mailbox []byte) string {
	if len(mailbox) == 0 || mailbox[0] != '"' {
		return string(mailbox)
	}
	var b strings.Builder
	i := 1
	for ; i < len(mailbox) && mailbox[i] != '"'; i++ {
		if mailbox[i] == '\\' && i+1 < len(mailbox) {
			i++
		}
		b.WriteByte(mailbox[i])
	}
	b.Write(mailbox[min(i+1, len(mailbox)):])
	return b.String()
}

// validDomain is RFC 5321 §4.1.2's Domain (sub-domains of Let-dig and
// "-", each at most 63 octets) or §4.1.3's address-literal (IPv4, IPv6: or a tagged general one).
func validDomain(d string) bool {
	if strings.HasPrefix(d, "[") {
		if len(d) < 2 || !strings.HasSuffix(d, "]") {
			return false
		}
		lit := d[1 : len(d)-1]
		tag, addr, general := strings.Cut(lit, ":")
		switch {
		case !general:
			ip := net.ParseIP(lit)
			return ip != nil && ip.To4() != nil && strings.Count(lit, ".") == 3
		case strings.EqualFold(tag, "IPv6"):
			ip := net.ParseIP(addr)
			return ip != nil && strings.Contains(addr, ":")
		}
		return tag != "" && validDomain(tag) && addr != "" && !strings.ContainsAny(addr, "[]\\ ")
	}
	for _, label := range strings.Split(d, ".") {
		// RFC 1035 §2.3.4, RFC 5321 §4.5.3.1.2: a label is at most 63 octets.
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// validDotString is RFC 5321's Dot-string of Atext (RFC 5322 atext).
func validDotString(l string) bool {
	if l == "" || l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return false
	}
	for _, c := range []byte(l) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' ||
			strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return false
		}
	}
	return true
}

// classifyPath names the row explaining why mailwire refused an argument
// go-smtp accepted (got), or, with mwErr nil, why go-smtp refused one
// mailwire accepted.
func classifyPath(rcpt bool, arg string, mwErr error, got pathCall) string {
	prefix := "FROM:"
	if rcpt {
		prefix = "TO:"
	}
	rest := arg
	if len(rest) >= len(prefix) && strings.EqualFold(rest[:len(prefix)], prefix) {
		rest = rest[len(prefix):]
	}
	if mwErr == nil {
		if strings.HasPrefix(rest, `<""@`) {
			return rowSMTPEmptyQuoted // RFC 5321 Quoted-string allows it; go-smtp: "local-part is empty"
		}
		if rcpt && strings.HasPrefix(strings.ToLower(rest), "<postmaster>") {
			return rowSMTPPostmaster // RFC 5321 §4.1.1.3 requires it; go-smtp wants a domain
		}
		// go-smtp parses SIZE as a 32-bit number.
		if i := strings.Index(strings.ToUpper(rest), " SIZE="); i >= 0 && !rcpt {
			v, _, _ := strings.Cut(rest[i+6:], " ")
			if n, err := strconv.ParseUint(v, 10, 64); err == nil && n > 1<<32-1 {
				return rowSMTPSize32
			}
		}
		return ""
	}
	if !strings.HasPrefix(rest, "<") {
		return rowSMTPPathSyntax // "FROM: <…>", "FROM:a@b", anything before "<"
	}
	if route, _, ok := strings.Cut(rest[1:], ":"); ok && strings.HasPrefix(route, "@") {
		for _, hop := range strings.Split(route, ",") {
			if !strings.HasPrefix(hop, "@") || !validDomain(hop[1:]) {
				return rowSMTPPathSyntax // go-smtp skips a source route unread
			}
		}
	}
	for _, c := range []byte(arg) {
		if c >= 0x80 || c < 0x20 || c == 0x7f {
			return rowSMTPPathOctets
		}
	}
	local, domain, _ := strings.Cut(got.addr, "@")
	if i := strings.LastIndexByte(got.addr, '@'); i >= 0 {
		local, domain = got.addr[:i], got.addr[i+1:]
	}
	if strings.HasPrefix(rest, `<"`) {
		// The domain follows the closing quote, whatever the quotes held.
		i := 2
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' {
				i++
			}
		}
		domain = strings.TrimPrefix(rest[min(i+1, len(rest)):], "@")
		if j := strings.IndexAny(domain, "> "); j >= 0 {
			domain = domain[:j]
		}
	}
	if got.addr != "" && !validDomain(domain) {
		return rowSMTPPathSyntax
	}
	if got.addr != "" && !strings.HasPrefix(rest, "<\"") && !validDotString(local) {
		return rowSMTPPathSyntax
	}
	if errors.Is(mwErr, smtpwire.ErrDuplicateParameter) || errors.Is(mwErr, smtpwire.ErrParameter) ||
		errors.Is(mwErr, smtpwire.ErrParameterNotAllowed) || errors.Is(mwErr, smtpwire.ErrUnknownParameter) {
		return rowSMTPParam
	}
	return ""
}

func FuzzDiffSMTPPath(f *testing.F) {
	for _, s := range sessions(f, "smtp-") {
		for _, line := range bytes.Split(s.client, []byte("\r\n")) {
			if len(line) > 5 && (bytes.HasPrefix(line, []byte("MAIL ")) || bytes.HasPrefix(line, []byte("RCPT "))) {
				f.Add(line[0] == 'R', string(line[5:]))
			}
		}
	}
	for _, line := range bytes.Split(clip(smtpCommandStream, 600), []byte("\r\n")) {
		if len(line) > 5 && line[0] != 'R' {
			f.Add(bytes.HasPrefix(line, []byte("RCPT")), string(line[5:]))
		}
	}
	for _, s := range []string{
		"FROM:<>", "FROM:<a@b.example>", "FROM:<\"a b\"@x.example> SIZE=10", "FROM: <a@b.example>", "FROM:a@b.example",
		"FROM:<@r.example:a@b.example>", "FROM:<a@[192.0.2.1]>", "FROM:<a@b> SIZE=5000000000", "FROM:<a@b> BODY=8bitmime SMTPUTF8",
		"FROM:<a@b> SIZE=1 SIZE=2", "FROM:<ä@b.example> SMTPUTF8",
	} {
		f.Add(false, s)
	}
	f.Add(true, "TO:<Postmaster>")
	f.Add(true, "TO:<b@example.net> NOTIFY=NEVER")
	f.Fuzz(func(t *testing.T, rcpt bool, arg string) {
		if strings.ContainsAny(arg, "\r\n") || len(arg) > 400 {
			return // one command line of go-smtp's and smtpwire's limits
		}
		verb := "MAIL "
		if rcpt {
			verb = "RCPT "
		}
		var mailbox []byte
		var mp smtpwire.MailParams
		cmd, mwErr := smtpwire.ParseCommand([]byte(verb + arg))
		if mwErr == nil {
			if rcpt {
				var r smtpwire.RcptTo
				if r, mwErr = smtpwire.ParseRcptTo(cmd.Args, smtpwire.PathOptions{SMTPUTF8: true}); mwErr == nil {
					mailbox = r.To.Mailbox
					_, mwErr = r.Params.RcptParams()
				}
			} else {
				var m smtpwire.MailFrom
				if m, mwErr = smtpwire.ParseMailFrom(cmd.Args, smtpwire.PathOptions{}); mwErr == nil {
					mailbox = m.From.Mailbox
					mp, mwErr = m.Params.MailParams()
				}
			}
		}
		got := goSMTPPath(rcpt, arg)
		switch {
		case mwErr == nil && got.called:
			if unquoteLocal(mailbox) != got.addr {
				t.Fatalf("%s%q: mailbox %q (unquoted %q) for mailwire, %q for go-smtp", verb, arg, mailbox, unquoteLocal(mailbox), got.addr)
			}
			if !rcpt && (int64(mp.Size) != got.mail.Size || mp.SMTPUTF8 != got.mail.UTF8 || mp.RequireTLS != got.mail.RequireTLS ||
				(mp.Body != smtpwire.BodyNone) != (got.mail.Body != "")) {
				t.Fatalf("%s%q: parameters differ:\nmailwire %+v\ngo-smtp  %+v", verb, arg, mp, got.mail)
			}
		case mwErr != nil && got.called:
			if classifyPath(rcpt, arg, mwErr, got) == "" {
				t.Fatalf("mailwire refuses %s%q (%v), go-smtp accepts %q, and no FUZZING.md row explains it", verb, arg, mwErr, got.addr)
			}
		case mwErr == nil && !got.called:
			if classifyPath(rcpt, arg, nil, got) == "" {
				t.Fatalf("mailwire accepts %s%q (%q), go-smtp refuses it: no FUZZING.md row", verb, arg, mailbox)
			}
		}
	})
}
