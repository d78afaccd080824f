// Package mailwire is the map of a module of mail protocol building blocks.
// It holds no code; import the package for the job:
//
//   - [github.com/mailwire/mailwire/smtpwire]: SMTP and LMTP commands, replies,
//     ESMTP parameters, EHLO capabilities, XCLIENT, DATA and BDAT bodies,
//     append-style writers.
//   - [github.com/mailwire/mailwire/pop3]: POP3 commands, +OK/-ERR responses,
//     CAPA, STLS, AUTH and dot-stuffed multi-line bodies.
//   - [github.com/mailwire/mailwire/imapwire]: IMAP4rev1/rev2 framing, tokens,
//     literals, a typed command decoder and command writers, response
//     readers and writers, ENVELOPE, BODYSTRUCTURE and sections computed
//     from a stored message, modified UTF-7.
//   - [github.com/mailwire/mailwire/starttls]: one STARTTLS upgrade state
//     machine for SMTP, POP3 and IMAP, client and server side.
//   - [github.com/mailwire/mailwire/tlspolicy]: TLS security levels and
//     transports, MTA-STS, DANE, REQUIRETLS and TLSRPT result types.
//   - [github.com/mailwire/mailwire/headers]: an RFC 5322 header block
//     parser, a MIME walk, and a sanitizer that removes what identifies the
//     sender's machine.
//
// Two programs show the blocks composed: examples/mailserver, a privacy-minded
// mail service (submission, POP3, IMAP, Maildir, a relay and MX queue), and
// examples/mailprobe, which checks a server's TLS and STARTTLS behaviour.
//
// Every reader owns one bounded buffer and returns views into it that are
// valid until the next call; every writer appends to a caller's []byte.
// The protocol packages do not import each other: a program that needs POP3
// imports pop3 and nothing else.
package mailwire
