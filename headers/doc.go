// Package headers parses an RFC 5322 header block into fields without
// allocating, and sanitizes it so that a message leaving a privacy-minded
// service does not reveal the sender's machine.
//
// # Reading
//
// A [Scanner] walks the fields of a message held in memory, in order, and
// returns each as a [Field]: views of its raw bytes (every line end kept, so
// that a DKIM signature over the fields stays valid), its name as written
// and its value still folded. [Fields] is the same as an iterator.
// [AppendUnfold] unfolds a value into a caller's buffer, [EqualFold] and
// [Field.Is] compare names ignoring ASCII case, and the Scanner's Body,
// HeaderLen and [Split] hand back the body untouched. [ReadBlock] reads the
// block from an io.Reader into a caller's bounded buffer.
//
// Parsing is bounded by [Options]: 998 octets per line (RFC 5322 §2.1.1),
// 1000 fields and 256 KiB per block by default. It is strict: a NUL, a bare
// CR, a bare LF, a field without a colon or with an invalid name, white
// space before the colon, and a continuation line at the start are
// [*SyntaxError]s that unwrap to a sentinel, and [ReplyOf] gives the SMTP
// reply for each. Options.Repair accepts chosen faults instead; they are
// reported on the Field and repaired when it is written ([Field.AppendTo]).
// Folded (obs-fold) values are accepted.
//
// # Writing
//
// [AppendField] writes a field from a name and a value, folding at 78
// octets where the value has white space and never over 998; CR, LF and NUL
// in a value are refused, so a user's input cannot inject a field.
// [AppendEncodedField] RFC 2047-encodes non-ASCII values first;
// [AppendDecoded] decodes encoded words in any charset golang.org/x/text
// knows; [AppendASCIIDomains] converts IDN domains with golang.org/x/net/idna.
// AppendEncodedField and AppendASCIIDomains allocate, and AppendDecoded does
// for a value that holds an encoded word (one without is only unfolded into
// dst); the Scanner, ReadBlock, AppendUnfold, AppendField, AppendReceived
// and the Sanitizer do not.
//
// # Sanitizing
//
// A [Sanitizer] applies ordered [Rule]s (drop, rewrite, keep, add) to the
// top-level header in one pass into a caller's buffer, and lists what it
// changed in a [Report]. [SubmissionRules] are the rules of a submission
// service that hides the sender: the client's IP address and host name cut
// from the service's Received field, the client side's Received fields and
// client-identifying fields (X-Originating-IP, X-Mailer, User-Agent,
// X-MimeOLE, …) dropped, a Message-ID naming the client's machine rewritten
// under the service's domain; everything else byte for byte.
//
// The Sanitizer never reads the body: MIME parts, nested message headers and
// S/MIME or PGP/MIME signed or encrypted content pass through unchanged.
// Run it before DKIM signing, so that the signature covers what is sent:
// sanitize, add the service's own Received ([AppendReceived]) and any
// missing Date or Message-ID, then sign.
package headers
