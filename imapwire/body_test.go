package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBodyStructure(t *testing.T) {
	raw := []byte(`(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "HTML" NIL NIL NIL "QP" 5 2) 12 NIL NIL ("EN" "DE") "http://x" X-EXT (1 2))` +
		` "MIXED" ("BOUNDARY" "b") ("inline" NIL) "en" NIL)`)
	b, err := ParseBodyStructure(raw, false)
	require.NoError(t, err)
	assert.True(t, b.Multipart)
	assert.Equal(t, "MIXED", string(b.Subtype.Bytes))
	assert.Equal(t, `("inline" NIL)`, string(b.Disposition))
	assert.Equal(t, "en", string(b.Language))
	kids := b.Children()
	text, ok := kids.Next()
	require.True(t, ok)
	assert.Equal(t, "PLAIN", string(text.Subtype.Bytes))
	assert.Equal(t, uint32(10), text.Size)
	assert.Equal(t, uint32(1), text.Lines)
	msg, ok := kids.Next()
	require.True(t, ok)
	assert.Equal(t, uint32(12), msg.Lines)
	assert.Equal(t, `("EN" "DE")`, string(msg.Language))
	assert.Equal(t, "http://x", string(msg.Location.Bytes))
	ext, _ := msg.Extension.Next()
	assert.Equal(t, "X-EXT", string(ext.Bytes))
	env, err := ParseEnvelope(msg.Envelope)
	require.NoError(t, err)
	assert.Equal(t, "inner", string(env.Subject.Bytes))
	inner, err := msg.Nested()
	require.NoError(t, err)
	assert.Equal(t, "HTML", string(inner.Subtype.Bytes))
	_, ok = kids.Next()
	assert.False(t, ok)
	require.NoError(t, kids.Err())

	for _, bad := range []string{
		`NIL`, `("TEXT")`, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" x 1)`, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1)`,
		`("TEXT" "PLAIN" ("A") NIL NIL "7BIT" 1 1)`, `("TEXT" "PLAIN" () NIL NIL "7BIT" 1 1)`,
		`("TEXT" "PLAIN" ("A" NIL) NIL NIL "7BIT" 1 1)`, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 x)`, `(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1))`,
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 1 NIL NIL 1)`, `(1 "PLAIN" NIL NIL NIL "7BIT" 1 1)`,
	} {
		_, err := ParseBodyStructure([]byte(bad), false)
		assert.ErrorIs(t, err, ErrSyntax, bad)
	}
	neg := []byte(`("APPLICATION" "PDF" NIL NIL NIL "BASE64" -1)`)
	_, err = ParseBodyStructure(neg, false)
	assert.ErrorIs(t, err, ErrSyntax)
	b, err = ParseBodyStructure(neg, true)
	require.NoError(t, err)
	assert.Zero(t, b.Size)
}
