package proxyproto

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseIPv4(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"0.0.0.0", true}, {"255.255.255.255", true}, {"127.0.0.1", true}, {"10.20.30.40", true},
		{"1.2.3", false}, {"1.2.3.4.5", false}, {"1.2.3.", false}, {".1.2.3", false}, {"1..2.3", false},
		{"256.1.1.1", false}, {"01.1.1.1", false}, {"1.1.1.00", false}, {"1.1.1.1 ", false}, {"1.1.1.1000", false},
		{"a.b.c.d", false}, {"", false}, {"::1", false},
	} {
		a, ok := parseIPv4([]byte(tc.in))
		assert.Equal(t, tc.ok, ok, tc.in)
		if ok {
			assert.Equal(t, netip.MustParseAddr(tc.in), a, tc.in)
		}
	}
}

func TestParseIPv6(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"::", true}, {"::1", true}, {"1::", true}, {"2001:db8::1", true}, {"1:2:3:4:5:6:7:8", true},
		{"::ffff:1.2.3.4", true}, {"1:2:3:4:5:6:1.2.3.4", true}, {"::1.2.3.4", true}, {"ABCD:ef01::", true},
		{"1:2:3:4:5:6:7::8", false}, {"1:2:3:4:5:6:7:8:9", false}, {"1:2:3:4:5:6:7", false}, {":1::", false},
		{"1::2::3", false}, {"12345::", false}, {"1:", false}, {":", false}, {":::", false}, {"g::", false},
		{"fe80::1%eth0", false}, {"[::1]", false}, {"1.2.3.4", false}, {"::1.2.3", false}, {"::01.2.3.4", false},
		{"1:2:3:4:5:6:7:1.2.3.4", false}, {"1::2:", false}, {"", false},
	} {
		a, ok := parseIPv6([]byte(tc.in))
		assert.Equal(t, tc.ok, ok, tc.in)
		if ok {
			assert.Equal(t, netip.MustParseAddr(tc.in), a, tc.in)
		}
	}
}

// FuzzAddr: the allocation-free parsers agree with net/netip on every
// input (IPv4 only for parseIPv4; IPv6 without zone for parseIPv6).
func FuzzAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "2001:db8::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "01.2.3.4", "fe80::1%x", "1::2::3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := netip.ParseAddr(s)
		a4, ok4 := parseIPv4([]byte(s))
		if ok4 != (err == nil && want.Is4()) {
			t.Fatalf("parseIPv4(%q) ok=%v, netip: %v %v", s, ok4, want, err)
		}
		if ok4 && a4 != want {
			t.Fatalf("parseIPv4(%q) = %v, netip %v", s, a4, want)
		}
		a6, ok6 := parseIPv6([]byte(s))
		if ok6 != (err == nil && want.Is6() && want.Zone() == "") {
			t.Fatalf("parseIPv6(%q) ok=%v, netip: %v %v", s, ok6, want, err)
		}
		if ok6 && a6 != want {
			t.Fatalf("parseIPv6(%q) = %v, netip %v", s, a6, want)
		}
	})
}
