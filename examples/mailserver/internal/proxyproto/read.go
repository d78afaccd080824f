package proxyproto

import "io"

// ReadHeader reads exactly one header from r into buf and returns it; the
// bytes after it stay unread in r. Each Read asks only for what the header
// still needs at least, so it never consumes a byte of the session (a TLS
// ClientHello sent in the same segment, say). Bad bytes are refused as
// soon as they arrive. The Header's slices are views into buf, valid until
// buf is reused. An EOF before a whole header is io.ErrUnexpectedEOF (or
// io.EOF when nothing came). Deadlines are the caller's. A v2 header takes
// two Reads; a v1 line one for its first 15 bytes, then at most 2 bytes a
// Read (a line does not say its length), so prefer send-proxy-v2.
func ReadHeader(r io.Reader, buf *[MaxLen]byte) (Header, error) {
	n, m := 0, 0
	for {
		if m == 0 {
			h, need, err := Parse(buf[:n])
			if err != ErrIncomplete {
				return h, err
			}
			m = need
		}
		k, rerr := r.Read(buf[n : n+m])
		n0 := n
		n += k
		m = 0
		if k > 0 && n0 >= minLen && n < MaxV1Len && buf[0] == sigV1[0] && buf[n0-1] != '\r' && printable(buf[n0:n]) {
			// The middle of a v1 line: Parse checked the first n0 bytes
			// (the signature included), these cannot end or break the
			// line, and at least "\r\n" is still to come. Parsing again
			// only then keeps the byte-by-byte v1 read linear.
			m = 2
		}
		if rerr != nil && k == 0 {
			if rerr == io.EOF {
				if n == 0 {
					return Header{}, io.EOF
				}
				return Header{}, io.ErrUnexpectedEOF
			}
			return Header{}, rerr
		}
	}
}

// printable reports whether b is all printable ASCII (a v1 line's middle).
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
