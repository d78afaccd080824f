package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/stretchr/testify/require"
)

// TestIMAPLoad measures the two numbers of issue 14: the FETCH throughput
// of a full mbsync sync of a 1,000-message mailbox, and the server's RSS
// with 1,000 idle IMAP connections (logged in over TLS, INBOX selected,
// in IDLE), by default as bob with an empty INBOX (the cost of a
// connection); MAILWIRE_LOAD_USER=alice selects the 1,000-message INBOX
// in every connection (the cost of each session's view of it too). Runs
// only with MAILWIRE_LOAD=1.
func TestIMAPLoad(t *testing.T) {
	if os.Getenv("MAILWIRE_LOAD") != "1" {
		t.Skip("load test: set MAILWIRE_LOAD=1 to run it (1,000 messages, 1,000 connections)")
	}
	mb := peer(t, "mbsync")
	s := Start(t, Options{Args: []string{"-max-conns", "3000", "-max-conns-per-ip", "-1"}})
	const n = 1000
	st, err := store.Open(s.Data)
	require.NoError(t, err)
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 60) // ~3.5 KB
	t0 := time.Now()
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("From: load%d@example.org\r\nTo: alice@localhost\r\nSubject: load %d\r\nMessage-ID: <load%d@example.org>\r\n\r\n%s", i, i, i, body)
		require.NoError(t, st.Deliver([]string{"alice"}, strings.NewReader(m)))
	}
	t.Logf("delivered %d messages in %v", n, time.Since(t0))

	home := t.TempDir()
	local := filepath.Join(home, "mail")
	require.NoError(t, os.MkdirAll(local, 0o700))
	_, port := splitAddr(t, s.Addr["imaps"])
	rc := filepath.Join(home, "mbsyncrc")
	// FSync off: the number is the server's FETCH rate, not the local
	// disk's fsync rate (mbsync fsyncs every message it writes).
	cfg := "FSync no\n" + strings.Replace(mbsyncRC(port, "alice", "alice-secret-pw", s.CAFile, local, "IMAPS"), "Patterns INBOX Archive", "Patterns INBOX", 1)
	require.NoError(t, os.WriteFile(rc, []byte(cfg), 0o600))
	t0 = time.Now()
	runPeer(t, []string{"HOME=" + home}, mb, "-c", rc, "sync")
	d := time.Since(t0)
	ents, err := os.ReadDir(filepath.Join(local, "INBOX", "new"))
	require.NoError(t, err)
	ents2, _ := os.ReadDir(filepath.Join(local, "INBOX", "cur"))
	require.Equal(t, n, len(ents)+len(ents2))
	t.Logf("mbsync full sync of %d messages over imaps: %v, %.0f messages/s", n, d, float64(n)/d.Seconds())

	user := "bob"
	if u := os.Getenv("MAILWIRE_LOAD_USER"); u != "" {
		user = u
	}
	base, err := vmRSS(s.PID())
	require.NoError(t, err)
	const conns = 1000
	addr := s.Addr["imaps"]
	// Each LOGIN costs a PBKDF2 derivation (600,000 rounds, about 0.25 s
	// here): four clients at a time.
	cs := make([]net.Conn, conns)
	errs := make(chan error, conns)
	sem := make(chan struct{}, 4)
	t0 = time.Now()
	for i := 0; i < conns; i++ {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- func() error {
				c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, s.TLSConfig())
				if err != nil {
					return err
				}
				cs[i] = c
				c.SetDeadline(time.Now().Add(5 * time.Minute))
				r := bufio.NewReader(c)
				if _, err := r.ReadString('\n'); err != nil {
					return err
				}
				fmt.Fprintf(c, "a LOGIN %s %s\r\nb SELECT INBOX\r\nc IDLE\r\n", user, s.Users[user])
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return err
					}
					if strings.HasPrefix(l, "+ ") {
						return nil
					}
					if strings.HasPrefix(l, "a NO") || strings.HasPrefix(l, "b NO") || strings.HasPrefix(l, "* BYE") {
						return fmt.Errorf("connection %d: %s", i, l)
					}
				}
			}()
		}()
	}
	for i := 0; i < conns; i++ {
		require.NoError(t, <-errs)
	}
	t.Logf("%d connections idling after %v", conns, time.Since(t0))
	time.Sleep(2 * time.Second)
	rss, err := vmRSS(s.PID())
	require.NoError(t, err)
	t.Logf("server RSS: %d KiB before, %d KiB with %d idle IMAP connections as %s (%.1f KiB per connection)", base, rss, conns, user, float64(rss-base)/conns)
	for _, c := range cs {
		fmt.Fprintf(c, "DONE\r\nd LOGOUT\r\n")
		c.Close()
	}
}

// TestIMAPLoadDovecotBaseline: the same mbsync full sync of 1,000
// messages from Dovecot (plaintext), to tell mbsync's own cost from the
// server's. Runs only with MAILWIRE_LOAD=1.
func TestIMAPLoadDovecotBaseline(t *testing.T) {
	if os.Getenv("MAILWIRE_LOAD") != "1" {
		t.Skip("load test: set MAILWIRE_LOAD=1 to run it")
	}
	mb := peer(t, "mbsync")
	dovecot := peer(t, "dovecot")
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 60)
	var msgs [][]byte
	for i := 0; i < 1000; i++ {
		msgs = append(msgs, []byte(fmt.Sprintf("From: load%d@example.org\r\nTo: alice@localhost\r\nSubject: load %d\r\nMessage-ID: <load%d@example.org>\r\n\r\n%s", i, i, i, body)))
	}
	addr := startDovecotWith(t, dovecot, 25145, msgs)
	_, port := splitAddr(t, addr)
	home := t.TempDir()
	local := filepath.Join(home, "mail")
	require.NoError(t, os.MkdirAll(local, 0o700))
	cfg := "FSync no\n" + strings.NewReplacer("SSLType None\nCertificateFile none\n", "SSLType None\n", "Patterns INBOX Archive", "Patterns INBOX").
		Replace(mbsyncRC(port, "alice", "alicepw", "none", local, "None"))
	rc := filepath.Join(home, "mbsyncrc")
	require.NoError(t, os.WriteFile(rc, []byte(cfg), 0o600))
	t0 := time.Now()
	runPeer(t, []string{"HOME=" + home}, mb, "-c", rc, "sync")
	d := time.Since(t0)
	t.Logf("mbsync full sync of 1000 messages from Dovecot (plaintext): %v, %.0f messages/s", d, 1000/d.Seconds())
}
