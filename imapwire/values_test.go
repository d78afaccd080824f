package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValues(t *testing.T) {
	v := ValuesOf([]byte("(a \"b c\" NIL {3}\r\nx)y (1 (2)) \\Seen (z)(w))"))
	var got []string
	for v.More() {
		tok, ok := v.Next()
		if !ok {
			break
		}
		got = append(got, tok.Kind.String()+":"+string(tok.Bytes))
	}
	assert.NoError(t, v.Err())
	assert.Equal(t, []string{"atom:a", "quoted:b c", "NIL:NIL", "literal:x)y", "(:(1 (2))", `flag:\Seen`}, got[:6])
	assert.Equal(t, []string{"(:(z)", "(:(w)"}, got[6:], "multipart bodies stand side by side")

	for _, bad := range []string{"(a  b)", `("a)`, "({9}\r\nx)", "({3}\r\na\x00b)", "(a (b)", `(\ )`, "(a\"b\")"} {
		v := ValuesOf([]byte(bad))
		for {
			if _, ok := v.Next(); !ok {
				break
			}
		}
		assert.ErrorIs(t, v.Err(), ErrSyntax, bad)
	}
	// "~" starts a literal8 only when "{" follows: "~x" is an atom (a
	// keyword), as Capture already reads it.
	tilde := ValuesOf([]byte("(\\Seen ~x ~{2}\r\nab)"))
	var kinds []string
	for tilde.More() {
		tok, ok := tilde.Next()
		if !ok {
			break
		}
		kinds = append(kinds, tok.Kind.String()+":"+string(tok.Bytes))
	}
	assert.NoError(t, tilde.Err())
	assert.Equal(t, []string{`flag:\Seen`, "atom:~x", "literal:ab"}, kinds)
	one := ValuesOf([]byte("atom"))
	tok, ok := one.Next()
	assert.True(t, ok)
	assert.Equal(t, "atom", string(tok.Bytes))
	_, ok = one.Next()
	assert.False(t, ok)
}

func TestWords(t *testing.T) {
	w := WordsOf([]byte("IMAP4rev1 IDLE  MOVE "))
	var got []string
	for x, ok := w.Next(); ok; x, ok = w.Next() {
		got = append(got, string(x))
	}
	assert.Equal(t, []string{"IMAP4rev1", "IDLE", "MOVE"}, got)
	assert.True(t, WordsOf([]byte("a idle")).Has("IDLE"))
	assert.False(t, WordsOf(nil).Has("IDLE"))
	n := Numbers{WordsOf([]byte("2 84"))}
	a, _ := n.Next()
	b, _ := n.Next()
	_, ok := n.Next()
	assert.Equal(t, []uint32{2, 84}, []uint32{a, b})
	assert.False(t, ok)
}

func TestLexFlag(t *testing.T) {
	for _, tt := range []struct {
		in  string
		end int
	}{
		{`\Seen)`, 5}, {`\*`, 2}, {`\* x`, 2}, {`\`, -1}, {`\ `, -1}, {`\(`, -1}, {`\Draft`, 6},
	} {
		assert.Equal(t, tt.end, lexFlag([]byte(tt.in), 0), "%q", tt.in)
	}
}
