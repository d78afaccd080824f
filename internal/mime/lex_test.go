package mime

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLex(t *testing.T) {
	v := []byte(" (a (nested) \\) c)\r\n x")
	assert.Equal(t, len(v)-1, skipCFWS(v, 0))
	assert.Equal(t, 3, skipCFWS([]byte(" (u"), 0), "an open comment runs to the end")
	e, closed := quotedEnd([]byte(`"a\"b" x`), 0)
	assert.Equal(t, [2]any{6, true}, [2]any{e, closed})
	_, closed = quotedEnd([]byte(`"abc`), 0)
	assert.False(t, closed)
	assert.Equal(t, `a"b c`, string(appendQuotedContent(nil, []byte("a\\\"b\r\n c"))))
	assert.Equal(t, "a b", string(AppendUnfold(nil, []byte("a\r\n b"))))
	assert.True(t, EqualFoldBytes([]byte("Content-Type"), []byte("content-TYPE")))
	assert.False(t, EqualFoldBytes([]byte("a"), []byte("ab")))
	assert.False(t, EqualFold([]byte("{"), "["), "only letters fold")
	assert.True(t, tokenChar('a') && tokenChar(0xe9) && !tokenChar('/') && !tokenChar(' ') && !tokenChar(0x7f))
	assert.True(t, atext('/') && atext(0xe9) && !atext('.') && !atext('@'))
}
