package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pythonIMAP drives the service with Python's imaplib: argv host port
// cafile user pass mode smtphost smtpport outfile; mode starttls or imaps.
// It prints nothing and writes a JSON report of what it saw.
const pythonIMAP = `
import imaplib, smtplib, ssl, sys, json, time, re, select, socket
host, port, ca, user, pw, mode, shost, sport, outfile = sys.argv[1:10]
ctx = ssl.create_default_context(cafile=ca)
rep = {}
if mode == "imaps":
    M = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx, timeout=30)
else:
    M = imaplib.IMAP4(host, int(port), timeout=30)
    rep["caps_plain"] = list(M.capabilities)
    try:
        M.login(user, pw)
        rep["login_plain"] = "accepted"
    except imaplib.IMAP4.error as e:
        rep["login_plain"] = str(e)
    M.starttls(ssl_context=ctx)
rep["caps_tls"] = list(M.capabilities)
typ, d = M.login(user, pw)
rep["login"] = typ
typ, d = M.list()
rep["list"] = [x.decode() for x in d]
typ, d = M.select("INBOX")
rep["exists"] = int(d[0])
typ, d = M.search(None, "ALL")
rep["search_all"] = d[0].decode()
typ, d = M.search(None, "SUBJECT", '"test 2"')
rep["search_subject"] = d[0].decode()
typ, d = M.search(None, "UNSEEN")
rep["search_unseen"] = d[0].decode()
typ, d = M.search("UTF-8", "OR", "FROM", "sender@example.org", "NOT", "SEEN")
rep["search_or"] = d[0].decode()
typ, d = M.uid("SEARCH", "LARGER", "10", "UID", "1:*")
rep["uid_search"] = d[0].decode()
bodies = {}
typ, d = M.fetch("1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[])")
for item in d:
    if isinstance(item, tuple):
        uid = re.search(rb"UID (\d+)", item[0]).group(1).decode()
        bodies[uid] = item[1].decode("latin-1")
rep["bodies"] = bodies
typ, d = M.fetch("1", "(FLAGS)")
rep["flags_after_peek"] = d[0].decode()
typ, d = M.fetch("1", "(BODY[HEADER.FIELDS (SUBJECT)] BODY[TEXT]<0.4>)")
rep["partial"] = [x[1].decode() for x in d if isinstance(x, tuple)]
typ, d = M.fetch("1", "(FLAGS)")
rep["flags_after_body"] = d[0].decode()
typ, d = M.store("1", "+FLAGS", "(\\Flagged $Label1)")
rep["store"] = [x.decode() for x in d]
typ, d = M.copy("1", "Archive")
rep["copy"] = [typ, M.untagged_responses.get("COPYUID", None) and "x" or ""] + [x.decode() for x in d]
typ, d = M._simple_command("UID", "MOVE", "2", "Trash")
rep["move"] = typ
rep["move_untagged"] = [str(x) for x in M.untagged_responses.pop("OK", [])]
rep["move_expunge"] = [x.decode() for x in M.untagged_responses.pop("EXPUNGE", [])]
typ, d = M.store("1", "+FLAGS", "(\\Deleted)")
typ, d = M.expunge()
rep["expunge"] = [x.decode() if x else "" for x in d]
msg = b"From: app@example.org\r\nTo: alice@localhost\r\nSubject: appended\r\n\r\nappended body\r\n"
typ, d = M.append("INBOX", "(\\Seen \\Draft)", imaplib.Time2Internaldate(time.time()), msg)
rep["append"] = [typ] + [x.decode() for x in d]
typ, d = M.status("Archive", "(MESSAGES UIDNEXT UNSEEN)")
rep["status_archive"] = d[0].decode()
typ, d = M.status("Trash", "(MESSAGES)")
rep["status_trash"] = d[0].decode()
# IDLE by hand (imaplib in 3.11 has none): a message submitted over SMTP
# must show up as EXISTS within a second.
tag = b"I001"
M.send(tag + b" IDLE\r\n")
line = M.readline()
rep["idle_cont"] = line.decode().strip()
S = smtplib.SMTP(shost, int(sport), timeout=30)
S.starttls(context=ctx)
S.login(user, pw)
S.sendmail(user + "@localhost", [user + "@localhost"], b"From: " + user.encode() + b"@localhost\r\nTo: " + user.encode() + b"@localhost\r\nSubject: idle test\r\n\r\nwake up\r\n")
S.quit()
t0 = time.time()
M.sock.settimeout(10)
got = ""
while time.time() - t0 < 10:
    l = M.readline().decode()
    if "EXISTS" in l:
        got = l.strip()
        break
rep["idle_exists"] = got
rep["idle_seconds"] = time.time() - t0
M.send(b"DONE\r\n")
while True:
    l = M.readline().decode()
    if l.startswith("I001 "):
        rep["idle_done"] = l.strip()
        break
typ, d = M.fetch("*", "(BODY.PEEK[])")
rep["idle_msg"] = [x[1].decode() for x in d if isinstance(x, tuple)]
typ, d = M.logout()
rep["logout"] = typ
json.dump(rep, open(outfile, "w"))
`

