package queue

// MX delivery against real loopback peers: the DNS server of dnstest
// (MX, A, TLSA with and without AD, the _mta-sts TXT record), an HTTPS
// server with the MTA-STS policy, and Postfix as the receiving MX with
// STARTTLS, without TLS, and with a certificate for another name
// (PEERS.md §10). Every MX host resolves to 127.0.0.1; the MX port is the
// Postfix service under test (MXConfig.Port, the -mx-port hook).

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailserver/internal/dns"
	"github.com/mailwire/mailwire/examples/mailserver/internal/dns/dnstest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/mtasts"
	"github.com/mailwire/mailwire/examples/mailserver/internal/mxtest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/submission"
	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsrpt"
	"github.com/mailwire/mailwire/tlspolicy"
)

var _ submission.RequireTLSQueue = (*Queue)(nil)

// mxWorld is the DNS, MTA-STS and TLSRPT side shared by the subtests.
type mxWorld struct {
	dns     *dnstest.Server
	ca      *mxtest.CA
	sts     *mxtest.MTASTS
	reports *tlsrpt.Reporter
	rptDir  string
}

const (
	stsEnforce = "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n"
	stsTesting = "version: STSv1\r\nmode: testing\r\nmx: mx.ststesting.test\r\nmax_age: 86400\r\n"
)

func newWorld(t *testing.T) *mxWorld {
	w := &mxWorld{dns: dnstest.Start(t), ca: mxtest.NewCA(t), rptDir: filepath.Join(t.TempDir(), "tlsrpt")}
	w.reports = &tlsrpt.Reporter{Dir: w.rptDir, Org: host, Contact: "postmaster@" + host}
	w.sts = mxtest.StartMTASTS(t, w.ca, map[string]string{"sts.test": stsEnforce, "ststesting.test": stsTesting})
	d := w.dns
	for _, dom := range []string{"plain.test", "sts.test", "ststesting.test", "dane.test", "insecure.test", "rt.test"} {
		d.MX(dom, 10, "mx."+dom)
		d.A("mx."+dom, "127.0.0.1")
	}
	d.MX("backup.test", 10, "gone.backup.test") // no address: the next MX is tried
	d.MX("backup.test", 20, "mx.backup.test")
	d.A("mx.backup.test", "127.0.0.1")
	d.MX("null.test", 0, ".")
	d.A("implicit.test", "127.0.0.1") // no MX: the domain is its own MX
	for _, dom := range []string{"sts.test", "ststesting.test"} {
		d.TXT("_mta-sts."+dom, "v=STSv1; id=1;")
		d.A("mta-sts."+dom, "127.0.0.1")
	}
	for _, n := range []string{"dane.test", "mx.dane.test", "rt.test", "mx.rt.test"} {
		d.Secure(n, true)
	}
	return w
}

// tlsa publishes a DANE-EE SPKI SHA-256 record for leaf's key at
// _PORT._tcp.mx.DOMAIN, secure or not.
func (w *mxWorld) tlsa(domain string, port int, spki []byte, secure bool) {
	sum := sha256.Sum256(spki)
	name := fmt.Sprintf("_%d._tcp.mx.%s", port, domain)
	w.dns.TLSA(name, tlspolicy.UsageDANEEE, tlspolicy.SelectorSPKI, tlspolicy.MatchSHA256, sum[:])
	w.dns.Secure(name, secure)
}

type mxQueue struct {
	*Queue
	dir   string
	log   *logBuf
	local *fakeLocal
}

func (w *mxWorld) queue(t *testing.T, port int, level tlspolicy.Level, mod func(*Config)) *mxQueue {
	t.Helper()
	mq := &mxQueue{dir: t.TempDir(), log: &logBuf{}, local: &fakeLocal{}}
	cfg := Config{Level: level, Hostname: host, Local: mq.local, Users: fakeUsers{}, RootCAs: w.ca.Pool,
		Log: slog.New(slog.NewTextHandler(mq.log, nil)), Retry: []time.Duration{time.Millisecond}, Timeout: 20 * time.Second,
		MX: &MXConfig{DNS: &dns.Resolver{Server: w.dns.Addr, Timeout: 2 * time.Second, Attempts: 1}, Port: port,
			MTASTS: &mtasts.Fetcher{DNS: &dns.Resolver{Server: w.dns.Addr}, Port: w.sts.Port, RootCAs: w.ca.Pool}, Reports: w.reports}}
	if mod != nil {
		mod(&cfg)
	}
	q, err := Open(mq.dir, cfg)
	require.NoError(t, err)
	mq.Queue = q
	return mq
}

