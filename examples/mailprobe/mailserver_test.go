package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mailserver is a running examples/mailserver.
type mailserver struct {
	addrs  map[string]string // listener name → address
	sha256 string
}

// startMailserver builds ../mailserver and starts it on 127.0.0.1:0 ports
// with a temporary -data (see MAIL-CONTRACT: it prints "listening NAME
// ADDR" lines and "certificate sha256 HEX").
func startMailserver(t *testing.T) *mailserver {
	t.Helper()
	if _, err := os.Stat("../mailserver/main.go"); err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("MAILWIRE_INTEROP=1 but examples/mailserver is not in the tree: %v", err)
		}
		t.Skipf("examples/mailserver is not in this tree yet: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "mailserver")
	out, err := exec.Command("go", "build", "-o", bin, "../mailserver").CombinedOutput()
	require.NoError(t, err, "go build ../mailserver: %s", out)

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-data", t.TempDir(), "-hostname", "localhost", "-user", "alice:alicepw",
		"-submission", "127.0.0.1:0", "-submissions", "127.0.0.1:0", "-pop3", "127.0.0.1:0", "-pop3s", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "mailserver exit after SIGTERM")
		case <-time.After(15 * time.Second):
			cancel()
			<-done
			t.Error("mailserver did not stop within 15 s of SIGTERM")
		}
		cancel()
		if t.Failed() {
			t.Logf("mailserver stderr:\n%s", stderr.String())
		}
	})

	ms := &mailserver{addrs: map[string]string{}}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(20 * time.Second)
	for ms.sha256 == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("mailserver exited before its certificate line; stderr:\n%s", stderr.String())
			}
			f := strings.Fields(l)
			switch {
			case len(f) == 3 && f[0] == "listening":
				ms.addrs[f[1]] = f[2]
			case len(f) == 3 && f[0] == "certificate" && f[1] == "sha256":
				ms.sha256 = f[2]
			}
		case <-deadline:
			t.Fatalf("no certificate line within 20 s; stderr:\n%s", stderr.String())
		}
	}
	go func() {
		for range lines { // drain the rest so the server never blocks on stdout
		}
	}()
	return ms
}

// The example server is clean: every check passes or does not apply, and
// the exit status is 0, on all four listeners. The certificate is pinned
// by the fingerprint the server printed (level fingerprint).
func TestMailserverClean(t *testing.T) {
	ms := startMailserver(t)
	cases := []struct{ listener, proto, mode string }{
		{"submission", "smtp", "starttls"},
		{"submissions", "smtp", "implicit"},
		{"pop3", "pop3", "starttls"},
		{"pop3s", "pop3", "implicit"},
	}
	for _, tc := range cases {
		t.Run(tc.listener, func(t *testing.T) {
			addr := ms.addrs[tc.listener]
			require.NotEmpty(t, addr, "no listening line for %s", tc.listener)
			code, rep := probeRun(t, "-proto", tc.proto, "-tls", tc.mode, "-level", "fingerprint", "-fingerprint", ms.sha256,
				"-servername", "localhost", "-from", "alice@localhost", "-to", "alice@localhost", "-auth", "alice:alicepw", addr)
			require.NotNil(t, rep)
			for _, c := range rep.Checks {
				t.Logf("%-5s %-19s %s", c.Verdict, c.Name, c.Summary)
				assert.Contains(t, []string{"pass", "skip"}, c.Verdict, "%s: %s %v", c.Name, c.Summary, c.Details)
			}
			assert.Nil(t, rep.Aborted)
			assert.True(t, rep.Policy.Met)
			require.NotEmpty(t, rep.Certificates)
			assert.Equal(t, ms.sha256, rep.Certificates[0].SHA256)
			if tc.proto == "smtp" {
				// authenticated over TLS, the probe messages go in, and no
				// bare CR or LF sequence ends one
				assert.Equal(t, "pass", rep.verdicts()["smtp-smuggling"])
			}
			assert.Equal(t, 0, code)
		})
	}
}
