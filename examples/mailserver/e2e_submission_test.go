package main

// End-to-end tests of SMTP submission: real clients (Python smtplib,
// swaks, curl, msmtp, and a Go client for BDAT) against the started binary;
// the stored message is compared byte for byte with what was sent, except
// the sanitized fields and the service's Received field.

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// needPeer skips (or, under MAILWIRE_INTEROP=1, fails) when a binary is missing.
func smNeedPeer(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("MAILWIRE_INTEROP") == "1" {
				t.Fatalf("%s not installed (MAILWIRE_INTEROP=1)", n)
			}
			t.Skipf("%s not installed", n)
		}
	}
}

// smHello is the EHLO name the clients send: it must appear nowhere
// in a stored message.
const smHello = "laptop.home.example"

// e2eMessage is what a client sends, with CRLF line ends.
func smMessage(tag string) string {
	return "From: Alice <alice@localhost>\r\n" +
		"To: Bob <bob@localhost>\r\n" +
		"Subject: e2e " + tag + "\r\n" +
		"Date: Tue, 14 Oct 2025 09:12:44 +0200\r\n" +
		"Message-ID: <" + tag + ".1@" + smHello + ">\r\n" +
		"User-Agent: e2e-test/1.0 (X11; Linux)\r\n" +
		"X-Originating-IP: [127.0.0.1]\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Hello \xc3\xa9, this is " + tag + ".\r\n" +
		".a line with a leading dot\r\n" +
		"trailing space \r\n"
}

var (
	smReceived = regexp.MustCompile(`^Received: by localhost with ESMTPSA id [0-9a-f]+;\r\n [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\r\n`)
	smMsgID    = regexp.MustCompile(`\r\nMessage-ID: <[0-9A-V]{32}@localhost>\r\n`)
)

// checkStored asserts that stored is sent with the service's Received
// field on top, User-Agent and X-Originating-IP dropped, and the Message-ID
// rewritten into the service's domain; everything else byte for byte.
func smCheckStored(t *testing.T, stored, sent string) {
	t.Helper()
	loc := smReceived.FindStringIndex(stored)
	require.NotNil(t, loc, "no Received of ours at the top:\n%q", stored)
	rest := stored[loc[1]:]
	require.Regexp(t, smMsgID, rest)
	rest = smMsgID.ReplaceAllString(rest, "\r\nMessage-ID: <ID>\r\n")
	want := sent
	want = regexp.MustCompile(`\r\nMessage-ID: <[^>]*>\r\n`).ReplaceAllString(want, "\r\nMessage-ID: <ID>\r\n")
	want = regexp.MustCompile(`(?m)^(User-Agent|X-Originating-IP): [^\r]*\r\n`).ReplaceAllString(want, "")
	assert.Equal(t, want, rest)
	for _, leak := range []string{"127.0.0.1", smHello, "laptop", "e2e-test/1.0"} {
		assert.NotContains(t, stored, leak)
	}
}

// storedMessages returns the messages in user's Maildir (new and cur),
// oldest first, waiting up to 10 s for at least n.
func smStored(t *testing.T, s *Server, user string, n int) []string {
	t.Helper()
	var out []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		out = out[:0]
		var names []string
		for _, sub := range []string{"new", "cur"} {
			es, _ := os.ReadDir(filepath.Join(s.Maildir(user), sub))
			for _, e := range es {
				names = append(names, filepath.Join(s.Maildir(user), sub, e.Name()))
			}
		}
		sort.Slice(names, func(i, j int) bool { return filepath.Base(names[i]) < filepath.Base(names[j]) })
		for _, p := range names {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			out = append(out, string(b))
		}
		if len(out) >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.GreaterOrEqual(t, len(out), n, "messages in %s", user)
	for _, sub := range []string{"tmp"} {
		es, _ := os.ReadDir(filepath.Join(s.Maildir(user), sub))
		assert.Empty(t, es, "no half-written file in %s/%s", user, sub)
	}
	return out
}

func smFind(t *testing.T, msgs []string, tag string) string {
	t.Helper()
	for _, m := range msgs {
		if strings.Contains(m, "\r\nSubject: e2e "+tag+"\r\n") {
			return m
		}
	}
	t.Fatalf("no message %q among %d", tag, len(msgs))
	return ""
}

func smWrite(t *testing.T, dir, name, content string) string {
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func smRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %q:\n%s", name, args, out)
	return string(out)
}

func smPort(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }

