package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWordIndex(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want CommandID
	}{
		{"FETCH", CmdFetch}, {"id", CmdID}, {"getquotaROOT", CmdGetQuotaRoot}, {"Idle", CmdIdle}, {"FETCHX", CmdUnknown},
		{"", CmdUnknown}, {"1FETCH", CmdUnknown}, {"{", CmdUnknown},
	} {
		assert.Equal(t, tt.want, lookupCommand([]byte(tt.in)), "%q", tt.in)
	}
	assert.Equal(t, FetchEnvelope, lookupFetchAtt([]byte("envelope")))
	assert.Equal(t, FetchUnknown, lookupFetchAtt([]byte("BODY[]")), "sections are not names")
	assert.Equal(t, SearchUnseen, lookupSearchKey([]byte("UnSeen")))
	assert.Equal(t, SearchSeqSet, lookupSearchKey([]byte("1:*")))

	skipped := indexWords(FetchAll, FetchModSeq, func(a FetchAtt) string { return fetchNames[a] }, FetchBodySection)
	for _, entries := range skipped {
		for _, e := range entries {
			assert.NotEqual(t, FetchBodySection, e.id)
		}
	}
	name := []byte("idle")
	require.Zero(t, testing.AllocsPerRun(100, func() { lookupCommand(name) }))
}
