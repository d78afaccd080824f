// Package pop3 reads and writes the POP3 wire protocol (RFC 1939, 2449,
// 2595, 5034, 6856): commands, +OK/-ERR responses with extended codes, CAPA
// listings and dot-stuffed multi-line bodies. It does no I/O policy of its
// own: readers take any io.Reader, writers append to a []byte.
//
// # Server side
//
// A [CommandReader] reads command lines into a [Command]: a [Verb], the
// message numbers parsed to ints (zero and overflow rejected), and the
// arguments as views (PASS keeps its spaces). An unknown command name is
// [ErrUnknownCommand], not fatal, with the name and arguments kept for a
// server's own extensions. [CommandReader.ReadAuthResponse] and
// [DecodeSASL] append decoded AUTH data to a caller's buffer ("*" cancels);
// [ParsePlain] splits a PLAIN message into a [Plain].
// [AppendOK], [AppendErr] (with a [Code] such as [CodeInUse] or
// [CodeSysTemp]), [AppendStat], [AppendScan], [AppendUID],
// [AppendCapabilities], [AppendChallenge] and [AppendBody] or a
// [BodyWriter] write the responses.
//
// # Client side
//
// A [ResponseReader] reads status lines into a [Response] (status, code and
// text views) and SASL challenges; after a "+OK" it reads a listing line by
// line ([ResponseReader.ReadScan], [ResponseReader.ReadUID],
// [ResponseReader.ReadCapabilities] into [Capabilities]) or a body as an
// io.Reader ([ResponseReader.Body]); [Scan.Raw] and [UID.Raw] keep each
// listing line. [AppendCommand] writes commands, [AppendPlainResponse] and
// [AppendSASL] AUTH data; [APOPTimestamp], [AppendAPOPDigest] and
// [CheckAPOP] do APOP.
//
// # Views and allocation
//
// Byte slices a reader returns are views into its one buffer, valid until
// the next call on that reader, like bufio.Reader.ReadSlice. Steady-state
// reads and writes do not allocate. Both readers have Buffered and
// ReadAhead (the buffered, unconsumed octets); a [BodyReader] has neither,
// as it owns no buffer: it reads through its ResponseReader's, whose
// Buffered and ReadAhead count what the body has not consumed.
//
// Memory per connection: a server's [CommandReader] holds a 1 KiB buffer
// (MaxLine, if larger) and doubles it only while an AUTH continuation line
// longer than that arrives, to MaxAuthLine (12288) at most; it never
// shrinks. An idle client, or one that sends only commands, costs 1 KiB;
// a long command line is refused without growing it (TestCommandReaderHolds).
//
// # Limits
//
// Command lines: 255 octets with CRLF (RFC 2449 §4), AUTH continuation
// lines 12288; response and listing lines: 512 (RFC 1939 §3); CAPA
// listings 8192 octets in all; bodies have no line limit and an optional
// size limit. All are options. Nothing is ever allocated from a size the
// peer announced.
//
// # Errors
//
// Errors match sentinel values (errors.Is) and are often an [*Error] with
// an offset and what was expected. [ReplyOf] gives the -ERR a server sends
// for an error and whether the connection must close; for client-side
// errors it says whether the stream can still be trusted.
//
// # Strictness
//
// A body ends only at <CRLF>.<CRLF>. A bare CR or LF anywhere in it stops
// the octets handed out, the rest of the body is consumed, and Read fails:
// no forged end of body, and the reader stays in step.
// ResponseReaderOptions.AllowBareLF accepts bare-LF bodies from old
// servers, by name. Writers refuse any value that could end a line early.
// At STLS, Buffered must be 0 on either side: octets already buffered were
// sent in plaintext before TLS and must not be read as if they came after.
package pop3
