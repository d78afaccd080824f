package pop3

import (
	"errors"
	"strconv"

	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// Sentinel errors, for errors.Is. Every error this package returns matches
// one of them or comes from the source io.Reader; [ReplyOf] tells the -ERR
// a server should send for it and whether the connection must close.
var (
	// ErrLineTooLong: a line was longer than its limit. It was consumed.
	ErrLineTooLong = crlf.ErrLineTooLong
	// ErrBareCR: a CR not followed by LF.
	ErrBareCR = crlf.ErrBareCR
	// ErrBareLF: an LF not preceded by CR.
	ErrBareLF = crlf.ErrBareLF
	// ErrTooLarge: a multi-line body passed its size limit. It was read to
	// its end, so the session can go on.
	ErrTooLarge = dot.ErrTooLarge
	// ErrEmptyLine: a command line with nothing on it.
	ErrEmptyLine = errors.New("empty command line")
	// ErrUnknownCommand: a well-formed command whose name is no verb this
	// package knows ("LAST", "XCLIENT"). It is not fatal: the line was
	// consumed. The Command returned with it is VerbUnknown with Name and
	// Args set, for a server that implements an extension itself.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrSyntax: a command name that is not a word, or a control character
	// in a command line.
	ErrSyntax = errors.New("syntax error")
	// ErrArguments: arguments where none are allowed, or missing or
	// malformed ones.
	ErrArguments = errors.New("bad arguments")
	// ErrMessageNumber: a message number that is not a decimal number from
	// 1 to MaxMessageNumber.
	ErrMessageNumber = errors.New("bad message number")
	// ErrAuthCanceled: the client answered an AUTH challenge with "*".
	ErrAuthCanceled = errors.New("authentication canceled")
	// ErrBase64: AUTH data that is not strict base64.
	ErrBase64 = errors.New("bad base64")
	// ErrPlain: a SASL PLAIN message that breaks RFC 4616 §2 (not exactly
	// two NULs, an empty authcid or password, a field over 255 octets or
	// not UTF-8), read by ParsePlain or refused by AppendPlainResponse.
	ErrPlain = errors.New("malformed PLAIN message")
	// ErrResponse: a malformed server response or listing line (client
	// side).
	ErrResponse = errors.New("malformed response")
	// ErrCapability: a malformed CAPA line, such as "EXPIRE soon", or a
	// CAPA listing over its size limit (client side).
	ErrCapability = errors.New("bad capability")
	// ErrInjection: a writer was given a value that would break the line
	// (CR, LF or another control character) or the grammar.
	ErrInjection = errors.New("value would inject into the protocol line")
)

// Reply is what a server should answer to an error, and whether it must
// close the connection afterwards. An empty Text means there is nothing to
// send: the error is a client-side one, or the connection itself failed.
type Reply struct {
	Code  Code   // extended response code (RFC 2449), often empty
	Text  string // the text after "-ERR" (and the code)
	Fatal bool   // the connection must be closed
}

// Error is an error with its position and the reply a server sends for it.
// It unwraps to one of the sentinel errors.
type Error struct {
	Err      error  // the sentinel
	Offset   int    // octet offset in the line; -1 if none
	Expected string // what the parser wanted there, if known
	Reply    Reply
}

func (e *Error) Error() string {
	s := "pop3: " + e.Err.Error()
	if e.Offset >= 0 {
		s += " at offset " + strconv.Itoa(e.Offset)
	}
	if e.Expected != "" {
		s += ": expected " + e.Expected
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Replies, one per situation. None closes the connection: every error a
// reader reports for a line has consumed that line.
var (
	replyLineTooLong  = Reply{Text: "Line too long"}
	replyBareCRLF     = Reply{Text: "Bare CR or LF not allowed"}
	replyEmpty        = Reply{Text: "Empty command"}
	replyUnknown      = Reply{Text: "Unknown command"}
	replySyntax       = Reply{Text: "Syntax error"}
	replyArguments    = Reply{Text: "Invalid arguments"}
	replyMessage      = Reply{Text: "Invalid message number"}
	replyAuthCanceled = Reply{Text: "Authentication canceled"}
	replyBase64       = Reply{Text: "Invalid base64 data"}
	replyPlain        = Reply{Code: CodeAuth, Text: "Malformed PLAIN credentials"}
	replyClient       = Reply{Fatal: true}
)

// ReplyOf returns the reply a server should send for err and whether the
// connection must close. Errors of the connection itself (io.EOF, a
// timeout) give an empty Text and Fatal. Client-side errors give an empty
// Text; Fatal says whether the client must drop the connection (the
// response stream can no longer be trusted) or may go on.
func ReplyOf(err error) Reply {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if pe, ok := e.(*Error); ok {
			return pe.Reply
		}
	}
	switch {
	case errors.Is(err, ErrLineTooLong):
		return replyLineTooLong
	case errors.Is(err, ErrBareCR), errors.Is(err, ErrBareLF):
		return replyBareCRLF
	case errors.Is(err, ErrEmptyLine):
		return replyEmpty
	case errors.Is(err, ErrUnknownCommand):
		return replyUnknown
	case errors.Is(err, ErrSyntax):
		return replySyntax
	case errors.Is(err, ErrArguments):
		return replyArguments
	case errors.Is(err, ErrMessageNumber):
		return replyMessage
	case errors.Is(err, ErrAuthCanceled):
		return replyAuthCanceled
	case errors.Is(err, ErrBase64):
		return replyBase64
	case errors.Is(err, ErrPlain):
		return replyPlain
	}
	return replyClient
}

// syntaxError builds an *Error for a command line; it allocates, on the
// error path only.
func syntaxError(sentinel error, offset int, expected string) error {
	return &Error{Err: sentinel, Offset: offset, Expected: expected, Reply: ReplyOf(sentinel)}
}

// clientError builds an *Error for something a server sent.
func clientError(sentinel error, offset int, expected string, fatal bool) error {
	return &Error{Err: sentinel, Offset: offset, Expected: expected, Reply: Reply{Fatal: fatal}}
}