// TestIMAPImaplib: Python's imaplib over STARTTLS and imaps: login
// refused before TLS, LIST with special-use, SELECT, SEARCH, FETCH (byte
// for byte as stored), STORE, COPY, UID MOVE, EXPUNGE, APPEND and IDLE
// (a message submitted over SMTP arrives as EXISTS within a second).
func TestIMAPImaplib(t *testing.T) {
	py := peer(t, "python3")
	s := Start(t, Options{})
	script := filepath.Join(t.TempDir(), "imap.py")
	require.NoError(t, os.WriteFile(script, []byte(pythonIMAP), 0o600))
	for _, mode := range []string{"starttls", "imaps"} {
		t.Run(mode, func(t *testing.T) {
			user := map[string]string{"starttls": "alice", "imaps": "bob"}[mode]
			msgs := [][]byte{testMessage(1), testMessage(2), bigMessage(200 << 10)}
			deliver(t, s, user, msgs...)
			ln := map[string]string{"starttls": "imap", "imaps": "imaps"}[mode]
			host, port := splitAddr(t, s.Addr[ln])
			shost, sport := splitAddr(t, s.Addr["submission"])
			out := filepath.Join(t.TempDir(), "rep.json")
			runPeer(t, nil, py, script, host, port, s.CAFile, user, s.Users[user], mode, shost, sport, out)
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			var rep struct {
				CapsPlain      []string          `json:"caps_plain"`
				LoginPlain     string            `json:"login_plain"`
				CapsTLS        []string          `json:"caps_tls"`
				Login          string            `json:"login"`
				List           []string          `json:"list"`
				Exists         int               `json:"exists"`
				SearchAll      string            `json:"search_all"`
				SearchSubject  string            `json:"search_subject"`
				SearchUnseen   string            `json:"search_unseen"`
				SearchOr       string            `json:"search_or"`
				UIDSearch      string            `json:"uid_search"`
				Bodies         map[string]string `json:"bodies"`
				FlagsAfterPeek string            `json:"flags_after_peek"`
				Partial        []string          `json:"partial"`
				FlagsAfterBody string            `json:"flags_after_body"`
				Store          []string          `json:"store"`
				Copy           []string          `json:"copy"`
				Move           string            `json:"move"`
				MoveUntagged   []string          `json:"move_untagged"`
				MoveExpunge    []string          `json:"move_expunge"`
				Expunge        []string          `json:"expunge"`
				Append         []string          `json:"append"`
				StatusArchive  string            `json:"status_archive"`
				StatusTrash    string            `json:"status_trash"`
				IdleCont       string            `json:"idle_cont"`
				IdleExists     string            `json:"idle_exists"`
				IdleSeconds    float64           `json:"idle_seconds"`
				IdleDone       string            `json:"idle_done"`
				IdleMsg        []string          `json:"idle_msg"`
				Logout         string            `json:"logout"`
			}
			require.NoError(t, json.Unmarshal(b, &rep), string(b))
			if mode == "starttls" {
				assert.Contains(t, rep.CapsPlain, "LOGINDISABLED")
				assert.Contains(t, rep.CapsPlain, "STARTTLS")
				assert.NotContains(t, strings.Join(rep.CapsPlain, " "), "AUTH=")
				assert.Contains(t, rep.LoginPlain, "[PRIVACYREQUIRED]")
			}
			assert.Contains(t, rep.CapsTLS, "AUTH=PLAIN")
			assert.NotContains(t, rep.CapsTLS, "STARTTLS")
			assert.NotContains(t, rep.CapsTLS, "LOGINDISABLED")
			assert.Equal(t, "OK", rep.Login)
			list := strings.Join(rep.List, "\n")
			for _, f := range []string{`\Sent) "/" Sent`, `\Drafts) "/" Drafts`, `\Trash) "/" Trash`, `\Junk) "/" Junk`, `\Archive) "/" Archive`, `"/" INBOX`} {
				assert.Contains(t, list, f)
			}
			assert.Equal(t, 3, rep.Exists)
			assert.Equal(t, "1 2 3", rep.SearchAll)
			assert.Equal(t, "2", rep.SearchSubject)
			assert.Equal(t, "1 2 3", rep.SearchUnseen)
			assert.Equal(t, "1 2 3", rep.SearchOr)
			assert.Equal(t, "1 2 3", rep.UIDSearch)
			require.Len(t, rep.Bodies, 3)
			for i, m := range msgs {
				assert.True(t, rep.Bodies[fmt.Sprint(i+1)] == string(m), "BODY[] of UID %d is the delivered message byte for byte", i+1)
			}
			assert.NotContains(t, rep.FlagsAfterPeek, `\Seen`)
			require.Len(t, rep.Partial, 2)
			assert.Equal(t, "Subject: test 1\r\n\r\n", rep.Partial[0])
			assert.Equal(t, "body", rep.Partial[1])
			assert.Contains(t, rep.FlagsAfterBody, `\Seen`)
			assert.Contains(t, strings.Join(rep.Store, " "), `\Flagged`)
			assert.Contains(t, strings.Join(rep.Store, " "), `$Label1`)
			assert.Equal(t, "OK", rep.Copy[0])
			assert.Contains(t, strings.Join(rep.Copy, " "), "[COPYUID ")
			assert.Equal(t, "OK", rep.Move)
			assert.Contains(t, strings.Join(rep.MoveUntagged, " "), "COPYUID")
			assert.Equal(t, []string{"2"}, rep.MoveExpunge)
			assert.Equal(t, []string{"1"}, rep.Expunge)
			assert.Equal(t, "OK", rep.Append[0])
			assert.Contains(t, rep.Append[1], "[APPENDUID ")
			assert.Contains(t, rep.StatusArchive, "MESSAGES 1")
			assert.Contains(t, rep.StatusArchive, "UNSEEN 0")
			assert.Contains(t, rep.StatusTrash, "MESSAGES 1")
			assert.True(t, strings.HasPrefix(rep.IdleCont, "+"), rep.IdleCont)
			assert.Regexp(t, `^\* \d+ EXISTS$`, rep.IdleExists)
			assert.Less(t, rep.IdleSeconds, 1.0, "EXISTS within a second of the SMTP delivery")
			assert.Contains(t, rep.IdleDone, "OK")
			require.Len(t, rep.IdleMsg, 1)
			assert.Contains(t, rep.IdleMsg[0], "wake up")
			assert.Contains(t, readMaildirFiles(t, s.Maildir(user)), rep.IdleMsg[0], "the submitted message fetched byte for byte as stored")
			assert.Equal(t, "BYE", rep.Logout)
		})
	}
}

