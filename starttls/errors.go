package starttls

import (
	"errors"
	"strconv"
)

// Errors of the upgrade, for errors.Is. An error returned by Client.Upgrade
// or Server.Upgrade is an *Error wrapping one of these, sometimes together
// with the underlying crypto/tls, net or context error.
var (
	// ErrPolicy: the policy or the arguments are unusable; nothing was sent.
	ErrPolicy = errors.New("starttls: unusable policy or arguments")
	// ErrGreeting: the server's greeting refused the session (SMTP codes
	// other than 220 and 421, POP3 -ERR, IMAP BYE).
	ErrGreeting = errors.New("starttls: server greeting refused the session")
	// ErrCapabilities: the capability command (EHLO, CAPA, CAPABILITY) was
	// refused, so the server's extensions are unknown.
	ErrCapabilities = errors.New("starttls: capability command refused")
	// ErrNotAdvertised: the capabilities did not list STARTTLS (POP3: STLS),
	// and, when STARTTLS was sent anyway under a required level, it was refused.
	ErrNotAdvertised = errors.New("starttls: STARTTLS not advertised")
	// ErrRefused: the reply to STARTTLS was not the go-ahead.
	ErrRefused = errors.New("starttls: STARTTLS refused")
	// ErrPreauth: an IMAP server greeted with PREAUTH, the authenticated
	// state in which STARTTLS is not allowed.
	ErrPreauth = errors.New("starttls: IMAP PREAUTH greeting")
	// ErrResponseInjection: the server sent bytes no command asked for,
	// such as anything after the go-ahead reply (client side).
	ErrResponseInjection = errors.New("starttls: bytes after the server's last reply (response injection)")
	// ErrCommandInjection: the client sent bytes after the STARTTLS command
	// line, before the TLS handshake (server side).
	ErrCommandInjection = errors.New("starttls: bytes after the STARTTLS command (command injection)")
	// ErrHandshake: the TLS handshake or the certificate check failed.
	ErrHandshake = errors.New("starttls: TLS handshake failed")
	// ErrAlreadySecure: STARTTLS on a connection that already runs TLS
	// (server side; the connection stays open).
	ErrAlreadySecure = errors.New("starttls: TLS already active")
	// ErrUnavailable: STARTTLS while the server has no TLS configuration
	// (server side; the connection stays open).
	ErrUnavailable = errors.New("starttls: TLS not available")
	// ErrServerClosing: the server announced it is closing the session
	// (SMTP 421, IMAP BYE) instead of answering.
	ErrServerClosing = errors.New("starttls: server is closing the session")
	// ErrClosed: the machine already failed and closed the connection.
	ErrClosed = errors.New("starttls: connection closed by an earlier failure")
	// ErrLineTooLong: a reply line exceeded Limits.MaxLine.
	ErrLineTooLong = errors.New("starttls: line too long")
	// ErrTooManyLines: a reply exceeded Limits.MaxLines lines.
	ErrTooManyLines = errors.New("starttls: too many reply lines")
	// ErrSyntax: a reply line broke the protocol grammar (see SyntaxError).
	ErrSyntax = errors.New("starttls: syntax error")
)

// Error is a failed or refused upgrade step.
type Error struct {
	// State is the state the machine is in after the error: StateFailed when
	// the connection was closed, otherwise the state it stays in.
	State State
	// Err is the cause; errors.Is finds the sentinel in it.
	Err error
}

func (e *Error) Error() string { return e.Err.Error() + " (state " + e.State.String() + ")" }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Fatal reports whether the connection was closed: nothing may be sent on it.
func (e *Error) Fatal() bool { return e.State == StateFailed }

// SyntaxError is a reply line that broke the grammar of its protocol.
type SyntaxError struct {
	// Offset is the byte offset of the fault from the start of the bytes
	// this machine read from the connection.
	Offset int64
	// Expected names what the grammar wanted at Offset.
	Expected string
}

func (e *SyntaxError) Error() string {
	return "starttls: syntax error at offset " + strconv.FormatInt(e.Offset, 10) + ": expected " + e.Expected
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }
