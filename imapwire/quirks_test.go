package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each quirk's fixture comes from the server named, as reported where
// cited. Strict reading refuses it; the quirk accepts it.
var quirkFixtures = []struct {
	server, source string
	quirk          Quirks
	in, want       string
}{
	{"imap.exmail.qq.com", "go-imap #571, #594", Quirks{TrailingSpace: true},
		"* CAPABILITY IMAP4 IMAP4rev1 XLIST MOVE IDLE XAPPLEPUSHSERVICE SASL-IR AUTH=PLAIN AUTH=XOAUTH2 ID UIDPLUS \r\n",
		"0   CAPABILITY IMAP4 IMAP4rev1 XLIST MOVE IDLE XAPPLEPUSHSERVICE SASL-IR AUTH=PLAIN AUTH=XOAUTH2 ID UIDPLUS"},
	{"Outlook.com", "go-imap #540, modern-email/defects #9", Quirks{TrailingSpace: true},
		"* STATUS Inbox (MESSAGES 1) \r\n", "0   STATUS Inbox MESSAGES=1"},
	{"QQ Mail", "jakarta mail-api #209, defects #40", Quirks{TrailingSpace: true},
		"* 5 FETCH (UID 19436 )\r\n", "0   #5 FETCH UID=19436"},
	{"imap.exmail.qq.com", "go-imap #652", Quirks{TrailingSpace: true},
		"* SEARCH \r\n", "0   SEARCH modseq=0"},
	{"SurgeMail", "djc/imap-proto #178", Quirks{TrailingSpace: true},
		"* FLAGS (\\Seen \\Deleted )\r\n", `0   FLAGS \Seen, \Deleted,`},
	{"iCloud", "ruby/net-imap PR #230, imap-proto PR #131", Quirks{MissingText: true},
		"* BYE\r\n", "0  BYE"},
	{"Gmail", "RFC 7162 errata 5055, defects #28", Quirks{MissingText: true},
		"* OK [HIGHESTMODSEQ 715194045007]\r\n", "0  OK [HIGHESTMODSEQ|715194045007]"},
	{"public-inbox-imapd", "modern-email/defects #7", Quirks{EmptyContinuation: true},
		"+\r\n", "2  "},
	{"Dovecot", "go-imap #534, defects #27", Quirks{NegativeSize: true},
		"* 1 FETCH (BODY (\"text\" \"plain\" NIL NIL NIL \"7bit\" -1 -1))\r\n", "0   #1 FETCH BODY=(text/plain 0 0)"},
}

func TestQuirkFixtures(t *testing.T) {
	scratch := make([]byte, 64)
	for _, f := range quirkFixtures {
		t.Run(f.server, func(t *testing.T) {
			strict := NewReader(strings.NewReader(f.in), ClientSide, Options{})
			resp, err := strict.ReadResponse()
			if err == nil {
				_, err = describeResponse(nil, strict, resp, scratch)
			}
			require.ErrorIs(t, err, ErrSyntax, "strict reading refuses %s's %q (%s)", f.server, f.in, f.source)

			lenient := NewReader(strings.NewReader(f.in), ClientSide, Options{Quirks: f.quirk})
			resp, err = lenient.ReadResponse()
			require.NoError(t, err)
			got, err := describeResponse(nil, lenient, resp, scratch)
			require.NoError(t, err)
			assert.Equal(t, f.want, string(got))
		})
	}
}
