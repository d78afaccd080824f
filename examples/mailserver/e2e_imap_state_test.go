package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIMAPSharedState: two IMAP sessions on one INBOX see each other's
// flag changes (FETCH) and expunges (EXPUNGE); a POP3 DELE+QUIT shows up
// as EXPUNGE; \Recent belongs to the first session; UIDVALIDITY and UIDs
// survive a restart, with flags kept in the Maildir file names.
func TestIMAPSharedState(t *testing.T) {
	s := Start(t, Options{})
	deliver(t, s, "alice", testMessage(1), testMessage(2), testMessage(3))
	a := imapDial(t, s, "imaps")
	a.login("alice", "alice-secret-pw")
	sel := a.ok("SELECT INBOX")
	assert.Contains(t, sel, "* 3 EXISTS")
	assert.Contains(t, sel, "* 3 RECENT")
	uv := regexp.MustCompile(`UIDVALIDITY (\d+)`).FindStringSubmatch(sel)
	require.Len(t, uv, 2)

	b := imapDial(t, s, "imaps")
	b.login("alice", "alice-secret-pw")
	selB := b.ok("SELECT INBOX")
	assert.Contains(t, selB, "* 0 RECENT", "\\Recent went to the first session")
	uid2 := b.uidOf("test 2")
	b.ok("UID STORE " + uid2 + ` +FLAGS (\Flagged)`)
	up := a.ok("NOOP")
	assert.Regexp(t, `\* \d FETCH \(FLAGS \(\\Flagged \\Recent\) UID `+uid2+`\)`, up)

	uid1 := b.uidOf("test 1")
	b.ok("UID STORE " + uid1 + ` +FLAGS.SILENT (\Deleted)`)
	ex := b.ok("EXPUNGE")
	assert.Contains(t, ex, "EXPUNGE")
	up = a.ok("NOOP")
	assert.Regexp(t, `\* \d EXPUNGE`, up)
	assert.Contains(t, a.ok("SEARCH ALL"), "* SEARCH 1 2\r\n")

	// POP3 deletes one; the IMAP session learns it as EXPUNGE.
	p := dialPOP(t, s, "pop3s")
	p.login("alice", "alice-secret-pw")
	r := p.cmd("DELE 1")
	require.True(t, r.OK, "%v", r)
	r = p.cmd("QUIT")
	require.True(t, r.OK, "%v", r)
	deadline := time.Now().Add(5 * time.Second)
	var seen string
	for time.Now().Before(deadline) {
		seen += a.ok("NOOP")
		if strings.Contains(seen, "EXPUNGE") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.Regexp(t, `\* \d EXPUNGE`, seen, "POP3 DELE shown as EXPUNGE")
	assert.Contains(t, a.ok("SEARCH ALL"), "* SEARCH 1\r\n")
	left := a.ok("UID FETCH 1:* (UID FLAGS)")
	a.ok("LOGOUT")
	b.ok("LOGOUT")
	s.Stop()

	// Restart on the same data: same UIDVALIDITY, same UID and flags.
	s2 := Start(t, Options{Data: s.Data})
	c := imapDial(t, s2, "imaps")
	c.login("alice", "alice-secret-pw")
	sel = c.ok("SELECT INBOX")
	assert.Contains(t, sel, "UIDVALIDITY "+uv[1]+"]")
	noRecent := regexp.MustCompile(` ?\\Recent`)
	assert.Equal(t, noRecent.ReplaceAllString(left, ""), noRecent.ReplaceAllString(c.ok("UID FETCH 1:* (UID FLAGS)"), ""))
	c.ok("LOGOUT")
}
