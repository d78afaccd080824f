// Package proxyproto reads and writes the PROXY protocol header (versions
// 1 and 2 of the HAProxy specification) that a load balancer puts in front
// of a forwarded TCP connection to name the real client.
//
// Parse decodes a header from the start of a byte slice; ReadHeader reads
// exactly one header from a connection, never a byte more, so that what
// follows (a TLS ClientHello, an SMTP command) is left for the session.
// AppendV1 and AppendV2 write headers (a sender, and the tests).
// NewConn makes a connection report the proxied client as RemoteAddr;
// RefuseHeaders guards a connection from a source that may not send one.
//
// Limits: a v1 line is at most 107 bytes (the specification's maximum); a
// v2 header, TLVs included, at most MaxLen bytes (ErrTooLong beyond). No
// function allocates; returned slices are views into the caller's buffer.
package proxyproto

import "net/netip"

// MaxLen is the largest header accepted: the 16-byte v2 prefix, the
// 216-byte address block of AF_UNIX and 792 bytes of TLVs. A v2 length
// field that announces more is ErrTooLong, before any of it is read.
const MaxLen = 1024

// MaxV1Len is the longest v1 line, CRLF included (the specification's
// "PROXY UNKNOWN ffff:…:ffff ffff:…:ffff 65535 65535\r\n").
const MaxV1Len = 107

// minLen is the shortest header of either version ("PROXY UNKNOWN\r\n" is
// 15 bytes, a v2 header 16): reading that much never over-reads.
const minLen = 15

// sigV2 is the 12-byte signature that starts a v2 header.
const sigV2 = "\r\n\r\n\x00\r\nQUIT\n"

// sigV1 starts a v1 header.
const sigV1 = "PROXY "

// Command says whether the header names a proxied client.
type Command uint8

const (
	// Proxy: the connection is forwarded for the client in Source.
	Proxy Command = 1
	// Local: the proxy's own connection (a health check): the receiver
	// keeps the real connection's addresses. v2 only.
	Local Command = 0
)

// Family is the transport and address family of the proxied connection.
type Family uint8

// The families of v2 (the byte's value); v1 has Unspec ("UNKNOWN"), TCP4
// and TCP6.
const (
	Unspec    Family = 0x00
	TCP4      Family = 0x11
	UDP4      Family = 0x12
	TCP6      Family = 0x21
	UDP6      Family = 0x22
	UnixStr   Family = 0x31
	UnixDgram Family = 0x32
)

// HasAddrs reports whether Source and Dest are IP addresses and ports.
func (f Family) HasAddrs() bool {
	return f == TCP4 || f == UDP4 || f == TCP6 || f == UDP6
}

// Stream reports whether the family is a stream (TCP or AF_UNIX stream).
func (f Family) Stream() bool { return f&0x0f == 1 }

// addrLen is the size of a v2 address block of the family.
func (f Family) addrLen() int {
	switch f >> 4 {
	case 1:
		return 12
	case 2:
		return 36
	case 3:
		return 216
	}
	return 0
}

// Header is one decoded PROXY header.
type Header struct {
	Version int // 1 or 2
	Command Command
	Family  Family
	// Source is the client, Dest the address it connected to (the
	// proxy's frontend); set when Family.HasAddrs.
	Source, Dest netip.AddrPort
	// Unix is, for UnixStr and UnixDgram, the 216-byte address block
	// (108-byte source path, 108-byte destination path, NUL-padded).
	// A view into the parsed bytes.
	Unix []byte
	// TLVs are the v2 type-length-value records after the address block,
	// raw (walk them with NextTLV or find one with TLV); well-formed, and
	// the CRC32C one, if present, verified. A view into the parsed bytes.
	TLVs []byte
}

// Error is a header refused; the receiver closes the connection without
// answering. Compare with errors.Is against the Err values.
type Error struct{ Reason string }

func (e *Error) Error() string { return "proxyproto: " + e.Reason }

var (
	// ErrIncomplete: the bytes are a valid start of a header; more are
	// needed (Parse says how many at least).
	ErrIncomplete = &Error{"incomplete header"}
	// ErrNoHeader: the bytes start with neither signature.
	ErrNoHeader = &Error{"no PROXY header"}
	// ErrMalformed: a header signature followed by bytes that break the
	// grammar (a bad address, port, family, version, command or TLV).
	ErrMalformed = &Error{"malformed PROXY header"}
	// ErrTooLong: a v1 line over MaxV1Len or a v2 header over MaxLen.
	ErrTooLong = &Error{"PROXY header too long"}
	// ErrChecksum: the v2 CRC32C TLV does not match the header.
	ErrChecksum = &Error{"PROXY header checksum mismatch"}
	// ErrUntrusted: a header from a source that may not send one.
	ErrUntrusted = &Error{"PROXY header from an untrusted source"}
)
