package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runPeer runs a client with a 60 s bound and returns its stdout.
func runPeer(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "%s %v\nstdout:\n%s\nstderr:\n%s", name, args, out.String(), errb.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s %v: timeout\nstderr:\n%s", name, args, errb.String())
	}
	return out.Bytes()
}

// pythonPOP is a poplib script: argv host port cafile user pass outdir mode.
const pythonPOP = `
import poplib, ssl, sys, os
host, port, ca, user, pw, outdir, mode = sys.argv[1:8]
ctx = ssl.create_default_context(cafile=ca)
if mode == "pop3s":
    p = poplib.POP3_SSL(host, int(port), context=ctx, timeout=20)
else:
    p = poplib.POP3(host, int(port), timeout=20)
    try:
        p.user(user)
        print("USER before STLS accepted"); sys.exit(3)
    except poplib.error_proto as e:
        assert b"[AUTH]" in e.args[0], e
    p.stls(context=ctx)
p.user(user)
p.pass_(pw)
count, size = p.stat()
uids = [l.split()[1].decode() for l in p.uidl()[1]]
for i in range(1, count + 1):
    resp, lines, octets = p.retr(i)
    with open(os.path.join(outdir, uids[i-1]), "wb") as f:
        f.write(b"".join(l + b"\r\n" for l in lines))
    if mode != "keep":
        p.dele(i)
if mode == "rset":
    p.rset()
print(p.quit().decode())
print(count)
`

// TestPOP3Poplib: Python's poplib over STLS and POP3S retrieves every
// message byte for byte and deletes them; with RSET nothing is deleted.
func TestPOP3Poplib(t *testing.T) {
	py := peer(t, "python3")
	s := Start(t, Options{})
	script := filepath.Join(t.TempDir(), "pop.py")
	require.NoError(t, os.WriteFile(script, []byte(pythonPOP), 0o600))
	host, port := splitAddr(t, s.Addr["pop3"])
	hosts, ports := splitAddr(t, s.Addr["pop3s"])
	msgs := [][]byte{testMessage(1), testMessage(2), bigMessage(300 << 10)}

	for _, tc := range []struct {
		mode, host, port string
		left             int
	}{
		{"rset", host, port, 3},
		{"stls", host, port, 0},
		{"pop3s", hosts, ports, 0},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			if countMaildir(t, s, "alice") == 0 {
				deliver(t, s, "alice", msgs...)
			}
			out := t.TempDir()
			stdout := runPeer(t, nil, py, script, tc.host, tc.port, s.CAFile, "alice", "alice-secret-pw", out, tc.mode)
			assert.Contains(t, string(stdout), "+OK")
			assert.Equal(t, tc.left, countMaildir(t, s, "alice"))
			got := readDir(t, out)
			require.Len(t, got, 3)
			assert.ElementsMatch(t, msgs, got, "byte-identical")
		})
	}
}

// bigMessage is a message of about n octets with long and dotted lines.
func bigMessage(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: big@example.org\r\nTo: alice@localhost\r\nSubject: big\r\n\r\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, ".line %d %s\r\n", i, strings.Repeat("x", i%900))
	}
	return b.Bytes()
}

