// Package mtasts finds a recipient domain's MTA-STS policy (RFC 8461) for
// the outbound queue: the _mta-sts TXT record through the service's own
// resolver, the policy file over HTTPS from mta-sts.DOMAIN (no redirects,
// PKIX-verified, at most tlspolicy.DefaultMTASTSMaxSize octets), parsed by
// tlspolicy.ReadMTASTS and cached in memory for its max_age.
//
// Following RFC 8461 §5.1, a cached policy that has not expired is used
// when the TXT record is missing or cannot be looked up, and when a fetch
// fails; the policy is fetched again when the record's id differs from the
// cached one. With Fetcher.Dir set the cache is also kept on disk, one
// file per domain, so that a restart does not forget an enforced policy
// (a downgrade an attacker who blocks the fetch could otherwise force).
package mtasts

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
	"github.com/mailwire/mailwire/tlspolicy"
)

// Resolver is the DNS the fetcher uses (internal/dns.Resolver).
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([][]byte, bool, error)
	LookupAddrs(ctx context.Context, host string) ([]netip.Addr, bool, error)
}

// Fetcher fetches and caches policies. Set DNS; the rest has defaults. It
// is safe for concurrent use.
type Fetcher struct {
	DNS Resolver
	// Port is the HTTPS port of mta-sts.DOMAIN; 0: 443. Another value is a
	// test hook (-mtasts-port).
	Port int
	// RootCAs verify the policy host; nil: the system roots. A private
	// pool is a test hook (-mtasts-ca).
	RootCAs *x509.CertPool
	// Timeout bounds one fetch; 0: 30 s.
	Timeout time.Duration
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Dir, when set, keeps the cache on disk (DIR/mtasts/DOMAIN.json).
	Dir string

	mu    sync.Mutex
	cache map[string]*entry
}

type entry struct {
	id      string
	policy  tlspolicy.MTASTSPolicy
	lines   []string
	expires time.Time
}

