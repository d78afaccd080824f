package imapwire

import (
	"errors"
	"io"
	"net"
	"os"
	"strconv"
)

// Sentinel errors, for errors.Is. Every error a Reader returns matches one
// of them, apart from those of the underlying io.Reader: io.EOF at a
// message boundary, io.ErrUnexpectedEOF inside a message, and *ConnError
// for anything else. [ReplyFor] gives the response a server sends for each
// and whether the connection must close.
var (
	// ErrSyntax: input that does not follow the grammar. The message is
	// abandoned; the next ReadCommand or ReadResponse skips its rest.
	ErrSyntax = errors.New("syntax error")
	// ErrLineTooLong: a line longer than Limits.MaxLine. Fatal: where the
	// line ends, and whether it announces a literal, is unknown.
	ErrLineTooLong = errors.New("line too long")
	// ErrMessageTooLong: a message whose lines and inline literals pass
	// Limits.MaxMessage. Fatal.
	ErrMessageTooLong = errors.New("message too long")
	// ErrBareLF: a line ended by LF without CR.
	ErrBareLF = errors.New("line ends in LF without CR")
	// ErrLiteralTooLarge: a literal larger than the limit that applies to
	// it, or more literals (or literal octets) than a message may carry.
	// The literal is open: the caller rejects it.
	ErrLiteralTooLarge = errors.New("literal too large")
	// ErrLiteralNUL: NUL inside a literal {n} or {n+}; only literal8 ~{n}
	// may carry it (RFC 3501 §4.3, RFC 9051 §4.3). The literal's data is
	// consumed exactly, the message abandoned, the reader stays usable.
	ErrLiteralNUL = errors.New("NUL in a literal")
	// ErrNonSyncTooLarge: a non-synchronizing literal {n+} over
	// Limits.MaxNonSyncLiteral (RFC 7888 LITERAL-). Its data is on its way,
	// so rejecting it drains exactly n octets.
	ErrNonSyncTooLarge = errors.New("non-synchronizing literal too large")
	// ErrTooDeep: lists or search keys nested deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("nesting too deep")
	// ErrTagTooLong: a tag longer than Limits.MaxTagLen.
	ErrTagTooLong = errors.New("tag too long")
	// ErrLiteralOpen: a line was read while a literal was open; the caller
	// must first accept and read, or reject, the literal.
	ErrLiteralOpen = errors.New("literal is open")
	// ErrNotAccepted: the data of a synchronizing literal was read before
	// Accept; the client sends it only after the server's continuation.
	ErrNotAccepted = errors.New("synchronizing literal not accepted")
	// ErrNoMessage: a token was read outside a message (before ReadCommand
	// or ReadResponse, or after its end).
	ErrNoMessage = errors.New("no message being read")
	// ErrUnusable: the reader can no longer find message boundaries (a
	// fatal error happened earlier); the connection must close.
	ErrUnusable = errors.New("reader unusable")
	// ErrUnknownCommand: a command name this package does not know (and
	// Options.ExtraCommands does not name). The rest of the command was
	// consumed; the reader goes on with the next one.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrAuthCanceled: the client answered an AUTHENTICATE challenge with "*".
	ErrAuthCanceled = errors.New("authentication canceled")
	// ErrEightBit: an 8-bit octet outside a literal where the grammar has
	// none: in an atom, or in a quoted string while UTF-8 is off
	// ([Reader.SetUTF8]; RFC 3501 §9 CHAR is 7-bit).
	ErrEightBit = errors.New("8-bit octet outside a literal")
	// ErrInvalidUTF8: a quoted string or mailbox name that is not valid
	// UTF-8 while UTF-8 is on (RFC 6855 §3, RFC 9051 §4.3).
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrAuthFailed: a SASL exchange that failed, such as a malformed PLAIN
	// message (ParsePlain): "tag NO [AUTHENTICATIONFAILED]" (RFC 5530).
	ErrAuthFailed = errors.New("authentication failed")
	// ErrUTF7: a mailbox name that is not valid modified UTF-7.
	ErrUTF7 = errors.New("invalid modified UTF-7")
	// ErrInjection: an encoder was given a value it cannot write without
	// CR, LF or NUL outside a literal, or that breaks the grammar.
	ErrInjection = errors.New("value would inject into the protocol")
	// ErrSyncLiteral: an encoder would need a synchronizing literal, which
	// an append-style writer cannot wait for; see [Encoder].
	ErrSyncLiteral = errors.New("synchronizing literal needed")
)

// ConnError is an error of the underlying io.Reader (a timeout, a reset, a
// TLS alert), wrapped so that ReplyFor knows it for one; errors.Is and
// errors.As see the original through Unwrap. io.EOF at a message boundary
// is returned bare.
type ConnError struct{ Err error }

func (e *ConnError) Error() string { return "imapwire: reading the connection: " + e.Err.Error() }

func (e *ConnError) Unwrap() error { return e.Err }

// SyntaxError is an error at a known place of the current message. It
// unwraps to a sentinel (ErrSyntax unless a more precise one applies).
type SyntaxError struct {
	Err      error  // the sentinel
	Offset   int    // octet offset from the start of the message
	Expected string // what the grammar wanted there
}

func (e *SyntaxError) Error() string {
	s := "imapwire: " + e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
	if e.Expected != "" {
		s += ": expected " + e.Expected
	}
	return s
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Reply is what a server answers to an error: Cond is "BAD", "NO" or "BYE"
// (BYE is untagged and the connection then closes), Code a response code
// without brackets or "", Text a human-readable reason.
type Reply struct {
	Cond  string
	Code  string
	Text  string
	Fatal bool // the connection must close after the reply
}

// ReplyFor returns the response a server sends for err. Its rule:
//
//   - An error of this package (matching one of its sentinels) gets its
//     reply, fatal only for ErrLineTooLong, ErrMessageTooLong and
//     ErrUnusable.
//   - An error of the connection gives Cond "" and Fatal: nothing can be
//     sent. These are io.EOF, io.ErrUnexpectedEOF, io.ErrNoProgress,
//     *ConnError (every other error a Reader got from its io.Reader),
//     net.ErrClosed, os.ErrDeadlineExceeded and any net.Error.
//   - Any other error is not the client's and not the connection's (a
//     store that failed, say): "NO [SERVERBUG] Internal server error", not
//     fatal. No error is fatal by accident.
func ReplyFor(err error) Reply {
	switch {
	case err == nil:
		return Reply{}
	case errors.Is(err, ErrLineTooLong):
		return Reply{"BYE", "", "Line too long", true}
	case errors.Is(err, ErrMessageTooLong):
		return Reply{"BYE", "", "Command too long", true}
	case errors.Is(err, ErrUnusable):
		return Reply{"BYE", "", "Protocol error", true}
	case errors.Is(err, ErrNonSyncTooLarge):
		return Reply{"BAD", "TOOBIG", "Non-synchronizing literal too large", false}
	case errors.Is(err, ErrLiteralTooLarge):
		return Reply{"NO", "TOOBIG", "Literal too large", false}
	case errors.Is(err, ErrLiteralNUL):
		return Reply{"BAD", "CLIENTBUG", "NUL in a literal (only literal8 may hold it)", false}
	case errors.Is(err, ErrTooDeep):
		return Reply{"BAD", "CLIENTBUG", "Nesting too deep", false}
	case errors.Is(err, ErrTagTooLong):
		return Reply{"BAD", "", "Tag too long", false}
	case errors.Is(err, ErrBareLF):
		return Reply{"BAD", "", "Line must end in CRLF", false}
	case errors.Is(err, ErrUnknownCommand):
		return Reply{"BAD", "", "Unknown command", false}
	case errors.Is(err, ErrAuthCanceled):
		return Reply{"BAD", "", "Authentication canceled", false}
	case errors.Is(err, ErrAuthFailed):
		return Reply{"NO", "AUTHENTICATIONFAILED", "Authentication failed", false}
	case errors.Is(err, ErrEightBit):
		return Reply{"BAD", "", "8-bit octets need a literal or UTF8=ACCEPT", false}
	case errors.Is(err, ErrInvalidUTF8):
		return Reply{"BAD", "", "Invalid UTF-8", false}
	case errors.Is(err, ErrUTF7):
		return Reply{"BAD", "", "Invalid mailbox name encoding", false}
	case errors.Is(err, ErrSyntax):
		return Reply{"BAD", "", "Syntax error", false}
	case connError(err):
		return Reply{Fatal: true}
	}
	return Reply{"NO", "SERVERBUG", "Internal server error", false}
}

// connError reports whether err is an error of the connection.
func connError(err error) bool {
	var ce *ConnError
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrNoProgress) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, &ce) || errors.As(err, &ne)
}

// syntaxErr builds a *SyntaxError; it allocates, on the error path only.
func syntaxErr(sentinel error, offset int, expected string) error {
	return &SyntaxError{Err: sentinel, Offset: offset, Expected: expected}
}
