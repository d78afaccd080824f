package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoad: 200 concurrent clients each submit 20 messages over STARTTLS
// (verified) with AUTH PLAIN; then every message is retrieved over POP3
// (POP3S) and deleted: none lost, none duplicated. It reports messages per
// second and the server's peak RSS (VmHWM). Runs only with MAILWIRE_LOAD=1.
func TestLoad(t *testing.T) {
	if os.Getenv("MAILWIRE_LOAD") != "1" {
		t.Skip("load test: set MAILWIRE_LOAD=1 to run it (200 clients x 20 messages)")
	}
	const clients, perClient, recipients = 200, 20, 4
	// Cheap hashes (1000 iterations): the test measures the protocol, not
	// PBKDF2; the format carries the count.
	var lines []string
	add := func(name, pw string) {
		h, err := users.NewHash(pw, 1000)
		require.NoError(t, err)
		lines = append(lines, name+":"+h.String())
	}
	add("loader", "loader-pw")
	for i := range recipients {
		add(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d-pw", i))
	}
	uf := filepath.Join(t.TempDir(), "users")
	require.NoError(t, os.WriteFile(uf, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	s := Start(t, Options{Users: []string{}, Args: []string{"-users", uf, "-max-conns-per-ip", "-1", "-max-conns", "1000"}})

	ctx := context.Background()
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := dialSubmission(ctx, s, "loader", "loader-pw")
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", c, err)
				return
			}
			defer cl.quit()
			for m := range perClient {
				body := []byte(fmt.Sprintf("From: loader@localhost\r\nTo: r%d@localhost\r\nSubject: load %d/%d\r\n\r\nmarker load-%d-%d\r\n.dotted\r\n%s\r\n", c%recipients, c, m, c, m, strings.Repeat("payload ", 100)))
				if err := cl.sendMail("loader@localhost", fmt.Sprintf("r%d@localhost", c%recipients), body); err != nil {
					errs <- fmt.Errorf("client %d message %d: %w", c, m, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	submitted := time.Since(t0)
	require.False(t, t.Failed())

	t1 := time.Now()
	seen := map[string]int{}
	marker := regexp.MustCompile(`marker (load-\d+-\d+)\r\n`)
	total := 0
	for i := range recipients {
		p := dialPOP(t, s, "pop3s")
		p.conn.SetDeadline(time.Now().Add(5 * time.Minute))
		p.login(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d-pw", i))
		r := p.cmd("STAT")
		require.True(t, r.OK)
		var n int
		fmt.Sscanf(r.Text, "%d", &n)
		for m := 1; m <= n; m++ {
			require.True(t, p.cmd(fmt.Sprintf("RETR %d", m)).OK)
			body := p.body()
			mm := marker.FindSubmatch(body)
			require.NotNil(t, mm, "marker in %q", body[:min(len(body), 300)])
			seen[string(mm[1])]++
			assert.True(t, bytes.Contains(body, []byte("\r\n.dotted\r\n")))
			require.True(t, p.cmd(fmt.Sprintf("DELE %d", m)).OK)
		}
		require.True(t, p.cmd("QUIT").OK)
		total += n
	}
	retrieved := time.Since(t1)
	rss, err := s.PeakRSS()
	require.NoError(t, err)

	assert.Equal(t, clients*perClient, total, "messages retrieved")
	assert.Len(t, seen, clients*perClient, "distinct messages")
	for k, v := range seen {
		if v != 1 {
			t.Errorf("%s retrieved %d times", k, v)
		}
	}
	// Not asserted: nothing in the log names a message count; a log line
	// per session is expected.
	n := float64(clients * perClient)
	t.Logf("load: %d clients x %d messages over STARTTLS: submitted in %v (%.0f msgs/s), retrieved over POP3S in %v (%.0f msgs/s); server peak RSS (VmHWM) %d KiB",
		clients, perClient, submitted.Round(time.Millisecond), n/submitted.Seconds(), retrieved.Round(time.Millisecond), n/retrieved.Seconds(), rss)
	s.Stop()
}
