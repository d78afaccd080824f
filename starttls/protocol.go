package starttls

import "strconv"

// Protocol names the mail protocol on a connection. The protocols differ
// only in data: the capability command, the upgrade verb, the go-ahead reply
// and the shape of the few replies the machine reads.
type Protocol uint8

// The protocols.
const (
	// SMTP (RFC 5321, STARTTLS per RFC 3207): EHLO, STARTTLS, 220, then EHLO
	// again.
	SMTP Protocol = iota + 1
	// POP3 (RFC 1939, STLS per RFC 2595): CAPA, STLS, +OK, then CAPA again.
	POP3
	// IMAP (RFC 3501 and 9051): tag CAPABILITY, tag STARTTLS, tag OK, then
	// CAPABILITY again; a PREAUTH greeting forbids the upgrade.
	IMAP
)

var protocolNames = [...]string{SMTP: "SMTP", POP3: "POP3", IMAP: "IMAP"}

// String returns "SMTP", "POP3" or "IMAP".
func (p Protocol) String() string {
	if p.valid() {
		return protocolNames[p]
	}
	return "Protocol(" + strconv.Itoa(int(p)) + ")"
}

func (p Protocol) valid() bool { return p >= SMTP && p <= IMAP }

// Limits bound what the client reads before the upgrade.
type Limits struct {
	// MaxLine is the longest reply line in bytes, CRLF included. Zero means
	// the protocol's default: 512 for SMTP (RFC 5321 §4.5.3.1.5) and POP3
	// (RFC 2449 §4), 8192 for IMAP (RFC 7162 §4). The reader's buffer has
	// exactly this size.
	MaxLine int
	// MaxLines is the most lines one reply may have (SMTP multi-line
	// replies, the POP3 CAPA list, IMAP untagged lines before the tagged
	// one). Zero means 100; no RFC sets a number.
	MaxLines int
}

// defaultMaxLines is the MaxLines used when Limits.MaxLines is zero.
const defaultMaxLines = 100

// withDefaults returns l with zero fields set to p's defaults.
func (l Limits) withDefaults(p Protocol) Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = 512
		if p == IMAP {
			l.MaxLine = 8192
		}
	}
	if l.MaxLines <= 0 {
		l.MaxLines = defaultMaxLines
	}
	return l
}

// The tags the client uses for its two IMAP commands.
const (
	imapCapabilityTag = "S1"
	imapStartTLSTag   = "S2"
)

// appendCapabilityCommand appends the command that lists the server's
// extensions: "EHLO hello", "CAPA" or "S1 CAPABILITY". hello must be valid
// (see validHello).
func (p Protocol) appendCapabilityCommand(dst []byte, hello string) []byte {
	switch p {
	case SMTP:
		dst = append(dst, "EHLO "...)
		dst = append(dst, hello...)
	case POP3:
		dst = append(dst, "CAPA"...)
	case IMAP:
		dst = append(dst, imapCapabilityTag+" CAPABILITY"...)
	}
	return append(dst, "\r\n"...)
}

// appendStartTLS appends the upgrade command: "STARTTLS", "STLS" or
// "S2 STARTTLS".
func (p Protocol) appendStartTLS(dst []byte) []byte {
	switch p {
	case SMTP:
		dst = append(dst, "STARTTLS"...)
	case POP3:
		dst = append(dst, "STLS"...)
	case IMAP:
		dst = append(dst, imapStartTLSTag+" STARTTLS"...)
	}
	return append(dst, "\r\n"...)
}

// appendGoAhead appends the server's go-ahead reply; tag is the IMAP
// command's tag and is ignored for SMTP and POP3.
func (p Protocol) appendGoAhead(dst, tag []byte) []byte {
	switch p {
	case SMTP:
		dst = append(dst, "220 2.0.0 Ready to start TLS"...)
	case POP3:
		dst = append(dst, "+OK Begin TLS negotiation"...)
	case IMAP:
		dst = append(dst, tag...)
		dst = append(dst, " OK Begin TLS negotiation now"...)
	}
	return append(dst, "\r\n"...)
}

// appendRefusal appends the reply a server sends when it cannot go ahead
// because of err: ErrAlreadySecure and ErrUnavailable keep the session,
// ErrCommandInjection ends it. Any other err appends nothing.
func (p Protocol) appendRefusal(dst, tag []byte, err error) []byte {
	var smtp, pop3, imap string
	switch err {
	case ErrAlreadySecure:
		smtp, pop3, imap = "503 5.5.1 TLS already active", "-ERR TLS already active", " BAD TLS already active"
	case ErrUnavailable:
		smtp, pop3, imap = "454 4.7.0 TLS not available due to temporary reason", "-ERR TLS not available", " NO TLS not available"
	case ErrCommandInjection:
		smtp, pop3, imap = "554 5.5.0 Error: pipelined data after STARTTLS", "-ERR pipelined data after STLS", "* BYE pipelined data after STARTTLS"
		tag = nil
	default:
		return dst
	}
	switch p {
	case SMTP:
		dst = append(dst, smtp...)
	case POP3:
		dst = append(dst, pop3...)
	case IMAP:
		dst = append(dst, tag...)
		dst = append(dst, imap...)
	}
	return append(dst, "\r\n"...)
}

// validHello reports whether s can follow "EHLO ": a non-empty run of
// printable ASCII without spaces (a domain or an address literal).
func validHello(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// validTag reports whether t is an IMAP tag: one or more ASTRING-CHARs
// other than "+" (RFC 9051 §9).
func validTag(t []byte) bool {
	if len(t) == 0 {
		return false
	}
	for _, c := range t {
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '{', '%', '*', '"', '\\', '+':
			return false
		}
	}
	return true
}

// equalFoldASCII reports whether b equals the upper-case ASCII word w,
// ignoring ASCII case only (no Unicode folding: "ſ" is not "S").
func equalFoldASCII(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// firstWord returns b up to its first space.
func firstWord(b []byte) []byte {
	for i, c := range b {
		if c == ' ' {
			return b[:i]
		}
	}
	return b
}

// step names the reply the client is waiting for.
type step uint8

const (
	stepGreeting     step = iota // the server's first words
	stepCapabilities             // the answer to the capability command
	stepGoAhead                  // the answer to STARTTLS or STLS
)

// readReply reads the whole reply for s. ok reports a positive reply;
// advertised, for stepCapabilities only, that it listed the upgrade verb.
// Besides read and syntax errors it returns ErrGreeting for a greeting that
// refuses the session, ErrPreauth for an IMAP PREAUTH greeting and
// ErrServerClosing for SMTP 421 or IMAP BYE. Nothing read is kept.
func (p Protocol) readReply(lr *lineReader, maxLines int, s step) (ok, advertised bool, err error) {
	switch p {
	case SMTP:
		return readSMTPReply(lr, maxLines, s)
	case POP3:
		return readPOP3Reply(lr, maxLines, s)
	default:
		return readIMAPReply(lr, maxLines, s)
	}
}