func readDir(t *testing.T, dir string) [][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out [][]byte
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

func splitAddr(t *testing.T, a string) (string, string) {
	i := strings.LastIndexByte(a, ':')
	require.Positive(t, i, a)
	return a[:i], a[i+1:]
}

// TestPOP3Curl: curl lists and retrieves over pop3:// --ssl-reqd (STLS)
// and pop3s://; bodies byte-identical; without the CA it refuses (exit 60).
func TestPOP3Curl(t *testing.T) {
	curl := peer(t, "curl")
	s := Start(t, Options{})
	m1, m2 := testMessage(1), bigMessage(100<<10)
	deliver(t, s, "bob", m1, m2)
	base := []string{"-sS", "--max-time", "30", "--cacert", s.CAFile, "--user", "bob:bob-secret-pw"}
	list := runPeer(t, nil, curl, append(base, "--ssl-reqd", "pop3://"+s.Addr["pop3"]+"/")...)
	assert.Equal(t, fmt.Sprintf("1 %d\r\n2 %d\r\n", len(m1), len(m2)), string(list))
	got := runPeer(t, nil, curl, append(base, "--ssl-reqd", "pop3://"+s.Addr["pop3"]+"/1")...)
	assert.Equal(t, m1, got)
	got = runPeer(t, nil, curl, append(base, "pop3s://"+s.Addr["pop3s"]+"/2")...)
	assert.Equal(t, m2, got)
	uidl := runPeer(t, nil, curl, append(base, "-X", "UIDL", "pop3s://"+s.Addr["pop3s"]+"/")...)
	assert.Len(t, strings.Split(strings.TrimSpace(string(uidl)), "\r\n"), 2)
	// curl's DELE: -X DELE on a message, committed by its QUIT.
	runPeer(t, nil, curl, append(base, "-X", "DELE", "-I", "pop3s://"+s.Addr["pop3s"]+"/1")...)
	assert.Equal(t, 1, countMaildir(t, s, "bob"))

	cmd := exec.Command(curl, "-sS", "--max-time", "30", "--user", "bob:bob-secret-pw", "pop3s://"+s.Addr["pop3s"]+"/")
	err := cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 60, ee.ExitCode(), "unknown CA refused")
}

// TestPOP3Fetchmail: fetchmail over STLS with certificate checks fetches
// every message into an MDA and deletes them; a second run finds none.
func TestPOP3Fetchmail(t *testing.T) {
	fm := peer(t, "fetchmail")
	s := Start(t, Options{})
	msgs := [][]byte{testMessage(1), testMessage(2), bigMessage(50 << 10)}
	deliver(t, s, "alice", msgs...)
	home := t.TempDir()
	out := filepath.Join(home, "out")
	require.NoError(t, os.Mkdir(out, 0o700))
	_, port := splitAddr(t, s.Addr["pop3"])
	rc := filepath.Join(home, "fetchmailrc")
	// The certificate names localhost (DNS) and 127.0.0.1 (IP); fetchmail
	// 6.4 checks DNS names only, hence sslcommonname.
	require.NoError(t, os.WriteFile(rc, []byte(fmt.Sprintf(`set no syslog
poll 127.0.0.1 with proto POP3 port %s uidl
  user "alice" there with password "alice-secret-pw" is "fmuser" here
  sslproto "TLS1.2+" sslcertck sslcommonname "localhost" sslcertfile "%s"
  fetchall
  mda "/bin/sh -c 'cat > %s/msg.$$'"
`, port, s.CAFile, out)), 0o600))
	env := []string{"FETCHMAILHOME=" + home, "HOME=" + home}
	args := []string{"-f", rc, "-i", filepath.Join(home, "ids"), "--nodetach", "--nosyslog", "-v"}
	runPeer(t, env, fm, args...)
	assert.Equal(t, 0, countMaildir(t, s, "alice"))
	got := readDir(t, out)
	require.Len(t, got, len(msgs))
	// fetchmail prepends its own Received field and writes LF line ends.
	var want, have []string
	for _, m := range msgs {
		want = append(want, strings.ReplaceAll(string(m), "\r\n", "\n"))
	}
	for _, g := range got {
		have = append(have, stripFetchmailReceived(string(g)))
	}
	sort.Strings(want)
	sort.Strings(have)
	assert.Equal(t, want, have)

	// Nothing left: fetchmail exits 1 ("no mail").
	cmd := exec.Command(fm, args...)
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 1, ee.ExitCode())
}

// stripFetchmailReceived removes the Received field fetchmail adds on top.
func stripFetchmailReceived(m string) string {
	if !strings.HasPrefix(m, "Received:") {
		return m
	}
	i := strings.Index(m, "\n")
	for i >= 0 && i+1 < len(m) && (m[i+1] == ' ' || m[i+1] == '\t') {
		j := strings.Index(m[i+1:], "\n")
		if j < 0 {
			return m
		}
		i += 1 + j
	}
	return m[i+1:]
}
