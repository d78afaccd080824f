package starttls

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidHello(t *testing.T) {
	for _, s := range []string{"localhost", "mail.example.test", "[192.0.2.1]", "[IPv6:2001:db8::1]"} {
		assert.True(t, validHello(s), s)
	}
	for _, s := range []string{"", "a b", "a\r\nMAIL FROM:<x>", "a\x00", "é.example", "a\tb"} {
		assert.False(t, validHello(s), s)
	}
}

func TestValidTag(t *testing.T) {
	for _, s := range []string{"a1", "A001", "]", "x.y-z_1"} {
		assert.True(t, validTag([]byte(s)), s)
	}
	for _, s := range []string{"", "a b", "+", "a+", "*", "a(", "a)", "a{", "a%", `a"`, `a\`, "a\r\n", "\x7f", "é"} {
		assert.False(t, validTag([]byte(s)), s)
	}
}

func TestEqualFoldASCII(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"STARTTLS", true},
		{"starttls", true},
		{"StartTls", true},
		{"STARTTL", false},
		{"STARTTLSX", false},
		{"STARTTL\u017f", false}, // LATIN SMALL LETTER LONG S folds to s in Unicode, not here
		{"STARTTL{", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, equalFoldASCII([]byte(tt.in), "STARTTLS"), tt.in)
	}
}

func TestWords(t *testing.T) {
	assert.Equal(t, "250", string(firstWord([]byte("250 ok"))))
	assert.Equal(t, "STLS", string(firstWord([]byte("STLS"))))
	assert.Empty(t, firstWord([]byte(" x")))
	assert.True(t, listsWord([]byte(" IMAP4rev1  starttls"), "STARTTLS"))
	assert.False(t, listsWord([]byte(" IMAP4rev1 STARTTLSX"), "STARTTLS"))
	assert.False(t, listsWord(nil, "STARTTLS"))
	assert.True(t, hasWord([]byte("+OK"), "+OK"))
	assert.True(t, hasWord([]byte("+OK ready"), "+OK"))
	assert.False(t, hasWord([]byte("+OKAY"), "+OK"))
	assert.False(t, hasWord([]byte("+O"), "+OK"))
}