// readMaildirFiles returns the contents of the messages in a Maildir's
// new/ and cur/, joined by a separator no test message holds.
func readMaildirFiles(t testing.TB, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			c, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			require.NoError(t, err)
			b.WriteString("\x00")
			b.Write(c)
		}
	}
	b.WriteString("\x00")
	return b.String()
}

var _ = context.Background
var _ = time.Second

// TestIMAPCurl: curl over imap:// --ssl-reqd (STARTTLS) and imaps://:
// LIST, APPEND (upload), FETCH by UID byte for byte, SEARCH, STATUS;
// without --ssl-reqd under -tls required curl cannot log in, and an
// unknown CA is refused (exit 60).
func TestIMAPCurl(t *testing.T) {
	curl := peer(t, "curl")
	s := Start(t, Options{})
	m1, m2 := testMessage(1), bigMessage(100<<10)
	deliver(t, s, "bob", m1, m2)
	base := []string{"-sS", "--max-time", "30", "--cacert", s.CAFile, "--user", "bob:bob-secret-pw"}
	imap, imaps := "imap://"+s.Addr["imap"], "imaps://"+s.Addr["imaps"]
	list := string(runPeer(t, nil, curl, append(base, "--ssl-reqd", imap+"/")...))
	assert.Contains(t, list, `* LIST (\HasNoChildren) "/" INBOX`)
	assert.Contains(t, list, `\Trash) "/" Trash`)
	got := runPeer(t, nil, curl, append(base, "--ssl-reqd", imap+"/INBOX;UID=1")...)
	assert.Equal(t, m1, got)
	got = runPeer(t, nil, curl, append(base, imaps+"/INBOX;UID=2")...)
	assert.Equal(t, m2, got)
	up := filepath.Join(t.TempDir(), "up.eml")
	m3 := []byte("From: curl@example.org\r\nTo: bob@localhost\r\nSubject: uploaded\r\n\r\nby curl\r\n")
	require.NoError(t, os.WriteFile(up, m3, 0o600))
	runPeer(t, nil, curl, append(base, "--ssl-reqd", "--upload-file", up, imap+"/INBOX")...)
	got = runPeer(t, nil, curl, append(base, imaps+"/INBOX;UID=3")...)
	assert.Equal(t, m3, got)
	search := string(runPeer(t, nil, curl, append(base, imaps+"/INBOX", "-X", "SEARCH SUBJECT uploaded")...))
	assert.Equal(t, "* SEARCH 3\r\n", search)
	status := string(runPeer(t, nil, curl, append(base, imaps+"/INBOX", "-X", "STATUS INBOX (MESSAGES UIDNEXT)")...))
	assert.Equal(t, "* STATUS INBOX (MESSAGES 3 UIDNEXT 4)\r\n", status)

	cmd := exec.Command(curl, append(base, imap+"/")...) // no --ssl-reqd: curl tries LOGIN in plaintext
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "login without TLS must fail: %s", out)
	cmd = exec.Command(curl, "-sS", "--max-time", "30", "--user", "bob:bob-secret-pw", imaps+"/")
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 60, ee.ExitCode(), "unknown CA refused")
}

