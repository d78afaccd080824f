package queue

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/mailwire/mailwire/examples/mailserver/internal/dns"
	"github.com/mailwire/mailwire/examples/mailserver/internal/mtasts"
	"github.com/mailwire/mailwire/examples/mailserver/internal/tlsrpt"
	"github.com/mailwire/mailwire/headers"
	"github.com/mailwire/mailwire/starttls"
	"github.com/mailwire/mailwire/tlspolicy"
)

// MXResolver is the DNS of MX delivery (internal/dns.Resolver).
type MXResolver interface {
	LookupMX(ctx context.Context, domain string) ([]dns.MX, bool, error)
	LookupAddrs(ctx context.Context, host string) ([]netip.Addr, bool, error)
	LookupTLSA(ctx context.Context, name string) ([]tlspolicy.TLSA, bool, error)
}

// PolicySource gives a domain's MTA-STS policy (internal/mtasts.Fetcher).
type PolicySource interface {
	Get(ctx context.Context, domain string) mtasts.Result
}

// TLSReporter counts delivery sessions for TLSRPT (internal/tlsrpt.Reporter).
type TLSReporter interface {
	Record(s tlsrpt.Session) error
}

// MXConfig turns on delivery straight to the recipient domains' MX hosts
// (-relay mx) instead of a relay. Config.Level is the configured TLS level
// (Postfix's smtp_tls_security_level: TLSA records are looked up at the
// dane levels only), Config.RootCAs verify MX hosts (PKIX).
type MXConfig struct {
	DNS MXResolver
	// Port is the SMTP port of every MX host; 0: 25. Another value is a
	// test hook (-mx-port). TLSA records are looked up for this port.
	Port int
	// MTASTS, when set, supplies MTA-STS policies.
	MTASTS PolicySource
	// Reports, when set, counts every session for TLSRPT.
	Reports TLSReporter
	// PerDomain is how many connections one domain gets at a time; 0: 2.
	PerDomain int
}

// mxRouter routes local recipients to the store and the others to their
// domain's MX hosts, one Destination per domain.
type mxRouter struct {
	q    *Queue
	mu   sync.Mutex
	sems map[string]chan struct{}
}

func (r *mxRouter) Route(rcpt string) Destination {
	if r.q.cfg.Users != nil {
		if u, ok := r.q.cfg.Users.Lookup(rcpt); ok {
			return localDest{q: r.q, name: u.Name}
		}
	}
	i := strings.LastIndexByte(rcpt, '@')
	if i < 0 {
		return badDomain{}
	}
	domain := strings.ToLower(strings.TrimSuffix(rcpt[i+1:], "."))
	if domain == "" || strings.HasPrefix(domain, "[") {
		return badDomain{}
	}
	return &mxDest{r: r, domain: domain}
}

// acquire waits for one of the domain's connection slots.
func (r *mxRouter) acquire(ctx context.Context, domain string) (func(), error) {
	n := r.q.cfg.MX.PerDomain
	if n <= 0 {
		n = 2
	}
	r.mu.Lock()
	if r.sems == nil {
		r.sems = map[string]chan struct{}{}
	}
	sem := r.sems[domain]
	if sem == nil {
		sem = make(chan struct{}, n)
		r.sems[domain] = sem
	}
	r.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// badDomain fails recipients whose domain MX delivery cannot route
// (address literals are not delivered to).
type badDomain struct{}

func (badDomain) Key() string { return "mx:-" }

func (badDomain) Deliver(_ context.Context, _ *Envelope, rcpts []string, _ func() (io.ReadCloser, error)) []Result {
	return all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: "5.1.2", Text: "recipient domain cannot be routed (no domain, or an address literal)"})
}

// mxDest is one recipient domain: its MX hosts in preference order, each
// tried under the TLS policy tlspolicy.Resolve gives it.
type mxDest struct {
	r      *mxRouter
	domain string
}

func (d *mxDest) Key() string { return "mx:" + d.domain }

// tlsRequiredNo reports whether the message's header has "TLS-Required:
// No" (RFC 8689 §5).
func tlsRequiredNo(open func() (io.ReadCloser, error)) bool {
	f, err := open()
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, maxReturnedHeader)
	block, _, err := headers.ReadBlock(f, buf)
	if err != nil {
		return false
	}
	for fld, err := range headers.Fields(block, headers.Options{}) {
		if err != nil {
			return false
		}
		if fld.Is("TLS-Required") {
			if no, err := tlspolicy.ParseTLSRequired(fld.Value); err == nil && no {
				return true
			}
		}
	}
	return false
}

