package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validDictEntry checks one line of a libFuzzer dictionary: an optional
// name=, then a quoted value whose only escapes are \\, \" and \xNN.
func validDictEntry(line string) bool {
	if i := strings.IndexByte(line, '"'); i > 0 && line[i-1] == '=' {
		line = line[i:]
	}
	if len(line) < 3 || line[0] != '"' || line[len(line)-1] != '"' {
		return false
	}
	body := line[1 : len(line)-1]
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			return false
		case '\\':
			if i+1 >= len(body) {
				return false
			}
			switch body[i+1] {
			case '\\', '"':
				i++
			case 'x':
				if i+3 >= len(body) || !isHex(body[i+2]) || !isHex(body[i+3]) {
					return false
				}
				i += 3
			default:
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func TestDictionaries(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "dict", "*.dict"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		f, err := os.Open(path)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			line := sc.Text()
			if line == "" || line[0] == '#' {
				continue
			}
			n++
			assert.True(t, validDictEntry(line), "%s: %s", path, line)
		}
		f.Close()
		assert.Positive(t, n, path)
	}
	for _, bad := range []string{`"a"b"`, `"\q"`, `"\x0"`, `abc`, `""`} {
		assert.False(t, validDictEntry(bad), bad)
	}
	for _, good := range []string{`"a\"b"`, `"\\Seen"`, `"\x0d\x0a"`, `kw="DATA"`} {
		assert.True(t, validDictEntry(good), good)
	}
}