func mxMessage(tag string, extra ...string) string {
	h := "From: alice@mail.example\r\nTo: someone@example\r\nSubject: mx " + tag + "\r\nMessage-ID: <" + tag + "@mail.example>\r\n"
	for _, e := range extra {
		h += e + "\r\n"
	}
	return h + "\r\nbody " + tag + "\r\n"
}

// envelope returns the queued envelope of the test's message, not a DSN
// (nil: none left).
func (mq *mxQueue) envelope(t *testing.T) *Envelope {
	t.Helper()
	for _, id := range files(t, mq.dir, "env") {
		env, err := readEnvelope(filepath.Join(mq.dir, "env", id))
		require.NoError(t, err)
		if env.From != "" {
			return env
		}
	}
	return nil
}

// expire runs the queue past MaxAge and returns the DSN alice got.
func (mq *mxQueue) expire(t *testing.T) string {
	t.Helper()
	mq.now = func() time.Time { return time.Now().Add(6 * 24 * time.Hour) }
	for i := 0; i < 3; i++ {
		for _, id := range files(t, mq.dir, "env") {
			env, err := readEnvelope(filepath.Join(mq.dir, "env", id))
			require.NoError(t, err)
			env.Next = time.Time{}
			require.NoError(t, mq.writeEnvelope("env", env))
		}
		mq.RunOnce(context.Background())
	}
	dsns := mq.local.get("alice")
	require.Len(t, dsns, 1, mq.log.String())
	return dsns[0]
}