func TestE2ESubmissionClients(t *testing.T) {
	s := Start(t, Options{})
	dir := t.TempDir()
	pw := s.Users["alice"]
	sent := map[string]string{}

	t.Run("smtplib", func(t *testing.T) {
		smNeedPeer(t, "python3")
		for _, tc := range []struct{ tag, listener string }{{"smtplib-starttls", "submission"}, {"smtplib-ssl", "submissions"}} {
			m := smMessage(tc.tag)
			sent[tc.tag] = m
			f := smWrite(t, dir, tc.tag+".eml", m)
			script := `
import smtplib, ssl, sys
ca, host, port, mode, pw, f = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
if mode == "submission":
    s = smtplib.SMTP(host, int(port), local_hostname="` + smHello + `", timeout=10)
    s.ehlo()
    assert not s.has_extn("auth"), "AUTH offered before TLS under -tls required"
    s.starttls(context=ctx)
    s.ehlo()
else:
    s = smtplib.SMTP_SSL(host, int(port), local_hostname="` + smHello + `", context=ctx, timeout=10)
    s.ehlo()
for ext in ("pipelining", "size", "8bitmime", "enhancedstatuscodes", "smtputf8", "chunking", "dsn", "auth"):
    assert s.has_extn(ext), ext
assert not s.has_extn("starttls")
s.login("alice", pw)
try:
    s.sendmail("bob@localhost", ["bob@localhost"], b"Subject: x\r\n\r\nx\r\n")
    raise SystemExit("sender mismatch accepted")
except smtplib.SMTPSenderRefused as e:
    assert e.smtp_code == 553, e
s.sendmail("alice@localhost", ["bob@localhost"], open(f, "rb").read())
print(s.verify("bob"))
s.quit()
`
			out := smRun(t, "python3", "-c", script, s.CAFile, "127.0.0.1", smPort(s.Addr[tc.listener]), tc.listener, pw, f)
			assert.Contains(t, out, "(252,")
		}
	})
	t.Run("swaks", func(t *testing.T) {
		smNeedPeer(t, "swaks")
		for _, tc := range []struct{ tag, listener, tlsFlag, mech string }{
			{"swaks-starttls-plain", "submission", "--tls", "PLAIN"},
			{"swaks-tlsc-login", "submissions", "--tlsc", "LOGIN"},
		} {
			m := smMessage(tc.tag)
			// swaks ends DATA with CRLF "." CRLF even after a final CRLF:
			// one empty line more arrives.
			sent[tc.tag] = m + "\r\n"
			f := smWrite(t, dir, tc.tag+".eml", m)
			smRun(t, "swaks", "--server", "127.0.0.1:"+smPort(s.Addr[tc.listener]), tc.tlsFlag, "--tls-verify", "--tls-ca-path", s.CAFile,
				"--auth", tc.mech, "--auth-user", "alice@localhost", "--auth-password", pw,
				"--from", "alice@localhost", "--to", "bob@localhost", "--helo", smHello, "--data", "@"+f, "--timeout", "10")
		}
	})
	t.Run("curl", func(t *testing.T) {
		smNeedPeer(t, "curl")
		for _, tc := range []struct{ tag, url string }{
			{"curl-smtp-sslreqd", "smtp://127.0.0.1:" + smPort(s.Addr["submission"]) + "/" + smHello},
			{"curl-smtps", "smtps://127.0.0.1:" + smPort(s.Addr["submissions"]) + "/" + smHello},
		} {
			m := smMessage(tc.tag)
			sent[tc.tag] = m
			f := smWrite(t, dir, tc.tag+".eml", m)
			args := []string{"-sS", "--cacert", s.CAFile, "--user", "alice:" + pw, "--mail-from", "alice@localhost", "--mail-rcpt", "bob@localhost", "--upload-file", f, "--max-time", "20"}
			if strings.HasPrefix(tc.url, "smtp:") {
				args = append(args, "--ssl-reqd")
			}
			smRun(t, "curl", append(args, tc.url)...)
		}
		// Without --ssl-reqd curl goes plaintext and is refused: AUTH is not
		// offered and MAIL gets 530.
		cmd := exec.Command("curl", "-sS", "--mail-from", "alice@localhost", "--mail-rcpt", "bob@localhost", "--upload-file", filepath.Join(dir, "curl-smtps.eml"), "--max-time", "20", "smtp://127.0.0.1:"+smPort(s.Addr["submission"]))
		out, err := cmd.CombinedOutput()
		assert.Error(t, err, "%s", out)
		assert.Contains(t, string(out), "530")
	})
	t.Run("msmtp", func(t *testing.T) {
		smNeedPeer(t, "msmtp")
		rc := fmt.Sprintf("defaults\ntls on\ntls_trust_file %s\nlogfile %s/msmtp.log\n\naccount sub\nhost 127.0.0.1\nport %s\ntls_starttls on\nfrom alice@localhost\ndomain %s\nauth plain\nuser alice\npassword %s\n\naccount subs\nhost 127.0.0.1\nport %s\ntls_starttls off\nfrom alice@localhost\ndomain %s\nauth login\nuser alice\npassword %s\n",
			s.CAFile, dir, smPort(s.Addr["submission"]), smHello, pw, smPort(s.Addr["submissions"]), smHello, pw)
		rcPath := smWrite(t, dir, "msmtprc", rc)
		for _, acct := range []string{"sub", "subs"} {
			tag := "msmtp-" + acct
			m := smMessage(tag)
			sent[tag] = m
			f := smWrite(t, dir, tag+".eml", m)
			cmd := exec.Command("msmtp", "-C", rcPath, "-a", acct, "bob@localhost")
			in, err := os.Open(f)
			require.NoError(t, err)
			cmd.Stdin = in
			out, err := cmd.CombinedOutput()
			in.Close()
			require.NoError(t, err, "msmtp -a %s: %s", acct, out)
		}
	})
	t.Run("go-bdat", func(t *testing.T) {
		m := smMessage("go-bdat")
		sent["go-bdat"] = m
		c := s.Dial("submissions")
		r := bufio.NewReader(c)
		expect := func(code string) string {
			t.Helper()
			var all string
			for {
				l, err := r.ReadString('\n')
				require.NoError(t, err)
				all += l
				if len(l) >= 4 && l[3] == ' ' {
					require.True(t, strings.HasPrefix(l, code), "want %s, got %q", code, all)
					return all
				}
			}
		}
		send := func(s string) { _, err := c.Write([]byte(s)); require.NoError(t, err) }
		expect("220")
		send("EHLO " + smHello + "\r\n")
		assert.Contains(t, expect("250"), "CHUNKING")
		send("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00alice\x00"+pw)) + "\r\n")
		expect("235")
		half := len(m) / 3
		// Pipelined: MAIL, RCPT and the first chunk in one write.
		send("MAIL FROM:<alice@localhost>\r\nRCPT TO:<bob@localhost>\r\n" + fmt.Sprintf("BDAT %d\r\n%s", half, m[:half]))
		expect("250")
		expect("250")
		expect("250")
		send("DATA\r\n")
		expect("503")
		send(fmt.Sprintf("BDAT %d LAST\r\n%s", len(m)-half, m[half:]))
		expect("250")
		send("QUIT\r\n")
		expect("221")
	})

	msgs := smStored(t, s, "bob", len(sent))
	assert.Len(t, msgs, len(sent), "each message stored once")
	for tag, m := range sent {
		t.Run("stored/"+tag, func(t *testing.T) { smCheckStored(t, smFind(t, msgs, tag), m) })
	}
	t.Logf("%d messages from %d client runs stored and checked", len(msgs), len(sent))
	s.Stop()
	assert.Contains(t, s.Stderr(), "127.0.0.1", "the client IP is in the log")
}

