package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/proxyproto"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtpwire"
	"github.com/mailwire/mailwire/starttls"
	"github.com/mailwire/mailwire/tlspolicy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientIP is the real client's address: the test's clients bind it, so
// that it differs from HAProxy's own source (127.0.0.1), the one trusted
// by -proxy-from.
var clientIP = net.IPv4(127, 0, 0, 3)

// TestBehindHAProxy: HAProxy (send-proxy-v2, health checks) in front of two
// instances on one -data directory. Clients from 127.0.0.3 submit over
// STARTTLS through HAProxy while instance A is stopped with SIGTERM and
// restarted halfway; then every message is read once through HAProxy,
// half of the mailboxes over POP3S and half over IMAPS (FETCH, then STORE
// \Deleted and EXPUNGE, which POP3 then agrees with), none lost or
// duplicated; plaintext IMAP is proxied too; and mail for another domain leaves
// through the relay once per message from the shared queue. The instances' logs name 127.0.0.3 as
// the client of every accepted message, no stored message contains it, a
// forged header sent directly to an instance is refused, and the POP3
// maildrop lock holds across the two processes. It reports messages per
// second through one and through two instances. Full size (100 clients x
// 20 messages) with MAILWIRE_INTEROP=1 or MAILWIRE_LOAD=1, else 20 x 5.
func TestBehindHAProxy(t *testing.T) {
	haproxy := peer(t, "haproxy")
	clients, perClient := 20, 5
	benchClients, benchPer := 10, 5
	if os.Getenv("MAILWIRE_INTEROP") == "1" || os.Getenv("MAILWIRE_LOAD") == "1" {
		clients, perClient = 100, 20
		benchClients, benchPer = 50, 10
	}
	const recipients = 4
	var lines []string
	add := func(name, pw string) {
		h, err := users.NewHash(pw, 1000) // cheap: the test measures the protocol
		require.NoError(t, err)
		lines = append(lines, name+":"+h.String())
	}
	add("loader", "loader-pw")
	add("bench", "bench-pw")
	for i := range recipients {
		add(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d-pw", i))
	}
	tmp := t.TempDir()
	uf := filepath.Join(tmp, "users")
	require.NoError(t, os.WriteFile(uf, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	data := filepath.Join(tmp, "data")
	sink := startSink(t)
	opts := Options{Users: []string{}, Data: data, Args: []string{"-users", uf, "-max-conns-per-ip", "-1", "-max-conns", "2000",
		"-proxy-from", "127.0.0.1/32", "-grace", "20s", "-relay", sink.addr, "-relay-tls", "none", "-queue-retry", "300ms"}}
	a := Start(t, opts)
	b := Start(t, opts) // the same data directory, its own ports
	procs := []*Server{a, b}

	hp := startHAProxy(t, haproxy, tmp, a, b)
	d := &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: clientIP}}

	// Throughput through one instance (b disabled at HAProxy), then two.
	rate := func(label string) float64 {
		n, dur, retries := submitAll(t, hp.sub, d, a, benchClients, benchPer, func(c, m int) string { return "bench@localhost" }, func(c, m int) string { return fmt.Sprintf("bench %d-%d", c, m) }, nil)
		r := float64(n) / dur.Seconds()
		t.Logf("through %s: %d messages in %v: %.0f msgs/s (%d retries)", label, n, dur.Round(time.Millisecond), r, retries)
		return r
	}
	hp.cmd(t, "disable server be_sub/b")
	one := rate("HAProxy -> one instance")
	hp.cmd(t, "enable server be_sub/b")
	hp.waitUp(t, "be_sub", "b")
	two := rate("HAProxy -> two instances")

	// The main run: A is stopped and restarted halfway.
	total := clients * perClient
	var restarted atomic.Bool
	half := make(chan struct{})
	var once sync.Once
	// The last quarter waits for the restart, so that the restarted
	// instance takes part; the second quarter runs while A is down.
	restartDone := make(chan struct{})
	t0 := time.Now()
	type result struct {
		n       int
		dur     time.Duration
		retries int
	}
	done := make(chan result, 1)
	go func() {
		n, dur, retries := submitAll(t, hp.sub, d, a, clients, perClient,
			func(c, m int) string { return fmt.Sprintf("r%d@localhost", c%recipients) },
			func(c, m int) string { return fmt.Sprintf("load-%d-%d", c, m) },
			func(sent int) {
				if sent >= total/2 {
					once.Do(func() { close(half) })
				}
				if sent >= 3*total/4 {
					<-restartDone
				}
			})
		done <- result{n, dur, retries}
	}()
	select {
	case <-half:
	case r := <-done:
		t.Fatalf("submission ended (%d messages) before half", r.n)
	}
	tStop := time.Now()
	a.Stop() // SIGTERM, exit 0 required
	hp.waitState(t, "be_sub", "a", "DOWN")
	a2 := Start(t, opts)
	procs = append(procs, a2)
	for _, be := range []string{"be_sub", "be_pop3s", "be_imaps", "be_imap"} {
		name := map[string]string{"be_sub": "submission", "be_pop3s": "pop3s", "be_imaps": "imaps", "be_imap": "imap"}[be]
		ap := netip.MustParseAddrPort(a2.Addr[name])
		hp.cmd(t, fmt.Sprintf("set server %s/a addr 127.0.0.1 port %d", be, ap.Port()))
	}
	hp.waitUp(t, "be_sub", "a")
	hp.waitUp(t, "be_pop3s", "a")
	hp.waitUp(t, "be_imaps", "a")
	hp.waitUp(t, "be_imap", "a")
	restarted.Store(true)
	close(restartDone)
	t.Logf("instance A stopped (SIGTERM) and restarted in %v", time.Since(tStop).Round(time.Millisecond))
	r := <-done
	require.False(t, t.Failed())
	require.Equal(t, total, r.n)
	t.Logf("main run: %d clients x %d messages through HAProxy -> two instances, one restarted halfway: %v, %.0f msgs/s, %d retries after the restart's disconnects",
		clients, perClient, time.Since(t0).Round(time.Millisecond), float64(r.n)/r.dur.Seconds(), r.retries)

	// No stored message names the client.
	stored := 0
	filepath.WalkDir(data, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !(strings.Contains(p, "/new/") || strings.Contains(p, "/cur/")) {
			return nil
		}
		body, rerr := os.ReadFile(p)
		require.NoError(t, rerr)
		stored++
		assert.NotContains(t, string(body), clientIP.String(), p)
		return nil
	})
	assert.Equal(t, total+(benchClients*benchPer)*2, stored, "messages in the Maildirs")

	// Every message read once through HAProxy: the first half of the
	// mailboxes over POP3S (RETR, DELE), the other half over IMAPS (UID
	// FETCH BODY.PEEK[], then STORE \Deleted and EXPUNGE), each session
	// balanced to either instance.
	seen := map[string]int{}
	marker := regexp.MustCompile(`marker (load-\d+-\d+)\r\n`)
	got, gotIMAP := 0, 0
	for i := recipients / 2; i < recipients; i++ {
		n := readIMAPVia(t, d, hp.imaps, a2, fmt.Sprintf("r%d", i), fmt.Sprintf("r%d-pw", i), marker, seen)
		got += n
		gotIMAP += n
	}
	for i := range recipients / 2 {
		p := dialPOPVia(t, d, hp.pop3s, a2)
		p.conn.SetDeadline(time.Now().Add(5 * time.Minute))
		p.login(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d-pw", i))
		st := p.cmd("STAT")
		require.True(t, st.OK)
		var n int
		fmt.Sscanf(st.Text, "%d", &n)
		for m := 1; m <= n; m++ {
			require.True(t, p.cmd(fmt.Sprintf("RETR %d", m)).OK)
			body := p.body()
			mm := marker.FindSubmatch(body)
			require.NotNil(t, mm, "marker in %q", body[:min(len(body), 300)])
			seen[string(mm[1])]++
			require.True(t, p.cmd(fmt.Sprintf("DELE %d", m)).OK)
		}
		require.True(t, p.cmd("QUIT").OK)
		got += n
	}
	assert.Equal(t, total, got, "messages retrieved")
	assert.Len(t, seen, total, "distinct messages")
	for k, v := range seen {
		if v != 1 {
			t.Errorf("%s retrieved %d times", k, v)
		}
	}
	assert.Equal(t, total/2, gotIMAP, "messages read over IMAP (every client sent to r0..r3 in turn)")
	// POP3 agrees with IMAP's expunge: the IMAP mailboxes are empty now.
	for i := recipients / 2; i < recipients; i++ {
		p := dialPOPVia(t, d, hp.pop3s, a2)
		p.login(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d-pw", i))
		st := p.cmd("STAT")
		require.True(t, st.OK)
		assert.True(t, strings.HasPrefix(st.Text, "0 "), "r%d after IMAP EXPUNGE: STAT %q", i, st.Text)
		p.cmd("QUIT")
	}
	// Plaintext IMAP through HAProxy (PROXY v2): greeted, and the
	// session's log names the real client.
	ci, err := d.Dial("tcp", hp.imap)
	require.NoError(t, err)
	ci.SetDeadline(time.Now().Add(10 * time.Second))
	gi, err := bufio.NewReader(ci).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(gi, "* OK"), gi)
	ci.Write([]byte("l LOGOUT\r\n"))
	ci.Close()

	// The queue on the shared directory: mail for another domain,
	// submitted through HAProxy to both instances, leaves through the relay
	// exactly once (both instances' queue runners scan the one spool and
	// claim a message by renaming it).
	const relayed = 200
	rn, _, _ := submitAll(t, hp.sub, d, a2, 20, relayed/20, func(c, m int) string { return "someone@remote.example" },
		func(c, m int) string { return fmt.Sprintf("relay-%d-%d", c, m) }, nil)
	require.Equal(t, relayed, rn)
	deadline := time.Now().Add(60 * time.Second)
	for sink.distinct() < relayed && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // time for a duplicate to show
	sink.mu.Lock()
	assert.Len(t, sink.seen, relayed, "relayed messages")
	for k, v := range sink.seen {
		if v != 1 {
			t.Errorf("%s relayed %d times", k, v)
		}
	}
	sink.mu.Unlock()

	// PROXY v1 (send-proxy) works too: B's plaintext POP3 port.
	c1, err := d.Dial("tcp", hp.pop3v1)
	require.NoError(t, err)
	c1.SetDeadline(time.Now().Add(10 * time.Second))
	g1, err := bufio.NewReader(c1).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(g1, "+OK"), g1)
	c1.Write([]byte("QUIT\r\n"))
	c1.Close()

	// Forged headers sent directly to an instance are refused: from an
	// untrusted source after the greeting, and a trusted source without
	// a header is closed before it.
	forged := "PROXY TCP4 192.0.2.66 127.0.0.1 1234 587\r\nEHLO forged\r\n"
	c, err := d.Dial("tcp", b.Addr["submission"])
	require.NoError(t, err)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	greet, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(greet, "220 "), greet)
	_, err = c.Write([]byte(forged))
	require.NoError(t, err)
	rest, _ := io.ReadAll(br)
	assert.Empty(t, string(rest), "no reply to EHLO after a forged header")
	c.Close()
	c, err = net.DialTimeout("tcp", b.Addr["submission"], 10*time.Second)
	require.NoError(t, err)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("EHLO direct\r\n"))
	rest, _ = io.ReadAll(c)
	assert.Empty(t, string(rest), "a trusted source without a header gets no greeting")
	c.Close()

	// The maildrop lock holds across the two processes: r0 logged in on
	// A, then on B, each reached directly with our own PROXY header.
	pa := dialPOPProxied(t, a2, "192.0.2.10:1000")
	pa.login("r0", "r0-pw")
	pb := dialPOPProxied(t, b, "192.0.2.11:1001")
	require.True(t, pb.cmd("USER r0").OK)
	locked := pb.cmd("PASS r0-pw")
	assert.False(t, locked.OK)
	assert.Equal(t, "IN-USE", locked.Code, "%v", locked)
	pa.cmd("QUIT")
	pb.conn.Close()

	for _, s := range []*Server{a2, b} {
		s.Stop()
	}
	hp.stop(t)

	// The logs: every accepted message names the real client, never
	// HAProxy's address; the direct proxied sessions name theirs.
	accepted := 0
	var perProc []int
	for _, s := range procs {
		n := 0
		for _, l := range strings.Split(s.Stderr(), "\n") {
			if strings.Contains(l, `msg="message accepted"`) {
				n++
				assert.Contains(t, l, "client="+clientIP.String(), l)
			}
			assert.NotContains(t, l, "client=192.0.2.66", "the forged address reached a session")
		}
		perProc = append(perProc, n)
		accepted += n
	}
	assert.Equal(t, total+2*benchClients*benchPer+relayed, accepted, "accepted messages logged")
	assert.Positive(t, perProc[0], "instance A before the restart")
	assert.Positive(t, perProc[1], "instance B")
	assert.Positive(t, perProc[2], "instance A after the restart")
	assert.Contains(t, a2.Stderr(), "client=192.0.2.10")
	assert.Contains(t, b.Stderr(), "client=192.0.2.11")
	assert.Contains(t, b.Stderr(), `msg="refused: PROXY header"`)
	assert.Contains(t, b.Stderr(), "proto=pop3 client="+clientIP.String()+" tls=false", "the v1 session")
	assert.Contains(t, a2.Stderr()+b.Stderr(), "proto=imap client="+clientIP.String()+" tls=true", "IMAPS sessions through HAProxy")
	assert.Contains(t, a2.Stderr()+b.Stderr(), "proto=imap client="+clientIP.String()+" tls=false", "the plaintext IMAP session")
	// Every IMAP login (all of them through HAProxy) names the real
	// client; HAProxy's own address is only in its health checks' LOCAL
	// sessions.
	imapLogins := 0
	for _, s := range procs {
		for _, l := range strings.Split(s.Stderr(), "\n") {
			if strings.Contains(l, "proto=imap") && strings.Contains(l, "msg=login") {
				imapLogins++
				assert.Contains(t, l, "client="+clientIP.String(), l)
			}
		}
	}
	assert.Equal(t, recipients/2, imapLogins, "IMAP logins logged")
	var relayedBy []int
	for _, s := range procs {
		relayedBy = append(relayedBy, strings.Count(s.Stderr(), `msg=done part=queue id=`))
	}
	t.Logf("relayed by process (A, B, A restarted): %v", relayedBy)
	assert.Equal(t, relayed, relayedBy[0]+relayedBy[1]+relayedBy[2], "queue deliveries logged")
	t.Logf("accepted per process (A, B, A restarted): %v; through one instance %.0f msgs/s, through two %.0f msgs/s", perProc, one, two)
	assert.True(t, restarted.Load())
}