// mbsyncRC is an mbsync configuration syncing the far INBOX and Archive
// both ways with a local Maildir.
func mbsyncRC(port, user, pass, ca, local, sslType string) string {
	return fmt.Sprintf(`IMAPAccount far
Host localhost
Port %s
User %s
Pass %s
SSLType %s
CertificateFile %s

IMAPStore far-remote
Account far

MaildirStore near-local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel sync
Far :far-remote:
Near :near-local:
Patterns INBOX Archive
Create Both
Expunge Both
Sync All
SyncState *
`, port, user, pass, sslType, ca, local, local)
}

// localMaildir lists a local Maildir folder: file name info (flags) →
// contents, in new/ and cur/.
func localMaildir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			require.NoError(t, err)
			out[filepath.Join(sub, e.Name())] = string(b)
		}
	}
	return out
}

// TestIMAPMbsync: mbsync pulls a mailbox into a local Maildir byte for
// byte and pushes a local message up; then a flag is changed on each side
// and a second sync carries each change across; a message deleted
// locally is expunged on the server.
func TestIMAPMbsync(t *testing.T) {
	mb := peer(t, "mbsync")
	s := Start(t, Options{})
	msgs := [][]byte{testMessage(1), testMessage(2), bigMessage(60 << 10)}
	deliver(t, s, "alice", msgs...)
	home := t.TempDir()
	local := filepath.Join(home, "mail")
	require.NoError(t, os.MkdirAll(local, 0o700))
	_, port := splitAddr(t, s.Addr["imap"])
	rc := filepath.Join(home, "mbsyncrc")
	require.NoError(t, os.WriteFile(rc, []byte(mbsyncRC(port, "alice", "alice-secret-pw", s.CAFile, local, "STARTTLS")), 0o600))
	env := []string{"HOME=" + home}
	runPeer(t, env, mb, "-c", rc, "sync")

	inbox := localMaildir(t, filepath.Join(local, "INBOX"))
	require.Len(t, inbox, 3)
	// mbsync stores with LF line ends and adds an X-TUID field after the
	// header it fetched; apart from those the local copy is the server's.
	tuid := regexp.MustCompile(`(?m)^X-TUID: [^\n]*\n`)
	have := map[string]bool{}
	for _, c := range inbox {
		have[tuid.ReplaceAllString(c, "")] = true
	}
	for i, m := range msgs {
		assert.True(t, have[strings.ReplaceAll(string(m), "\r\n", "\n")], "message %d synced byte for byte (modulo LF and X-TUID)", i+1)
	}

	// A local message goes up to Archive.
	arch := filepath.Join(local, "Archive")
	for _, d := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(arch, d), 0o700))
	}
	up := []byte("From: near@example.org\r\nTo: alice@localhost\r\nSubject: from near\r\n\r\nlocal body\r\n")
	require.NoError(t, os.WriteFile(filepath.Join(arch, "cur", "1700000000.near1.host:2,S"), up, 0o600))

	// Flags: \Flagged on the server (message 1 over IMAP), \Seen locally
	// (message 2: rename its file), message 3 deleted locally.
	c := imapDial(t, s, "imaps")
	c.login("alice", "alice-secret-pw")
	c.ok(`SELECT INBOX`)
	c.ok(`UID STORE ` + c.uidOf("test 1") + ` +FLAGS (\Flagged)`)
	c.ok(`LOGOUT`)
	var m2, m3 string
	for name, body := range inbox {
		switch {
		case strings.Contains(body, "Subject: test 2"):
			m2 = name
		case strings.Contains(body, "Subject: big"):
			m3 = name
		}
	}
	require.NotEmpty(t, m2)
	ibox := filepath.Join(local, "INBOX")
	base2 := filepath.Base(m2)
	if i := strings.Index(base2, ":2,"); i >= 0 {
		base2 = base2[:i]
	}
	require.NoError(t, os.Rename(filepath.Join(ibox, m2), filepath.Join(ibox, "cur", base2+":2,S")))
	require.NoError(t, os.Remove(filepath.Join(ibox, m3)))

	runPeer(t, env, mb, "-c", rc, "sync")

	// Server side: Archive has the local message, message 2 is \Seen,
	// message 3 is gone.
	c = imapDial(t, s, "imaps")
	c.login("alice", "alice-secret-pw")
	st := c.ok(`STATUS Archive (MESSAGES)`)
	assert.Contains(t, st, "MESSAGES 1")
	c.ok(`SELECT INBOX`)
	assert.Contains(t, c.ok(`UID FETCH `+c.uidOf("test 1")+` FLAGS`), `FLAGS (\Flagged)`)
	assert.Contains(t, c.ok(`UID FETCH `+c.uidOf("test 2")+` FLAGS`), `FLAGS (\Seen)`)
	assert.Equal(t, "* SEARCH\r\n", c.ok(`SEARCH SUBJECT big`), "deleted locally, expunged here")
	ar := c.ok(`EXAMINE Archive`)
	assert.Contains(t, ar, "* 1 EXISTS")
	body := c.ok(`FETCH 1 BODY.PEEK[TEXT]`)
	assert.Contains(t, body, "local body")
	c.ok(`LOGOUT`)

	// Local side: message 1 got \Flagged (F in its info).
	inbox = localMaildir(t, ibox)
	require.Len(t, inbox, 2)
	flagged := false
	for name, body := range inbox {
		if strings.Contains(body, "Subject: test 1") {
			flagged = strings.Contains(name[strings.Index(name, ":2,"):], "F")
		}
	}
	assert.True(t, flagged, "server \\Flagged synced down: %v", inbox)
}

