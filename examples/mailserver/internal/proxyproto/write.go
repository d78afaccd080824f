package proxyproto

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// AppendV1 appends h as a v1 line: "PROXY TCP4|TCP6 SRC DST SPORT DPORT"
// or, for Unspec, "PROXY UNKNOWN". TCP4 needs IPv4 addresses, TCP6 IPv6
// ones (IPv4-mapped included); no zones. Other families are ErrMalformed
// (v1 has no UDP, AF_UNIX or LOCAL).
func AppendV1(dst []byte, h Header) ([]byte, error) {
	if h.Command != Proxy {
		return dst, ErrMalformed
	}
	switch h.Family {
	case Unspec:
		return append(dst, "PROXY UNKNOWN\r\n"...), nil
	case TCP4, TCP6:
	default:
		return dst, ErrMalformed
	}
	if !addrOK(h.Source.Addr(), h.Family) || !addrOK(h.Dest.Addr(), h.Family) {
		return dst, ErrMalformed
	}
	if h.Family == TCP4 {
		dst = append(dst, "PROXY TCP4 "...)
	} else {
		dst = append(dst, "PROXY TCP6 "...)
	}
	dst = h.Source.Addr().AppendTo(dst)
	dst = append(dst, ' ')
	dst = h.Dest.Addr().AppendTo(dst)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(h.Source.Port()), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(h.Dest.Port()), 10)
	return append(dst, '\r', '\n'), nil
}

// addrOK: an address of the family's version, without a zone.
func addrOK(a netip.Addr, f Family) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	if f>>4 == 1 {
		return a.Is4()
	}
	return a.Is6()
}

// AppendV2 appends h as a v2 header: signature, version and command,
// family, length, the address block (Source and Dest for IP families, the
// 216-byte Unix block for AF_UNIX, nothing for Unspec) and h.TLVs as they
// are (build them with AppendTLV; fill a CRC32C record with SetCRC32C
// afterwards). Malformed TLVs or a header over MaxLen are errors.
func AppendV2(dst []byte, h Header) ([]byte, error) {
	if h.Command != Proxy && h.Command != Local {
		return dst, ErrMalformed
	}
	switch h.Family {
	case Unspec, UnixStr, UnixDgram:
	case TCP4, UDP4, TCP6, UDP6:
		if !addrOK(h.Source.Addr(), h.Family) || !addrOK(h.Dest.Addr(), h.Family) {
			return dst, ErrMalformed
		}
	default:
		return dst, ErrMalformed
	}
	if h.Family>>4 == 3 && len(h.Unix) != 216 {
		return dst, ErrMalformed
	}
	for b := h.TLVs; len(b) > 0; {
		_, rest, err := NextTLV(b)
		if err != nil {
			return dst, err
		}
		b = rest
	}
	l := h.Family.addrLen() + len(h.TLVs)
	if 16+l > MaxLen {
		return dst, ErrTooLong
	}
	dst = append(dst, sigV2...)
	dst = append(dst, 0x20|byte(h.Command), byte(h.Family))
	dst = binary.BigEndian.AppendUint16(dst, uint16(l))
	switch h.Family >> 4 {
	case 1:
		s, d := h.Source.Addr().As4(), h.Dest.Addr().As4()
		dst = append(dst, s[:]...)
		dst = append(dst, d[:]...)
	case 2:
		s, d := h.Source.Addr().As16(), h.Dest.Addr().As16()
		dst = append(dst, s[:]...)
		dst = append(dst, d[:]...)
	case 3:
		dst = append(dst, h.Unix...)
	}
	if h.Family.HasAddrs() {
		dst = binary.BigEndian.AppendUint16(dst, h.Source.Port())
		dst = binary.BigEndian.AppendUint16(dst, h.Dest.Port())
	}
	return append(dst, h.TLVs...), nil
}

// AppendTLV appends one record; a value over 65535 bytes is ErrTooLong.
func AppendTLV(dst []byte, typ byte, value []byte) ([]byte, error) {
	if len(value) > 0xffff {
		return dst, ErrTooLong
	}
	dst = append(dst, typ)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(value)))
	return append(dst, value...), nil
}
