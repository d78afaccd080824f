package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTokenValues(t *testing.T) {
	q := Token{Kind: KindQuoted, Bytes: []byte(`a\"b`), Escaped: true}
	assert.Equal(t, `a"b`, string(q.AppendValue(nil)))
	assert.Equal(t, `a"b`, string(q.Value(make([]byte, 0, 8))))
	plain := Token{Kind: KindQuoted, Bytes: []byte("ab")}
	assert.Equal(t, "ab", string(plain.Value(nil)))
	assert.Nil(t, Token{Kind: KindNil}.Value(nil))
	assert.Empty(t, Token{Kind: KindNil}.AppendValue(nil))
	n, ok := Token{Kind: KindAtom, Bytes: []byte("42")}.Uint32()
	assert.True(t, ok)
	assert.Equal(t, uint32(42), n)
	_, ok = plain.Uint64()
	assert.False(t, ok)
	assert.True(t, Token{Kind: KindAtom, Bytes: []byte("nOoP")}.EqualFold("NOOP"))
	assert.True(t, q.IsString())
	assert.Equal(t, "literal", KindLiteral.String())
	assert.Equal(t, "kind?", Kind(99).String())
	assert.Equal(t, `a\b"`, string(AppendUnquoted(nil, []byte(`a\\b\"`))))
}
