package proxyproto

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextTLV(t *testing.T) {
	b := []byte{0x01, 0x00, 0x02, 'h', '2', 0x04, 0x00, 0x00, 0x05, 0x00, 0x01, 'x'}
	var got []TLV
	for len(b) > 0 {
		tv, rest, err := NextTLV(b)
		require.NoError(t, err)
		got = append(got, tv)
		b = rest
	}
	assert.Equal(t, []TLV{{0x01, []byte("h2")}, {0x04, []byte{}}, {0x05, []byte("x")}}, got)
	for _, bad := range [][]byte{{0x01}, {0x01, 0x00}, {0x01, 0x00, 0x02, 'h'}, {0x01, 0xff, 0xff}} {
		_, _, err := NextTLV(bad)
		assert.ErrorIs(t, err, ErrMalformed, "%x", bad)
	}
}

func TestSetCRC32C(t *testing.T) {
	hdr := unhex(t, capV2TLV)
	want := append([]byte(nil), hdr...)
	hdr[32] ^= 0xff // inside the CRC value
	require.NoError(t, SetCRC32C(hdr))
	assert.Equal(t, want, hdr)
	assert.ErrorIs(t, SetCRC32C(unhex(t, capV2IPv4)), ErrMalformed, "no CRC record")
	assert.ErrorIs(t, SetCRC32C([]byte(capV1)), ErrMalformed, "v1")
	assert.ErrorIs(t, SetCRC32C(hdr[:20]), ErrMalformed, "cut")
}

func TestCRCAllocs(t *testing.T) {
	hdr := unhex(t, capV2TLV)
	assert.Zero(t, testing.AllocsPerRun(100, func() { Parse(hdr) }))
	h, _, err := Parse(hdr)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() { h.TLV(TLVUniqueID) }))
}
