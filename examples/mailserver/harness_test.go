package main

// The end-to-end harness: it builds the mailserver binary once per test
// run, starts it on 127.0.0.1:0 ports with a temporary -data directory,
// reads the "listening ..." lines it prints, and stops it with SIGTERM,
// requiring exit status 0. Tests of every part (POP3, submission, the
// queue) start servers through Start.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// Binary returns the path of the mailserver binary, built once per run.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "mailserver-bin-")
		if buildErr != nil {
			return
		}
		buildPath = filepath.Join(buildDir, "mailserver")
		cmd := exec.Command(goTool(), "build", "-o", buildPath, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return buildPath
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(os.Getenv("GOROOT"), "bin", "go")
}

// Options say how to start a server. The zero value starts all four
// listeners on 127.0.0.1:0, -tls required, users alice and bob (see
// DefaultUsers), in a fresh data directory.
type Options struct {
	// Args are added after the harness's flags (a later flag wins, so
	// "-pop3", "" turns a listener off).
	Args []string
	// Data is the -data directory; empty: a new t.TempDir. Give the same
	// one to a second Start to restart on the same store.
	Data string
	// Users as NAME:PASSWORD; nil: DefaultUsers. Demo: no -user at all, so
	// the server creates the demo user (its password, when printed, is in
	// Server.Users["demo"]).
	Users []string
	Demo  bool
	// NoListenerFlags leaves the listener flags out (the fixed default
	// ports); Dir is the working directory then (and -data is still set
	// unless RawArgs).
	NoListenerFlags bool
	Dir             string
	// RawArgs: pass exactly Args, nothing of the harness's own.
	RawArgs bool
	// Timeout bounds the wait for "ready"; default 60 s.
	Timeout time.Duration
}

// DefaultUsers are the users a default Start creates.
var DefaultUsers = []string{"alice:alice-secret-pw", "bob:bob-secret-pw"}

// Server is a started mailserver process.
type Server struct {
	t           testing.TB
	Cmd         *exec.Cmd
	Data        string
	Addr        map[string]string // listener name (submission, submissions, pop3, pop3s) → host:port
	CAFile      string            // the certificate to trust (self-signed: its own CA)
	Fingerprint string            // SHA-256 hex, as printed
	Hostname    string
	Users       map[string]string // name → password
	Lines       []string          // stdout up to "ready"
	stdout      *lockedBuffer
	stderr      *lockedBuffer
	done        chan struct{}
	waitErr     error
	stopped     bool
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Start starts a server and registers its stop with t.Cleanup. It fails
// the test if the server does not print "ready" in time.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin := Binary(t)
	s := &Server{t: t, Data: o.Data, Addr: map[string]string{}, Users: map[string]string{}, Hostname: "localhost",
		stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	var args []string
	if !o.RawArgs {
		if s.Data == "" {
			s.Data = t.TempDir()
		}
		args = append(args, "-data", s.Data)
		if !o.NoListenerFlags {
			for _, l := range []string{"submission", "submissions", "pop3", "pop3s", "imap", "imaps"} {
				args = append(args, "-"+l, "127.0.0.1:0")
			}
		}
		us := o.Users
		if us == nil && !o.Demo {
			us = DefaultUsers
		}
		for _, u := range us {
			args = append(args, "-user", u)
			name, pw, _ := strings.Cut(u, ":")
			s.Users[name] = pw
		}
	}
	args = append(args, o.Args...)
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "-hostname" {
			s.Hostname = args[i+1]
		}
	}
	s.Cmd = exec.Command(bin, args...)
	s.Cmd.Dir = o.Dir
	s.Cmd.Stderr = s.stderr
	s.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := s.Cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.Cmd.Start())
	t.Cleanup(func() { s.stop(false) })

	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		isReady := false
		for sc.Scan() {
			line := sc.Text()
			s.stdout.Write([]byte(line + "\n"))
			if !isReady {
				s.Lines = append(s.Lines, line)
				s.parse(line)
				if line == "ready" {
					isReady = true
					ready <- nil
				}
			}
		}
		if !isReady {
			ready <- fmt.Errorf("stdout closed before ready")
		}
		io.Copy(io.Discard, pipe)
		s.waitErr = s.Cmd.Wait()
		close(s.done)
	}()
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	select {
	case err := <-ready:
		if err != nil {
			<-s.done
			t.Fatalf("mailserver %v: %v (exit %v)\nstdout:\n%s\nstderr:\n%s", args, err, s.waitErr, s.stdout, s.stderr)
		}
	case <-time.After(timeout):
		t.Fatalf("mailserver not ready after %v\nstdout:\n%s\nstderr:\n%s", timeout, s.stdout, s.stderr)
	}
	return s
}

