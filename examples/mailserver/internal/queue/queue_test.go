package queue

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailserver/internal/submission"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/smtpwire"
	"github.com/mailwire/mailwire/tlspolicy"
)

const host = "mail.example"

// The queue is what submission hands remote mail to, DSN parameters
// included.
var _ submission.DSNQueue = (*Queue)(nil)

type fakeUsers struct{}

func (fakeUsers) Lookup(a string) (users.User, bool) {
	for _, n := range []string{"alice", "bob"} {
		if strings.EqualFold(a, n+"@"+host) {
			return users.User{Name: n, Address: n + "@" + host}, true
		}
	}
	return users.User{}, false
}

type fakeLocal struct {
	mu   sync.Mutex
	msgs map[string][]string
	fail error
}

func (f *fakeLocal) Deliver(names []string, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	if f.msgs == nil {
		f.msgs = map[string][]string{}
	}
	for _, n := range names {
		f.msgs[n] = append(f.msgs[n], string(b))
	}
	return nil
}

func (f *fakeLocal) get(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.msgs[name]...)
}

// fakeRelay is an SMTP server for the relay leg: recipients starting with
// "bad" get 550 5.1.1, "later" 451 4.2.0, anyone else 250.
type fakeRelay struct {
	t        *testing.T
	addr     string
	tls      *tls.Config // STARTTLS offered when set
	chunking bool
	auth     string // "user:pass" required when set
	mu       sync.Mutex
	msgs     []relayed
	mails    int // MAIL commands seen
	sawAuth  []bool
	dsn      bool     // offer DSN
	greeting string   // instead of 220
	args     []string // MAIL and RCPT arguments as sent
	// requireTLS: offer REQUIRETLS after STARTTLS; onConnect runs at each
	// connection, and what it returns at its end.
	requireTLS bool
	onConnect  func() func()
}

type relayed struct {
	from  string
	rcpts []string
	data  string
	tls   bool
}

