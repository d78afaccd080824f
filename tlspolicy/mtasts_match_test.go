package tlspolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchMX(t *testing.T) {
	p := &MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}
	tests := []struct {
		host string
		want bool
	}{
		// RFC 8461 §4.1: "*.example.com" matches "mail.example.com", not
		// "example.com" nor a name two labels deeper.
		{"mail.example.com", true},
		{"MAIL.Example.COM", true},
		{"mail.example.com.", true},
		{"mx1.example.net", true},
		{"example.net", false},
		{"a.b.example.net", false},
		{".example.net", false},
		{"backupmx.example.com", true},
		{"mail.example.com.evil", false},
		{"xmail.example.com", false},
		{"*.example.net", true}, // a literal label "*" is one label
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p.MatchMX(tt.host), tt.host)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { p.MatchMX("MX9.example.net.") }))
}

func TestMTASTSDecide(t *testing.T) {
	mx := []string{"*.example.com"}
	tests := []struct {
		name string
		p    *MTASTSPolicy
		host string
		want MTASTSDecision
	}{
		{"no policy", nil, "mx.example.com", MTASTSDecision{Deliver: true}},
		{"mode none", &MTASTSPolicy{Mode: MTASTSNone, MX: mx}, "other.example", MTASTSDecision{Deliver: true}},
		{"testing match", &MTASTSPolicy{Mode: MTASTSTesting, MX: mx}, "mx.example.com", MTASTSDecision{Deliver: true, Report: true}},
		{"testing mismatch delivers and reports", &MTASTSPolicy{Mode: MTASTSTesting, MX: mx}, "mx.evil.example", MTASTSDecision{Deliver: true, Report: true, Failure: ResultValidationFailure}},
		{"enforce match needs verify", &MTASTSPolicy{Mode: MTASTSEnforce, MX: mx}, "mx.example.com", MTASTSDecision{Deliver: true, Level: LevelVerify, Report: true}},
		{"enforce mismatch skips the MX", &MTASTSPolicy{Mode: MTASTSEnforce, MX: mx}, "mx.evil.example", MTASTSDecision{Level: LevelVerify, Report: true, Failure: ResultValidationFailure}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.Decide(tt.host), tt.name)
	}
}

func BenchmarkMatchMX(b *testing.B) {
	p := &MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}
	host := "mx7.example.net"
	b.ReportAllocs()
	b.SetBytes(int64(len(host)))
	for b.Loop() {
		if !p.MatchMX(host) {
			b.Fatal("no match")
		}
	}
}
