package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/mailwire/mailwire/bench
cpu: AMD EPYC
BenchmarkSmtpData/smtpwire-2         	   10000	     12000 ns/op	6000.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkSmtpData/smtpwire-2         	   10000	     13000 ns/op	5000.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkSmtpData/smtpwire-2         	   10000	     11000 ns/op	7000.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkSmtpData/textproto-DotReader-2	     300	    360000 ns/op	 200.00 MB/s	      16 B/op	       1 allocs/op
BenchmarkScan/smtp-data/indexbyte-2  	  150000	      7500 ns/op	9900.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkSmtpReplies/smtpwire-2      	   50000	     23000 ns/op	1000.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkSmtpReplies/textproto-ReadResponse-2	 20000	     66000 ns/op	 350.00 MB/s	   57600 B/op	    1800 allocs/op
BenchmarkScan/smtp-replies/indexbyte-2	  170000	      7000 ns/op	3400.00 MB/s	       0 B/op	       0 allocs/op
BenchmarkImapFetchSync/imapwire-2    	    4000	    305000 ns/op	 321.00 MB/s	    306000 cpu-ns/op	       1 B/op	       0 allocs/op
PASS
`

func TestParseMedians(t *testing.T) {
	run, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	assert.Equal(t, "AMD EPYC", run.cpu)
	assert.Equal(t, 3, run.maxRuns())
	v, ok := run.median("SmtpData/smtpwire", "MB/s")
	require.True(t, ok)
	assert.Equal(t, 6000.0, v)
	v, ok = run.median("ImapFetchSync/imapwire", "cpu-ns/op")
	require.True(t, ok)
	assert.Equal(t, 306000.0, v)
	_, ok = run.median("SmtpData/none", "MB/s")
	assert.False(t, ok)
}

func TestParseRefusesEmptyInput(t *testing.T) {
	_, err := parse(strings.NewReader("PASS\nok\n"))
	assert.Error(t, err)
}

func TestRenderVerdicts(t *testing.T) {
	run, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	var out bytes.Buffer
	missed := render(&out, run, false)
	table := out.String()
	// DATA: 9900/6000 = 1.65× the scan, over its 1.5× bound.
	assert.Contains(t, table, "| SMTP DATA body read | 6000 | 12000 | 0 | 0 | textproto-DotReader (200.0) | 30.0× | 9900 | 1.65× |")
	assert.Contains(t, table, "**missed: scan**")
	// Replies: 2.9× textproto is under 5×; 3.4× the scan is over 3×.
	assert.Contains(t, table, "**missed: peer, scan**")
	// Rows with nothing measured and a target count as missed.
	assert.Contains(t, table, "| SMTP DSN commands (20 RCPT, NOTIFY, ORCPT), every parameter typed | not measured |")
	assert.Greater(t, missed, 3)
	assert.Contains(t, table, "| SmtpData/textproto-DotReader | 200 | 360000 | 16 | 1 |")
}

func TestRowsNameDistinctBenchmarks(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rows {
		require.False(t, seen[r.ours], r.ours)
		seen[r.ours] = true
		require.NotEmpty(t, r.scan, r.label)
	}
}