func newRelay(t *testing.T, tlsOn, chunking bool) *fakeRelay {
	r := &fakeRelay{t: t, chunking: chunking}
	if tlsOn {
		r.tls = serverTLS(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	r.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return r
}

func serverTLS(t *testing.T) *tls.Config {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// parseLeaf returns the certificate of a serverTLS configuration.
func parseLeaf(t *testing.T, c *tls.Config) (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(c.Certificates[0].Certificate[0])
	require.NoError(t, err)
	return cert, err
}

func (r *fakeRelay) serve(conn net.Conn) {
	defer conn.Close()
	r.mu.Lock()
	onConnect, requireTLS := r.onConnect, r.requireTLS
	r.mu.Unlock()
	// The connection counts as over before 221 goes out: the client
	// waits for 221 before it frees its slot, so a count taken here never
	// sees the next connection overlap this one's last reply.
	end := func() {}
	if onConnect != nil {
		end = onConnect()
	}
	var ended sync.Once
	release := func() { ended.Do(end) }
	defer release()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	cr := smtpwire.NewCommandReader(conn, smtpwire.CommandReaderOptions{})
	out := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
	secure, authed := false, false
	r.mu.Lock()
	tlsConf, auth, greeting, dsn := r.tls, r.auth, r.greeting, r.dsn
	r.mu.Unlock()
	if greeting != "" {
		out(greeting)
		return
	}
	out("220 relay.test ESMTP")
	var cur relayed
	for {
		cmd, err := cr.ReadCommand()
		if err != nil {
			return
		}
		switch cmd.Verb {
		case smtpwire.VerbEHLO:
			caps := "250-relay.test\r\n250-SIZE 100000\r\n250-PIPELINING"
			if tlsConf != nil && !secure {
				caps += "\r\n250-STARTTLS"
			}
			if r.chunking {
				caps += "\r\n250-CHUNKING"
			}
			if dsn {
				caps += "\r\n250-DSN"
			}
			if requireTLS && secure {
				caps += "\r\n250-REQUIRETLS"
			}
			out(caps + "\r\n250 AUTH PLAIN LOGIN")
		case smtpwire.VerbSTARTTLS:
			if tlsConf == nil {
				out("502 5.5.1 no TLS here")
				continue
			}
			out("220 2.0.0 go ahead")
			tc := tls.Server(conn, tlsConf)
			if tc.Handshake() != nil {
				return
			}
			conn, secure = tc, true
			cr.Reset(tc)
		case smtpwire.VerbAUTH:
			_, initial, _ := smtpwire.ParseAuth(cmd.Args)
			dec, _ := base64.StdEncoding.DecodeString(string(initial))
			r.mu.Lock()
			r.sawAuth = append(r.sawAuth, secure)
			r.mu.Unlock()
			if string(dec) == "\x00"+strings.Replace(auth, ":", "\x00", 1) {
				authed = true
				out("235 2.7.0 ok")
			} else {
				out("535 5.7.8 bad")
			}
		case smtpwire.VerbMAIL:
			r.mu.Lock()
			r.mails++
			r.args = append(r.args, string(cmd.Args))
			r.mu.Unlock()
			if auth != "" && !authed {
				out("530 5.7.0 auth first")
				continue
			}
			m, _ := smtpwire.ParseMailFrom(cmd.Args, smtpwire.PathOptions{})
			cur = relayed{from: string(m.From.Mailbox), tls: secure}
			out("250 2.1.0 ok")
		case smtpwire.VerbRCPT:
			rc, _ := smtpwire.ParseRcptTo(cmd.Args, smtpwire.PathOptions{})
			r.mu.Lock()
			r.args = append(r.args, string(cmd.Args))
			r.mu.Unlock()
			a := string(rc.To.Mailbox)
			switch {
			case strings.HasPrefix(a, "bad"):
				out("550 5.1.1 <" + a + ">: no such user")
			case strings.HasPrefix(a, "later"):
				out("451 4.2.0 try later")
			default:
				cur.rcpts = append(cur.rcpts, a)
				out("250 2.1.5 ok")
			}
		case smtpwire.VerbDATA:
			out("354 go")
			b, err := io.ReadAll(cr.Data(0))
			if err != nil {
				out("554 bad")
				continue
			}
			cur.data = string(b)
			r.mu.Lock()
			r.msgs = append(r.msgs, cur)
			r.mu.Unlock()
			out("250 2.0.0 queued")
		case smtpwire.VerbBDAT:
			size, _, _ := smtpwire.ParseBDAT(cmd.Args)
			b, err := io.ReadAll(cr.Chunk(size))
			if err != nil {
				return
			}
			cur.data += string(b)
			r.mu.Lock()
			r.msgs = append(r.msgs, cur)
			r.mu.Unlock()
			out("250 2.0.0 queued")
		case smtpwire.VerbQUIT:
			release()
			out("221 bye")
			return
		default:
			out("250 ok")
		}
	}
}

func (r *fakeRelay) relayed() []relayed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayed(nil), r.msgs...)
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func open(t *testing.T, dir string, relay string, level tlspolicy.Level, local *fakeLocal, log *logBuf, mod func(*Config)) *Queue {
	t.Helper()
	cfg := Config{Relay: relay, Level: level, Hostname: host, Local: local, Users: fakeUsers{}, Log: slog.New(slog.NewTextHandler(log, nil)), Retry: []time.Duration{time.Millisecond}, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	q, err := Open(dir, cfg)
	require.NoError(t, err)
	return q
}

const message = "From: alice@mail.example\r\nTo: x@remote.example\r\nSubject: hi\r\nMessage-ID: <a@mail.example>\r\n\r\nbody\r\n.leading dot\r\n"

func files(t *testing.T, dir, sub string) []string {
	es, err := os.ReadDir(filepath.Join(dir, sub))
	require.NoError(t, err)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n--
		return copy(p, "partial"), nil
	}
	return 0, errors.New("client went away")
}

func TestEnqueueDurable(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir, "", tlspolicy.LevelNone, &fakeLocal{}, &logBuf{}, nil)
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	ids := files(t, dir, "env")
	require.Len(t, ids, 1)
	assert.Equal(t, ids, files(t, dir, "msg"))
	assert.Empty(t, files(t, dir, "tmp"))
	b, err := os.ReadFile(filepath.Join(dir, "msg", ids[0]))
	require.NoError(t, err)
	assert.Equal(t, message, string(b))
	env, err := readEnvelope(filepath.Join(dir, "env", ids[0]))
	require.NoError(t, err)
	assert.Equal(t, "alice@mail.example", env.From)
	assert.Equal(t, int64(len(message)), env.Size)

	// A reader that fails leaves nothing.
	assert.Error(t, q.Enqueue("alice@mail.example", []string{"x@remote.example"}, &failingReader{n: 3}))
	assert.Len(t, files(t, dir, "env"), 1)
	assert.Len(t, files(t, dir, "msg"), 1)
	assert.Empty(t, files(t, dir, "tmp"))
	assert.Error(t, q.Enqueue("alice@mail.example", nil, strings.NewReader(message)))
}

func TestRelayPerRecipient(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tls      bool
		chunking bool
		level    tlspolicy.Level
	}{
		{"plain DATA", false, false, tlspolicy.LevelNone},
		{"may without STARTTLS", false, true, tlspolicy.LevelMay},
		{"STARTTLS BDAT", true, true, tlspolicy.LevelEncrypt},
		{"STARTTLS DATA", true, false, tlspolicy.LevelMay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			relay := newRelay(t, tc.tls, tc.chunking)
			dir := t.TempDir()
			local, log := &fakeLocal{}, &logBuf{}
			q := open(t, dir, relay.addr, tc.level, local, log, nil)
			require.NoError(t, q.Enqueue("alice@mail.example", []string{"x@remote.example", "bad@remote.example", "later@remote.example", "bob@mail.example", "y@remote.example"}, strings.NewReader(message)))
			q.RunOnce(context.Background())
			got := relay.relayed()
			require.Len(t, got, 1, "one connection carries every remote recipient")
			assert.Equal(t, []string{"x@remote.example", "y@remote.example"}, got[0].rcpts)
			assert.Equal(t, "alice@mail.example", got[0].from)
			assert.Equal(t, message, got[0].data, "byte for byte")
			assert.Equal(t, tc.tls, got[0].tls)
			assert.Equal(t, []string{message}, local.get("bob"))
			// bad@ failed: a DSN is queued for alice, delivered next pass.
			q.RunOnce(context.Background())
			dsn := local.get("alice")
			require.Len(t, dsn, 1)
			assert.Contains(t, dsn[0], "Content-Type: multipart/report; report-type=delivery-status;")
			assert.Contains(t, dsn[0], "Final-Recipient: rfc822; bad@remote.example\r\nAction: failed\r\nStatus: 5.1.1\r\n")
			assert.Contains(t, dsn[0], "Diagnostic-Code: smtp; 550 5.1.1 <bad@remote.example>: no such user\r\n")
			assert.Contains(t, dsn[0], "Content-Type: text/rfc822-headers\r\n\r\nFrom: alice@mail.example\r\n")
			assert.NotContains(t, dsn[0], "later@remote.example")
			// later@ is still queued, alone.
			ids := files(t, dir, "env")
			require.Len(t, ids, 1)
			env, err := readEnvelope(filepath.Join(dir, "env", ids[0]))
			require.NoError(t, err)
			for _, r := range env.Rcpts {
				if r.Addr == "later@remote.example" {
					assert.Equal(t, Pending, r.Status)
					assert.Equal(t, 451, r.Code)
				} else {
					assert.NotEqual(t, Pending, r.Status, r.Addr)
				}
			}
		})
	}
}

