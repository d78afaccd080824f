package smtpwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseUint(t *testing.T) {
	tests := []struct {
		in  string
		max int
		v   uint64
		ok  bool
	}{
		{"0", 20, 0, true},
		{"007", 20, 7, true},
		{"18446744073709551615", 20, 1<<64 - 1, true},
		{"18446744073709551616", 20, 0, false},
		{"99999999999999999999", 20, 0, false},
		{"1234", 3, 0, false},
		{"", 20, 0, false},
		{"1a", 20, 0, false},
		{"-1", 20, 0, false},
	}
	for _, tt := range tests {
		v, ok := parseUint([]byte(tt.in), tt.max)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.v, v, tt.in)
	}
}

func TestEqualFold(t *testing.T) {
	assert.True(t, equalFold([]byte("StartTls"), "STARTTLS"))
	assert.False(t, equalFold([]byte("STARTTLS"), "STARTTL"))
	assert.False(t, equalFold([]byte("ſTARTTLS"), "STARTTLS"))
	assert.True(t, hasPrefixFold([]byte("from:<>"), "FROM:"))
	assert.False(t, hasPrefixFold([]byte("fro"), "FROM:"))
}
