package tlspolicy

import (
	"strings"
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

// FuzzParseTLSRequired checks that a value is accepted exactly when it is
// "No" in any case with folding whitespace around it, and that the result
// does not depend on the whitespace added around it.
func FuzzParseTLSRequired(f *testing.F) {
	for _, s := range []string{" No", "no\r\n", "\r\n No", "Yes", "No No", "", "N\x00o"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		got, err := ParseTLSRequired(v)
		want := strings.EqualFold(strings.Trim(string(v), " \t\r\n"), "no")
		require.Equal(t, want, got)
		require.Equal(t, want, err == nil)
		padded, err2 := ParseTLSRequired([]byte("\r\n\t " + string(v) + " \r\n"))
		require.Equal(t, got, padded)
		require.Equal(t, err, err2)
	})
}
