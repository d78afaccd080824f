package checks

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
)

// legacy are the versions the check fails on; modern are reported only.
var (
	legacy = []uint16{tls.VersionTLS10, tls.VersionTLS11}
	modern = []uint16{tls.VersionTLS12, tls.VersionTLS13}
)

// allSuites offers every suite crypto/tls implements, the insecure ones
// too, so that a server with only legacy suites is still found.
func allSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// TLSVersions offers each of TLS 1.0, 1.1, 1.2 and 1.3 alone, on a
// connection each, and fails when 1.0 or 1.1 is accepted. SSL 3.0 cannot be
// tested: Go's crypto/tls does not implement it (this is said in the
// details). TLS 1.0 and 1.1 are offered with MinVersion set explicitly, the
// only way Go 1.22 and later offer them.
func TLSVersions(ctx context.Context, e *Env) Result {
	if e.Target.Mode == "none" {
		return skip("-tls none: TLS not probed")
	}
	if r, ok := e.needsSTARTTLS(); !ok && e.Target.Mode == "starttls" {
		return r
	}
	var details, accepted []string
	var evidence []string
	for _, v := range append(append([]uint16(nil), legacy...), modern...) {
		name := tls.VersionName(v)
		cs, err := e.tryVersion(ctx, v)
		switch {
		case err != nil && cs == nil:
			return errResult(nil, "before the "+name+" handshake", err)
		case err != nil:
			details = append(details, fmt.Sprintf("%s: refused (%v)", name, err))
		default:
			details = append(details, fmt.Sprintf("%s: accepted, %s", name, tls.CipherSuiteName(cs.CipherSuite)))
			if v < tls.VersionTLS12 {
				accepted = append(accepted, name)
			}
			evidence = append(evidence, fmt.Sprintf("offered only %s; server chose %s with %s", name, tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite)))
		}
	}
	details = append(details, "SSL 3.0: not tested (Go's crypto/tls has no SSL 3.0)")
	if len(accepted) > 0 {
		return Result{Verdict: Fail, Summary: fmt.Sprintf("the server accepts %v (RFC 8996 deprecates both)", accepted), Details: details, Evidence: evidence}
	}
	return Result{Verdict: Pass, Summary: "TLS 1.0 and 1.1 are refused", Details: details, Evidence: evidence}
}

// tryVersion returns the connection state when the handshake offering only
// v succeeds; a nil state with an error means the check could not get to the
// handshake at all.
func (e *Env) tryVersion(ctx context.Context, v uint16) (*tls.ConnectionState, error) {
	c, err := e.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := e.toTLS(c); err != nil {
		return nil, err
	}
	cfg, err := probe.TLSConfig(encryptOnly(e.Target), &probe.Seen{})
	if err != nil {
		return nil, err
	}
	cfg.MinVersion, cfg.MaxVersion = v, v
	cfg.CipherSuites = allSuites()
	tc := tls.Client(c.Raw(), cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return &tls.ConnectionState{}, err
	}
	cs := tc.ConnectionState()
	_ = tc.Close()
	return &cs, nil
}