// hosts returns the hosts to try: the MX records by preference, equal
// preferences shuffled (RFC 5321 §5.1); the domain itself without MX.
func hosts(mxs []dns.MX, domain string) []dns.MX {
	if len(mxs) == 0 {
		return []dns.MX{{Host: domain}}
	}
	out := make([]dns.MX, 0, len(mxs))
	for _, m := range mxs {
		if m.Host != "" {
			out = append(out, m)
		}
	}
	for i := 0; i < len(out); {
		j := i
		for j < len(out) && out[j].Pref == out[i].Pref {
			j++
		}
		rand.Shuffle(j-i, func(a, b int) { out[i+a], out[i+b] = out[i+b], out[i+a] })
		i = j
	}
	return out
}

func (d *mxDest) Deliver(ctx context.Context, env *Envelope, rcpts []string, open func() (io.ReadCloser, error)) []Result {
	q, mc := d.r.q, d.r.q.cfg.MX
	release, err := d.r.acquire(ctx, d.domain)
	if err != nil {
		return deferAll(len(rcpts), "", "4.4.5", "no connection slot for "+d.domain+": "+err.Error())
	}
	defer release()
	mxs, mxSecure, err := mc.DNS.LookupMX(ctx, d.domain)
	switch {
	case errors.Is(err, dns.ErrNXDomain):
		return all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: "5.1.2", Text: "domain " + d.domain + " does not exist (DNS NXDOMAIN)"})
	case err != nil:
		return deferAll(len(rcpts), "", "4.4.3", "MX lookup for "+d.domain+" failed: "+err.Error())
	case len(mxs) == 1 && mxs[0].Host == "":
		// RFC 7505 §4.2.
		return all(len(rcpts), Result{Status: Failed, Code: 556, Enhanced: "5.1.10", Text: "domain " + d.domain + " accepts no mail (null MX)"})
	}
	var sts mtasts.Result
	if mc.MTASTS != nil {
		sts = mc.MTASTS.Get(ctx, d.domain)
		if sts.Failure != "" {
			d.report(tlsrpt.Session{Policy: tlsrpt.Policy{Type: tlspolicy.PolicySTS, Domain: d.domain}, Result: sts.Failure, Info: errText(sts.Err)})
		}
	}
	noTLSRequired := tlsRequiredNo(open)
	port := mc.Port
	if port == 0 {
		port = 25
	}
	last := deferAll(len(rcpts), "", "4.4.4", "no MX host of "+d.domain+" could be tried")
	for _, mx := range hosts(mxs, d.domain) {
		addrs, addrSecure, err := mc.DNS.LookupAddrs(ctx, mx.Host)
		if err != nil || len(addrs) == 0 {
			last = deferAll(len(rcpts), mx.Host, "4.4.3", fmt.Sprintf("no address for MX host %s: %v", mx.Host, err))
			continue
		}
		sit := tlspolicy.Situation{Configured: q.cfg.Level, Transport: tlspolicy.TransportSTARTTLS, MX: mx.Host, MTASTS: sts.Policy,
			RequireTLS: env.RequireTLS, TLSRequiredNo: noTLSRequired}
		if q.cfg.Level == tlspolicy.LevelNone {
			sit.Transport = tlspolicy.TransportPlain
		}
		var tlsa []tlspolicy.TLSA
		if q.cfg.Level.DANEBased() || env.RequireTLS {
			sit.DANE, tlsa = d.dane(ctx, mx.Host, port, mxSecure && addrSecure)
		}
		dec := tlspolicy.Resolve(sit)
		pol := d.reportPolicy(dec.PolicyType, sts, mx.Host, tlsa)
		switch dec.Action {
		case tlspolicy.ActionNextMX:
			d.report(tlsrpt.Session{Policy: pol, Result: dec.Failure, ReceivingMX: mx.Host, Info: "MX host not listed in the MTA-STS policy"})
			q.log.Info("mx tls", "id", env.ID, "domain", d.domain, "mx", mx.Host, "tls", "skipped", "policy", string(dec.PolicyType), "reason", "not in the MTA-STS policy")
			last = deferAll(len(rcpts), mx.Host, "4.7.5", "MX host "+mx.Host+" is not allowed by the MTA-STS policy of "+d.domain)
			continue
		case tlspolicy.ActionDefer:
			if dec.Failure != "" {
				d.report(tlsrpt.Session{Policy: pol, Result: dec.Failure, ReceivingMX: mx.Host})
			}
			q.log.Info("mx tls", "id", env.ID, "domain", d.domain, "mx", mx.Host, "tls", "deferred", "policy", string(dec.PolicyType), "status", dec.Status)
			last = deferAll(len(rcpts), mx.Host, dec.Status, fmt.Sprintf("TLS policy for %s: %s (DANE)", mx.Host, dec.Failure))
			continue
		case tlspolicy.ActionBounce:
			if dec.Failure != "" {
				d.report(tlsrpt.Session{Policy: pol, Result: dec.Failure, ReceivingMX: mx.Host})
			}
			q.log.Info("mx tls", "id", env.ID, "domain", d.domain, "mx", mx.Host, "tls", "refused", "policy", string(dec.PolicyType), "status", dec.Status)
			return all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: dec.Status, Remote: mx.Host,
				Text: "REQUIRETLS: no verifiable TLS policy (DANE or MTA-STS enforce) for " + mx.Host + ", the message is not sent"})
		}
		p := tlspolicy.Policy{Level: dec.Level, Transport: sit.Transport, ServerName: mx.Host, RootCAs: q.cfg.RootCAs}
		if dec.Level == tlspolicy.LevelSecure {
			p.ServerName = d.domain // the next-hop domain (Postfix's "secure")
		}
		if dec.Level == tlspolicy.LevelNone {
			p.Transport = tlspolicy.TransportPlain
		}
		if dec.Level.DANEBased() {
			p.TLSA = tlsa
		}
		for _, a := range addrs {
			res, next := d.try(ctx, env, rcpts, open, mx.Host, a, port, p, dec, pol)
			if !next {
				return res
			}
			last = res
		}
	}
	return last
}

