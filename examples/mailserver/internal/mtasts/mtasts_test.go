package mtasts

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailserver/internal/dns"
	"github.com/mailwire/mailwire/examples/mailserver/internal/dns/dnstest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/mxtest"
	"github.com/mailwire/mailwire/tlspolicy"
)

const enforce = "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 3600\r\n"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T, policy string) (*dnstest.Server, *mxtest.MTASTS, *Fetcher, *clock) {
	ca := mxtest.NewCA(t)
	d := dnstest.Start(t)
	srv := mxtest.StartMTASTS(t, ca, map[string]string{"sts.test": policy})
	d.TXT("_mta-sts.sts.test", "v=STSv1; id=1;")
	d.A("mta-sts.sts.test", "127.0.0.1")
	c := &clock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	f := &Fetcher{DNS: &dns.Resolver{Server: d.Addr, Timeout: time.Second, Attempts: 1}, Port: srv.Port, RootCAs: ca.Pool, Now: c.now, Timeout: 5 * time.Second}
	return d, srv, f, c
}

func TestFetchAndCache(t *testing.T) {
	d, srv, f, c := setup(t, enforce)
	ctx := context.Background()
	r := f.Get(ctx, "STS.test.")
	require.NoError(t, r.Err)
	require.NotNil(t, r.Policy)
	assert.Equal(t, tlspolicy.MTASTSEnforce, r.Policy.Mode)
	assert.Equal(t, []string{"mx.sts.test"}, r.Policy.MX)
	assert.Equal(t, time.Hour, r.Policy.MaxAge)
	assert.Equal(t, []string{"version: STSv1", "mode: enforce", "mx: mx.sts.test", "max_age: 3600"}, r.Lines)
	assert.False(t, r.Cached)
	assert.Equal(t, 1, srv.Fetches())

	// Same id: from the cache, no fetch.
	r = f.Get(ctx, "sts.test")
	assert.True(t, r.Cached)
	assert.Equal(t, 1, srv.Fetches())

	// The policy host goes away: the cached policy still applies until
	// max_age, whatever DNS says (RFC 8461 §5.1)...
	srv.Set("sts.test", "garbage")
	d.TXT("_mta-sts.sts.test", "v=STSv1; id=2;") // now two records: none valid
	r = f.Get(ctx, "sts.test")
	require.NotNil(t, r.Policy)
	assert.True(t, r.Cached)
	// ...and not after.
	c.add(time.Hour)
	r = f.Get(ctx, "sts.test")
	assert.Nil(t, r.Policy)
}

func TestNewIDRefetches(t *testing.T) {
	_, srv, f, _ := setup(t, enforce)
	ctx := context.Background()
	require.NotNil(t, f.Get(ctx, "sts.test").Policy)
	f.mu.Lock()
	f.cache["sts.test"].id = "0" // as if the record had changed
	f.mu.Unlock()
	srv.Set("sts.test", "version: STSv1\nmode: testing\nmx: *.sts.test\nmax_age: 60\n")
	r := f.Get(ctx, "sts.test")
	require.NotNil(t, r.Policy)
	assert.Equal(t, tlspolicy.MTASTSTesting, r.Policy.Mode)
	assert.Equal(t, 2, srv.Fetches())
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name    string
		policy  string
		mutate  func(*Fetcher, *dnstest.Server)
		failure tlspolicy.ResultType
	}{
		{"invalid policy", "version: STSv2\nmode: enforce\n", nil, tlspolicy.ResultSTSPolicyInvalid},
		{"untrusted certificate", enforce, func(f *Fetcher, _ *dnstest.Server) { f.RootCAs = mxtest.NewCA(t).Pool }, tlspolicy.ResultSTSWebPKIInvalid},
		{"no policy host", enforce, func(f *Fetcher, _ *dnstest.Server) { f.Port = 1 }, tlspolicy.ResultSTSPolicyFetchError},
		{"no address", enforce, func(f *Fetcher, d *dnstest.Server) {
			f.DNS = &dns.Resolver{Server: d.Addr}
			d.Fail("mta-sts.sts.test", 1, 2)
		}, tlspolicy.ResultSTSPolicyFetchError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _, f, _ := setup(t, tc.policy)
			if tc.mutate != nil {
				tc.mutate(f, d)
			}
			r := f.Get(context.Background(), "sts.test")
			assert.Nil(t, r.Policy)
			assert.Equal(t, tc.failure, r.Failure, "%v", r.Err)
			assert.Error(t, r.Err)
		})
	}
}

func TestNoRecordNoPolicy(t *testing.T) {
	_, srv, f, _ := setup(t, enforce)
	r := f.Get(context.Background(), "other.test")
	assert.Nil(t, r.Policy)
	assert.Empty(t, r.Failure)
	assert.Equal(t, 0, srv.Fetches())
}

func TestDiskCacheSurvivesRestart(t *testing.T) {
	_, srv, f, c := setup(t, enforce)
	f.Dir = t.TempDir()
	ctx := context.Background()
	require.NotNil(t, f.Get(ctx, "sts.test").Policy)
	// A new process; the policy host now serves garbage (or an attacker
	// blocks it): the policy on disk still applies.
	srv.Set("sts.test", "garbage")
	f2 := &Fetcher{DNS: f.DNS, Port: f.Port, RootCAs: f.RootCAs, Now: c.now, Dir: f.Dir}
	r := f2.Get(ctx, "sts.test")
	require.NotNil(t, r.Policy)
	assert.True(t, r.Cached)
	assert.Equal(t, tlspolicy.MTASTSEnforce, r.Policy.Mode)
	assert.Equal(t, 1, srv.Fetches(), "same id: not fetched again")
	// Expired on disk: gone.
	c.add(2 * time.Hour)
	f3 := &Fetcher{DNS: f.DNS, Port: f.Port, RootCAs: f.RootCAs, Now: c.now, Dir: f.Dir}
	assert.Nil(t, f3.Get(ctx, "sts.test").Policy)
}
