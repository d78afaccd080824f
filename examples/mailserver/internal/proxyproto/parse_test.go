package proxyproto

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Headers captured from HAProxy 2.6.12 (send-proxy, send-proxy-v2, with
// proxy-v2-options crc32c,unique-id, over IPv6, and a LOCAL health check);
// see PEERS.md §11.
const (
	capV2IPv4  = "0d0a0d0a000d0a515549540a2111000c7f0000017f000001b34832c9"
	capV2TLV   = "0d0a0d0a000d0a515549540a211100447f0000017f000001d36832cb030004d14bde2705002e37463030303030313a443336385f37463030303030313a333243425f36423132333443345f303030303a31433931"
	capV2IPv6  = "0d0a0d0a000d0a515549540a21210024000000000000000000000000000000010000000000000000000000000000000192ea32c9"
	capV2Local = "0d0a0d0a000d0a515549540a20000000"
	capV1      = "PROXY TCP4 127.0.0.1 127.0.0.1 40340 13002\r\n"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestParseValid(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want Header
		uid  string // the UNIQUE_ID TLV, when present
	}{
		{"haproxy v1", []byte(capV1), Header{Version: 1, Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:40340"), Dest: ap("127.0.0.1:13002")}, ""},
		{"haproxy v2 ipv4", unhex(t, capV2IPv4), Header{Version: 2, Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:45896"), Dest: ap("127.0.0.1:13001")}, ""},
		{"haproxy v2 ipv6", unhex(t, capV2IPv6), Header{Version: 2, Command: Proxy, Family: TCP6, Source: ap("[::1]:37610"), Dest: ap("[::1]:13001")}, ""},
		{"haproxy v2 local", unhex(t, capV2Local), Header{Version: 2, Command: Local, Family: Unspec}, ""},
		{"v1 unknown", []byte("PROXY UNKNOWN\r\n"), Header{Version: 1, Command: Proxy, Family: Unspec}, ""},
		{"v1 unknown with junk", []byte("PROXY UNKNOWN ffff::1 ::1 1 2\r\n"), Header{Version: 1, Command: Proxy, Family: Unspec}, ""},
		{"v1 tcp6", []byte("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 65535 0\r\n"), Header{Version: 1, Command: Proxy, Family: TCP6, Source: ap("[2001:db8::1]:65535"), Dest: ap("[::ffff:192.0.2.1]:0")}, ""},
		{"v1 max length", []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
			Header{Version: 1, Command: Proxy, Family: TCP6, Source: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"), Dest: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append(tc.in, "EHLO x\r\n"...) // the session's bytes follow
			h, n, err := Parse(in)
			require.NoError(t, err)
			assert.Equal(t, len(tc.in), n)
			h.TLVs = nil
			assert.Equal(t, tc.want, h)
			// Every proper prefix is incomplete, with a need that never
			// reaches past the header.
			for i := range len(tc.in) {
				_, m, err := Parse(tc.in[:i])
				require.ErrorIs(t, err, ErrIncomplete, "prefix %d", i)
				require.LessOrEqual(t, i+m, len(tc.in), "prefix %d needs %d", i, m)
				require.Positive(t, m)
			}
		})
	}
	longest := "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"
	assert.Len(t, longest, MaxV1Len)
	_, n, err := Parse([]byte(longest))
	assert.NoError(t, err)
	assert.Equal(t, MaxV1Len, n)
}

func TestParseTLVsFromHAProxy(t *testing.T) {
	h, n, err := Parse(unhex(t, capV2TLV))
	require.NoError(t, err)
	assert.Equal(t, 84, n)
	assert.Equal(t, ap("127.0.0.1:54120"), h.Source)
	id, ok := h.TLV(TLVUniqueID)
	require.True(t, ok)
	assert.Equal(t, "7F000001:D368_7F000001:32CB_6B1234C4_0000:1C91", string(id))
	crc, ok := h.TLV(TLVCRC32C)
	require.True(t, ok)
	assert.Len(t, crc, 4)
	_, ok = h.TLV(TLVALPN)
	assert.False(t, ok)

	bad := unhex(t, capV2TLV)
	bad[len(bad)-1] ^= 1 // one bit of the unique id
	_, _, err = Parse(bad)
	assert.ErrorIs(t, err, ErrChecksum)
}

func TestParseRefused(t *testing.T) {
	v2 := func(verCmd, fam byte, body ...byte) []byte {
		b := append([]byte(sigV2), verCmd, fam, byte(len(body)>>8), byte(len(body)))
		return append(b, body...)
	}
	ipv4Body := []byte{127, 0, 0, 1, 127, 0, 0, 1, 0, 1, 0, 2}
	for _, tc := range []struct {
		name string
		in   []byte
		err  error
	}{
		{"smtp command", []byte("EHLO x\r\n"), ErrNoHeader},
		{"tls hello", []byte{0x16, 0x03, 0x01}, ErrNoHeader},
		{"lower case", []byte("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), ErrNoHeader},
		{"bad v2 sig", []byte("\r\n\r\n\x00\r\nQUIX\n\x21\x11\x00\x00"), ErrNoHeader},
		{"v1 bare LF", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n"), ErrMalformed},
		{"v1 CR alone", []byte("PROXY TCP4 1.2.3.4\r1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 NUL", []byte("PROXY TCP4 1.2.3.4\x001.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 8-bit", []byte("PROXY TCP4 1.2.3.\xc34 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 bad proto", []byte("PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 udp", []byte("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 two spaces", []byte("PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 trailing space", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n"), ErrMalformed},
		{"v1 missing port", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n"), ErrMalformed},
		{"v1 extra field", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n"), ErrMalformed},
		{"v1 port 65536", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n"), ErrMalformed},
		{"v1 port leading zero", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n"), ErrMalformed},
		{"v1 port sign", []byte("PROXY TCP4 1.2.3.4 1.2.3.4 +1 2\r\n"), ErrMalformed},
		{"v1 octet leading zero", []byte("PROXY TCP4 01.2.3.4 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 octet 256", []byte("PROXY TCP4 256.2.3.4 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 tcp4 with ipv6", []byte("PROXY TCP4 ::1 1.2.3.4 1 2\r\n"), ErrMalformed},
		{"v1 tcp6 with ipv4", []byte("PROXY TCP6 1.2.3.4 ::1 1 2\r\n"), ErrMalformed},
		{"v1 tcp6 zone", []byte("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), ErrMalformed},
		{"v1 too long", []byte("PROXY UNKNOWN " + strings.Repeat("x", 100) + "\r\n"), ErrTooLong},
		{"v2 version 1", v2(0x11, 0x11, ipv4Body...), ErrMalformed},
		{"v2 command 2", v2(0x22, 0x11, ipv4Body...), ErrMalformed},
		{"v2 family 0x41", v2(0x21, 0x41, ipv4Body...), ErrMalformed},
		{"v2 family 0x13", v2(0x21, 0x13, ipv4Body...), ErrMalformed},
		{"v2 short ipv4 block", v2(0x21, 0x11, ipv4Body[:11]...), ErrMalformed},
		{"v2 short ipv6 block", v2(0x21, 0x21, make([]byte, 35)...), ErrMalformed},
		{"v2 short unix block", v2(0x21, 0x31, make([]byte, 215)...), ErrMalformed},
		{"v2 TLV past the end", v2(0x21, 0x11, append(ipv4Body, 0x05, 0x00, 0x04, 'a')...), ErrMalformed},
		{"v2 TLV header cut", v2(0x21, 0x11, append(ipv4Body, 0x05, 0x00)...), ErrMalformed},
		{"v2 CRC TLV 3 bytes", v2(0x21, 0x11, append(ipv4Body, 0x03, 0x00, 0x03, 1, 2, 3)...), ErrMalformed},
		{"v2 CRC wrong", v2(0x21, 0x11, append(ipv4Body, 0x03, 0x00, 0x04, 1, 2, 3, 4)...), ErrChecksum},
		{"v2 announced too long", append([]byte(sigV2), 0x21, 0x11, 0x03, 0xf9), ErrTooLong},
		{"v2 announced 65535", append([]byte(sigV2), 0x21, 0x11, 0xff, 0xff), ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(tc.in)
			assert.ErrorIs(t, err, tc.err)
		})
	}
}

// A malformed v1 line is refused as soon as the bad byte is seen, not at
// the CRLF, so a reader never waits on garbage.
func TestParseRefusesEarly(t *testing.T) {
	_, _, err := Parse([]byte("PROXY TCP4 1.2\x00"))
	assert.ErrorIs(t, err, ErrMalformed)
	_, _, err = Parse([]byte("PROXX"))
	assert.ErrorIs(t, err, ErrNoHeader)
	_, _, err = Parse([]byte("\r\n\r\n\x00\r\nQ"))
	assert.ErrorIs(t, err, ErrIncomplete)
	_, _, err = Parse([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x04\x00"))
	assert.ErrorIs(t, err, ErrTooLong, "refused from the length field, before the body")
}

func TestHasSignature(t *testing.T) {
	for _, tc := range []struct {
		in           string
		sig, decided bool
	}{
		{"", false, false},
		{"P", false, false},
		{"PROXY", false, false},
		{"PROXY ", true, true},
		{"PROXY TCP4", true, true},
		{"PA", false, true},
		{"EHLO", false, true},
		{"\r\n\r\n", false, false},
		{"\r\n\r\n\x00\r\nQUIT\n", true, true},
		{"\r\n\r\nX", false, true},
		{"\x16\x03\x01", false, true},
	} {
		sig, decided := HasSignature([]byte(tc.in))
		assert.Equal(t, tc.sig, sig, "%q", tc.in)
		assert.Equal(t, tc.decided, decided, "%q", tc.in)
	}
}

func TestParseAllocs(t *testing.T) {
	for _, in := range [][]byte{[]byte(capV1), []byte("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.1 65535 0\r\n"), unhex(t, capV2IPv4), unhex(t, capV2TLV), unhex(t, capV2IPv6), []byte("PROXY TCP4 1.2.3.4 01.2.3.4 1 2\r\n")} {
		allocs := testing.AllocsPerRun(100, func() { Parse(in) })
		assert.Zero(t, allocs, "%q", in)
	}
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"v1-tcp4", []byte(capV1)},
		{"v1-tcp6", []byte("PROXY TCP6 2001:db8::1 2001:db8::ffff:2 65535 25\r\n")},
		{"v2-tcp4", unhex(b, capV2IPv4)},
		{"v2-tcp6", unhex(b, capV2IPv6)},
		{"v2-crc-uniqueid", unhex(b, capV2TLV)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				if _, _, err := Parse(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