// TestIMAPFetchmail: fetchmail over IMAP with STARTTLS and certificate
// checks fetches every message into an MDA and deletes them (\Deleted +
// EXPUNGE); a second run finds none.
func TestIMAPFetchmail(t *testing.T) {
	fm := peer(t, "fetchmail")
	s := Start(t, Options{})
	msgs := [][]byte{testMessage(1), testMessage(2), bigMessage(50 << 10)}
	deliver(t, s, "alice", msgs...)
	home := t.TempDir()
	out := filepath.Join(home, "out")
	require.NoError(t, os.Mkdir(out, 0o700))
	_, port := splitAddr(t, s.Addr["imap"])
	rc := filepath.Join(home, "fetchmailrc")
	require.NoError(t, os.WriteFile(rc, []byte(fmt.Sprintf(`set no syslog
poll 127.0.0.1 with proto IMAP port %s
  user "alice" there with password "alice-secret-pw" is "fmuser" here
  sslproto "TLS1.2+" sslcertck sslcommonname "localhost" sslcertfile "%s"
  fetchall
  mda "/bin/sh -c 'cat > %s/msg.$$'"
`, port, s.CAFile, out)), 0o600))
	env := []string{"FETCHMAILHOME=" + home, "HOME=" + home}
	args := []string{"-f", rc, "--nodetach", "--nosyslog", "-v"}
	runPeer(t, env, fm, args...)
	got := readDir(t, out)
	require.Len(t, got, len(msgs))
	var want, have []string
	for _, m := range msgs {
		want = append(want, strings.ReplaceAll(string(m), "\r\n", "\n"))
	}
	for _, g := range got {
		have = append(have, stripFetchmailReceived(string(g)))
	}
	sort.Strings(want)
	sort.Strings(have)
	assert.True(t, slices.Equal(want, have), "fetched byte for byte (LF line ends, fetchmail's Received removed)")
	assert.Equal(t, 0, countMaildir(t, s, "alice"), "fetched messages expunged")

	cmd := exec.Command(fm, args...)
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 1, ee.ExitCode(), "no mail the second time")
}
