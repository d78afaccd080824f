package tlspolicy

import "strings"

// MatchMX reports whether the MX host name matches one of the policy's mx
// patterns (RFC 8461 §4.1): a pattern matches the same name, ignoring ASCII
// case and a trailing dot on host; "*.example.com" matches a name with
// exactly one more left-most label ("mx.example.com", not "example.com" nor
// "a.mx.example.com"). It does not allocate.
func (p *MTASTSPolicy) MatchMX(host string) bool {
	host = strings.TrimSuffix(host, ".")
	for _, pattern := range p.MX {
		if matchMXPattern(pattern, host) {
			return true
		}
	}
	return false
}

func matchMXPattern(pattern, host string) bool {
	if parent, ok := strings.CutPrefix(pattern, "*."); ok {
		dot := strings.IndexByte(host, '.')
		return dot > 0 && strings.EqualFold(host[dot+1:], parent)
	}
	return strings.EqualFold(pattern, host)
}

// MTASTSDecision is what an MTA-STS policy asks of a sender about to
// deliver to one MX host (RFC 8461 §5).
type MTASTSDecision struct {
	// Deliver is false when the sender must not deliver to this MX (enforce
	// mode, name not matched); it should try the next MX.
	Deliver bool
	// Level is the least level the connection needs: LevelVerify (STARTTLS
	// with PKIX validation of the MX host name) under enforce, LevelNone
	// (no demand) otherwise.
	Level Level
	// Report is true when validation failures are to be reported by TLSRPT
	// (testing and enforce).
	Report bool
	// Failure is the TLSRPT result when the MX itself failed the policy,
	// empty otherwise.
	Failure ResultType
}

// Decide says what the policy requires for delivery to the MX host mx. A
// nil policy, or mode none, is no policy: deliver, no demands. Under testing
// the sender delivers whatever happens and reports; under enforce a
// non-matching MX is skipped and a matching one needs LevelVerify.
func (p *MTASTSPolicy) Decide(mx string) MTASTSDecision {
	if p == nil || p.Mode == MTASTSNone {
		return MTASTSDecision{Deliver: true}
	}
	d := MTASTSDecision{Deliver: true, Report: true}
	if !p.MatchMX(mx) {
		d.Failure = ResultValidationFailure
	}
	if p.Mode == MTASTSEnforce {
		d.Deliver = d.Failure == ""
		d.Level = LevelVerify
	}
	return d
}