// dane looks up the TLSA records of host when its MX and address answers
// were secure (RFC 7672 §2.2); records count only from a secure answer.
func (d *mxDest) dane(ctx context.Context, host string, port int, secure bool) (tlspolicy.DANEState, []tlspolicy.TLSA) {
	if !secure {
		return tlspolicy.DANENone, nil
	}
	recs, sec, err := d.r.q.cfg.MX.DNS.LookupTLSA(ctx, "_"+strconv.Itoa(port)+"._tcp."+host)
	switch {
	case errors.Is(err, dns.ErrNXDomain):
		return tlspolicy.DANENone, nil
	case err != nil:
		return tlspolicy.DANEFailed, nil
	case !sec || len(recs) == 0:
		return tlspolicy.DANENone, nil
	}
	var usable []tlspolicy.TLSA
	for _, r := range recs {
		if r.Usable() {
			usable = append(usable, r)
		}
	}
	if len(usable) == 0 {
		return tlspolicy.DANEUnusable, recs
	}
	return tlspolicy.DANEUsable, usable
}

// reportPolicy is the TLSRPT policy a session is counted under.
func (d *mxDest) reportPolicy(t tlspolicy.PolicyType, sts mtasts.Result, host string, tlsa []tlspolicy.TLSA) tlsrpt.Policy {
	p := tlsrpt.Policy{Type: t, Domain: d.domain}
	switch t {
	case tlspolicy.PolicySTS:
		p.Strings = sts.Lines
		if sts.Policy != nil {
			p.MXHost = strings.Join(sts.Policy.MX, ",")
		}
	case tlspolicy.PolicyTLSA:
		p.MXHost = host
		for _, r := range tlsa {
			p.Strings = append(p.Strings, fmt.Sprintf("%d %d %d %s", r.Usage, r.Selector, r.MatchingType, strings.ToUpper(hex.EncodeToString(r.Data))))
		}
	}
	return p
}

