package headers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIndexControl(t *testing.T) {
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
		{strings.Repeat("y", 17) + "\t\n", 17},
		{" !\x7f\x80\x9f\xa0\xff\xe4\x1f", 8}, // near misses, then US
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, indexControl([]byte(tt.in)), "%q", tt.in)
	}
	// Against the obvious definition, at every offset and length.
	data := []byte("Received: from x\x00 by\r y;\n date\r\n\tSubject: \x80\xff\x0a\x0d ü end")
	for i := range data {
		for j := i; j <= len(data); j++ {
			want := bytes.IndexFunc(data[i:j], func(r rune) bool { return r < 0x20 })
			assert.Equal(t, want, indexControl(data[i:j]), "%q", data[i:j])
		}
	}
}

func TestIndexAny3(t *testing.T) {
	data := []byte("a (comment \\) (nested (x)) \x00\xff(\x28\x29\x5c end of it all)")
	for i := range data {
		for j := i; j <= len(data); j++ {
			assert.Equal(t, bytes.IndexAny(data[i:j], "()\\"), indexAny3(data[i:j], '(', ')', '\\'))
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

func TestIndexNotFtext(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	data := append([]byte("X-Originating-IP: Subject:Received\x7fA\x80B C\tD~!"), all...)
	for i := range data {
		for j := i; j <= len(data) && j < i+40; j++ {
			want := bytes.IndexFunc(data[i:j], func(r rune) bool { return r < 33 || r > 126 || r == ':' })
			assert.Equal(t, want, indexNotFtext(data[i:j]), "%q", data[i:j])
		}
	}
}
