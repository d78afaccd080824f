package pop3

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMessageNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true},
		{"42", 42, true},
		{"0001", 1, true},
		{"2147483647", MaxMessageNumber, true},
		{"2147483648", 0, false},
		{"18446744073709551616", 0, false},
		{"0", 0, false},
		{"000", 0, false},
		{"", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1e3", 0, false},
		{"٣", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMessageNumber([]byte(tt.in))
			if !tt.ok {
				require.ErrorIs(t, err, ErrMessageNumber)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseDecimalLimit(t *testing.T) {
	n, ok := parseDecimal([]byte("9223372036854775807"), 1<<63-1)
	assert.True(t, ok)
	assert.Equal(t, uint64(1<<63-1), n)
	_, ok = parseDecimal([]byte("9223372036854775808"), 1<<63-1)
	assert.False(t, ok)
}

func TestASCIIHelpers(t *testing.T) {
	assert.True(t, equalFold([]byte("rEtR"), "RETR"))
	assert.False(t, equalFold([]byte("RET"), "RETR"))
	assert.False(t, equalFold([]byte("RETQ"), "RETR"))
	assert.Equal(t, 2, indexControl("ab\x7f"))
	assert.Equal(t, -1, indexControl([]byte("ä b")))
	before, after, found := cut([]byte("a b c"))
	assert.Equal(t, "a", string(before))
	assert.Equal(t, "b c", string(after))
	assert.True(t, found)
}

func TestParseMessageNumberAllocs(t *testing.T) {
	in := []byte("2147483647")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if _, err := ParseMessageNumber(in); err != nil {
			t.Fatal(err)
		}
	}))
}
