package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTokenValues(t *testing.T) {
	q := Token{Kind: KindQuoted, Bytes: []byte(`a\"b`), Escaped: true}
	assert.Equal(t, `a"b`, string(q.AppendValue(nil)))
	plain := Token{Kind: KindQuoted, Bytes: []byte("ab")}
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

// Two values taken into one buffer stand side by side (Value(scratch)
// made the second overwrite the first), and a buffer with room is never
// reallocated.
func TestTokenAppendValueSideBySide(t *testing.T) {
	user := Token{Kind: KindQuoted, Bytes: []byte(`al\"ice`), Escaped: true}
	pass := Token{Kind: KindQuoted, Bytes: []byte(`s\\3`), Escaped: true}
	lit := Token{Kind: KindLiteral, Bytes: []byte("lit")}
	buf := make([]byte, 0, 64)
	n := testing.AllocsPerRun(100, func() {
		b := user.AppendValue(buf[:0])
		u := len(b)
		b = pass.AppendValue(b)
		p := len(b)
		b = lit.AppendValue(b)
		b = Token{Kind: KindNil}.AppendValue(b)
		if string(b[:u]) != `al"ice` || string(b[u:p]) != `s\3` || string(b[p:]) != "lit" {
			t.Fatalf("%q", b)
		}
	})
	assert.Zero(t, n)
}
