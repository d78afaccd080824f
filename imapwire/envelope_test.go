package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEnvelope(t *testing.T) {
	raw := []byte(`("Mon, 7 Feb 1994" {5}` + "\r\n" + `Hello ((NIL NIL "list" NIL) ("A" NIL "a" "x.org") (NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL "<id@x>")`)
	env, err := ParseEnvelope(raw)
	require.NoError(t, err)
	assert.Equal(t, "Hello", string(env.Subject.Bytes))
	assert.Equal(t, KindLiteral, env.Subject.Kind)
	var got []string
	for a, ok := env.From.Next(); ok; a, ok = env.From.Next() {
		got = append(got, string(a.Name.AppendValue(nil))+"|"+string(a.Mailbox.AppendValue(nil))+"|"+a.Host.Kind.String())
	}
	assert.Equal(t, []string{"|list|NIL", "A|a|quoted", "||NIL"}, got, "a group: start, member, end")
	assert.NoError(t, env.From.Err())
	_, ok := env.To.Next()
	assert.False(t, ok, "NIL has no addresses")
	assert.Equal(t, "<id@x>", string(env.MessageID.Bytes))

	for _, bad := range []string{
		"NIL",
		`(NIL NIL NIL NIL NIL NIL NIL NIL NIL)`,
		`(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)`,
		`((x) NIL NIL NIL NIL NIL NIL NIL NIL NIL)`,
		`(NIL NIL "x" NIL NIL NIL NIL NIL NIL NIL)`,
		`(NIL NIL () NIL NIL NIL NIL NIL NIL NIL)`,
	} {
		_, err := ParseEnvelope([]byte(bad))
		assert.ErrorIs(t, err, ErrSyntax, bad)
	}
	env, err = ParseEnvelope([]byte(`(NIL NIL (("a" NIL "b")) NIL NIL NIL NIL NIL NIL NIL)`))
	require.NoError(t, err)
	_, ok = env.From.Next()
	assert.False(t, ok)
	assert.ErrorIs(t, env.From.Err(), ErrSyntax, "an address of three fields")
}
