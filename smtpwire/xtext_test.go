package smtpwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestXtext(t *testing.T) {
	tests := []struct {
		in      string
		unicode bool
		out     string
		ok      bool
	}{
		{"abc", false, "abc", true},
		{"a+2Bb+3D", false, "a+b=", true},
		{"+00+FF", false, "\x00\xff", true},
		{"", false, "", false},
		{"a+2b", false, "", false},
		{"a+2", false, "", false},
		{"a=b", false, "", false},
		{"a b", false, "", false},
		{"ä", false, "", false},
		{`\x{E4}`, false, `\x{E4}`, true},
		{`\x{E4}`, true, "ä", true},
		{`\x{1F600}`, true, "😀", true},
		{"ä", true, "ä", true},
		{`\x{4}`, true, "", false},
		{`\x{1234567}`, true, "", false},
		{`\x{D800}`, true, "", false},
		{`\x{110000}`, true, "", false},
		{`\x{12`, true, "", false},
		{`\y{12}`, true, "", false},
		{"\xff", true, "", false},
	}
	for _, tt := range tests {
		got, ok := scanXtext(nil, []byte(tt.in), tt.unicode, true)
		assert.Equal(t, tt.ok, ok, tt.in)
		if ok {
			assert.Equal(t, tt.out, string(got), tt.in)
		}
	}
}

func TestAppendXtext(t *testing.T) {
	assert.Equal(t, "a+2Bb+3Dc+20d+0D+0A", string(AppendXtext(nil, "a+b=c d\r\n")))
	for _, s := range []string{"", "plain", "+=+=", "\x00\x7f\xff", "ü"} {
		enc := AppendXtext(nil, s)
		dec, ok := scanXtext(nil, enc, false, true)
		if s == "" {
			assert.False(t, ok)
			continue
		}
		assert.True(t, ok, s)
		assert.Equal(t, s, string(dec))
	}
}
