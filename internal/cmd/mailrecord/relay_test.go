package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/transcript"
)

// fakeServer answers like a tiny SMTP server: a greeting, "250 ok" to each
// line, "221 bye" and close on QUIT. hang makes it greet and then never
// answer or close.
func fakeServer(t *testing.T, hang bool) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				fmt.Fprint(c, "220 hi\r\n")
				if hang {
					_, _ = bufio.NewReader(c).ReadString(0)
					return
				}
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line == "QUIT\r\n" {
						fmt.Fprint(c, "221 bye\r\n")
						return
					}
					fmt.Fprint(c, "250 ok\r\n")
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// converse plays a client: it reads the greeting, sends EHLO and QUIT and
// reads the replies.
func converse(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	br := bufio.NewReader(c)
	for _, step := range []struct{ send, want string }{{"", "220 hi\r\n"}, {"EHLO a\r\n", "250 ok\r\n"}, {"QUIT\r\n", "221 bye\r\n"}} {
		if step.send != "" {
			_, err := c.Write([]byte(step.send))
			require.NoError(t, err)
		}
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, step.want, line)
	}
}

// startRun starts run in the background and returns the relay's address
// and a function that waits for run's result.
func startRun(t *testing.T, ctx context.Context, cfg config) (string, func() error) {
	cfg.readyFile = filepath.Join(t.TempDir(), "ready")
	result := make(chan error, 1)
	go func() { result <- run(ctx, cfg, t.Logf) }()
	var addr []byte
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(cfg.readyFile)
		addr = b
		return err == nil && len(b) > 0
	}, 5*time.Second, 5*time.Millisecond)
	return strings.TrimSpace(string(addr)), func() error {
		select {
		case err := <-result:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return")
			return nil
		}
	}
}

func testConfig(t *testing.T, target string) config {
	cfg := defaultConfig()
	cfg.target = target
	cfg.outDir = t.TempDir()
	cfg.name = "smtp-fake"
	cfg.header.Protocol = "smtp"
	cfg.header.Server = "fake"
	cfg.timeout = 5 * time.Second
	cfg.grace = 100 * time.Millisecond
	require.NoError(t, cfg.check())
	return cfg
}

// noLeak fails when goroutines started after baseline are still running.
func noLeak(t *testing.T, baseline int) {
	for i := 0; i < 200 && runtime.NumGoroutine() > baseline; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines left running over %d:\n%s", n-baseline, baseline, buf[:runtime.Stack(buf, true)])
	}
}

func TestRunRecordsSessions(t *testing.T) {
	baseline := runtime.NumGoroutine()
	cfg := testConfig(t, fakeServer(t, false))
	cfg.sessions = 2
	addr, wait := startRun(t, context.Background(), cfg)
	converse(t, addr)
	converse(t, addr)
	require.NoError(t, wait())

	for n := 1; n <= 2; n++ {
		tr, err := transcript.Load(filepath.Join(cfg.outDir, fmt.Sprintf("smtp-fake-%d.txn", n)))
		require.NoError(t, err)
		assert.Equal(t, "smtp", tr.Protocol)
		assert.Equal(t, "fake", tr.Server)
		assert.WithinDuration(t, time.Now(), tr.Date, time.Minute)
		assert.Equal(t, "EHLO a\r\nQUIT\r\n", string(tr.Bytes(transcript.ClientToServer)))
		assert.Equal(t, "220 hi\r\n250 ok\r\n221 bye\r\n", string(tr.Bytes(transcript.ServerToClient)))
		var order []transcript.Dir
		for _, c := range tr.Chunks {
			order = append(order, c.Dir)
		}
		assert.Equal(t, []transcript.Dir{'S', 'C', 'S', 'C', 'S'}, order, "causal order is kept")
	}
	_, err := os.Stat(filepath.Join(cfg.outDir, "smtp-fake-3.txn"))
	require.ErrorIs(t, err, os.ErrNotExist)
	noLeak(t, baseline+1) // the fake server's accept loop
}

func TestRunStops(t *testing.T) {
	tests := []struct {
		name    string
		hang    bool
		connect bool
		cancel  bool
		wantErr string
	}{
		{"timeout before any session", false, false, false, "timed out after"},
		{"signal before any session", false, false, true, ""},
		{"session cut after the grace", true, true, false, "1 of 1 sessions failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			baseline := runtime.NumGoroutine()
			cfg := testConfig(t, fakeServer(t, tt.hang))
			cfg.timeout = 300 * time.Millisecond
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addr, wait := startRun(t, ctx, cfg)
			if tt.connect {
				c, err := net.Dial("tcp", addr)
				require.NoError(t, err)
				defer c.Close()
			}
			if tt.cancel {
				cancel()
			}
			err := wait()
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
			fake := 1 // the fake server's accept loop
			if tt.hang {
				fake++ // and its hanging session
			}
			noLeak(t, baseline+fake)
		})
	}
}

func TestRunSessionFailures(t *testing.T) {
	tests := []struct {
		name     string
		target   func(t *testing.T) string
		maxBytes int64
	}{
		{"target refuses", func(t *testing.T) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			ln.Close()
			return addr
		}, 1 << 20},
		{"over max bytes", func(t *testing.T) string { return fakeServer(t, false) }, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, tt.target(t))
			cfg.maxBytes = tt.maxBytes
			addr, wait := startRun(t, context.Background(), cfg)
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			_, _ = c.Write([]byte("EHLO a\r\n"))
			require.ErrorContains(t, wait(), "1 of 1 sessions failed")
		})
	}
}

func TestRunRefusesBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	cfg := testConfig(t, "127.0.0.1:1")
	cfg.listen = ln.Addr().String()
	require.Error(t, run(context.Background(), cfg, t.Logf))
}
