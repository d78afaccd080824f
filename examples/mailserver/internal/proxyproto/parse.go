package proxyproto

import (
	"encoding/binary"
	"net/netip"
)

// Parse decodes the header at the start of b and returns it with its
// length n. When b is a valid but incomplete start, err is ErrIncomplete
// and n is the number of bytes still needed at least (reading that many
// more never reads past the header). Parse is split-invariant: any prefix
// of a header yields ErrIncomplete, the whole the header. The Header's
// slices are views into b.
func Parse(b []byte) (h Header, n int, err error) {
	if len(b) == 0 {
		return h, minLen, ErrIncomplete
	}
	if b[0] == sigV2[0] {
		return parseV2(b)
	}
	return parseV1(b)
}

// HasSignature reports whether b starts with a header signature ("PROXY "
// or the v2 one); decided is false while b is too short to tell.
func HasSignature(b []byte) (sig, decided bool) {
	if m := prefixMatch(b, sigV1); m >= 0 {
		return m == len(sigV1), m == len(sigV1)
	}
	if m := prefixMatch(b, sigV2); m >= 0 {
		return m == len(sigV2), m == len(sigV2)
	}
	return false, true
}

// prefixMatch returns how many bytes of sig b matches (min(len(b),
// len(sig)) when all do), or -1 on a mismatch.
func prefixMatch(b []byte, sig string) int {
	n := min(len(b), len(sig))
	for i := range n {
		if b[i] != sig[i] {
			return -1
		}
	}
	return n
}

func parseV2(b []byte) (h Header, n int, err error) {
	if prefixMatch(b, sigV2) < 0 {
		return h, 0, ErrNoHeader
	}
	if len(b) < 16 {
		return h, 16 - len(b), ErrIncomplete
	}
	if b[12]>>4 != 2 {
		return h, 0, ErrMalformed
	}
	switch b[12] & 0x0f {
	case 0:
		h.Command = Local
	case 1:
		h.Command = Proxy
	default:
		return h, 0, ErrMalformed
	}
	h.Family = Family(b[13])
	switch h.Family {
	case Unspec, TCP4, UDP4, TCP6, UDP6, UnixStr, UnixDgram:
	default:
		return Header{}, 0, ErrMalformed
	}
	l := int(binary.BigEndian.Uint16(b[14:16]))
	if 16+l > MaxLen {
		return Header{}, 0, ErrTooLong
	}
	if len(b) < 16+l {
		return Header{}, 16 + l - len(b), ErrIncomplete
	}
	body := b[16 : 16+l]
	al := h.Family.addrLen()
	if l < al {
		return Header{}, 0, ErrMalformed
	}
	switch h.Family >> 4 {
	case 1:
		src := netip.AddrFrom4([4]byte(body[0:4]))
		dst := netip.AddrFrom4([4]byte(body[4:8]))
		h.Source = netip.AddrPortFrom(src, binary.BigEndian.Uint16(body[8:10]))
		h.Dest = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(body[10:12]))
	case 2:
		src := netip.AddrFrom16([16]byte(body[0:16]))
		dst := netip.AddrFrom16([16]byte(body[16:32]))
		h.Source = netip.AddrPortFrom(src, binary.BigEndian.Uint16(body[32:34]))
		h.Dest = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(body[34:36]))
	case 3:
		h.Unix = body[:216:216]
	}
	if l > al {
		h.TLVs = body[al:l:l]
	}
	if err := checkTLVs(b[:16+l], h.TLVs); err != nil {
		return Header{}, 0, err
	}
	h.Version = 2
	return h, 16 + l, nil
}

func parseV1(b []byte) (h Header, n int, err error) {
	m := prefixMatch(b, sigV1)
	if m < 0 {
		return h, 0, ErrNoHeader
	}
	// Find the CRLF within MaxV1Len, refusing control bytes and a CR not
	// followed by LF as soon as they are seen.
	end := -1
	lim := min(len(b), MaxV1Len)
	for i := m; i < lim; i++ {
		c := b[i]
		if c == '\r' {
			if i+1 < len(b) && b[i+1] != '\n' {
				return h, 0, ErrMalformed
			}
			continue
		}
		if c == '\n' {
			if b[i-1] != '\r' {
				return h, 0, ErrMalformed
			}
			end = i + 1
			break
		}
		if c < 0x20 || c > 0x7e {
			return h, 0, ErrMalformed
		}
	}
	if end < 0 {
		if len(b) >= MaxV1Len {
			return h, 0, ErrTooLong
		}
		need := 2
		if b[len(b)-1] == '\r' {
			need = 1
		}
		return h, max(need, minLen-len(b)), ErrIncomplete
	}
	line := b[len(sigV1) : end-2]
	h.Version, h.Command = 1, Proxy
	proto, rest := cut(line)
	switch string(proto) {
	case "UNKNOWN":
		// The rest of the line is ignored (the specification).
		h.Family = Unspec
		return h, end, nil
	case "TCP4":
		h.Family = TCP4
	case "TCP6":
		h.Family = TCP6
	default:
		return Header{}, 0, ErrMalformed
	}
	src, rest := cut(rest)
	dst, rest := cut(rest)
	sp, rest := cut(rest)
	dp, rest := cut(rest)
	if rest != nil {
		return Header{}, 0, ErrMalformed
	}
	var sa, da netip.Addr
	var ok1, ok2 bool
	if h.Family == TCP4 {
		sa, ok1 = parseIPv4(src)
		da, ok2 = parseIPv4(dst)
	} else {
		sa, ok1 = parseIPv6(src)
		da, ok2 = parseIPv6(dst)
	}
	spn, ok3 := parsePort(sp)
	dpn, ok4 := parsePort(dp)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return Header{}, 0, ErrMalformed
	}
	h.Source = netip.AddrPortFrom(sa, spn)
	h.Dest = netip.AddrPortFrom(da, dpn)
	return h, end, nil
}

// cut splits b at the first space: the field before it and the rest after
// it (nil when there is no space).
func cut(b []byte) (field, rest []byte) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:]
		}
	}
	return b, nil
}

// parsePort reads a decimal port, 0…65535, no sign, no leading zero.
func parsePort(b []byte) (uint16, bool) {
	if len(b) == 0 || len(b) > 5 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	if v > 65535 {
		return 0, false
	}
	return uint16(v), true
}
