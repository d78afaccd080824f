package headers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRewriteMessageID(t *testing.T) {
	rule := RewriteMessageID("example.org", []byte("secret"), "users.example")
	tests := []struct {
		name, in string
		kept     bool
	}{
		{"service domain kept", "Message-ID: <5b8e1f7c@example.org>\r\n", true},
		{"domain case ignored", "Message-ID: <5b8e1f7c@EXAMPLE.org>\r\n", true},
		{"kept domain", "Message-ID: <1@users.example>\r\n", true},
		{"mutt host", "Message-ID: <20251017200319.GA12345@laptop.home.example>\r\n", false},
		{"apple host", "Message-Id: <9F8E7D6C@Lenas-MacBook-Pro.local>\r\n", false},
		{"no brackets", "Message-ID: 1234@local.machine.example\r\n", false},
		{"no at", "Message-ID: <junk>\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Sanitizer{Rules: []Rule{rule}}
			out, _, err := s.Append(nil, []byte(tt.in), nil)
			require.NoError(t, err)
			if tt.kept {
				assert.Equal(t, tt.in, string(out))
				return
			}
			name := tt.in[:len("Message-ID")]
			assert.Regexp(t, "^"+name+`: <[0-9A-V]{32}@example\.org>\r\n$`, string(out))
			again, _, err := s.Append(nil, []byte(tt.in), nil)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(again), "the same ID maps to the same one")
		})
	}
	other := Sanitizer{Rules: []Rule{RewriteMessageID("example.org", []byte("other"))}}
	a, _, _ := (&Sanitizer{Rules: []Rule{rule}}).Append(nil, []byte("Message-ID: <1@host>\r\n"), nil)
	b, _, _ := other.Append(nil, []byte("Message-ID: <1@host>\r\n"), nil)
	assert.NotEqual(t, string(a), string(b), "the secret keys the new ID")
}
