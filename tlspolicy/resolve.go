package tlspolicy

import "strconv"

// DANEState is what the caller's DNSSEC-validating lookup of the MX host's
// TLSA records found (RFC 7672 §2.2).
type DANEState uint8

// The DANE states. The zero value is DANENone.
const (
	// DANENone: no TLSA records, or the MX or address answers were not
	// DNSSEC-secure, or the caller does no DANE lookups.
	DANENone DANEState = iota
	// DANEUsable: at least one usable record (TLSA.Usable).
	DANEUsable
	// DANEUnusable: records exist, none usable.
	DANEUnusable
	// DANEFailed: the lookup failed or the answer was DNSSEC-bogus.
	DANEFailed
)

// Situation is everything that decides the TLS policy of one delivery
// attempt to one MX host.
type Situation struct {
	// Configured is the local level for the destination (Postfix's
	// smtp_tls_security_level, or a per-destination override). LevelFingerprint,
	// LevelVerify and LevelSecure are local pins: remote policy never
	// replaces them.
	Configured Level
	Transport  Transport
	// MX is the MX host name about to be tried.
	MX string
	// MTASTS is the recipient domain's MTA-STS policy; nil when there is
	// none, or fetching failed and nothing is cached.
	MTASTS *MTASTSPolicy
	DANE   DANEState
	// RequireTLS: the message was sent with MAIL FROM … REQUIRETLS
	// (RFC 8689 §4).
	RequireTLS bool
	// TLSRequiredNo: the message carries "TLS-Required: No" (RFC 8689 §5);
	// ignored when RequireTLS is set.
	TLSRequiredNo bool
}

// Action is what the sender does with this MX host.
type Action uint8

// The actions.
const (
	// ActionDeliver: connect at Decision.Level.
	ActionDeliver Action = iota
	// ActionNextMX: this host fails the policy; try the next MX host.
	ActionNextMX
	// ActionDefer: a temporary failure; retry later (Decision.Status 4.x.x).
	ActionDefer
	// ActionBounce: a permanent failure (Decision.Status 5.x.x).
	ActionBounce
)

var actionNames = [...]string{"deliver", "next-mx", "defer", "bounce"}

// String returns "deliver", "next-mx", "defer", "bounce" or "Action(n)".
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Decision is the effective TLS policy of one delivery attempt.
type Decision struct {
	Action Action
	// Level is the effective level of the connection; it is meaningful
	// only for ActionDeliver.
	Level Level
	// AllowPlaintext: the client may carry on without TLS when the server
	// does not offer STARTTLS or the TLS handshake fails. It is true only at
	// LevelMay over STARTTLS without REQUIRETLS. The caller should still
	// refuse it before sending SASL credentials, and for TLSRPT reports
	// fall back anyway (RFC 8460 §3).
	AllowPlaintext bool
	// RequireTLSExtension: the server must advertise REQUIRETLS after
	// STARTTLS; if it does not, bounce with 5.7.30 (RFC 8689 §4.1).
	RequireTLSExtension bool
	// PolicyType is the TLSRPT policy a result is reported under.
	PolicyType PolicyType
	// Failure is the TLSRPT result type when Action is not ActionDeliver
	// and the failure is reportable.
	Failure ResultType
	// Status is the enhanced status code for ActionDefer and ActionBounce:
	// 4.7.5 for DANE failures, 5.7.30 for REQUIRETLS that cannot be met.
	Status string
}

