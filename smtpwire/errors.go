package smtpwire

import (
	"errors"
	"strconv"

	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// Sentinel errors, for errors.Is. Every error this package makes matches
// one of them (errors of the underlying io.Reader, such as io.EOF or a
// timeout, pass through); [StatusOf] tells the reply a server should send
// for it and whether the connection must be closed.
var (
	// ErrLineTooLong: a line was longer than the limit. It was consumed.
	ErrLineTooLong = crlf.ErrLineTooLong
	// ErrBareCR: a CR not followed by LF.
	ErrBareCR = crlf.ErrBareCR
	// ErrBareLF: an LF not preceded by CR.
	ErrBareLF = crlf.ErrBareLF
	// ErrTooLarge: a DATA body passed its size limit; it was read to its
	// end, so the session can go on. Servers also reply with it to a BDAT
	// chunk over their limit, after ChunkReader.Discard.
	ErrTooLarge = dot.ErrTooLarge
	// ErrEmptyLine: a command line with nothing on it.
	ErrEmptyLine = errors.New("empty command line")
	// ErrUnknownCommand: a verb the reader does not know (VerbUnknown), or
	// one of the other protocol (EHLO and HELO in LMTP, LHLO in SMTP). The
	// line was consumed and the reader stays usable: 500 5.5.1, not fatal.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrArguments: arguments where none are allowed, or missing or
	// malformed ones.
	ErrArguments = errors.New("bad arguments")
	// ErrAddress: a malformed reverse- or forward-path.
	ErrAddress = errors.New("bad address")
	// ErrParameter: a malformed ESMTP parameter or value.
	ErrParameter = errors.New("bad parameter")
	// ErrDuplicateParameter: the same ESMTP parameter twice.
	ErrDuplicateParameter = errors.New("duplicate parameter")
	// ErrParameterNotAllowed: a known ESMTP parameter on the wrong command
	// (SIZE on RCPT, NOTIFY on MAIL).
	ErrParameterNotAllowed = errors.New("parameter not allowed")
	// ErrUnknownParameter: an ESMTP parameter this package does not know
	// and PathOptions.ExtensionParams does not name; the reply is RFC 5321
	// §4.1.1.11's 555 5.5.4.
	ErrUnknownParameter = errors.New("parameter not recognized")
	// ErrAuthCanceled: the client answered an AUTH challenge with "*".
	ErrAuthCanceled = errors.New("authentication canceled")
	// ErrBase64: a SASL response that is not strict base64 (DecodeSASL).
	ErrBase64 = errors.New("invalid base64 in SASL response")
	// ErrPlain: a PLAIN message that breaks RFC 4616 §2 (ParsePlain,
	// AppendPlainResponse).
	ErrPlain = errors.New("malformed PLAIN message")
	// ErrChunkSize: a BDAT size that is not a number. The chunk length is
	// unknown, so the session cannot continue.
	ErrChunkSize = errors.New("bad BDAT chunk size")
	// ErrXCLIENT: a malformed XCLIENT command: an unknown or repeated
	// attribute, or a value its attribute does not allow (501 5.5.4).
	ErrXCLIENT = errors.New("bad XCLIENT attribute")
	// ErrReply: a malformed server reply (client side).
	ErrReply = errors.New("malformed reply")
	// ErrReplyCodeMismatch: the lines of a multi-line reply carry
	// different codes (client side).
	ErrReplyCodeMismatch = errors.New("reply code differs between lines")
	// ErrReplyTooLarge: a reply with more lines or octets than allowed
	// (client side).
	ErrReplyTooLarge = errors.New("reply too large")
	// ErrCapability: a malformed EHLO keyword value, such as SIZE x.
	ErrCapability = errors.New("bad capability")
	// ErrInjection: a writer was given a value that would break the line
	// (CR, LF or other control characters) or the grammar.
	ErrInjection = errors.New("value would inject into the protocol line")
)

// Status is what a server should answer to an error, and whether it must
// close the connection afterwards. Code 0 means there is nothing to send:
// the error is a client-side one, or the connection itself failed.
type Status struct {
	Code     int
	Enhanced EnhancedCode
	Text     string
	Fatal    bool
}

// Error is an error with its position and the reply a server sends for it.
// It unwraps to one of the sentinel errors.
type Error struct {
	Err      error  // the sentinel
	Offset   int    // octet offset in the line or argument; -1 if none
	Expected string // what the parser wanted there, if known
	Status   Status
}

func (e *Error) Error() string {
	s := "smtpwire: " + e.Err.Error()
	if e.Offset >= 0 {
		s += " at offset " + strconv.Itoa(e.Offset)
	}
	if e.Expected != "" {
		s += ": expected " + e.Expected
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Statuses, one per situation.
var (
	stLineTooLong  = Status{500, EnhancedCode{5, 5, 6}, "Line too long", false}
	stCmdBareCRLF  = Status{500, EnhancedCode{5, 5, 2}, "Bare CR or LF not allowed", false}
	stDataBareCRLF = Status{554, EnhancedCode{5, 5, 0}, "Bare CR or LF in message, refused", false}
	stTooLarge     = Status{552, EnhancedCode{5, 3, 4}, "Message too big", false}
	stDataLongLine = Status{554, EnhancedCode{5, 6, 0}, "Message line too long", false}
	stUnknown      = Status{500, EnhancedCode{5, 5, 1}, "Command unrecognized", false}
	stEmpty        = Status{500, EnhancedCode{5, 5, 2}, "Syntax error, empty command", false}
	stArguments    = Status{501, EnhancedCode{5, 5, 4}, "Syntax error in parameters or arguments", false}
	stSender       = Status{501, EnhancedCode{5, 1, 7}, "Bad sender address syntax", false}
	stRecipient    = Status{501, EnhancedCode{5, 1, 3}, "Bad recipient address syntax", false}
	stParameter    = Status{501, EnhancedCode{5, 5, 4}, "Invalid parameter", false}
	stDuplicate    = Status{501, EnhancedCode{5, 5, 4}, "Duplicate parameter", false}
	stNotAllowed   = Status{555, EnhancedCode{5, 5, 4}, "Parameter not recognized or not implemented", false}
	stUnknownParam = Status{555, EnhancedCode{5, 5, 4}, "Parameter not recognized or not implemented", false}
	stAuthCanceled = Status{501, EnhancedCode{5, 0, 0}, "Authentication canceled", false}
	stBase64       = Status{501, EnhancedCode{5, 5, 2}, "Cannot decode response", false}
	stPlain        = Status{501, EnhancedCode{5, 5, 2}, "Malformed PLAIN response", false}
	stXCLIENT      = Status{501, EnhancedCode{5, 5, 4}, "Bad XCLIENT attribute value", false}
	stXCLIENTName  = Status{501, EnhancedCode{5, 5, 4}, "Bad XCLIENT attribute name", false}
	stChunkSize    = Status{501, EnhancedCode{5, 5, 4}, "Bad BDAT chunk size, closing", true}
	stClient       = Status{Fatal: true}
)

// StatusOf returns the reply a server should send for err and whether the
// connection must close. Errors from the connection itself (io.EOF, a
// timeout) and client-side errors give Code 0 and Fatal.
func StatusOf(err error) Status {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	switch {
	case errors.Is(err, ErrLineTooLong):
		return stLineTooLong
	case errors.Is(err, ErrBareCR), errors.Is(err, ErrBareLF):
		return stCmdBareCRLF
	case errors.Is(err, ErrTooLarge):
		return stTooLarge
	case errors.Is(err, ErrUnknownCommand):
		return stUnknown
	case errors.Is(err, ErrEmptyLine):
		return stEmpty
	case errors.Is(err, ErrArguments):
		return stArguments
	case errors.Is(err, ErrAddress):
		return stRecipient
	case errors.Is(err, ErrParameter):
		return stParameter
	case errors.Is(err, ErrDuplicateParameter):
		return stDuplicate
	case errors.Is(err, ErrParameterNotAllowed):
		return stNotAllowed
	case errors.Is(err, ErrUnknownParameter):
		return stUnknownParam
	case errors.Is(err, ErrAuthCanceled):
		return stAuthCanceled
	case errors.Is(err, ErrBase64):
		return stBase64
	case errors.Is(err, ErrPlain):
		return stPlain
	case errors.Is(err, ErrXCLIENT):
		return stXCLIENT
	case errors.Is(err, ErrChunkSize):
		return stChunkSize
	}
	return stClient
}

// syntaxError builds an *Error; it allocates, on the error path only. It is
// kept out of line so that the parsers' hot paths keep small frames.
//
//go:noinline
func syntaxError(sentinel error, offset int, expected string, st Status) error {
	return &Error{Err: sentinel, Offset: offset, Expected: expected, Status: st}
}