func TestRequiredTLSNeverPlaintext(t *testing.T) {
	relay := newRelay(t, false, true) // offers no STARTTLS
	dir := t.TempDir()
	local, log := &fakeLocal{}, &logBuf{}
	q := open(t, dir, relay.addr, tlspolicy.LevelEncrypt, local, log, func(c *Config) { c.AuthUser, c.AuthPass = "u", "p" })
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	q.RunOnce(context.Background())
	assert.Empty(t, relay.relayed())
	relay.mu.Lock()
	assert.Zero(t, relay.mails, "no MAIL in plaintext")
	assert.Empty(t, relay.sawAuth, "no AUTH in plaintext")
	relay.mu.Unlock()
	assert.Len(t, files(t, dir, "env"), 1, "still queued")
	assert.Contains(t, log.String(), "relay TLS failed, message stays queued")
	assert.Contains(t, log.String(), "level=encrypt")
	assert.Empty(t, local.get("alice"), "a deferral is no bounce")

	// Restart: a new Queue on the same spool delivers once the relay has TLS.
	relay.mu.Lock()
	relay.tls, relay.auth = serverTLS(t), "u:p"
	relay.mu.Unlock()
	q2 := open(t, dir, relay.addr, tlspolicy.LevelEncrypt, local, log, func(c *Config) { c.AuthUser, c.AuthPass = "u", "p" })
	q2.RunOnce(context.Background())
	got := relay.relayed()
	require.Len(t, got, 1)
	assert.True(t, got[0].tls)
	relay.mu.Lock()
	assert.Equal(t, []bool{true}, relay.sawAuth, "AUTH only over TLS")
	relay.mu.Unlock()
	assert.Empty(t, files(t, dir, "env"))
	assert.Empty(t, files(t, dir, "msg"))
}

