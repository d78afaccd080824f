package pop3

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// RFC 1939 §7 example.
const (
	rfcGreeting = "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"
	rfcStamp    = "<1896.697170952@dbc.mtview.ca.us>"
	rfcDigest   = "c4c9334bac560ecc979e58001b3e22fb"
)

func TestAPOPTimestamp(t *testing.T) {
	tests := []struct{ text, want string }{
		{rfcGreeting, rfcStamp},
		{"ready <a@b> and <c@d>", "<a@b>"},
		{"Dovecot ready.", ""},
		{"no at <1896.697170952>", ""},
		{"unclosed <a@b", ""},
		{"space <a @b>", ""},
		{"nested <a<b@c>", ""},
		{"8bit <a\x80@b>", ""},
		{"long <" + string(make([]byte, 300)) + "@x>", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(APOPTimestamp([]byte(tt.text))), tt.text)
	}
}

func TestAPOPDigest(t *testing.T) {
	assert.Equal(t, "x"+rfcDigest, string(AppendAPOPDigest([]byte("x"), []byte(rfcStamp), "tanstaaf")))
	assert.True(t, CheckAPOP([]byte(rfcStamp), "tanstaaf", []byte(rfcDigest)))
	assert.True(t, CheckAPOP([]byte(rfcStamp), []byte("tanstaaf"), []byte("C4C9334BAC560ECC979E58001B3E22FB")))
	assert.False(t, CheckAPOP([]byte(rfcStamp), "tanstaafl", []byte(rfcDigest)))
	assert.False(t, CheckAPOP([]byte(rfcStamp), "tanstaaf", []byte(rfcDigest[:31])))
	assert.False(t, CheckAPOP([]byte(rfcStamp), "tanstaaf", []byte(rfcDigest[:31]+"g")))
	long := string(make([]byte, 600))
	assert.True(t, CheckAPOP([]byte(rfcStamp), long, AppendAPOPDigest(nil, []byte(rfcStamp), long)))
}

func TestAPOPClearsScratch(t *testing.T) {
	dst := make([]byte, 0, 128)
	out := AppendAPOPDigest(dst, []byte(rfcStamp), "tanstaaf")
	assert.Equal(t, rfcDigest, string(out))
	assert.NotContains(t, string(dst[:cap(dst)]), "tanstaaf")
}

func TestAPOPAllocs(t *testing.T) {
	stamp, digest := []byte(rfcStamp), []byte(rfcDigest)
	dst := make([]byte, 0, 128)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if !CheckAPOP(stamp, "tanstaaf", digest) {
			t.Fatal("digest mismatch")
		}
		_ = AppendAPOPDigest(dst[:0], stamp, "tanstaaf")
		_ = APOPTimestamp([]byte(rfcGreeting))
	}))
}
