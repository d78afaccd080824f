package tlsrpt

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/tlspolicy"
)

func TestRecordAndReload(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	now := day
	r := &Reporter{Dir: dir, Org: "mail.example", Contact: "postmaster@mail.example", Now: func() time.Time { return now }}
	sts := Policy{Type: tlspolicy.PolicySTS, Domain: "Dest.test", Strings: []string{"version: STSv1", "mode: enforce"}, MXHost: "mx.dest.test"}
	none := Policy{Type: tlspolicy.PolicyNoPolicyFound, Domain: "dest.test"}
	fail := Session{Policy: sts, Result: tlspolicy.ResultSTARTTLSNotSupported, SendingIP: "127.0.0.1", ReceivingMX: "mx.dest.test", ReceivingIP: "127.0.0.1"}
	require.NoError(t, r.Record(Session{Policy: sts}))
	require.NoError(t, r.Record(fail))
	require.NoError(t, r.Record(fail))
	require.NoError(t, r.Record(Session{Policy: none, Result: tlspolicy.ResultSTARTTLSNotSupported, ReceivingMX: "mx.dest.test"}))
	require.Error(t, r.Record(Session{Policy: Policy{Domain: "../x"}}))

	// A restarted reporter goes on counting from the file.
	r2 := &Reporter{Dir: dir, Org: "mail.example", Now: func() time.Time { return now }}
	require.NoError(t, r2.Record(Session{Policy: sts}))

	reps, err := ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, reps, 1)
	rep := reps[0]
	assert.Equal(t, "mail.example", rep.OrganizationName)
	assert.Equal(t, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), rep.DateRange.Start)
	assert.Equal(t, time.Date(2026, 12, 4, 23, 59, 59, 0, time.UTC), rep.DateRange.End)
	require.Len(t, rep.Policies, 2)
	assert.Equal(t, Summary{Successful: 2, Failed: 2}, rep.Policies[0].Summary)
	require.Len(t, rep.Policies[0].FailureDetails, 1)
	assert.Equal(t, 2, rep.Policies[0].FailureDetails[0].FailedSessionCount)
	assert.Equal(t, Summary{Failed: 1}, rep.Policies[1].Summary)
	_, err = os.Stat(filepath.Join(dir, "mail.example!dest.test!1796342400!1796428799.json"))
	require.NoError(t, err)

	// The next day is a new report.
	now = day.Add(24 * time.Hour)
	require.NoError(t, r2.Record(Session{Policy: none}))
	reps, err = ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, reps, 2)
}