func TestAuthNotSentInPlaintextAtMay(t *testing.T) {
	relay := newRelay(t, false, false)
	relay.mu.Lock()
	relay.auth = "u:p"
	relay.mu.Unlock()
	dir := t.TempDir()
	local, log := &fakeLocal{}, &logBuf{}
	q := open(t, dir, relay.addr, tlspolicy.LevelMay, local, log, func(c *Config) { c.AuthUser, c.AuthPass = "u", "p" })
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	q.RunOnce(context.Background())
	relay.mu.Lock()
	assert.Empty(t, relay.sawAuth)
	relay.mu.Unlock()
	assert.Contains(t, log.String(), "relay AUTH not sent: no TLS")
	// The relay refused MAIL with 530: a permanent failure, bounced.
	q.RunOnce(context.Background())
	require.Len(t, local.get("alice"), 1, log.String())
}

func TestExpiryAndRetry(t *testing.T) {
	relay := newRelay(t, false, false)
	dir := t.TempDir()
	local, log := &fakeLocal{}, &logBuf{}
	q := open(t, dir, relay.addr, tlspolicy.LevelNone, local, log, func(c *Config) { c.Retry = []time.Duration{time.Hour} })
	now := time.Now()
	q.now = func() time.Time { return now }
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"later@remote.example"}, strings.NewReader(message)))
	next := q.RunOnce(context.Background())
	assert.Equal(t, now.Add(time.Hour).UTC(), next.UTC())
	// Not due yet: no attempt.
	assert.Equal(t, next.UTC(), q.RunOnce(context.Background()).UTC())
	now = now.Add(5*24*time.Hour + time.Minute)
	q.RunOnce(context.Background())
	q.RunOnce(context.Background())
	dsn := local.get("alice")
	require.Len(t, dsn, 1)
	assert.Contains(t, dsn[0], "Final-Recipient: rfc822; later@remote.example\r\nAction: failed\r\nStatus: 4.2.0\r\n")
	assert.Contains(t, dsn[0], "delivery time expired")
	assert.Empty(t, files(t, dir, "env"))
}

