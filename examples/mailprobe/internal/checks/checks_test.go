package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
)

func TestSelect(t *testing.T) {
	all, err := Select("all")
	require.NoError(t, err)
	assert.Len(t, all, len(All))
	two, err := Select("cert, tls-versions,cert")
	require.NoError(t, err)
	require.Len(t, two, 2)
	assert.Equal(t, "cert", two[0].Name)
	_, err = Select("cert,nosuch")
	assert.ErrorContains(t, err, `unknown check "nosuch"`)
}

// The probe body carries the sequence once, then a line that is no SMTP
// verb, then the real end of data and QUIT: never MAIL, RCPT or DATA, so
// no reading of it can make a second message.
func TestProbeBodyIsHarmless(t *testing.T) {
	e := &Env{To: "rcpt@example.test"}
	verbs := map[string]bool{"MAIL": true, "RCPT": true, "DATA": true, "BDAT": true, "RSET": true, "EHLO": true, "HELO": true}
	for _, eod := range EODs {
		b := string(probeBody(e, eod, time.Unix(0, 0)))
		i := strings.Index(b, "probe text"+eod.Seq)
		require.GreaterOrEqual(t, i, 0, eod.Name)
		assert.True(t, strings.HasSuffix(b, "probe text"+eod.Seq+leftover+".\r\nQUIT\r\n"), eod.Name)
		// headers and the text before the sequence have CRLF line ends only
		head := strings.ReplaceAll(b[:i], "\r\n", "")
		assert.NotContains(t, head, "\n", eod.Name)
		assert.NotContains(t, head, "\r", eod.Name)
		// however a server splits it into lines (at CR, LF or both), no line
		// starts with a verb that could begin a transaction
		for _, l := range strings.FieldsFunc(b, func(r rune) bool { return r == '\r' || r == '\n' }) {
			w := strings.ToUpper(strings.Fields(l + " x")[0])
			assert.False(t, verbs[w], "%s: line %q", eod.Name, l)
		}
	}
}

func TestOfferedAuth(t *testing.T) {
	assert.Equal(t, []string{"AUTH PLAIN LOGIN"}, offeredAuth(session.SMTP, []string{"PIPELINING", "AUTH PLAIN LOGIN", "STARTTLS"}))
	assert.Empty(t, offeredAuth(session.SMTP, []string{"PIPELINING", "STARTTLS"}))
	assert.Equal(t, []string{"USER", "SASL PLAIN"}, offeredAuth(session.POP3, []string{"TOP", "USER", "SASL PLAIN", "STLS"}))
	assert.Empty(t, offeredAuth(session.POP3, []string{"TOP", "SASL", "STLS"}))
	assert.Empty(t, offeredAuth(session.IMAP, []string{"IMAP4rev1", "STARTTLS", "LOGINDISABLED"}))
	assert.Equal(t, []string{"AUTH=PLAIN", "LOGIN (no LOGINDISABLED)"}, offeredAuth(session.IMAP, []string{"IMAP4rev1", "AUTH=PLAIN"}))
}
