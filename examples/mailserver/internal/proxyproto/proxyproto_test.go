package proxyproto

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFamily(t *testing.T) {
	for _, tc := range []struct {
		f             Family
		addrs, stream bool
		addrLen       int
	}{
		{Unspec, false, false, 0},
		{TCP4, true, true, 12},
		{UDP4, true, false, 12},
		{TCP6, true, true, 36},
		{UDP6, true, false, 36},
		{UnixStr, false, true, 216},
		{UnixDgram, false, false, 216},
	} {
		assert.Equal(t, tc.addrs, tc.f.HasAddrs(), "%#x", tc.f)
		assert.Equal(t, tc.stream, tc.f.Stream(), "%#x", tc.f)
		assert.Equal(t, tc.addrLen, tc.f.addrLen(), "%#x", tc.f)
	}
}

func TestErrors(t *testing.T) {
	for _, e := range []error{ErrIncomplete, ErrNoHeader, ErrMalformed, ErrTooLong, ErrChecksum, ErrUntrusted} {
		var pe *Error
		require.True(t, errors.As(e, &pe))
		assert.Contains(t, e.Error(), "proxyproto: ")
	}
}

// helperT is what unhex needs of a test. It is not testing.TB so that
// OSS-Fuzz's go-118-fuzz-build, whose "testing" has no TB, builds FuzzParse.
type helperT interface {
	require.TestingT
	Helper()
}

// unhex is a test helper for captured headers.
func unhex(t helperT, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}
