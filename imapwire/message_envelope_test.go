package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendEnvelope(t *testing.T) {
	tests := []struct{ name, msg, want string }{
		{"forwarded", string(forwarded),
			`("Mon, 23 Nov 2026 10:06:00 +0000" "Fwd: the inner message" (("Carol" NIL "carol" "example.test")) (("Carol" NIL "carol" "example.test")) (("Carol" NIL "carol" "example.test")) ((NIL NIL "alice" "example.test")) NIL NIL NIL "<rfc822.7@example.test>")`},
		{"empty", "", `(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)`},
		{"groups, merged To, last Subject, spaces", "From: \"A \\\"B\\\"\" <a@x>\nTo: G: b@y, c@z;\nTo: d@w\nReply-To: r@x\n" +
			"Subject: first\nSubject:   two   spaces\there \nIn-Reply-To: <p@x>\n <q@x>\nSender:\n\nbody\n",
			`(NIL "two spaces here" (("A \"B\"" NIL "a" "x")) (("A \"B\"" NIL "a" "x")) ((NIL NIL "r" "x")) ((NIL NIL "G" NIL)(NIL NIL "b" "y")(NIL NIL "c" "z")(NIL NIL NIL NIL)(NIL NIL "d" "w")) NIL NIL "<p@x> <q@x>" NIL)`},
		{"encoded words stay, 8-bit is a literal", "From: =?UTF-8?Q?J=C3=B6rg?= <j@x>\nSubject: caf\xc3\xa9\n\n",
			"(NIL {5}\r\ncaf\xc3\xa9 ((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) ((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) ((\"=?UTF-8?Q?J=C3=B6rg?=\" NIL \"j\" \"x\")) NIL NIL NIL NIL NIL)"},
	}
	m := NewMessage(MessageOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := []byte(tt.msg)
			if tt.name != "forwarded" {
				msg = crlfMsg(tt.msg)
			}
			require.NoError(t, m.Parse(msg))
			got, err := AppendEnvelope(nil, m)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			_, err = ParseEnvelope(got)
			require.NoError(t, err, "the client side reads what we write")
		})
	}
}
