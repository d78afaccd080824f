// Package starttls drives the STARTTLS upgrade (and implicit TLS) for SMTP,
// POP3 and IMAP with one state machine that fails closed.
//
// A connection goes Plain → Requested → Handshaking → Secure, or ends in
// Failed with the connection closed; implicit TLS (RFC 8314) starts at
// Handshaking. The three protocols differ only in data: the capability
// command (EHLO, CAPA, CAPABILITY), the upgrade verb (STARTTLS, STLS) and
// the go-ahead reply (220, +OK, tagged OK).
//
// [Client.Upgrade] runs the client side under a [tlspolicy.Policy]: it reads
// the greeting and capabilities, sends the upgrade command and runs the
// handshake with the policy's tls.Config. Bytes after the go-ahead are a
// response injection and fail the upgrade; an IMAP PREAUTH greeting, a
// missing or refused STARTTLS, and a failed handshake or certificate check
// fail it too at a required level, before the caller can send anything
// secret. Only tlspolicy.LevelMay continues in plaintext, and the [Report]
// says why. Nothing the server sent in plaintext is kept: after the upgrade
// the caller asks for the capabilities again and takes them whole.
//
// [Server] is the server side: [Server.Upgrade] refuses a STARTTLS command
// with bytes pipelined behind it (command injection, CVE-2011-0411),
// writes the go-ahead, runs the handshake on the raw connection, closes it
// if the handshake fails, and resets the caller's reader onto TLS. After
// that, [Server.Advertise] is false and a second STARTTLS is refused.
//
// The package reads only what the upgrade needs, through one bounded
// buffer per connection (see [Limits]); deadlines and cancellation come from
// a context.Context; no goroutine of its own runs. Both sides work on any
// net.Conn with crypto/tls.
package starttls
