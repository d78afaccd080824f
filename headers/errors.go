package headers

import (
	"errors"
	"strconv"
)

// Sentinel errors, for errors.Is. The parser wraps the syntax ones in a
// [*SyntaxError]; [ReplyOf] gives the SMTP reply a server sends for each.
var (
	// ErrNUL: a NUL octet in a field. Repairable: the NUL is removed.
	ErrNUL = errors.New("NUL in header")
	// ErrBareCR: a CR not followed by LF. Repairable: written as a space.
	ErrBareCR = errors.New("bare CR in header")
	// ErrBareLF: a line ended by LF alone. Repairable: written as CRLF.
	ErrBareLF = errors.New("bare LF in header")
	// ErrNoColon: a line that starts a field but has no colon. Repairable:
	// the field is dropped.
	ErrNoColon = errors.New("header field without colon")
	// ErrFieldName: an empty field name or one with bytes outside
	// printable US-ASCII. Repairable: the field is dropped.
	ErrFieldName = errors.New("invalid header field name")
	// ErrSpaceBeforeColon: white space between the field name and the
	// colon (RFC 5322 §4.5 obs-syntax). Repairable: the space is removed.
	ErrSpaceBeforeColon = errors.New("space before colon in header field")
	// ErrLeadingContinuation: the block starts with a continuation line,
	// which belongs to no field. Repairable: the lines are dropped.
	ErrLeadingContinuation = errors.New("header block starts with a continuation line")
	// ErrTruncated: the input ends inside a line.
	ErrTruncated = errors.New("header line without line end")
	// ErrLineTooLong: a line longer than the limit (998 octets by default,
	// RFC 5322 §2.1.1), or a value that cannot be folded under it.
	ErrLineTooLong = errors.New("header line too long")
	// ErrHeaderTooLarge: the header block is larger than the limit.
	ErrHeaderTooLarge = errors.New("header block too large")
	// ErrTooManyFields: more fields than the limit.
	ErrTooManyFields = errors.New("too many header fields")
	// ErrInjection: a writer was given a name or value that would break
	// the field or start another one (CR, LF, NUL, a colon in a name).
	ErrInjection = errors.New("value would inject into the header")
	// ErrRewrite: a sanitizer rule produced bytes that are not a valid
	// list of header fields. Nothing of it was written.
	ErrRewrite = errors.New("rewrite produced an invalid header field")
	// ErrEncodedWord: an RFC 2047 encoded word that cannot be decoded, or
	// one in a charset that is not known.
	ErrEncodedWord = errors.New("undecodable encoded word")
	// ErrDomain: a domain that IDNA cannot convert.
	ErrDomain = errors.New("invalid domain")
)

// SyntaxError is a parse error with the offset, from the start of the
// input, of the byte where the parser gave up. It unwraps to a sentinel.
type SyntaxError struct {
	Err    error // the sentinel
	Offset int
}

func (e *SyntaxError) Error() string {
	return "headers: " + e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Reply is the SMTP reply a server sends when a message is refused for an
// error of this package. Fatal is always false: the message has been read
// whole, so the session goes on. Code 0 means the error is the caller's
// own (a writer refused a value) and there is nothing to send.
type Reply struct {
	Code     int
	Enhanced string
	Text     string
	Fatal    bool
}

var (
	replySyntax   = Reply{554, "5.6.0", "Malformed message header", false}
	replyLong     = Reply{554, "5.6.0", "Message header line longer than 998 octets", false}
	replyTooLarge = Reply{552, "5.3.4", "Message header too big", false}
	replyLocal    = Reply{451, "4.3.0", "Local error in header processing", false}
)

// ReplyOf returns the reply for err.
func ReplyOf(err error) Reply {
	switch {
	case errors.Is(err, ErrLineTooLong):
		return replyLong
	case errors.Is(err, ErrHeaderTooLarge), errors.Is(err, ErrTooManyFields):
		return replyTooLarge
	case errors.Is(err, ErrRewrite):
		return replyLocal
	case errors.Is(err, ErrNUL), errors.Is(err, ErrBareCR), errors.Is(err, ErrBareLF),
		errors.Is(err, ErrNoColon), errors.Is(err, ErrFieldName),
		errors.Is(err, ErrSpaceBeforeColon), errors.Is(err, ErrLeadingContinuation),
		errors.Is(err, ErrTruncated):
		return replySyntax
	}
	return Reply{}
}