// Resolve combines the local level, MTA-STS, DANE and the message's
// REQUIRETLS or TLS-Required: No into the policy of one delivery attempt:
//
//   - REQUIRETLS needs usable DANE records or an enforced MTA-STS policy
//     the MX matches; otherwise the message bounces (5.7.30). Plaintext is
//     never allowed and the server must offer REQUIRETLS after STARTTLS.
//   - TLS-Required: No (without REQUIRETLS) ignores MTA-STS and DANE and
//     caps the level at LevelMay (LevelEncrypt for implicit TLS).
//   - Otherwise DANE comes first, as in Postfix and RFC 8461 §2: usable
//     records give LevelDANE (LevelDANEOnly stays), unusable ones
//     LevelEncrypt, none lower LevelDANE to LevelMay; a failed lookup, and
//     LevelDANEOnly without usable records, defer (4.7.5). Without usable
//     DANE records an enforced MTA-STS policy raises the level to
//     LevelVerify, and a non-matching MX is skipped.
//
// Local pins (LevelFingerprint, LevelVerify, LevelSecure) are kept.
func Resolve(s Situation) Decision {
	d := Decision{Level: s.Configured, PolicyType: policyTypeOf(s)}
	pinned := s.Configured.MustVerify() && !s.Configured.DANEBased()
	switch {
	case s.RequireTLS:
		d.RequireTLSExtension = true
		d = resolveRequireTLS(s, d, pinned)
	case s.TLSRequiredNo:
		d.Level = min(d.Level, LevelMay)
		if s.Transport == TransportImplicit {
			d.Level = LevelEncrypt
		}
	default:
		d = resolveRemote(s, d, pinned)
	}
	d.AllowPlaintext = d.Action == ActionDeliver && d.Level == LevelMay &&
		s.Transport == TransportSTARTTLS && !s.RequireTLS
	return d
}

// resolveRequireTLS applies RFC 8689 §4.1: DANE or enforced MTA-STS, or no
// delivery at all.
func resolveRequireTLS(s Situation, d Decision, pinned bool) Decision {
	switch {
	case s.DANE == DANEFailed:
		return deferDANE(d, ResultDNSSECInvalid)
	case s.DANE == DANEUsable:
		d.Level = daneLevel(s.Configured, pinned)
		return d
	case s.MTASTS != nil && s.MTASTS.Mode == MTASTSEnforce:
		return applySTS(s, d, pinned)
	}
	d.Action, d.Status = ActionBounce, "5.7.30"
	if s.DANE == DANEUnusable {
		d.Failure = ResultTLSAInvalid
	}
	return d
}

// resolveRemote applies DANE, then MTA-STS, to the configured level.
func resolveRemote(s Situation, d Decision, pinned bool) Decision {
	switch s.DANE {
	case DANEFailed:
		return deferDANE(d, ResultDNSSECInvalid)
	case DANEUsable:
		d.Level = daneLevel(s.Configured, pinned)
		return d
	case DANEUnusable:
		if s.Configured == LevelDANEOnly {
			return deferDANE(d, ResultTLSAInvalid)
		}
		if !pinned {
			d.Level = LevelEncrypt
		}
	case DANENone:
		switch s.Configured {
		case LevelDANEOnly:
			return deferDANE(d, ResultDANERequired)
		case LevelDANE:
			d.Level = LevelMay
		}
	}
	return applySTS(s, d, pinned)
}

// applySTS lets an MTA-STS policy skip the MX or raise the level.
func applySTS(s Situation, d Decision, pinned bool) Decision {
	sts := s.MTASTS.Decide(s.MX)
	if !sts.Deliver {
		d.Action, d.Failure = ActionNextMX, sts.Failure
		return d
	}
	if !pinned && sts.Level > d.Level {
		d.Level = sts.Level
	}
	return d
}

// daneLevel is the level for usable TLSA records.
func daneLevel(configured Level, pinned bool) Level {
	if pinned || configured == LevelDANEOnly {
		return configured
	}
	return LevelDANE
}

func deferDANE(d Decision, failure ResultType) Decision {
	d.Action, d.Failure, d.Status = ActionDefer, failure, "4.7.5"
	return d
}

// policyTypeOf names the policy TLSRPT results are reported under.
func policyTypeOf(s Situation) PolicyType {
	switch {
	case s.DANE != DANENone:
		return PolicyTLSA
	case s.MTASTS != nil && s.MTASTS.Mode != MTASTSNone:
		return PolicySTS
	}
	return PolicyNoPolicyFound
}
