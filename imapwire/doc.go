// Package imapwire reads and writes the IMAP4rev1 (RFC 3501) and IMAP4rev2
// (RFC 9051) wire protocol: a framer of lines and literals, a tokenizer of
// typed views, command decoding for servers, response decoding for
// clients, an append-style encoder and the modified UTF-7 codec.
//
// # Reading
//
// A [Reader] serves one side of a connection: [ServerSide] reads commands
// ([Reader.ReadCommand]), [ClientSide] reads responses
// ([Reader.ReadResponse]). Both hold one buffer, bounded by [Limits], and
// return views into it that stay valid for the whole message, so decoding
// allocates nothing once the buffer has grown to the messages it sees.
//
// After ReadCommand the arguments follow: [Reader.SP], [Reader.AString],
// [Reader.Mailbox], [Reader.SeqSet], [Reader.FetchAtts],
// [Reader.Store], [Reader.SearchOptions] and [Reader.NextSearchKey],
// [Reader.AppendMessage], [Reader.Capture], and [Reader.End]. IDLE's DONE
// and AUTHENTICATE's answers have their own lines: [Reader.ReadIdleDone],
// [Reader.ReadAuthLine], whose answers [DecodeSASL] and [ParsePlain]
// decode. [Reader.Buffered] and [Reader.ReadAhead] tell what was read
// past the current message, at a STARTTLS or COMPRESS switch.
//
// UTF-8 is a Reader setting ([Options.UTF8], [Reader.SetUTF8] once ENABLE
// UTF8=ACCEPT or IMAP4rev2 is in force): off, 8-bit octets in quoted
// strings are refused (ErrEightBit) and mailbox names are modified UTF-7;
// on, quoted strings must be UTF-8 and names are UTF-8. [Reader.Mailbox]
// checks names in the mode and [Reader.AppendMailboxName] decodes them.
//
// After ReadResponse, status responses and continuation requests are
// complete; data responses are read with [Reader.Words] (CAPABILITY,
// ENABLED), [Reader.ReadListData], [Reader.ReadStatusData],
// [Reader.ReadSearchData], [Reader.ReadESearchData],
// [Reader.ReadNamespaceData] and [Reader.FetchItems], whose values have
// their readers: [Reader.Envelope], [Reader.BodyStructure],
// [Reader.SectionData], [Reader.ModSeq]. Nested data is walked with
// cursors over the buffer ([Values], [Addresses], [BodyParts], [Words]).
//
// # Literals
//
// A literal is an event. A method that meets "{n}", "{n+}" or "~{n}"
// returns a Token of KindLiteral and leaves the literal open; the caller
// accepts it (a server then writes "+"), takes it inline, reads it into
// its own buffer, streams it as an io.Reader of exactly n octets, discards
// it, or rejects it. Nothing else is read while it is open. A refused
// literal whose data is on its way is drained exactly, or the Reader
// declares itself unusable: literal data is never read as commands. In
// responses, text after OK/NO/BAD/BYE/PREAUTH is text: "* OK see {5}" has
// no literal.
//
// # Errors
//
// Errors match the sentinels of this package with errors.Is, carry the
// offset and what was expected (*SyntaxError), and [ReplyFor] gives the
// response a server sends and whether the connection must close: an
// error of this package gets its reply, an error of the connection
// (*ConnError wraps what the io.Reader returned) is fatal, and any other
// error is "NO [SERVERBUG]", never fatal by accident. An unknown command
// is ErrUnknownCommand ("tag BAD"), its rest consumed. A literal other
// than literal8 may not hold NUL (ErrLiteralNUL). Deviations of real
// servers are accepted only by name ([Quirks]).
//
// # Shape shared with smtpwire and pop3
//
// Readers have Buffered and ReadAhead; an unknown command is a typed,
// non-fatal error with its reply; every cursor that can meet malformed
// input has Err() error ([List], [Values], [Addresses], [BodyParts],
// [FetchAtts], [FetchItems]), while [Words], [Numbers], [StatusItems] and
// [SeqRanges] have none because they walk bytes the Reader already
// checked; values are taken append-style ([Token.AppendValue]); UTF-8 is a
// Reader setting; SASL is [DecodeSASL], [Plain], [ParsePlain] and
// [AppendPlainResponse]. Where imapwire differs: [Options.ExtraCommands]
// lets a server read commands of its own (IMAP has many extensions a
// server may add); [ParseDateTime], [ParseDate] and [AppendDateTime]
// exist because only IMAP carries dates in its grammar.
//
// # Writing
//
// The Append functions and [Encoder] write into a caller's []byte; the
// encoder chooses atom, quoted string or literal by content and never
// writes CR, LF or NUL outside a literal.
//
// A server's responses have their writers: [AppendTagged] and
// [AppendUntagged] (status responses with a typed [Code]),
// [AppendCapabilityData], [AppendEnabledData], [AppendFlagsData],
// [AppendExistsData], [AppendRecentData], [AppendExpungeData],
// [AppendVanishedData], [AppendSearchData], [AppendContinuation],
// [AppendContinuationData] and [AppendSeqSet], and, in the Encoder's UTF-8
// mode, [Encoder.AppendListData], [Encoder.AppendStatusData],
// [Encoder.AppendESearchData], [Encoder.AppendIDData] and
// [Encoder.AppendNamespaceData]. A value that would inject is refused
// (ErrInjection) with dst unchanged.
package imapwire
