package imapwire

import (
	"strings"
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

// TestReaderEnvelopeFastPath reads envelopes from a line (the in-place
// path) and with a literal in them (the general path, which the fast one
// leaves them to): what the line path accepts equals what ParseEnvelope
// reads, and what it refuses the general path refuses too.
func TestReaderEnvelopeFastPath(t *testing.T) {
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{`("Wed, 17 Jul 1996" "IMAP4rev1 \"WG\"" (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "gray" "x")) NIL ((NIL NIL "imap" "y")) ((NIL NIL "a" "b")("J K" NIL "k" "m")) NIL NIL "<id@x>")`, true},
		{`(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)`, true},
		{`(nil NiL NIL NIL NIL NIL NIL NIL NIL NIL)`, true},
		{`(NIL NIL NIL NIL NIL NIL NIL NIL NIL)`, false},
		{`(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)`, false},
		{`(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL )`, false},
		{`(NIL  NIL NIL NIL NIL NIL NIL NIL NIL NIL)`, false},
		{`(NIL NIL () NIL NIL NIL NIL NIL NIL NIL)`, false},
		{`(NIL NIL ((NIL NIL "a")) NIL NIL NIL NIL NIL NIL NIL)`, false},
		{`(NIL NILX NIL NIL NIL NIL NIL NIL NIL NIL)`, false},
		{`("a` + "\x01" + `b" NIL NIL NIL NIL NIL NIL NIL NIL NIL)`, true},
		{`(NIL NIL NIL NIL NIL NIL NIL NIL NIL "a` + "\r" + `b")`, false},
	} {
		line := "* 1 FETCH (ENVELOPE " + tc.raw + ")\r\n"
		r := NewReader(strings.NewReader(line), ClientSide, Options{})
		_, err := r.ReadResponse()
		require.NoError(t, err)
		items := r.FetchItems()
		require.True(t, items.Next())
		got, err := r.Envelope()
		if !tc.ok {
			assert.Error(t, err, tc.raw)
			continue
		}
		require.NoError(t, err, tc.raw)
		want, err := ParseEnvelope([]byte(tc.raw))
		require.NoError(t, err, tc.raw)
		for _, p := range [...][2]*Token{{&got.Date, &want.Date}, {&got.Subject, &want.Subject}, {&got.InReplyTo, &want.InReplyTo}, {&got.MessageID, &want.MessageID}} {
			assert.Equal(t, p[1].IsNil(), p[0].IsNil(), tc.raw)
			assert.Equal(t, string(p[1].AppendValue(nil)), string(p[0].AppendValue(nil)), tc.raw)
		}
		g := [...]Addresses{got.From, got.Sender, got.ReplyTo, got.To, got.Cc, got.Bcc}
		w := [...]Addresses{want.From, want.Sender, want.ReplyTo, want.To, want.Cc, want.Bcc}
		for k := range g {
			for {
				ga, gok := g[k].Next()
				wa, wok := w[k].Next()
				require.Equal(t, wok, gok, tc.raw)
				if !gok {
					break
				}
				assert.Equal(t, wa, ga, tc.raw)
			}
		}
		require.NoError(t, items.Err())
		assert.False(t, items.Next())
		require.NoError(t, items.Err())
	}
}

func TestAddressesNextInto(t *testing.T) {
	env, err := ParseEnvelope([]byte(`(NIL NIL ((NIL NIL "list" NIL) ("A" NIL "a" "x.org") (NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL)`))
	require.NoError(t, err)
	byValue, into := env.From, env.From
	var got Address
	n := 0
	for {
		want, ok := byValue.Next()
		require.Equal(t, ok, into.NextInto(&got))
		if !ok {
			break
		}
		assert.Equal(t, want, got)
		n++
	}
	assert.Equal(t, 3, n)
	assert.Equal(t, Address{}, got)
	require.NoError(t, into.Err())
}