// parse reads one start line into s.
func (s *Server) parse(line string) {
	f := strings.Fields(line)
	switch {
	case len(f) == 3 && f[0] == "listening":
		s.Addr[f[1]] = f[2]
	case len(f) == 3 && f[0] == "certificate" && f[1] == "sha256":
		s.Fingerprint = f[2]
	case len(f) == 3 && f[0] == "certificate" && f[1] == "file":
		s.CAFile = f[2]
	case len(f) >= 5 && f[0] == "user" && f[3] == "password":
		s.Users[f[1]] = f[4]
	}
}

// Stop sends SIGTERM, waits (at most 30 s) and requires exit status 0.
func (s *Server) Stop() {
	s.t.Helper()
	require.NoError(s.t, s.stop(true), "mailserver exit\nstderr:\n%s", s.stderr)
}

func (s *Server) stop(strict bool) error {
	if s.stopped {
		<-s.done
		return s.waitErr
	}
	s.stopped = true
	s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-s.Cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		return fmt.Errorf("no exit 30 s after SIGTERM")
	}
	return s.waitErr
}

// Kill stops the server with SIGKILL (a crash), without the checks of Stop.
func (s *Server) Kill() {
	s.stopped = true
	syscall.Kill(-s.Cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// PID is the server's process id.
func (s *Server) PID() int { return s.Cmd.Process.Pid }

// Stdout and Stderr (the slog log) so far.
func (s *Server) Stdout() string { return s.stdout.String() }
func (s *Server) Stderr() string { return s.stderr.String() }

// CertPool trusts the server's certificate.
func (s *Server) CertPool() *x509.CertPool {
	s.t.Helper()
	pem, err := os.ReadFile(s.CAFile)
	require.NoError(s.t, err)
	pool := x509.NewCertPool()
	require.True(s.t, pool.AppendCertsFromPEM(pem))
	return pool
}

// TLSConfig is a client configuration that verifies the server as
// 127.0.0.1 (an IP SAN of the generated certificate).
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.CertPool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Dial connects to a listener by name, with a 10 s deadline on the
// connection; listeners named *s (submissions, pop3s) are dialed with TLS.
func (s *Server) Dial(name string) net.Conn {
	s.t.Helper()
	addr, ok := s.Addr[name]
	require.True(s.t, ok, "no listener %q in %v", name, s.Addr)
	var c net.Conn
	var err error
	d := &net.Dialer{Timeout: 10 * time.Second}
	if strings.HasSuffix(name, "s") {
		c, err = tls.DialWithDialer(d, "tcp", addr, s.TLSConfig())
	} else {
		c, err = d.Dial("tcp", addr)
	}
	require.NoError(s.t, err)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Maildir is the user's inbox directory in the data directory.
func (s *Server) Maildir(user string) string { return filepath.Join(s.Data, user) }

// PeakRSS reads VmHWM of the server process from /proc, in KiB.
func (s *Server) PeakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			var kb int64
			_, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", s.PID())
}

// TestHarness starts a server with the defaults and stops it cleanly.
func TestHarness(t *testing.T) {
	s := Start(t, Options{})
	for _, l := range []string{"pop3", "pop3s"} {
		require.Contains(t, s.Addr, l)
		require.NotContains(t, s.Addr[l], ":0")
	}
	require.Len(t, s.Fingerprint, 64)
	require.FileExists(t, s.CAFile)
	require.Equal(t, "alice-secret-pw", s.Users["alice"])
	c := s.Dial("pop3s")
	line, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, "+OK "), line)
	c.Close()
	s.Stop()
}