// TestE2EOpportunistic: under -tls opportunistic AUTH works in plaintext.
func TestE2EOpportunistic(t *testing.T) {
	smNeedPeer(t, "python3")
	s := Start(t, Options{Args: []string{"-tls", "opportunistic"}})
	dir := t.TempDir()
	m := smMessage("plaintext-auth")
	f := smWrite(t, dir, "m.eml", m)
	script := `
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="` + smHello + `", timeout=10)
s.ehlo()
assert s.has_extn("auth") and s.has_extn("starttls")
s.login("alice", sys.argv[2])
s.sendmail("alice@localhost", ["bob@localhost"], open(sys.argv[3], "rb").read())
s.quit()
`
	smRun(t, "python3", "-c", script, smPort(s.Addr["submission"]), s.Users["alice"], f)
	got := smStored(t, s, "bob", 1)[0]
	assert.True(t, strings.HasPrefix(got, "Received: by localhost with ESMTPA id "), got)
	assert.NotContains(t, got, "127.0.0.1")
	assert.NotContains(t, got, smHello)
}

// TestE2ESigned: a PGP/MIME message signed with gpg and an S/MIME message
// signed with openssl smime verify after going through submission into
// the Maildir (PEERS.md §12).
func TestE2ESigned(t *testing.T) {
	smNeedPeer(t, "gpg", "openssl", "python3")
	s := Start(t, Options{})
	dir, err := os.MkdirTemp("", "sig") // short: GNUPGHOME must stay under 87 characters
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	gh := filepath.Join(dir, "g")
	require.NoError(t, os.Mkdir(gh, 0o700))
	t.Cleanup(func() {
		c := exec.Command("gpgconf", "--kill", "gpg-agent")
		c.Env = append(os.Environ(), "GNUPGHOME="+gh)
		_ = c.Run()
	})
	gpg := func(args ...string) string {
		t.Helper()
		c := exec.Command("gpg", append([]string{"--batch", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
		c.Env = append(os.Environ(), "GNUPGHOME="+gh)
		c.Dir = dir
		out, err := c.CombinedOutput()
		require.NoError(t, err, "gpg %q: %s", args, out)
		return string(out)
	}
	gpg("--quick-gen-key", "Test Signer <alice@localhost>", "ed25519", "sign", "1d")
	part := "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSigned hello.\r\nFrom here on, every line counts.  \r\n.dot\r\n"
	smWrite(t, dir, "part.txt", part)
	gpg("-u", "alice@localhost", "--armor", "--textmode", "--digest-algo", "SHA256", "--detach-sign", "-o", "part.asc", "part.txt")
	asc, err := os.ReadFile(filepath.Join(dir, "part.asc"))
	require.NoError(t, err)
	const B = "pgp-sig-boundary-1"
	pgpMsg := "From: alice@localhost\r\nTo: bob@localhost\r\nSubject: e2e pgp\r\nMessage-ID: <pgp1@localhost>\r\nDate: Tue, 14 Oct 2025 09:12:44 +0200\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=\"" + B + "\"\r\n\r\n" +
		"--" + B + "\r\n" + part + "\r\n--" + B + "\r\n" +
		"Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n" +
		strings.ReplaceAll(strings.ReplaceAll(string(asc), "\r\n", "\n"), "\n", "\r\n") + "\r\n--" + B + "--\r\n"

	smRun(t, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test Signer/emailAddress=alice@localhost",
		"-addext", "subjectAltName=email:alice@localhost", "-addext", "keyUsage=critical,digitalSignature", "-addext", "extendedKeyUsage=emailProtection",
		"-keyout", filepath.Join(dir, "k.pem"), "-out", filepath.Join(dir, "c.pem"))
	smRun(t, "openssl", "smime", "-sign", "-in", filepath.Join(dir, "part.txt"), "-signer", filepath.Join(dir, "c.pem"), "-inkey", filepath.Join(dir, "k.pem"),
		"-md", "sha256", "-from", "alice@localhost", "-to", "bob@localhost", "-subject", "e2e smime", "-out", filepath.Join(dir, "smime.eml"))
	raw, err := os.ReadFile(filepath.Join(dir, "smime.eml"))
	require.NoError(t, err)
	smimeMsg := strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n", "\r\n")

	for name, m := range map[string]string{"pgp": pgpMsg, "smime": smimeMsg} {
		f := smWrite(t, dir, name+".eml", m)
		smRun(t, "python3", "-c", `
import smtplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1]); ctx.check_hostname = False
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[2]), context=ctx, timeout=10)
s.login("alice", sys.argv[3]); s.sendmail("alice@localhost", ["bob@localhost"], open(sys.argv[4], "rb").read()); s.quit()
`, s.CAFile, smPort(s.Addr["submissions"]), s.Users["alice"], f)
	}
	msgs := smStored(t, s, "bob", 2)
	var pgpStored, smimeStored string
	for _, m := range msgs {
		switch {
		case strings.Contains(m, "\r\nSubject: e2e pgp\r\n"):
			pgpStored = m
		case strings.Contains(m, "Subject: e2e smime"):
			smimeStored = m
		}
	}
	require.NotEmpty(t, pgpStored)
	require.NotEmpty(t, smimeStored)
	// The body is byte for byte what was sent.
	_, pgpBody, _ := strings.Cut(pgpMsg, "\r\n\r\n")
	_, gotBody, _ := strings.Cut(pgpStored, "\r\n\r\n")
	assert.Equal(t, pgpBody, gotBody)

	// PGP: cut out the signed part and the signature (RFC 2046: the CRLF
	// before the boundary belongs to it) and verify.
	parts := strings.Split(pgpStored, "\r\n--"+B)
	require.Len(t, parts, 4)
	signed := strings.SplitN(parts[1], "\r\n", 2)[1]
	sig := strings.SplitN(strings.SplitN(parts[2], "\r\n", 2)[1], "\r\n\r\n", 2)[1]
	assert.Equal(t, part, signed)
	smWrite(t, dir, "rt.txt", signed)
	smWrite(t, dir, "rt.asc", sig)
	out := gpg("--status-fd", "1", "--verify", "rt.asc", "rt.txt")
	assert.Contains(t, out, "[GNUPG:] GOODSIG")

	// S/MIME: openssl verifies the stored file as it is.
	sf := smWrite(t, dir, "smime.stored.eml", smimeStored)
	out = smRun(t, "openssl", "smime", "-verify", "-in", sf, "-CAfile", filepath.Join(dir, "c.pem"), "-out", filepath.Join(dir, "smime.out"))
	assert.Contains(t, out, "Verification successful")
	for _, m := range []string{pgpStored, smimeStored} {
		assert.True(t, smReceived.MatchString(m))
		assert.NotContains(t, m, "127.0.0.1")
	}
}

// TestE2ESubmissionHostile: against the binary, a smuggled second message
// is never run, commands pipelined behind STARTTLS close the connection,
// and AUTH or MAIL before TLS are refused under -tls required.
func TestE2ESubmissionHostile(t *testing.T) {
	s := Start(t, Options{})
	pw := s.Users["alice"]
	type conv struct {
		c net.Conn
		r *bufio.Reader
	}
	reply := func(cv *conv) string {
		var all string
		for {
			l, err := cv.r.ReadString('\n')
			if err != nil {
				return all + "<closed>"
			}
			all += l
			if len(l) >= 4 && l[3] == ' ' {
				return all
			}
		}
	}
	cmd := func(cv *conv, line string) string {
		_, err := cv.c.Write([]byte(line))
		require.NoError(t, err)
		return reply(cv)
	}

	plain := &conv{c: s.Dial("submission")}
	plain.r = bufio.NewReader(plain.c)
	require.True(t, strings.HasPrefix(reply(plain), "220 "))
	ehlo := cmd(plain, "EHLO "+smHello+"\r\n")
	assert.NotContains(t, ehlo, "AUTH")
	assert.Contains(t, ehlo, "STARTTLS")
	assert.True(t, strings.HasPrefix(cmd(plain, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00alice\x00"+pw))+"\r\n"), "530 5.7.0"))
	assert.True(t, strings.HasPrefix(cmd(plain, "MAIL FROM:<alice@localhost>\r\n"), "530 5.7.0"))
	got := cmd(plain, "STARTTLS\r\nEHLO injected\r\n")
	assert.True(t, strings.HasPrefix(got, "554 "), got)
	assert.Equal(t, "<closed>", reply(plain))

	sec := &conv{c: s.Dial("submissions")}
	sec.r = bufio.NewReader(sec.c)
	reply(sec)
	cmd(sec, "EHLO "+smHello+"\r\n")
	require.True(t, strings.HasPrefix(cmd(sec, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00alice\x00"+pw))+"\r\n"), "235"))
	for _, shape := range []string{"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r"} {
		cmd(sec, "MAIL FROM:<alice@localhost>\r\n")
		cmd(sec, "RCPT TO:<bob@localhost>\r\n")
		require.True(t, strings.HasPrefix(cmd(sec, "DATA\r\n"), "354"))
		got := cmd(sec, "Subject: e2e first\r\n\r\nx"+shape+"MAIL FROM:<alice@localhost>\r\nRCPT TO:<bob@localhost>\r\nDATA\r\nSubject: e2e smuggled\r\n\r\ny\r\n.\r\n")
		assert.True(t, strings.HasPrefix(got, "554 5.5.0"), "%q: %s", shape, got)
		assert.True(t, strings.HasPrefix(cmd(sec, "NOOP\r\n"), "250"), "in step after %q", shape)
	}
	// An EHLO of 5000 octets and a line over the limit: refused, session on.
	assert.True(t, strings.HasPrefix(cmd(sec, "EHLO "+strings.Repeat("a", 5000)+"\r\n"), "500"))
	assert.True(t, strings.HasPrefix(cmd(sec, "NOOP\r\n"), "250"))
	cmd(sec, "QUIT\r\n")
	time.Sleep(200 * time.Millisecond)
	es, _ := os.ReadDir(filepath.Join(s.Maildir("bob"), "new"))
	assert.Empty(t, es, "nothing stored, smuggled or not")
	s.Stop()
}
