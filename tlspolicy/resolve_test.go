package tlspolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolve(t *testing.T) {
	enforce := &MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{"*.example.com"}}
	testing_ := &MTASTSPolicy{Mode: MTASTSTesting, MX: []string{"*.example.com"}}
	const good, bad = "mx1.example.com", "mx.attacker.example"
	st := TransportSTARTTLS
	deliver := func(l Level, pt PolicyType) Decision { return Decision{Level: l, PolicyType: pt} }
	tests := []struct {
		name string
		s    Situation
		want Decision
	}{
		// No remote policy.
		{"may, nothing known", Situation{Configured: LevelMay, Transport: st, MX: good},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicyNoPolicyFound}},
		{"may over implicit TLS never falls back", Situation{Configured: LevelEncrypt, Transport: TransportImplicit, MX: good},
			deliver(LevelEncrypt, PolicyNoPolicyFound)},
		{"none stays plaintext", Situation{Configured: LevelNone, Transport: TransportPlain, MX: good},
			deliver(LevelNone, PolicyNoPolicyFound)},

		// MTA-STS (RFC 8461 §5).
		{"sts enforce, MX matches: verify", Situation{Configured: LevelMay, Transport: st, MX: good, MTASTS: enforce},
			deliver(LevelVerify, PolicySTS)},
		{"sts enforce, MX does not match: next MX", Situation{Configured: LevelMay, Transport: st, MX: bad, MTASTS: enforce},
			Decision{Action: ActionNextMX, Level: LevelMay, PolicyType: PolicySTS, Failure: ResultValidationFailure}},
		{"sts testing changes nothing", Situation{Configured: LevelMay, Transport: st, MX: bad, MTASTS: testing_},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicySTS}},
		{"sts mode none is no policy", Situation{Configured: LevelMay, Transport: st, MX: bad, MTASTS: &MTASTSPolicy{}},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicyNoPolicyFound}},
		{"sts does not lower secure", Situation{Configured: LevelSecure, Transport: st, MX: good, MTASTS: enforce},
			deliver(LevelSecure, PolicySTS)},
		{"sts does not replace a fingerprint pin", Situation{Configured: LevelFingerprint, Transport: st, MX: good, MTASTS: enforce},
			deliver(LevelFingerprint, PolicySTS)},

		// DANE (RFC 7672 §2.2, Postfix dane / dane-only).
		{"dane usable", Situation{Configured: LevelDANE, Transport: st, MX: good, DANE: DANEUsable},
			deliver(LevelDANE, PolicyTLSA)},
		{"dane usable beats sts", Situation{Configured: LevelMay, Transport: st, MX: bad, MTASTS: enforce, DANE: DANEUsable},
			deliver(LevelDANE, PolicyTLSA)},
		{"dane-only usable stays dane-only", Situation{Configured: LevelDANEOnly, Transport: st, MX: good, DANE: DANEUsable},
			deliver(LevelDANEOnly, PolicyTLSA)},
		{"dane, no records: may", Situation{Configured: LevelDANE, Transport: st, MX: good},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicyNoPolicyFound}},
		{"dane, no records, sts enforce: verify", Situation{Configured: LevelDANE, Transport: st, MX: good, MTASTS: enforce},
			deliver(LevelVerify, PolicySTS)},
		{"dane unusable: encrypt", Situation{Configured: LevelDANE, Transport: st, MX: good, DANE: DANEUnusable},
			deliver(LevelEncrypt, PolicyTLSA)},
		{"dane unusable, sts enforce: verify", Situation{Configured: LevelMay, Transport: st, MX: good, DANE: DANEUnusable, MTASTS: enforce},
			deliver(LevelVerify, PolicyTLSA)},
		{"dane lookup failed: defer", Situation{Configured: LevelDANE, Transport: st, MX: good, DANE: DANEFailed},
			Decision{Action: ActionDefer, Level: LevelDANE, PolicyType: PolicyTLSA, Failure: ResultDNSSECInvalid, Status: "4.7.5"}},
		{"dane-only without records: defer", Situation{Configured: LevelDANEOnly, Transport: st, MX: good},
			Decision{Action: ActionDefer, Level: LevelDANEOnly, PolicyType: PolicyNoPolicyFound, Failure: ResultDANERequired, Status: "4.7.5"}},
		{"dane-only unusable: defer", Situation{Configured: LevelDANEOnly, Transport: st, MX: good, DANE: DANEUnusable},
			Decision{Action: ActionDefer, Level: LevelDANEOnly, PolicyType: PolicyTLSA, Failure: ResultTLSAInvalid, Status: "4.7.5"}},
		{"dane usable keeps a verify pin", Situation{Configured: LevelVerify, Transport: st, MX: good, DANE: DANEUsable},
			deliver(LevelVerify, PolicyTLSA)},

		// REQUIRETLS (RFC 8689 §4).
		{"requiretls with dane", Situation{Configured: LevelMay, Transport: st, MX: good, DANE: DANEUsable, RequireTLS: true},
			Decision{Level: LevelDANE, RequireTLSExtension: true, PolicyType: PolicyTLSA}},
		{"requiretls with sts enforce", Situation{Configured: LevelMay, Transport: st, MX: good, MTASTS: enforce, RequireTLS: true},
			Decision{Level: LevelVerify, RequireTLSExtension: true, PolicyType: PolicySTS}},
		{"requiretls, sts MX mismatch: next MX", Situation{Configured: LevelMay, Transport: st, MX: bad, MTASTS: enforce, RequireTLS: true},
			Decision{Action: ActionNextMX, Level: LevelMay, RequireTLSExtension: true, PolicyType: PolicySTS, Failure: ResultValidationFailure}},
		{"requiretls, sts testing is not enough", Situation{Configured: LevelMay, Transport: st, MX: good, MTASTS: testing_, RequireTLS: true},
			Decision{Action: ActionBounce, Level: LevelMay, RequireTLSExtension: true, PolicyType: PolicySTS, Status: "5.7.30"}},
		{"requiretls, nothing: bounce", Situation{Configured: LevelMay, Transport: st, MX: good, RequireTLS: true},
			Decision{Action: ActionBounce, Level: LevelMay, RequireTLSExtension: true, PolicyType: PolicyNoPolicyFound, Status: "5.7.30"}},
		{"requiretls, unusable records: bounce", Situation{Configured: LevelMay, Transport: st, MX: good, DANE: DANEUnusable, RequireTLS: true},
			Decision{Action: ActionBounce, Level: LevelMay, RequireTLSExtension: true, PolicyType: PolicyTLSA, Failure: ResultTLSAInvalid, Status: "5.7.30"}},
		{"requiretls, dane lookup failed: defer", Situation{Configured: LevelMay, Transport: st, MX: good, DANE: DANEFailed, RequireTLS: true},
			Decision{Action: ActionDefer, Level: LevelMay, RequireTLSExtension: true, PolicyType: PolicyTLSA, Failure: ResultDNSSECInvalid, Status: "4.7.5"}},
		{"requiretls overrides TLS-Required: No", Situation{Configured: LevelMay, Transport: st, MX: good, MTASTS: enforce, RequireTLS: true, TLSRequiredNo: true},
			Decision{Level: LevelVerify, RequireTLSExtension: true, PolicyType: PolicySTS}},

		// TLS-Required: No (RFC 8689 §5).
		{"TLS-Required: No ignores sts enforce", Situation{Configured: LevelMay, Transport: st, MX: bad, MTASTS: enforce, TLSRequiredNo: true},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicySTS}},
		{"TLS-Required: No ignores a DANE failure", Situation{Configured: LevelDANEOnly, Transport: st, MX: good, DANE: DANEFailed, TLSRequiredNo: true},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicyTLSA}},
		{"TLS-Required: No caps secure at may", Situation{Configured: LevelSecure, Transport: st, MX: good, TLSRequiredNo: true},
			Decision{Level: LevelMay, AllowPlaintext: true, PolicyType: PolicyNoPolicyFound}},
		{"TLS-Required: No over implicit TLS: encrypt", Situation{Configured: LevelVerify, Transport: TransportImplicit, MX: good, TLSRequiredNo: true},
			deliver(LevelEncrypt, PolicyNoPolicyFound)},
		{"TLS-Required: No keeps none", Situation{Configured: LevelNone, Transport: TransportPlain, MX: good, TLSRequiredNo: true},
			deliver(LevelNone, PolicyNoPolicyFound)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Resolve(tt.s))
		})
	}
}

func TestResolveAllocs(t *testing.T) {
	s := Situation{Configured: LevelDANE, Transport: TransportSTARTTLS, MX: "mx1.example.com",
		MTASTS: &MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{"*.example.com"}}}
	var d Decision
	assert.Zero(t, testing.AllocsPerRun(100, func() { d = Resolve(s) }))
	assert.Equal(t, LevelVerify, d.Level)
}

func TestActionString(t *testing.T) {
	assert.Equal(t, "deliver", ActionDeliver.String())
	assert.Equal(t, "next-mx", ActionNextMX.String())
	assert.Equal(t, "defer", ActionDefer.String())
	assert.Equal(t, "bounce", ActionBounce.String())
	assert.Equal(t, "Action(9)", Action(9).String())
}

func BenchmarkResolve(b *testing.B) {
	s := Situation{Configured: LevelDANE, Transport: TransportSTARTTLS, MX: "mx1.example.com",
		MTASTS: &MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{"mail.example.net", "*.example.com"}}}
	b.ReportAllocs()
	b.SetBytes(int64(len(s.MX)))
	for b.Loop() {
		if Resolve(s).Level != LevelVerify {
			b.Fatal("wrong level")
		}
	}
}
