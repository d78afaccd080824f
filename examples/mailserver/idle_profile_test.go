package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIdleMemoryProfile says what holds an idle connection's memory: the
// service runs in this process, n plaintext then n TLS connections are
// held (SMTP, POP3 and IMAP in equal parts), and after a GC the growth of goroutine stacks and of the live heap
// per connection is reported; a heap profile is written into the
// directory MAILWIRE_HEAPPROFILE names (read it with go tool pprof -top
// -sample_index=inuse_space). The clients' side of the connections is in
// the same heap (small for plaintext: a net.Conn; a client tls.Conn for
// TLS), so the heap numbers are an upper bound; the profile separates
// them. Runs only with MAILWIRE_HEAPPROFILE set.
func TestIdleMemoryProfile(t *testing.T) {
	dir := os.Getenv("MAILWIRE_HEAPPROFILE")
	if dir == "" {
		t.Skip("set MAILWIRE_HEAPPROFILE=DIR to profile the memory of idle connections")
	}
	const n = 1000
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	data := t.TempDir()
	go func() {
		done <- run(ctx, []string{"-data", data, "-user", "alice:alice-secret-pw", "-max-conns", "5000", "-max-conns-per-ip", "-1",
			"-submission", "127.0.0.1:0", "-submissions", "127.0.0.1:0", "-pop3", "127.0.0.1:0", "-pop3s", "127.0.0.1:0",
			"-imap", "127.0.0.1:0", "-imaps", "127.0.0.1:0"}, nil, pw, io.Discard)
		pw.Close()
	}()
	s := &Server{t: t, Addr: map[string]string{}, Users: map[string]string{}}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		s.parse(sc.Text())
		if sc.Text() == "ready" {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	defer func() { cancel(); <-done }()

	measure := func() (stack, heap uint64) {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.StackInuse, m.HeapAlloc
	}
	hold := func(names ...string) {
		for i := range n {
			c, err := dialIdle(s, names[i%len(names)])
			require.NoError(t, err)
			t.Cleanup(func() { c.Close() })
		}
		time.Sleep(500 * time.Millisecond)
	}
	s0, h0 := measure()
	hold("submission", "pop3", "imap")
	s1, h1 := measure()
	hold("submissions", "pop3s", "imaps")
	s2, h2 := measure()
	f, err := os.Create(filepath.Join(dir, "idle-heap.pprof"))
	require.NoError(t, err)
	require.NoError(t, pprof.Lookup("heap").WriteTo(f, 0))
	f.Close()
	var sb strings.Builder
	pprof.Lookup("goroutine").WriteTo(&sb, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "idle-goroutines.txt"), []byte(sb.String()), 0o644))
	kib := func(a, b uint64) string { return fmt.Sprintf("%.1f KiB", float64(int64(b)-int64(a))/1024/n) }
	t.Logf("per idle plaintext connection: stacks %s, live heap %s (client side included); per idle TLS connection: stacks %s, live heap %s",
		kib(s0, s1), kib(h0, h1), kib(s1, s2), kib(h1, h2))
}
