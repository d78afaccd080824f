package headers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIndexSpecial(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", -1},
		{"abc", -1},
		{strings.Repeat("x", 40), -1},
		{"\n", 0},
		{"abcdefg\r", 7},
		{"abcdefgh\x00", 8},
		{strings.Repeat("y", 17) + "\n\r", 17},
		{"\x01\x0b\x0c\x0e\x8a\x8d\x80\xff\r", 8}, // near misses
		{"ab\x00cdefghij\n", 2},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, indexSpecial([]byte(tt.in)), "%q", tt.in)
	}
	// Against the obvious definition, at every offset and length.
	data := []byte("Received: from x\x00 by\r y;\n date\r\nSubject: \x80\xff\x0a\x0d end")
	for i := range data {
		for j := i; j <= len(data); j++ {
			assert.Equal(t, bytes.IndexAny(data[i:j], "\r\n\x00"), indexSpecial(data[i:j]))
		}
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"Subject": true, "X-Custom/Header": true, "a": true, "~!": true,
		"": false, "Sub:ject": false, "Sub ject": false, "Sübject": false, "A\x7f": false,
	} {
		assert.Equal(t, want, validName(name), "%q", name)
	}
}