func TestLocalFailureDefers(t *testing.T) {
	dir := t.TempDir()
	local := &fakeLocal{fail: errors.New("disk full")}
	q := open(t, dir, "", tlspolicy.LevelNone, local, &logBuf{}, nil)
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"bob@mail.example", "x@remote.example"}, strings.NewReader(message)))
	q.RunOnce(context.Background())
	assert.Len(t, files(t, dir, "env"), 2, "bob deferred; a DSN for x (no relay) queued")
	local.mu.Lock()
	local.fail = nil
	local.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	q.RunOnce(context.Background())
	assert.Equal(t, []string{message}, local.get("bob"))
	require.Len(t, local.get("alice"), 1)
	assert.Contains(t, local.get("alice")[0], "Status: 5.4.4")
	assert.Empty(t, files(t, dir, "env"))
}

func TestClaimAndRecovery(t *testing.T) {
	relay := newRelay(t, false, false)
	dir := t.TempDir()
	local, log := &fakeLocal{}, &logBuf{}
	q1 := open(t, dir, relay.addr, tlspolicy.LevelNone, local, log, nil)
	q2 := open(t, dir, relay.addr, tlspolicy.LevelNone, local, log, nil)
	for range 10 {
		require.NoError(t, q1.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	}
	var wg sync.WaitGroup
	for _, q := range []*Queue{q1, q2} {
		wg.Add(1)
		go func() { defer wg.Done(); q.RunOnce(context.Background()) }()
	}
	wg.Wait()
	assert.Len(t, relay.relayed(), 10, "each message sent once by two instances")
	assert.Empty(t, files(t, dir, "env"))

	// A claim held (locked) is left alone; once its holder is gone (the
	// lock closes with the process) it is taken back.
	require.NoError(t, q1.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	id := files(t, dir, "env")[0]
	lock := q1.claim(id)
	require.NotNil(t, lock)
	assert.Nil(t, q2.claim(id), "claimed once")
	q3 := open(t, dir, relay.addr, tlspolicy.LevelNone, local, log, nil)
	q3.RunOnce(context.Background())
	assert.Equal(t, []string{id}, files(t, dir, "active"), "a live claim stays")
	assert.Len(t, relay.relayed(), 10)
	lock.Close() // the process "dies"
	q3.RunOnce(context.Background())
	assert.Len(t, relay.relayed(), 11)
	assert.Empty(t, files(t, dir, "active"))
	assert.Empty(t, files(t, dir, "env"))
}

func TestRunLoop(t *testing.T) {
	relay := newRelay(t, false, true)
	dir := t.TempDir()
	q := open(t, dir, relay.addr, tlspolicy.LevelNone, &fakeLocal{}, &logBuf{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	require.Eventually(t, func() bool { return len(relay.relayed()) == 1 }, 5*time.Second, 10*time.Millisecond)
	cancel()
	<-done
}

func TestBuildDSN(t *testing.T) {
	env := &Envelope{ID: "abc", From: "alice@mail.example", Created: time.Date(2025, 10, 14, 9, 0, 0, 0, time.UTC)}
	msg, err := BuildDSN(host, env, []Recipient{{Addr: "x@r.example", Code: 550, Enhanced: "5.7.1", Text: "550 5.7.1 no\r\nInjected: x", Remote: "relay.test"}}, []byte("Subject: s\r\n\r\n"), false, env.Created)
	require.NoError(t, err)
	s := string(msg)
	assert.Contains(t, s, "Diagnostic-Code: smtp; 550 5.7.1 no  Injected: x\r\n", "reply text cannot inject a field")
	assert.Contains(t, s, "Reporting-MTA: dns; mail.example\r\n")
	assert.Contains(t, s, "Remote-MTA: dns; relay.test\r\n")
	assert.Contains(t, s, "Arrival-Date: Tue, 14 Oct 2025 09:00:00 +0000\r\n")
	assert.NotContains(t, strings.ReplaceAll(s, "\r\n", ""), "\n")
	_, err = BuildDSN(host, env, nil, nil, false, time.Now())
	assert.Error(t, err)
}

func TestDSNParameters(t *testing.T) {
	relay := newRelay(t, false, false)
	relay.mu.Lock()
	relay.dsn = true
	relay.mu.Unlock()
	dir := t.TempDir()
	local, log := &fakeLocal{}, &logBuf{}
	q := open(t, dir, relay.addr, tlspolicy.LevelNone, local, log, nil)
	rcpts := []string{"bad1@remote.example", "bad2@remote.example", "ok@remote.example"}
	notify := []smtpwire.Notify{smtpwire.NotifyNever, smtpwire.NotifyFailure | smtpwire.NotifyDelay, smtpwire.NotifySuccess}
	orcpt := []string{"", "rfc822;Bad2@Remote.Example", ""}
	require.NoError(t, q.EnqueueDSN("alice@mail.example", smtpwire.RetFull, "env+1", rcpts, notify, orcpt, strings.NewReader(message)))
	q.RunOnce(context.Background())
	q.RunOnce(context.Background())
	relay.mu.Lock()
	args := strings.Join(relay.args, "\n")
	relay.mu.Unlock()
	assert.Contains(t, args, "FROM:<alice@mail.example> SIZE=113 RET=FULL ENVID=env+2B1")
	assert.Contains(t, args, "TO:<bad1@remote.example> NOTIFY=NEVER")
	assert.Contains(t, args, "TO:<bad2@remote.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Bad2@Remote.Example")
	assert.Contains(t, args, "TO:<ok@remote.example> NOTIFY=SUCCESS")
	dsn := local.get("alice")
	require.Len(t, dsn, 1, "bad1 asked for no DSN")
	assert.NotContains(t, dsn[0], "bad1@")
	assert.Contains(t, dsn[0], "Original-Envelope-Id: env+1\r\n")
	assert.Contains(t, dsn[0], "Original-Recipient: rfc822; Bad2@Remote.Example\r\nFinal-Recipient: rfc822; bad2@remote.example\r\n")
	assert.Contains(t, dsn[0], "Content-Type: message/rfc822\r\n\r\n"+message, "RET=FULL returns the whole message")
}

func TestRefusedGreetingDefers(t *testing.T) {
	relay := newRelay(t, false, false)
	relay.mu.Lock()
	relay.greeting = "554 5.3.2 not now"
	relay.mu.Unlock()
	dir := t.TempDir()
	local, log := &fakeLocal{}, &logBuf{}
	q := open(t, dir, relay.addr, tlspolicy.LevelNone, local, log, nil)
	require.NoError(t, q.Enqueue("alice@mail.example", []string{"x@remote.example"}, strings.NewReader(message)))
	q.RunOnce(context.Background())
	assert.Len(t, files(t, dir, "env"), 1, "deferred, not bounced")
	assert.Empty(t, local.get("alice"))
	assert.Contains(t, log.String(), "relay greeting refused: 554 5.3.2 not now")
}

// BenchmarkEnqueue: one durable enqueue (two files, each written, fsynced
// and renamed, and their directories fsynced).
func BenchmarkEnqueue(b *testing.B) {
	dir := b.TempDir()
	q, err := Open(dir, Config{Hostname: host, Local: &fakeLocal{}, Users: fakeUsers{}})
	if err != nil {
		b.Fatal(err)
	}
	body := message + strings.Repeat("a line of the body, long enough to be typical of mail text\r\n", 160)
	r := strings.NewReader(body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		r.Reset(body)
		if err := q.Enqueue("alice@mail.example", []string{"x@remote.example"}, r); err != nil {
			b.Fatal(err)
		}
	}
}
