package proxyproto

import "io"

// ReadHeader reads exactly one header from r into buf and returns it; the
// bytes after it stay unread in r. Each Read asks only for what the header
// still needs at least, so it never consumes a byte of the session (a TLS
// ClientHello sent in the same segment, say). Bad bytes are refused as
// soon as they arrive. The Header's slices are views into buf, valid until
// buf is reused. An EOF before a whole header is io.ErrUnexpectedEOF (or
// io.EOF when nothing came). Deadlines are the caller's.
func ReadHeader(r io.Reader, buf *[MaxLen]byte) (Header, error) {
	n := 0
	for {
		h, m, err := Parse(buf[:n])
		if err != ErrIncomplete {
			return h, err
		}
		k, rerr := r.Read(buf[n : n+m])
		n += k
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
