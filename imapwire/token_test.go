package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// lexQuotedRef is lexQuotedIn one octet at a time, the definition the
// word-at-a-time scan must match.
func lexQuotedRef(b []byte, i int, plain *[256]bool) (end int, esc, ok bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case plain[c]:
		case c == '"':
			return i, esc, true
		case c == '\\':
			i++
			if i >= len(b) || (b[i] != '"' && b[i] != '\\') {
				return i, esc, false
			}
			esc = true
		default:
			return i, esc, false
		}
	}
	return i, esc, false
}

func TestLexQuotedWords(t *testing.T) {
	for _, s := range []string{`""`, `"abc"`, `"0123456789abcdef"`, `"0123456\"89abcdef\\x"`, "\"0123456789\tab\"",
		"\"0123456789\x00ab\"", "\"01234567\r\n\"", "\"0123456789é\"", "\"é\"", `"0123456789`, `"01234567\z"`,
		"\"0123456\x7f89\"", "\"\x1f0123456789\"", `"abcdefgh"`, `"abcdefg"`, `"abcdefghi"`} {
		for _, plain := range []*[256]bool{&quotedASCII, &quotedPlain} {
			for pad := 0; pad < 10; pad++ {
				b := []byte(s + strings.Repeat("x", pad))
				e, esc, ok := lexQuotedIn(b, 0, plain)
				we, wesc, wok := lexQuotedRef(b, 0, plain)
				assert.Equal(t, [3]any{we, wesc, wok}, [3]any{e, esc, ok}, "%q", b)
			}
		}
	}
}

func FuzzLexQuoted(f *testing.F) {
	f.Add([]byte(`"IMAP4rev1 WG mtg \"summary\" and minutes" x`))
	f.Add([]byte("\"0123456789\tab\x80\""))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			b = append([]byte{'"'}, b...)
		}
		for _, plain := range []*[256]bool{&quotedASCII, &quotedPlain} {
			e, esc, ok := lexQuotedIn(b, 0, plain)
			we, wesc, wok := lexQuotedRef(b, 0, plain)
			require.Equal(t, [3]any{we, wesc, wok}, [3]any{e, esc, ok}, "%q", b)
		}
	})
}

// The scan reads words past len(b) into its capacity; what lies there
// never decides.
func TestLexQuotedCapacity(t *testing.T) {
	buf := []byte(`"abcdefghijklmnop" "x"`)
	for n := 1; n <= len(buf); n++ {
		b := buf[:n]
		e, esc, ok := lexQuotedIn(b, 0, &quotedASCII)
		we, wesc, wok := lexQuotedRef(b, 0, &quotedASCII)
		assert.Equal(t, [3]any{we, wesc, wok}, [3]any{e, esc, ok}, "%q", b)
	}
}
