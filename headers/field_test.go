package headers

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEqualFold(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Message-ID", "message-id", true},
		{"MIME-Version", "Mime-Version", true},
		{"X-Mailer", "X-Mailer", true},
		{"X-Mailer", "X-Mailers", false},
		{"[", "{", false}, // differ by 0x20 but are not letters
		{"@", "`", false},
		{"Ü", "ü", false},
		{"", "", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, EqualFold([]byte(tt.a), tt.b), "%q %q", tt.a, tt.b)
	}
	assert.True(t, Field{Name: []byte("USER-AGENT")}.Is("User-Agent"))
	assert.False(t, Field{}.Is("User-Agent"))
}

func TestAppendUnfold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"one\r\n two", "one two"},
		{"one\r\n\ttwo\r\n  three", "one\ttwo  three"},
		{"lf\n fold", "lf fold"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(AppendUnfold([]byte("x:"), []byte(tt.in)))[2:], tt.in)
	}
}

func TestAppendUnfoldAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	value := []byte("a folded\r\n value\r\n\tof three lines")
	allocs := testing.AllocsPerRun(100, func() {
		buf = AppendUnfold(buf[:0], value)
	})
	assert.Zero(t, allocs)
	assert.Equal(t, "a folded value\tof three lines", string(buf))
}
