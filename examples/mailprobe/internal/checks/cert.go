package checks

import (
	"context"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/certinfo"
)

// Cert judges the chain the main session saw: expiry within 14 days, the
// server name, key strength and a SHA-1 or MD5 signature (certinfo.Problems).
func Cert(_ context.Context, e *Env) Result {
	m := e.Main
	if m == nil || len(m.Chain) == 0 {
		if e.Target.Mode == "none" {
			return skip("-tls none: no certificate")
		}
		return skip("no certificate was seen: " + e.mainAbort())
	}
	probs := certinfo.Problems(m.Chain, e.Target.ServerName, time.Now())
	leaf := m.Chain[0]
	details := []string{
		"leaf: " + leaf.Subject.String() + ", " + certinfo.KeyDescription(leaf) + ", valid until " + leaf.NotAfter.UTC().Format(time.RFC3339),
	}
	if len(probs) > 0 {
		return Result{Verdict: Fail, Summary: strings.Join(probs, "; "), Details: details}
	}
	return Result{Verdict: Pass, Summary: "valid for more than 14 days, carries " + e.Target.ServerName + ", key and signature are strong", Details: details}
}
