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
