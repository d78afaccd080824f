// Package transcript reads and writes recordings of one TCP session between
// two real mail peers: both directions, with the chunk boundaries exactly as
// the relay read them, so that replay tests can feed a parser the bytes split
// as the real peer split them.
//
// A transcript file is a short text header followed by length-prefixed
// chunks, binary-safe and still readable in a pager:
//
//	mailwire-transcript 1
//	protocol: smtp
//	server: Postfix 3.7.11
//	client: swaks 20201014.0
//	date: 2026-11-23T18:04:05Z
//	recorder: mailrecord (.ci/record.sh)
//	note: plain port, STARTTLS offered and not used
//
//	S 42
//	220 localhost ESMTP Postfix (Debian/GNU)<CR><LF>
//	C 18
//	EHLO client.test<CR><LF>
//
// Each chunk is a line "C n" (client to server) or "S n" (server to client),
// n decimal without leading zeros and at least 1, then exactly n raw bytes,
// then one LF that is not part of the data. The header keys appear once
// each, in this order; values are one line of UTF-8 without control bytes.
// A file whose name ends in ".gz" is gzip-compressed.
package transcript
