package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStringAt(t *testing.T) {
	for in, want := range map[string]string{
		"":                        `""`,
		"plain":                   `"plain"`,
		`a "q" \ b`:               `"a \"q\" \\ b"`,
		"caf\xc3\xa9":             "{5}\r\ncaf\xc3\xa9",
		"a\r\nb":                  "{4}\r\na\r\nb",
		"n\x00l":                  "{5}\r\nn\xef\xbf\xbdl",
		strings.Repeat("x", 5000): "{5000}\r\n" + strings.Repeat("x", 5000),
	} {
		got := stringAt([]byte("pre "+in), 4)
		assert.Equal(t, "pre "+want, string(got), "%q", in)
	}
}

func TestHumanAt(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"  a  b\t\tc \r\n d ": "a b c d",
		"x":                   "x",
		" \t ":                "",
	} {
		got := humanAt([]byte("|"+in), 1)
		assert.Equal(t, "|"+want, string(got), "%q", in)
	}
}
