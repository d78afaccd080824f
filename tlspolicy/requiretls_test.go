package tlspolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTLSRequired(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{" No", true},
		{"No", true},
		{"no", true},
		{" NO\r\n", true},
		{"\r\n\tNo \t", true},
		{"Yes", false},
		{"", false},
		{"No, thanks", false},
		{"N o", false},
		{"Nō", false},
		{"No\x00", false},
	}
	for _, tt := range tests {
		got, err := ParseTLSRequired([]byte(tt.in))
		if tt.ok {
			require.NoError(t, err, "%q", tt.in)
			assert.True(t, got)
			continue
		}
		require.ErrorIs(t, err, ErrTLSRequiredValue, "%q", tt.in)
		assert.False(t, got)
	}
	v := []byte(" No\r\n")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ParseTLSRequired(v) }))
}
