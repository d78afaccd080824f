// Package imapwire reads and writes the IMAP4rev1 (RFC 3501) and IMAP4rev2
// (RFC 9051) wire protocol: a framer of lines and literals, a tokenizer of
// typed views, command and response decoding, and an append-style encoder.
package imapwire