func (d *mxDest) report(s tlsrpt.Session) {
	if rp := d.r.q.cfg.MX.Reports; rp != nil {
		if err := rp.Record(s); err != nil {
			d.r.q.log.Error("TLSRPT not recorded", "domain", d.domain, "err", err)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// try delivers over one connection to one address of an MX host. next
// says the attempt got nowhere (connection, TLS, greeting or EHLO failed):
// the caller tries the next address or host.
func (d *mxDest) try(ctx context.Context, env *Envelope, rcpts []string, open func() (io.ReadCloser, error),
	host string, addr netip.Addr, port int, p tlspolicy.Policy, dec tlspolicy.Decision, pol tlsrpt.Policy) ([]Result, bool) {
	q := d.r.q
	target := net.JoinHostPort(addr.String(), strconv.Itoa(port))
	var dl net.Dialer
	raw, err := dl.DialContext(ctx, "tcp", target)
	if err != nil {
		return deferAll(len(rcpts), host, "4.4.1", fmt.Sprintf("connection to MX host %s (%s) failed: %v", host, target, err)), true
	}
	local := ""
	if la, ok := raw.LocalAddr().(*net.TCPAddr); ok {
		local = la.IP.String()
	}
	sess := tlsrpt.Session{Policy: pol, SendingIP: local, ReceivingMX: host, ReceivingIP: addr.String()}
	cl := starttls.Client{Protocol: starttls.SMTP, Policy: p, Hello: q.cfg.Hostname}
	// Under an MTA-STS testing policy the certificate is checked as
	// enforce would, for the report only (RFC 8461 §5): delivery goes on.
	var testingErr error
	if stsMode(pol, dec) == "testing" && p.Transport == tlspolicy.TransportSTARTTLS && !p.Level.MustVerify() {
		if tc, err := p.TLSConfig(); err == nil {
			roots := q.cfg.RootCAs
			tc.VerifyConnection = func(cs tls.ConnectionState) error {
				testingErr = verifyPKIX(cs, host, roots)
				return nil
			}
			cl.TLSConfig = tc
		}
	}
	conn, rep, err := cl.Upgrade(ctx, raw)
	logTLS := func(outcome, version string, verified bool, reason error) {
		q.log.Info("mx tls", "id", env.ID, "domain", d.domain, "mx", host, "addr", target, "tls", outcome, "version", version,
			"verified", verified, "policy", string(dec.PolicyType), "sts_mode", stsMode(pol, dec), "level", p.Level.String(), "reason", errText(reason))
	}
	if err != nil {
		// Upgrade closed the connection: nothing was sent in plaintext.
		rt := tlspolicy.ResultTypeOf(err)
		status := "4.7.5"
		if errors.Is(err, starttls.ErrNotAdvertised) || errors.Is(err, starttls.ErrRefused) {
			rt, status = tlspolicy.ResultSTARTTLSNotSupported, "4.7.4"
		} else if !errors.Is(err, starttls.ErrHandshake) {
			rt, status = "", "4.4.2" // the session failed before TLS: not a TLS outcome
		}
		logTLS("failed", "", false, err)
		if rt != "" {
			sess.Result, sess.Info = rt, err.Error()
			d.report(sess)
		}
		return deferAll(len(rcpts), host, status, fmt.Sprintf("TLS to MX host %s failed at level %s: %v", host, p.Level, err)), true
	}
	defer conn.Close()
	secure := rep.State == starttls.StateSecure
	if secure {
		logTLS("secure", tlsVersion(rep), p.Level.MustVerify(), testingErr)
		if testingErr != nil {
			sess.Result, sess.Info = tlspolicy.ResultTypeOf(testingErr), "delivered under MTA-STS testing: "+testingErr.Error()
		}
		d.report(sess)
	} else {
		outcome := "plaintext"
		logTLS(outcome, "", false, rep.Reason)
		if p.Level != tlspolicy.LevelNone {
			sess.Result, sess.Info = tlspolicy.ResultSTARTTLSNotSupported, "delivered in plaintext: "+errText(rep.Reason)
			d.report(sess)
		}
	}
	if env.RequireTLS && !(secure && p.Level.MustVerify()) {
		return all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: "5.7.30", Remote: host,
			Text: "REQUIRETLS: the session with " + host + " is not verified TLS, the message is not sent"}), false
	}
	res, stage := q.transact(ctx, conn, env, rcpts, open, txOptions{
		peer: "MX host", remote: host, secure: secure,
		greeting:   p.Transport == tlspolicy.TransportPlain,
		requireTLS: dec.RequireTLSExtension,
	})
	return res, stage == stageConnect
}

func stsMode(pol tlsrpt.Policy, dec tlspolicy.Decision) string {
	if dec.PolicyType != tlspolicy.PolicySTS {
		return ""
	}
	for _, l := range pol.Strings {
		if m, ok := strings.CutPrefix(l, "mode:"); ok {
			return strings.TrimSpace(m)
		}
	}
	return ""
}

// tlsVersion names the negotiated TLS version ("TLS 1.3").
func tlsVersion(rep starttls.Report) string { return tls.VersionName(rep.TLS.Version) }

// verifyPKIX checks the peer's chain against roots (nil: the system's)
// and the name host, as LevelVerify would.
func verifyPKIX(cs tls.ConnectionState, host string, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no peer certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: host, Roots: roots, Intermediates: inter})
	return err
}