// haproxy is a running HAProxy with its frontends and admin socket.
type haproxy struct {
	cmdp        *exec.Cmd
	sock        string
	sub, pop3s  string
	imaps, imap string // IMAPS and plaintext IMAP, PROXY v2 to both instances
	pop3v1      string // PROXY v1 (send-proxy) to instance B's POP3 (STLS) port
	out         *lockedBuffer
	done        chan struct{}
}

// freePort reserves a loopback port for HAProxy's frontend (closed again
// at once: HAProxy binds it a moment later).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

func startHAProxy(t *testing.T, bin, dir string, a, b *Server) *haproxy {
	t.Helper()
	h := &haproxy{sock: filepath.Join(dir, "admin.sock"), sub: freePort(t), pop3s: freePort(t), pop3v1: freePort(t), imaps: freePort(t), imap: freePort(t), out: &lockedBuffer{}, done: make(chan struct{})}
	cfg := fmt.Sprintf(`global
    stats socket %s mode 600 level admin
    maxconn 4000
defaults
    mode tcp
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch 1
frontend fe_sub
    bind %s
    default_backend be_sub
backend be_sub
    balance roundrobin
    server a %s send-proxy-v2 check inter 200ms fall 1 rise 1
    server b %s send-proxy-v2 check inter 200ms fall 1 rise 1
frontend fe_pop3s
    bind %s
    default_backend be_pop3s
backend be_pop3s
    balance roundrobin
    server a %s send-proxy-v2 check inter 200ms fall 1 rise 1
    server b %s send-proxy-v2 check inter 200ms fall 1 rise 1
frontend fe_pop3_v1
    bind %s
    default_backend be_pop3_v1
backend be_pop3_v1
    server b %s send-proxy
frontend fe_imaps
    bind %s
    default_backend be_imaps
backend be_imaps
    balance roundrobin
    server a %s send-proxy-v2 check inter 200ms fall 1 rise 1
    server b %s send-proxy-v2 check inter 200ms fall 1 rise 1
frontend fe_imap
    bind %s
    default_backend be_imap
backend be_imap
    balance roundrobin
    server a %s send-proxy-v2 check inter 200ms fall 1 rise 1
    server b %s send-proxy-v2 check inter 200ms fall 1 rise 1
`, h.sock, h.sub, a.Addr["submission"], b.Addr["submission"], h.pop3s, a.Addr["pop3s"], b.Addr["pop3s"], h.pop3v1, b.Addr["pop3"],
		h.imaps, a.Addr["imaps"], b.Addr["imaps"], h.imap, a.Addr["imap"], b.Addr["imap"])
	f := filepath.Join(dir, "haproxy.cfg")
	require.NoError(t, os.WriteFile(f, []byte(cfg), 0o600))
	h.cmdp = exec.Command(bin, "-db", "-f", f)
	h.cmdp.Stdout, h.cmdp.Stderr = h.out, h.out
	require.NoError(t, h.cmdp.Start())
	go func() { h.cmdp.Wait(); close(h.done) }()
	t.Cleanup(func() { h.stop(t) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", h.pop3s, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy not listening on %s: %v\n%s", h.pop3s, err, h.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.waitUp(t, "be_sub", "a")
	h.waitUp(t, "be_sub", "b")
	h.waitUp(t, "be_pop3s", "a")
	h.waitUp(t, "be_pop3s", "b")
	for _, be := range []string{"be_imaps", "be_imap"} {
		h.waitUp(t, be, "a")
		h.waitUp(t, be, "b")
	}
	return h
}

// cmd runs one command on HAProxy's admin socket and returns the answer.
func (h *haproxy) cmd(t *testing.T, line string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", h.sock, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Write([]byte(line + "\n"))
	require.NoError(t, err)
	out, _ := io.ReadAll(c)
	return string(out)
}

// waitUp waits (at most 15 s) until HAProxy's health check says UP.
func (h *haproxy) waitUp(t *testing.T, backend, server string) {
	t.Helper()
	h.waitState(t, backend, server, "UP")
}

// waitState waits (at most 15 s) until HAProxy's status of the server
// starts with state.
func (h *haproxy) waitState(t *testing.T, backend, server, state string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, l := range strings.Split(h.cmd(t, "show stat"), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 17 && f[0] == backend && f[1] == server && strings.HasPrefix(f[17], state) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%s not %s in HAProxy\n%s", backend, server, state, h.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (h *haproxy) stop(t *testing.T) {
	select {
	case <-h.done:
		return
	default:
	}
	h.cmdp.Process.Signal(os.Interrupt)
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		h.cmdp.Process.Kill()
		<-h.done
	}
}

// submitAll runs clients goroutines that each submit perClient messages
// through addr in at least 4 sessions, reconnecting and resending a message whose 250 did not
// come (a session ended by the instance's shutdown). progress, if set, is
// called with the number sent so far. It returns the messages sent, the
// time taken and the retries.
func submitAll(t *testing.T, addr string, d *net.Dialer, s *Server, clients, perClient int, rcpt, mark func(c, m int) string, progress func(int)) (int, time.Duration, int) {
	t.Helper()
	perSession := max(1, perClient/4) // at least 4 sessions a client
	var sent, retries atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	t0 := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cl *smtpc
			defer func() {
				if cl != nil {
					cl.quit()
				}
			}()
			fails := 0
			for m := 0; m < perClient; {
				if fails > 30 {
					errs <- fmt.Errorf("client %d message %d: %d failures in a row", c, m, fails)
					return
				}
				var err error
				if cl == nil {
					cl, err = dialSubmissionVia(context.Background(), addr, d, s, "loader", "loader-pw")
					if err != nil {
						fails++
						retries.Add(1)
						time.Sleep(100 * time.Millisecond)
						continue
					}
				}
				body := []byte(fmt.Sprintf("From: loader@localhost\r\nTo: %s\r\nSubject: %s\r\n\r\nmarker %s\r\n%s\r\n", rcpt(c, m), mark(c, m), mark(c, m), strings.Repeat("payload ", 100)))
				if err := cl.sendMail("loader@localhost", rcpt(c, m), body); err != nil {
					cl.conn.Close()
					cl = nil
					fails++
					retries.Add(1)
					time.Sleep(50 * time.Millisecond)
					continue
				}
				fails = 0
				m++
				if m%perSession == 0 {
					// A new session every perSession messages, as a mail
					// client opens one per send: HAProxy balances them.
					cl.quit()
					cl = nil
				}
				n := sent.Add(1)
				if progress != nil {
					progress(int(n))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return int(sent.Load()), time.Since(t0), int(retries.Load())
}

// dialSubmissionVia is dialSubmission to any address (HAProxy's frontend)
// from the dialer's source address.
func dialSubmissionVia(ctx context.Context, addr string, d *net.Dialer, s *Server, user, pass string) (*smtpc, error) {
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	cl := starttls.Client{
		Protocol:  starttls.SMTP,
		Policy:    tlspolicy.Policy{Level: tlspolicy.LevelVerify, Transport: tlspolicy.TransportSTARTTLS, ServerName: "127.0.0.1", RootCAs: s.CertPool()},
		TLSConfig: s.TLSConfig(),
		Hello:     "haproxy.example.test",
	}
	uctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := cl.Upgrade(uctx, raw)
	if err != nil {
		raw.Close()
		return nil, err
	}
	c := &smtpc{conn: conn, r: smtpwire.NewReplyReader(conn, smtpwire.ReplyReaderOptions{})}
	if err := c.do(250, func(b []byte) ([]byte, error) {
		return smtpwire.AppendCommand(b, smtpwire.VerbEHLO, "haproxy.example.test")
	}); err != nil {
		c.conn.Close()
		return nil, fmt.Errorf("EHLO: %w", err)
	}
	if err := c.do(235, func(b []byte) ([]byte, error) {
		return smtpwire.AppendAuth(b, "PLAIN", []byte("\x00"+user+"\x00"+pass), true)
	}); err != nil {
		c.conn.Close()
		return nil, fmt.Errorf("AUTH: %w", err)
	}
	return c, nil
}

// dialPOPVia connects over POP3S to addr (HAProxy) and reads the greeting.
func dialPOPVia(t *testing.T, d *net.Dialer, addr string, s *Server) *popc {
	t.Helper()
	c, err := tls.DialWithDialer(d, "tcp", addr, s.TLSConfig())
	require.NoError(t, err)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	t.Cleanup(func() { c.Close() })
	p := &popc{t: t, conn: c, r: pop3.NewResponseReader(c, pop3.ResponseReaderOptions{}), s: s}
	require.True(t, p.read().OK)
	return p
}

// readIMAPVia reads a mailbox once over IMAPS through addr (HAProxy):
// SELECT, UID FETCH 1:* (BODY.PEEK[]) counting every message's marker into
// seen, then UID STORE +FLAGS.SILENT (\Deleted) and EXPUNGE, and a second
// SELECT that must find it empty. It returns the messages read.
func readIMAPVia(t *testing.T, d *net.Dialer, addr string, s *Server, user, pass string, marker *regexp.Regexp, seen map[string]int) int {
	t.Helper()
	conn, err := tls.DialWithDialer(d, "tcp", addr, s.TLSConfig())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	c := &imapc{t: t, conn: conn, r: bufio.NewReaderSize(conn, 64<<10)}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	greet, err := c.r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(greet, "* OK"), greet)
	c.login(user, pass)
	exists := regexp.MustCompile(`(?m)^\* (\d+) EXISTS\r$`)
	sel := c.ok("SELECT INBOX")
	m := exists.FindStringSubmatch(sel)
	require.NotNil(t, m, sel)
	var n int
	fmt.Sscanf(m[1], "%d", &n)
	require.Positive(t, n, "%s's INBOX", user)
	out := c.ok("UID FETCH 1:* (BODY.PEEK[])")
	fetches := regexp.MustCompile(`(?m)^\* \d+ FETCH `).FindAllStringIndex(out, -1)
	assert.Len(t, fetches, n, "%s: FETCH responses", user)
	marks := marker.FindAllStringSubmatch(out, -1)
	assert.Len(t, marks, n, "%s: markers fetched", user)
	for _, mk := range marks {
		seen[mk[1]]++
	}
	c.ok(`UID STORE 1:* +FLAGS.SILENT (\Deleted)`)
	exp := c.ok("EXPUNGE")
	assert.Equal(t, n, strings.Count(exp, " EXPUNGE\r\n"), "%s: expunged", user)
	again := c.ok("SELECT INBOX")
	assert.Contains(t, again, "* 0 EXISTS", "%s after EXPUNGE", user)
	c.ok("LOGOUT")
	return len(marks)
}

// dialPOPProxied connects straight to s's POP3S port from 127.0.0.1 (a
// trusted proxy) and sends a PROXY v2 header naming src, then TLS.
func dialPOPProxied(t *testing.T, s *Server, src string) *popc {
	t.Helper()
	raw, err := net.DialTimeout("tcp", s.Addr["pop3s"], 10*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { raw.Close() })
	hdr, err := proxyproto.AppendV2(nil, proxyproto.Header{Command: proxyproto.Proxy, Family: proxyproto.TCP4,
		Source: netip.MustParseAddrPort(src), Dest: netip.MustParseAddrPort(s.Addr["pop3s"])})
	require.NoError(t, err)
	_, err = raw.Write(hdr)
	require.NoError(t, err)
	c := tls.Client(raw, s.TLSConfig())
	c.SetDeadline(time.Now().Add(30 * time.Second))
	p := &popc{t: t, conn: c, r: pop3.NewResponseReader(c, pop3.ResponseReaderOptions{}), s: s}
	require.True(t, p.read().OK)
	return p
}

// TestProxyFromFlag: -proxy-from takes CIDRs and bare addresses, comma
// separated, and refuses anything else.
func TestProxyFromFlag(t *testing.T) {
	c, err := parseFlags([]string{"-proxy-from", "127.0.0.1, 10.1.2.3/8,::1", "-proxy-from", "2001:db8::/32"}, io.Discard)
	require.NoError(t, err)
	want := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("2001:db8::/32")}
	assert.Equal(t, want, c.proxyFrom)
	for _, bad := range []string{"", "10.0.0.0/33", "haproxy.example", "10.0.0.1,"} {
		_, err := parseFlags([]string{"-proxy-from", bad}, io.Discard)
		assert.Error(t, err, "%q", bad)
	}
}

// sink is a minimal SMTP server standing for the relay: it accepts every
// message and counts the markers it sees.
type sink struct {
	addr string
	mu   sync.Mutex
	seen map[string]int
}

func (k *sink) distinct() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.seen)
}

func startSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	k := &sink{addr: ln.Addr().String(), seen: map[string]int{}}
	t.Cleanup(func() { ln.Close() })
	marker := regexp.MustCompile(`marker (relay-\d+-\d+)\r\n`)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Minute))
				r := bufio.NewReader(c)
				c.Write([]byte("220 sink\r\n"))
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					verb := strings.ToUpper(strings.Fields(line + " x")[0])
					switch verb {
					case "EHLO", "HELO":
						c.Write([]byte("250-sink\r\n250 8BITMIME\r\n"))
					case "DATA":
						c.Write([]byte("354 go on\r\n"))
						var msg strings.Builder
						for {
							l, err := r.ReadString('\n')
							if err != nil {
								return
							}
							if l == ".\r\n" {
								break
							}
							msg.WriteString(l)
						}
						if m := marker.FindStringSubmatch(msg.String()); m != nil {
							k.mu.Lock()
							k.seen[m[1]]++
							k.mu.Unlock()
						}
						c.Write([]byte("250 ok\r\n"))
					case "QUIT":
						c.Write([]byte("221 bye\r\n"))
						return
					default:
						c.Write([]byte("250 ok\r\n"))
					}
				}
			}()
		}
	}()
	return k
}

// TestIMAPIdleAcrossInstances: two instances on one -data directory; an
// IMAP session on instance A is in IDLE on INBOX while messages are
// submitted to instance B, and each shows up on A as "* n EXISTS" within
// 2 s (the store polls the directory every 250 ms). Each message is
// submitted only after the previous one was announced, so every latency
// is measured on its own. 10 messages with MAILWIRE_INTEROP=1 or
// MAILWIRE_LOAD=1, else 3.
func TestIMAPIdleAcrossInstances(t *testing.T) {
	msgs := 3
	if os.Getenv("MAILWIRE_INTEROP") == "1" || os.Getenv("MAILWIRE_LOAD") == "1" {
		msgs = 10
	}
	data := t.TempDir()
	a := Start(t, Options{Data: data})
	b := Start(t, Options{Data: data})

	c := imapDial(t, a, "imaps")
	c.login("alice", a.Users["alice"])
	sel := c.ok("SELECT INBOX")
	require.Contains(t, sel, "* 0 EXISTS")
	c.conn.SetDeadline(time.Now().Add(time.Minute))
	_, err := c.conn.Write([]byte("idle1 IDLE\r\n"))
	require.NoError(t, err)
	cont, err := c.r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cont, "+ "), cont)

	sub, err := dialSubmission(context.Background(), b, "bob", b.Users["bob"])
	require.NoError(t, err)
	defer sub.quit()
	var worst time.Duration
	for i := 1; i <= msgs; i++ {
		body := []byte(fmt.Sprintf("From: bob@localhost\r\nTo: alice@localhost\r\nSubject: idle %d\r\n\r\nmarker idle-%d\r\n", i, i))
		require.NoError(t, sub.sendMail("bob@localhost", "alice@localhost", body))
		t0 := time.Now() // after B's 250: the message is in the Maildir
		want := fmt.Sprintf("* %d EXISTS", i)
		c.conn.SetReadDeadline(t0.Add(2 * time.Second))
		for {
			l, err := c.r.ReadString('\n')
			require.NoError(t, err, "message %d: no %q on A within 2 s", i, want)
			l = strings.TrimRight(l, "\r\n")
			if l == want {
				break
			}
			// Only untagged updates may come during IDLE.
			require.True(t, strings.HasPrefix(l, "* "), l)
		}
		d := time.Since(t0)
		worst = max(worst, d)
		t.Logf("message %d submitted to B: %q on A after %v", i, want, d.Round(time.Millisecond))
	}
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = c.conn.Write([]byte("DONE\r\n"))
	require.NoError(t, err)
	_, st := c.readUntil("idle1")
	require.True(t, strings.HasPrefix(st, "OK"), st)
	out := c.ok("UID FETCH 1:* (BODY.PEEK[])")
	for i := 1; i <= msgs; i++ {
		assert.Contains(t, out, fmt.Sprintf("marker idle-%d\r\n", i))
	}
	t.Logf("IDLE on A, %d messages delivered by B: worst latency %v (bound 2 s, store poll 250 ms)", msgs, worst.Round(time.Millisecond))
}
