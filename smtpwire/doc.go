// Package smtpwire reads and writes the SMTP wire protocol (RFC 5321 and
// its extensions): commands and ESMTP parameters on the server side, replies
// and EHLO capabilities on the client side, and DATA and BDAT bodies.
//
// # Reading
//
// A [CommandReader] (server side) and a [ReplyReader] (client side) read
// from any io.Reader through one buffer each, allocated when they are made.
// What they return are views into that buffer, valid until the next call on
// the same reader, as with bufio.Reader.ReadSlice; copy what you keep. In
// steady state no read allocates.
//
// Memory per connection: a [CommandReader] holds a 1 KiB buffer (MaxLine,
// if larger). It doubles it only while an AUTH line or AUTH response
// longer than that arrives, to MaxAuthLine (12288) at most, and grows it
// to 8 KiB when a DATA body starts, for larger reads; it never shrinks.
// An idle client, or one that sends only commands, costs 1 KiB; other
// lines over MaxLine are refused without growing it
// (TestCommandReaderHolds).
//
// Every dimension is bounded, with the RFC default and an option: command
// lines 512 octets (AUTH lines 12288), reply lines 512, reply line count and
// total size, local part 64, domain 255, path 256, DATA size (the caller's
// limit). A bare CR or LF is never a line end.
//
// The DATA body ([CommandReader.Data]) ends only at <CRLF>.<CRLF>. Any bare
// CR or LF, or a body over its size limit, makes the reader consume the
// rest of the body up to that real end and then fail: the session stays in
// step, and a second message smuggled behind a fake end of data (SMTP
// smuggling, CVE-2023-51764) is never read as commands. BDAT chunks
// ([CommandReader.Chunk]) are read exactly, and can be discarded when
// refused.
//
// [ParseMailFrom] and [ParseRcptTo] check paths (null path, source routes
// ignored, quoted local parts kept raw, SMTPUTF8, address literals, IDN
// domains through golang.org/x/net/idna) and ESMTP parameters, which come
// out through an allocation-free iterator with typed accessors. A parameter
// the package does not know is refused with 555 5.5.4 (RFC 5321
// §4.1.1.11) unless PathOptions.ExtensionParams names it.
//
// Unknown verbs are ErrUnknownCommand (500 5.5.1), with the command still
// split for a server that implements verbs of its own; the reader goes on
// with the next line. AUTH responses decode with DecodeSASL and PLAIN with
// ParsePlain; AppendPlainResponse is the client's side.
//
// The client side walks a reply's lines with the index loop
// "for i := range r.Len() { r.Line(i) }", which never allocates.
// ParseCapabilities indexes an EHLO reply once, into tables in the value:
// Has, MaxSize, Lookup and HasAuth answer in constant time without
// allocating, from views into the reply (Clone keeps them).
//
// Every reader has Buffered and ReadAhead: what was read from the source
// and not consumed, for a TLS hand-over (where it must be empty) and for
// test harnesses.
//
// # LMTP and XCLIENT
//
// LMTP (RFC 2033) is SMTP with LHLO for EHLO and one reply per accepted
// recipient at the end of DATA: CommandReaderOptions.LMTP, VerbLHLO,
// AppendLMTPReplies and ReplyReader.LMTPReplies. Postfix's XCLIENT, by
// which a proxy forwards the real client's name and address, is read by
// ParseXCLIENT and written by AppendXCLIENT, split over several commands
// when the values are long; Capabilities.XCLIENTAttrs reads what a server
// offers.
//
// # Writing
//
// Writers append one complete line to a caller's []byte: [AppendReply],
// [AppendCommand], [AppendMailFrom], [AppendRcptTo], [AppendBDAT],
// [AppendAuth], [AppendPlainResponse], [AppendLMTPReplies], [AppendXCLIENT],
// and [AppendData] or [DataWriter] for dot-stuffed bodies.
// They refuse, with [ErrInjection] or [ErrBareCR]/[ErrBareLF], any input
// that would put a lone CR or LF on the wire or break the line's grammar.
//
// # Errors
//
// Every error matches a sentinel with errors.Is, and [StatusOf] gives the
// reply a server sends for it (500 5.5.6 for a line too long, 501 5.5.4 for
// a bad parameter, 552 5.3.4 for a message too big, 554 5.5.0 for a bare CR
// or LF in a body…) and whether the connection must close.
package smtpwire
