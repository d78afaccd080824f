package main

// -relay mx end to end: the binary delivers to the recipient domain's MX
// host, found through a loopback DNS server (-dns), on a real Postfix
// (-mx-port picks its service: the MX port is a test hook, as 25 cannot
// be used here). All names resolve to 127.0.0.1.

import (
	"crypto/sha256"
	"net/smtp"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailserver/internal/dns/dnstest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/mxtest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsrpt"
)

func TestE2EMXPostfix(t *testing.T) {
	ca := mxtest.NewCA(t)
	pf := mxtest.StartPostfix(t, ca, "mx.dest.test", "mx.sts.test", "mx.dane.test")
	d := dnstest.Start(t)
	for _, dom := range []string{"dest.test", "sts.test", "dane.test"} {
		d.MX(dom, 10, "mx."+dom)
		d.A("mx."+dom, "127.0.0.1")
	}
	sts := mxtest.StartMTASTS(t, ca, map[string]string{"sts.test": "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 600\n"})
	d.TXT("_mta-sts.sts.test", "v=STSv1; id=e2e1;")
	d.A("mta-sts.sts.test", "127.0.0.1")
	tlsPort := strconv.Itoa(mxtest.Port(pf.TLS))
	sum := sha256.Sum256(pf.Leaf.RawSubjectPublicKeyInfo)
	d.TLSA("_"+tlsPort+"._tcp.mx.dane.test", 3, 1, 1, sum[:])
	for _, n := range []string{"dane.test", "mx.dane.test", "_" + tlsPort + "._tcp.mx.dane.test"} {
		d.Secure(n, true)
	}
	caFile := ca.WriteCA(t, t.TempDir())
	start := func(data, port, level string) *Server {
		return Start(t, Options{Data: data, Args: []string{"-relay", "mx", "-dns", d.Addr, "-mx-port", port, "-relay-tls", level,
			"-relay-ca", caFile, "-mtasts-port", strconv.Itoa(sts.Port), "-mtasts-ca", caFile,
			"-queue-retry", "300ms", "-queue-max-age", "2s"}})
	}
	plainPort := strconv.Itoa(mxtest.Port(pf.Plain))

	t.Run("may: a plaintext-only MX receives it, the log says plaintext", func(t *testing.T) {
		s := start(t.TempDir(), plainPort, "may")
		m := smMessage("mx-may")
		smSubmit(t, s, []string{"carol@dest.test"}, m)
		got := pf.WaitReceived("Subject: e2e mx-may", 20*time.Second)
		require.Len(t, got, 1, "postfix log:\n%s\nour log:\n%s", pf.Log(), s.Stderr())
		// Postfix stores LF; after its own Received comes ours: the
		// client's IP and EHLO name are nowhere in what the MX got.
		stored := strings.ReplaceAll(got[0], "\n", "\r\n")
		smCheckStored(t, smAfterPostfix(t, stored), m)
		assert.NotContains(t, stored, smHello)
		require.Eventually(t, func() bool { return smQueued(t, s.Data) == 0 }, 10*time.Second, 50*time.Millisecond)
		assert.Contains(t, s.Stderr(), `msg="mx tls" part=queue id=`)
		assert.Contains(t, s.Stderr(), "domain=dest.test mx=mx.dest.test addr=127.0.0.1:"+plainPort+" tls=plaintext")
		assert.Contains(t, s.Stderr(), "policy=no-policy-found")
		assert.Contains(t, stored, "Received: from localhost (unknown [127.0.0.1])", "EHLO is the service's name")
	})

	t.Run("encrypt: never sent, deferred, then bounced 4.7.4", func(t *testing.T) {
		s := start(t.TempDir(), plainPort, "encrypt")
		smSubmit(t, s, []string{"carol@dest.test"}, smMessage("mx-encrypt"))
		require.Eventually(t, func() bool { return strings.Contains(s.Stderr(), "msg=deferred") }, 10*time.Second, 50*time.Millisecond, s.Stderr())
		dsn := smStoredMessagesOf(t, s, "alice", 1)[0]
		assert.Contains(t, dsn, "Final-Recipient: rfc822; carol@dest.test\r\nAction: failed\r\nStatus: 4.7.4\r\n")
		assert.Contains(t, dsn, "STARTTLS not advertised")
		assert.Contains(t, s.Stderr(), "tls=failed")
		assert.Contains(t, s.Stderr(), "level=encrypt")
		assert.Empty(t, pf.Received("Subject: e2e mx-encrypt"), "never sent in plaintext")
		// The TLSRPT report of the day names the failure.
		reps, err := tlsrpt.ReadDir(filepath.Join(s.Data, "tlsrpt"))
		require.NoError(t, err)
		require.Len(t, reps, 1)
		require.Len(t, reps[0].Policies, 1)
		p := reps[0].Policies[0]
		assert.Equal(t, "dest.test", p.Policy.Domain)
		assert.Equal(t, "no-policy-found", string(p.Policy.Type))
		require.NotEmpty(t, p.FailureDetails)
		assert.Equal(t, "starttls-not-supported", string(p.FailureDetails[0].ResultType))
		assert.Equal(t, "mx.dest.test", p.FailureDetails[0].ReceivingMXHostname)
	})

	t.Run("MTA-STS enforce (policy over HTTPS): verified TLS delivers, the plaintext MX never gets it", func(t *testing.T) {
		s := start(t.TempDir(), tlsPort, "may")
		smSubmit(t, s, []string{"carol@sts.test"}, smMessage("mx-sts-ok"))
		require.Len(t, pf.WaitReceived("Subject: e2e mx-sts-ok", 20*time.Second), 1, s.Stderr())
		assert.Contains(t, s.Stderr(), "tls=secure version=\"TLS 1.3\" verified=true policy=sts sts_mode=enforce level=verify")
		assert.FileExists(t, filepath.Join(s.Data, "mtasts", "sts.test.json"), "the policy is cached on disk")
		s.Stop()

		s = start(t.TempDir(), plainPort, "may")
		smSubmit(t, s, []string{"carol@sts.test"}, smMessage("mx-sts-plain"))
		dsn := smStoredMessagesOf(t, s, "alice", 1)[0]
		assert.Contains(t, dsn, "Final-Recipient: rfc822; carol@sts.test\r\nAction: failed\r\nStatus: 4.7.4\r\n")
		assert.Empty(t, pf.Received("Subject: e2e mx-sts-plain"))
	})

	t.Run("dane: a DANE-EE record matching Postfix's key delivers at level dane", func(t *testing.T) {
		s := start(t.TempDir(), tlsPort, "dane")
		smSubmit(t, s, []string{"carol@dane.test"}, smMessage("mx-dane"))
		require.Len(t, pf.WaitReceived("Subject: e2e mx-dane", 20*time.Second), 1, s.Stderr())
		assert.Contains(t, s.Stderr(), "verified=true policy=tlsa sts_mode=\"\" level=dane")
	})

	t.Run("REQUIRETLS from the client: offered over TLS, never sent to a host without verified TLS", func(t *testing.T) {
		s := start(t.TempDir(), plainPort, "may")
		c, err := smtp.NewClient(s.Dial("submissions"), "127.0.0.1")
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Hello(smHello))
		ok, _ := c.Extension("REQUIRETLS")
		assert.True(t, ok, "EHLO offers REQUIRETLS with -relay mx over TLS")
		require.NoError(t, c.Auth(smtp.PlainAuth("", "alice", s.Users["alice"], "127.0.0.1")))
		id, err := c.Text.Cmd("MAIL FROM:<alice@localhost> REQUIRETLS")
		require.NoError(t, err)
		c.Text.StartResponse(id)
		_, _, err = c.Text.ReadResponse(250)
		c.Text.EndResponse(id)
		require.NoError(t, err)
		require.NoError(t, c.Rcpt("carol@dest.test"))
		w, err := c.Data()
		require.NoError(t, err)
		_, err = w.Write([]byte(smMessage("mx-requiretls")))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		require.NoError(t, c.Quit())
		dsn := smStoredMessagesOf(t, s, "alice", 1)[0]
		assert.Contains(t, dsn, "Status: 5.7.30\r\n")
		assert.Empty(t, pf.Received("Subject: e2e mx-requiretls"))
	})
}