// Result is the policy to apply to one delivery attempt.
type Result struct {
	// Policy is nil when the domain has no policy (or none could be had).
	Policy *tlspolicy.MTASTSPolicy
	// Lines is the policy file, one string a line (TLSRPT policy-string).
	Lines []string
	// Cached: Policy came from the cache.
	Cached bool
	// Failure is the TLSRPT result of a failed fetch or parse, and Err its
	// cause; a cached policy may still be in Policy.
	Failure tlspolicy.ResultType
	Err     error
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Get returns domain's policy.
func (f *Fetcher) Get(ctx context.Context, domain string) Result {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	now := f.now()
	f.mu.Lock()
	cached := f.cache[domain]
	if cached == nil {
		if cached = f.load(domain); cached != nil {
			if f.cache == nil {
				f.cache = map[string]*entry{}
			}
			f.cache[domain] = cached
		}
	}
	if cached != nil && !now.Before(cached.expires) {
		delete(f.cache, domain)
		cached = nil
	}
	f.mu.Unlock()
	fromCache := func(r Result) Result {
		if cached != nil {
			p := cached.policy
			r.Policy, r.Lines, r.Cached = &p, cached.lines, true
		}
		return r
	}
	txts, _, err := f.DNS.LookupTXT(ctx, "_mta-sts."+domain)
	if err != nil {
		return fromCache(Result{})
	}
	rec, err := tlspolicy.SelectMTASTSRecord(txts)
	if err != nil {
		return fromCache(Result{})
	}
	id := string(rec.ID)
	if cached != nil && cached.id == id {
		return fromCache(Result{})
	}
	p, lines, ft, err := f.fetch(ctx, domain)
	if err != nil {
		return fromCache(Result{Failure: ft, Err: err})
	}
	e := &entry{id: id, policy: p, lines: lines, expires: now.Add(p.MaxAge)}
	f.mu.Lock()
	if f.cache == nil {
		f.cache = map[string]*entry{}
	}
	f.cache[domain] = e
	f.save(domain, e)
	f.mu.Unlock()
	return Result{Policy: &p, Lines: lines}
}

// fetch gets https://mta-sts.DOMAIN/.well-known/mta-sts.txt.
func (f *Fetcher) fetch(ctx context.Context, domain string) (tlspolicy.MTASTSPolicy, []string, tlspolicy.ResultType, error) {
	host := "mta-sts." + domain
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	port := f.Port
	if port == 0 {
		port = 443
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tr := &http.Transport{
		// The name is resolved by the service's resolver, not the system's.
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			addrs, _, err := f.DNS.LookupAddrs(ctx, host)
			if err != nil {
				return nil, err
			}
			var d net.Dialer
			var last error = errors.New("no address")
			for _, a := range addrs {
				c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(a.String(), strconv.Itoa(port)))
				if err == nil {
					return c, nil
				}
				last = err
			}
			return nil, fmt.Errorf("mtasts: %s: %w", host, last)
		},
		TLSClientConfig:   &tls.Config{RootCAs: f.RootCAs, ServerName: host, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
		ForceAttemptHTTP2: false,
	}
	defer tr.CloseIdleConnections()
	cl := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, // RFC 8461 §3.3
	}
	url := "https://" + host
	if port != 443 {
		url += ":" + strconv.Itoa(port)
	}
	url += "/.well-known/mta-sts.txt"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return tlspolicy.MTASTSPolicy{}, nil, tlspolicy.ResultSTSPolicyFetchError, err
	}
	resp, err := cl.Do(req)
	if err != nil {
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) {
			return tlspolicy.MTASTSPolicy{}, nil, tlspolicy.ResultSTSWebPKIInvalid, err
		}
		return tlspolicy.MTASTSPolicy{}, nil, tlspolicy.ResultSTSPolicyFetchError, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return tlspolicy.MTASTSPolicy{}, nil, tlspolicy.ResultSTSPolicyFetchError, fmt.Errorf("mtasts: %s: HTTP %d", url, resp.StatusCode)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "text/plain" {
		return tlspolicy.MTASTSPolicy{}, nil, tlspolicy.ResultSTSPolicyInvalid, fmt.Errorf("mtasts: %s: Content-Type %q, want text/plain", url, resp.Header.Get("Content-Type"))
	}
	var body bytes.Buffer
	p, err := tlspolicy.ReadMTASTS(io.TeeReader(resp.Body, &body), tlspolicy.MTASTSOptions{})
	if err != nil {
		return tlspolicy.MTASTSPolicy{}, nil, tlspolicy.ResultTypeOf(err), err
	}
	return p, policyLines(body.Bytes()), "", nil
}

// policyLines splits the policy file into its lines, without line ends.
func policyLines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\r\n"), "\n") {
		out = append(out, strings.TrimSuffix(l, "\r"))
	}
	return out
}

// stored is a cache file.
type stored struct {
	ID      string    `json:"id"`
	Expires time.Time `json:"expires"`
	Lines   []string  `json:"policy"`
}

func (f *Fetcher) path(domain string) string {
	if f.Dir == "" || domain == "" || strings.ContainsAny(domain, "/\\\x00") || domain[0] == '.' {
		return ""
	}
	return filepath.Join(f.Dir, domain+".json")
}

// load reads domain's cache file (under f.mu); the policy is parsed again
// by tlspolicy.ParseMTASTS, so a damaged file is no policy.
func (f *Fetcher) load(domain string) *entry {
	p := f.path(domain)
	if p == "" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil || len(b) > 4*tlspolicy.DefaultMTASTSMaxSize {
		return nil
	}
	var st stored
	if json.Unmarshal(b, &st) != nil {
		return nil
	}
	pol, err := tlspolicy.ParseMTASTS([]byte(strings.Join(st.Lines, "\n")), tlspolicy.MTASTSOptions{})
	if err != nil {
		return nil
	}
	return &entry{id: st.ID, policy: pol, lines: st.Lines, expires: st.Expires}
}

// save writes domain's cache file (under f.mu), best effort.
func (f *Fetcher) save(domain string, e *entry) {
	p := f.path(domain)
	if p == "" {
		return
	}
	b, err := json.Marshal(stored{ID: e.id, Expires: e.expires, Lines: e.lines})
	if err != nil || os.MkdirAll(f.Dir, 0o700) != nil {
		return
	}
	_ = durable.WriteFile(p, 0o600, durable.Bytes(b))
}