func TestMXPostfix(t *testing.T) {
	w := newWorld(t)
	pf := mxtest.StartPostfix(t, w.ca, "mx.plain.test", "mx.sts.test", "mx.dane.test", "mx.insecure.test", "mx.rt.test", "mx.backup.test", "implicit.test")
	tlsPort, plainPort, wrongPort := mxtest.Port(pf.TLS), mxtest.Port(pf.Plain), mxtest.Port(pf.Wrong)
	w.tlsa("dane.test", tlsPort, pf.Leaf.RawSubjectPublicKeyInfo, true)
	w.tlsa("dane.test", plainPort, pf.Leaf.RawSubjectPublicKeyInfo, true)
	w.tlsa("dane.test", wrongPort, pf.Leaf.RawSubjectPublicKeyInfo, true) // Wrong has another key
	w.tlsa("insecure.test", plainPort, pf.Leaf.RawSubjectPublicKeyInfo, false)
	ctx := context.Background()
	const from = "alice@mail.example"

	t.Run("may delivers to a plaintext-only MX and says so", func(t *testing.T) {
		mq := w.queue(t, plainPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u1@plain.test", "u2@plain.test"}, strings.NewReader(mxMessage("may-plain"))))
		mq.RunOnce(ctx)
		got := pf.WaitReceivedN("Subject: mx may-plain", 2, 10*time.Second)
		require.Len(t, got, 2, "one message per recipient in the sink\n%s\n%s", mq.log.String(), pf.Log())
		assert.Nil(t, mq.envelope(t), "done")
		assert.Contains(t, mq.log.String(), `msg="mx tls"`)
		assert.Contains(t, mq.log.String(), "tls=plaintext")
		assert.Contains(t, mq.log.String(), "policy=no-policy-found")
		assert.Equal(t, 1, strings.Count(mq.log.String(), `msg="mx tls"`), "one connection for both recipients")
	})

	t.Run("may uses STARTTLS when offered", func(t *testing.T) {
		mq := w.queue(t, tlsPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@plain.test"}, strings.NewReader(mxMessage("may-tls"))))
		mq.RunOnce(ctx)
		require.Len(t, pf.WaitReceived("Subject: mx may-tls", 10*time.Second), 1, mq.log.String())
		assert.Contains(t, mq.log.String(), `tls=secure version="TLS 1.3" verified=false policy=no-policy-found`)
	})

	// Under encrypt, MTA-STS enforce and DANE the plaintext MX never gets
	// the message: deferred 4.7.4 at each attempt, bounced at expiry.
	for _, tc := range []struct {
		name, domain string
		level        tlspolicy.Level
		policy       string
	}{
		{"encrypt", "plain.test", tlspolicy.LevelEncrypt, "no-policy-found"},
		{"MTA-STS enforce", "sts.test", tlspolicy.LevelMay, "sts"},
		{"DANE", "dane.test", tlspolicy.LevelDANE, "tlsa"},
	} {
		t.Run(tc.name+" never sends in plaintext", func(t *testing.T) {
			mq := w.queue(t, plainPort, tc.level, nil)
			tag := "never-" + strings.ReplaceAll(tc.name, " ", "-")
			require.NoError(t, mq.Enqueue(from, []string{"u@" + tc.domain}, strings.NewReader(mxMessage(tag))))
			mq.RunOnce(ctx)
			time.Sleep(5 * time.Millisecond) // the retry is due
			mq.RunOnce(ctx)
			env := mq.envelope(t)
			require.NotNil(t, env, "deferred")
			assert.Equal(t, 2, env.Attempts)
			assert.Equal(t, Pending, env.Rcpts[0].Status)
			assert.Equal(t, "4.7.4", env.Rcpts[0].Enhanced, env.Rcpts[0].Text)
			assert.Contains(t, mq.log.String(), "policy="+tc.policy)
			assert.Contains(t, mq.log.String(), "tls=failed")
			dsn := mq.expire(t)
			assert.Contains(t, dsn, "Final-Recipient: rfc822; u@"+tc.domain+"\r\nAction: failed\r\nStatus: 4.7.4\r\n")
			assert.Contains(t, dsn, "STARTTLS not advertised")
			assert.Empty(t, pf.Received("Subject: mx "+tag), "never sent")
		})
	}

	t.Run("MTA-STS enforce refuses a certificate for another name", func(t *testing.T) {
		mq := w.queue(t, wrongPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@sts.test"}, strings.NewReader(mxMessage("sts-wrong"))))
		mq.RunOnce(ctx)
		env := mq.envelope(t)
		require.NotNil(t, env)
		assert.Equal(t, "4.7.5", env.Rcpts[0].Enhanced, env.Rcpts[0].Text)
		assert.Empty(t, pf.Received("Subject: mx sts-wrong"))
	})

	t.Run("MTA-STS enforce delivers over verified TLS", func(t *testing.T) {
		mq := w.queue(t, tlsPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@sts.test"}, strings.NewReader(mxMessage("sts-ok"))))
		mq.RunOnce(ctx)
		require.Len(t, pf.WaitReceived("Subject: mx sts-ok", 10*time.Second), 1, mq.log.String())
		assert.Contains(t, mq.log.String(), `verified=true policy=sts sts_mode=enforce level=verify`)
	})

	t.Run("MTA-STS testing delivers to a wrong-name certificate and reports it", func(t *testing.T) {
		mq := w.queue(t, wrongPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@ststesting.test"}, strings.NewReader(mxMessage("sts-testing"))))
		mq.RunOnce(ctx)
		require.Len(t, pf.WaitReceived("Subject: mx sts-testing", 10*time.Second), 1, mq.log.String())
		assert.Contains(t, mq.log.String(), `verified=false policy=sts sts_mode=testing level=may`)
		assert.Contains(t, mq.log.String(), "certificate is valid for wrong.invalid")
	})

	t.Run("TLS-Required: No lets an enforce domain get plaintext", func(t *testing.T) {
		mq := w.queue(t, plainPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@sts.test"}, strings.NewReader(mxMessage("tls-required-no", "TLS-Required: No"))))
		mq.RunOnce(ctx)
		require.Len(t, pf.WaitReceived("Subject: mx tls-required-no", 10*time.Second), 1, mq.log.String())
		assert.Contains(t, mq.log.String(), "tls=plaintext")
	})

	t.Run("DANE-EE matching Postfix's key delivers with dane", func(t *testing.T) {
		mq := w.queue(t, tlsPort, tlspolicy.LevelDANE, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@dane.test"}, strings.NewReader(mxMessage("dane-ok"))))
		mq.RunOnce(ctx)
		require.Len(t, pf.WaitReceived("Subject: mx dane-ok", 10*time.Second), 1, mq.log.String())
		assert.Contains(t, mq.log.String(), `verified=true policy=tlsa sts_mode="" level=dane`)
	})

	t.Run("DANE-EE not matching defers 4.7.5", func(t *testing.T) {
		mq := w.queue(t, wrongPort, tlspolicy.LevelDANE, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@dane.test"}, strings.NewReader(mxMessage("dane-wrong"))))
		mq.RunOnce(ctx)
		env := mq.envelope(t)
		require.NotNil(t, env)
		assert.Equal(t, "4.7.5", env.Rcpts[0].Enhanced, env.Rcpts[0].Text)
		assert.Empty(t, pf.Received("Subject: mx dane-wrong"))
	})

	t.Run("TLSA without AD is not trusted", func(t *testing.T) {
		mq := w.queue(t, plainPort, tlspolicy.LevelDANE, nil)
		require.NoError(t, mq.Enqueue(from, []string{"u@insecure.test"}, strings.NewReader(mxMessage("dane-insecure"))))
		mq.RunOnce(ctx)
		require.Len(t, pf.WaitReceived("Subject: mx dane-insecure", 10*time.Second), 1, mq.log.String())
		assert.Contains(t, mq.log.String(), "tls=plaintext")
		assert.Contains(t, mq.log.String(), "policy=no-policy-found")
	})

	t.Run("REQUIRETLS is never sent without verified TLS", func(t *testing.T) {
		for _, port := range []int{plainPort, tlsPort} {
			mq := w.queue(t, port, tlspolicy.LevelMay, nil)
			tag := fmt.Sprintf("requiretls-%d", port)
			require.NoError(t, mq.EnqueueRequireTLS(from, 0, "", []string{"u@plain.test"}, nil, nil, strings.NewReader(mxMessage(tag))))
			mq.RunOnce(ctx)
			mq.RunOnce(ctx) // the DSN to alice
			assert.Nil(t, mq.envelope(t), "bounced at once")
			dsns := mq.local.get("alice")
			require.Len(t, dsns, 1, mq.log.String())
			assert.Contains(t, dsns[0], "Status: 5.7.30\r\n")
			assert.Empty(t, pf.Received("Subject: mx "+tag))
		}
		// Verified by DANE, but Postfix does not offer REQUIRETLS: 5.7.30
		// before MAIL.
		mq := w.queue(t, tlsPort, tlspolicy.LevelMay, nil)
		w.tlsa("rt.test", tlsPort, pf.Leaf.RawSubjectPublicKeyInfo, true)
		require.NoError(t, mq.EnqueueRequireTLS(from, 0, "", []string{"u@rt.test"}, nil, nil, strings.NewReader(mxMessage("requiretls-dane"))))
		mq.RunOnce(ctx)
		mq.RunOnce(ctx)
		dsns := mq.local.get("alice")
		require.Len(t, dsns, 1, mq.log.String())
		assert.Contains(t, dsns[0], "Status: 5.7.30\r\n")
		assert.Contains(t, dsns[0], "does not offer REQUIRETLS")
		assert.Contains(t, mq.log.String(), "verified=true policy=tlsa")
		assert.Empty(t, pf.Received("Subject: mx requiretls-dane"))
	})

	t.Run("null MX, NXDOMAIN, implicit MX, next MX", func(t *testing.T) {
		mq := w.queue(t, plainPort, tlspolicy.LevelMay, nil)
		require.NoError(t, mq.Enqueue(from, []string{"a@null.test", "b@nx.test", "c@implicit.test", "d@backup.test"}, strings.NewReader(mxMessage("routing"))))
		mq.RunOnce(ctx)
		mq.RunOnce(ctx)
		assert.Nil(t, mq.envelope(t), mq.log.String())
		dsns := mq.local.get("alice")
		require.Len(t, dsns, 1, mq.log.String())
		assert.Contains(t, dsns[0], "Final-Recipient: rfc822; a@null.test\r\nAction: failed\r\nStatus: 5.1.10\r\n")
		assert.Contains(t, dsns[0], "Final-Recipient: rfc822; b@nx.test\r\nAction: failed\r\nStatus: 5.1.2\r\n")
		assert.NotContains(t, dsns[0], "c@implicit.test")
		assert.Len(t, pf.WaitReceivedN("Subject: mx routing", 2, 10*time.Second), 2, "implicit.test and backup.test")
	})

	t.Run("the TLSRPT report lists each outcome", func(t *testing.T) {
		reps, err := tlsrpt.ReadDir(w.rptDir)
		require.NoError(t, err)
		type key struct{ domain, typ, result string }
		seen := map[key]int{}
		for _, rep := range reps {
			assert.Equal(t, host, rep.OrganizationName)
			for _, p := range rep.Policies {
				if p.Summary.Successful > 0 {
					seen[key{p.Policy.Domain, string(p.Policy.Type), "success"}] += p.Summary.Successful
				}
				for _, fd := range p.FailureDetails {
					seen[key{p.Policy.Domain, string(p.Policy.Type), string(fd.ResultType)}] += fd.FailedSessionCount
				}
			}
		}
		for _, k := range []key{
			{"plain.test", "no-policy-found", "starttls-not-supported"}, // may, plaintext
			{"plain.test", "no-policy-found", "success"},                // may, STARTTLS
			{"sts.test", "sts", "starttls-not-supported"},               // enforce, plaintext MX
			{"sts.test", "sts", "certificate-host-mismatch"},            // enforce, wrong name
			{"sts.test", "sts", "success"},
			{"ststesting.test", "sts", "certificate-host-mismatch"}, // testing: delivered, reported
			{"dane.test", "tlsa", "starttls-not-supported"},
			{"dane.test", "tlsa", "validation-failure"},
			{"dane.test", "tlsa", "success"},
		} {
			assert.Positive(t, seen[k], "%v missing from %v", k, seen)
		}
	})
}

// TestMXPerDomainLimit: six messages at once, two connections to the
// domain at a time.
func TestMXPerDomainLimit(t *testing.T) {
	w := newWorld(t)
	relay := newRelay(t, false, true)
	var cur, peak atomic.Int32
	relay.mu.Lock()
	relay.onConnect = func() func() {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(150 * time.Millisecond)
		return func() { cur.Add(-1) }
	}
	relay.mu.Unlock()
	mq := w.queue(t, mxtest.Port(relay.addr), tlspolicy.LevelMay, func(c *Config) { c.Concurrency = 6; c.MX.PerDomain = 2 })
	for i := 0; i < 6; i++ {
		require.NoError(t, mq.Enqueue("alice@mail.example", []string{"u@plain.test"}, strings.NewReader(mxMessage(fmt.Sprint("limit", i)))))
	}
	mq.RunOnce(context.Background())
	assert.Len(t, relay.relayed(), 6)
	assert.Equal(t, int32(2), peak.Load())
}

// TestMXRequireTLSDelivered: a server that offers REQUIRETLS after
// STARTTLS, authenticated by DANE, gets MAIL ... REQUIRETLS.
func TestMXRequireTLSDelivered(t *testing.T) {
	w := newWorld(t)
	relay := newRelay(t, true, true)
	relay.mu.Lock()
	relay.requireTLS = true
	relay.mu.Unlock()
	cert, _ := parseLeaf(t, relay.tls)
	w.tlsa("rt.test", mxtest.Port(relay.addr), cert.RawSubjectPublicKeyInfo, true)
	mq := w.queue(t, mxtest.Port(relay.addr), tlspolicy.LevelMay, nil)
	require.NoError(t, mq.EnqueueRequireTLS("alice@mail.example", 0, "", []string{"u@rt.test"}, nil, nil, strings.NewReader(mxMessage("rt"))))
	mq.RunOnce(context.Background())
	got := relay.relayed()
	require.Len(t, got, 1, mq.log.String())
	assert.True(t, got[0].tls)
	relay.mu.Lock()
	defer relay.mu.Unlock()
	assert.Contains(t, relay.args[0], "REQUIRETLS")
}

// TestMXRepliesAndDNSFailures: 5xx for a recipient bounces it, 4xx defers
// it, the others are delivered on the same connection; a failing DNS
// server defers (4.4.3) and never bounces.
func TestMXRepliesAndDNSFailures(t *testing.T) {
	w := newWorld(t)
	w.dns.Fail("servfail.test", 15, 2) // MX → SERVFAIL
	relay := newRelay(t, false, false)
	mq := w.queue(t, mxtest.Port(relay.addr), tlspolicy.LevelMay, nil)
	require.NoError(t, mq.Enqueue("alice@mail.example", []string{"ok@plain.test", "bad@plain.test", "later@plain.test", "x@servfail.test"},
		strings.NewReader(mxMessage("replies"))))
	mq.RunOnce(context.Background())
	got := relay.relayed()
	require.Len(t, got, 1)
	assert.Equal(t, []string{"ok@plain.test"}, got[0].rcpts)
	env := mq.envelope(t)
	require.NotNil(t, env)
	byAddr := map[string]Recipient{}
	for _, r := range env.Rcpts {
		byAddr[r.Addr] = r
	}
	assert.Equal(t, Sent, byAddr["ok@plain.test"].Status)
	assert.Equal(t, Failed, byAddr["bad@plain.test"].Status)
	assert.Equal(t, "5.1.1", byAddr["bad@plain.test"].Enhanced)
	assert.Equal(t, Pending, byAddr["later@plain.test"].Status)
	assert.Equal(t, Pending, byAddr["x@servfail.test"].Status)
	assert.Equal(t, "4.4.3", byAddr["x@servfail.test"].Enhanced, mq.log.String())
	mq.RunOnce(context.Background()) // the DSN for bad@ goes to alice
	dsns := mq.local.get("alice")
	require.Len(t, dsns, 1)
	assert.Contains(t, dsns[0], "Final-Recipient: rfc822; bad@plain.test\r\nAction: failed\r\nStatus: 5.1.1\r\n")
	assert.NotContains(t, dsns[0], "servfail.test")
}
