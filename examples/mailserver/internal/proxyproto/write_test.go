package proxyproto

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendV1(t *testing.T) {
	for _, tc := range []struct {
		h    Header
		want string
		err  error
	}{
		{Header{Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:40340"), Dest: ap("127.0.0.1:13002")}, capV1, nil},
		{Header{Command: Proxy, Family: TCP6, Source: ap("[2001:db8::1]:1"), Dest: ap("[::ffff:1.2.3.4]:2")}, "PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 1 2\r\n", nil},
		{Header{Command: Proxy, Family: Unspec}, "PROXY UNKNOWN\r\n", nil},
		{Header{Command: Local, Family: TCP4, Source: ap("1.2.3.4:1"), Dest: ap("1.2.3.4:2")}, "", ErrMalformed},
		{Header{Command: Proxy, Family: UDP4, Source: ap("1.2.3.4:1"), Dest: ap("1.2.3.4:2")}, "", ErrMalformed},
		{Header{Command: Proxy, Family: TCP4, Source: ap("[::1]:1"), Dest: ap("1.2.3.4:2")}, "", ErrMalformed},
		{Header{Command: Proxy, Family: TCP6, Source: ap("1.2.3.4:1"), Dest: ap("[::1]:2")}, "", ErrMalformed},
		{Header{Command: Proxy, Family: TCP6, Source: netip.AddrPortFrom(netip.MustParseAddr("fe80::1%eth0"), 1), Dest: ap("[::1]:2")}, "", ErrMalformed},
		{Header{Command: Proxy, Family: TCP4}, "", ErrMalformed},
	} {
		got, err := AppendV1([]byte("x"), tc.h)
		if tc.err != nil {
			assert.ErrorIs(t, err, tc.err, "%+v", tc.h)
			assert.Equal(t, "x", string(got))
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, "x"+tc.want, string(got))
		h, n, err := Parse(got[1:])
		require.NoError(t, err)
		assert.Equal(t, len(tc.want), n)
		tc.h.Version = 1
		assert.Equal(t, tc.h, h)
	}
}

func TestAppendV2(t *testing.T) {
	got, err := AppendV2(nil, Header{Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:45896"), Dest: ap("127.0.0.1:13001")})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, capV2IPv4), got, "the bytes HAProxy sends")
	got, err = AppendV2(nil, Header{Command: Local, Family: Unspec})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, capV2Local), got)
	got, err = AppendV2(nil, Header{Command: Proxy, Family: TCP6, Source: ap("[::1]:37610"), Dest: ap("[::1]:13001")})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, capV2IPv6), got)

	// HAProxy's CRC32C + UNIQUE_ID header, rebuilt with the writer.
	tlvs, err := AppendTLV(nil, TLVCRC32C, make([]byte, 4))
	require.NoError(t, err)
	tlvs, err = AppendTLV(tlvs, TLVUniqueID, []byte("7F000001:D368_7F000001:32CB_6B1234C4_0000:1C91"))
	require.NoError(t, err)
	got, err = AppendV2(nil, Header{Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:54120"), Dest: ap("127.0.0.1:13003"), TLVs: tlvs})
	require.NoError(t, err)
	require.NoError(t, SetCRC32C(got))
	assert.Equal(t, unhex(t, capV2TLV), got, "our CRC32C is HAProxy's")

	unix := make([]byte, 216)
	copy(unix, "/run/src.sock")
	got, err = AppendV2(nil, Header{Command: Proxy, Family: UnixStr, Unix: unix})
	require.NoError(t, err)
	h, n, err := Parse(got)
	require.NoError(t, err)
	assert.Equal(t, 16+216, n)
	assert.Equal(t, unix, h.Unix)

	for _, bad := range []Header{
		{Command: 2, Family: TCP4},
		{Command: Proxy, Family: 0x41},
		{Command: Proxy, Family: TCP4},
		{Command: Proxy, Family: TCP6, Source: ap("1.2.3.4:1"), Dest: ap("1.2.3.4:1")},
		{Command: Proxy, Family: UnixStr, Unix: make([]byte, 10)},
		{Command: Proxy, Family: Unspec, TLVs: []byte{1, 0, 5, 'a'}},
	} {
		_, err := AppendV2(nil, bad)
		assert.ErrorIs(t, err, ErrMalformed, "%+v", bad)
	}
	big, err := AppendTLV(nil, TLVNoop, make([]byte, MaxLen))
	require.NoError(t, err)
	_, err = AppendV2(nil, Header{Command: Proxy, Family: Unspec, TLVs: big})
	assert.ErrorIs(t, err, ErrTooLong)
	_, err = AppendTLV(nil, TLVNoop, make([]byte, 70000))
	assert.ErrorIs(t, err, ErrTooLong)
}

func TestAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	h4 := Header{Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:45896"), Dest: ap("127.0.0.1:13001")}
	h6 := Header{Command: Proxy, Family: TCP6, Source: ap("[2001:db8::1]:45896"), Dest: ap("[::1]:13001")}
	assert.Zero(t, testing.AllocsPerRun(100, func() { AppendV1(buf[:0], h4) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { AppendV1(buf[:0], h6) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { AppendV2(buf[:0], h6) }))
}

func BenchmarkAppend(b *testing.B) {
	buf := make([]byte, 0, 256)
	h := Header{Command: Proxy, Family: TCP4, Source: ap("127.0.0.1:45896"), Dest: ap("127.0.0.1:13001")}
	b.Run("v1", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(capV1)))
		for b.Loop() {
			buf, _ = AppendV1(buf[:0], h)
		}
	})
	b.Run("v2", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(28)
		for b.Loop() {
			buf, _ = AppendV2(buf[:0], h)
		}
	})
}
