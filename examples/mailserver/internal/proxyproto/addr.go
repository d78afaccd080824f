package proxyproto

import "net/netip"

// parseIPv4 reads a dotted quad: four decimal octets 0…255, no leading
// zeros (so "010.0.0.1" is refused, not read as octal or decimal).
func parseIPv4(b []byte) (netip.Addr, bool) {
	var ip [4]byte
	if !ipv4Into(b, &ip) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(ip), true
}

func ipv4Into(b []byte, ip *[4]byte) bool {
	k := 0
	for i := range 4 {
		if i > 0 {
			if k >= len(b) || b[k] != '.' {
				return false
			}
			k++
		}
		start, v := k, 0
		for k < len(b) && b[k] >= '0' && b[k] <= '9' && k-start < 3 {
			v = v*10 + int(b[k]-'0')
			k++
		}
		d := k - start
		if d == 0 || v > 255 || (d > 1 && b[start] == '0') {
			return false
		}
		ip[i] = byte(v)
	}
	return k == len(b)
}

// parseIPv6 reads an RFC 4291 text address: eight groups of one to four
// hex digits, one "::" for a run of zero groups, an optional dotted quad
// in the last 32 bits. No zone, no brackets.
func parseIPv6(s []byte) (netip.Addr, bool) {
	var ip [16]byte
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return netip.AddrFrom16(ip), true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for off < len(s) && off < 5 {
			v, ok := hexVal(s[off])
			if !ok {
				break
			}
			acc = acc<<4 | v
			off++
		}
		if off < len(s) && s[off] == '.' {
			// The embedded IPv4 address: the last 4 bytes.
			if i > 12 || (ellipsis < 0 && i != 12) {
				return netip.Addr{}, false
			}
			var v4 [4]byte
			if !ipv4Into(s, &v4) {
				return netip.Addr{}, false
			}
			copy(ip[i:], v4[:])
			i += 4
			s = nil
			break
		}
		if off == 0 || off > 4 {
			return netip.Addr{}, false
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return netip.Addr{}, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return netip.Addr{}, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return netip.Addr{}, false // "::" must stand for at least one group
	}
	return netip.AddrFrom16(ip), true
}

func hexVal(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}
