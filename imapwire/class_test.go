package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClasses(t *testing.T) {
	for _, c := range []byte("()%*{\"\\] \x00\x01\x7f\x80\xff") {
		assert.Zero(t, class[c]&clAtom, "%q is no ATOM-CHAR", c)
	}
	assert.NotZero(t, class[']']&clAString)
	assert.Zero(t, class['+']&clTag)
	assert.NotZero(t, class['+']&clAtom)
	assert.NotZero(t, class['*']&clList)
	assert.Zero(t, class['[']&clLex)
	for _, c := range []byte("\x00\r\n") {
		assert.Zero(t, class[c]&clText)
	}
	assert.NotZero(t, class[0xc3]&clQuoted)
	assert.Zero(t, class['"']&clQuoted)
}

func TestParseUint(t *testing.T) {
	tests := []struct {
		in    string
		limit uint64
		want  uint64
		ok    bool
	}{
		{"0", maxNumber, 0, true},
		{"4294967295", maxNumber, 4294967295, true},
		{"4294967296", maxNumber, 0, false},
		{"18446744073709551615", maxNumber64, 0, false},
		{"", maxNumber, 0, false},
		{"1a", maxNumber, 0, false},
	}
	for _, tt := range tests {
		v, ok := parseUint([]byte(tt.in), tt.limit)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, v, tt.in)
	}
	assert.True(t, equalFold([]byte("FeTcH"), "FETCH"))
	assert.False(t, equalFold([]byte("FETCHX"), "FETCH"))
	assert.True(t, hasPrefixFold([]byte("body.peek"), "BODY"))
	assert.True(t, isAtom([]byte("x")))
	assert.False(t, isAtom(nil))
}

func TestSeqAndMailboxClasses(t *testing.T) {
	for c := range 256 {
		seq := c >= '0' && c <= '9' || c == ':' || c == ',' || c == '*' || c == '$'
		assert.Equal(t, seq, class[c]&clSeq != 0, "%q", c)
		plain := c >= 0x20 && c <= 0x7e && c != '&'
		assert.Equal(t, plain, class[c]&clMbox7 != 0, "%q", c)
	}
}
