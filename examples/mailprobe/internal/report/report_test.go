package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/checks"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/probe"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/record"
	"github.com/mailwire/mailwire/examples/mailprobe/internal/target"
)

func TestExitStatus(t *testing.T) {
	tgt, err := target.New("127.0.0.1:25", target.Options{Level: "encrypt"})
	require.NoError(t, err)
	pass := checks.Result{Name: "a", Verdict: checks.Pass}
	fail := checks.Result{Name: "b", Verdict: checks.Fail}
	errd := checks.Result{Name: "c", Verdict: checks.Error}
	skip := checks.Result{Name: "d", Verdict: checks.Skip}
	secure := func() *probe.Result { return &probe.Result{Secure: true, Log: &record.Log{}} }
	aborted := func(kind string) *probe.Result {
		return &probe.Result{AbortKind: kind, Err: errors.New(kind), Log: &record.Log{}}
	}
	for _, tc := range []struct {
		name string
		m    *probe.Result
		rs   []checks.Result
		want int
	}{
		{"all pass", secure(), []checks.Result{pass, skip}, ExitOK},
		{"a check fails", secure(), []checks.Result{pass, fail, errd}, ExitFail},
		{"a check errs", secure(), []checks.Result{pass, errd}, ExitError},
		{"plaintext at a required level", &probe.Result{Log: &record.Log{}}, []checks.Result{pass}, ExitFail},
		{"STARTTLS refused", aborted(probe.AbortRefused), nil, ExitFail},
		{"verification", aborted(probe.AbortVerification), []checks.Result{pass}, ExitFail},
		{"connection", aborted(probe.AbortConnection), nil, ExitError},
		{"protocol", aborted(probe.AbortProtocol), []checks.Result{fail}, ExitError},
	} {
		r := Build(tgt, tc.m, tc.rs)
		assert.Equal(t, tc.want, r.Exit, tc.name)
	}
}

func TestWriters(t *testing.T) {
	tgt, err := target.New("127.0.0.1:25", target.Options{Level: "encrypt"})
	require.NoError(t, err)
	m := &probe.Result{Log: &record.Log{}, Greeting: []string{"220 mx ESMTP"}, CapsBefore: []string{"STARTTLS"},
		Secure: true, TLS: &probe.TLSInfo{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256"}}
	m.Log.Add(record.Received, false, []byte("220 mx ESMTP\r\n"))
	r := Build(tgt, m, []checks.Result{{Name: "x", Verdict: checks.Fail, Summary: "bad", Evidence: []string{"S: 250 injected"}}})
	var text bytes.Buffer
	require.NoError(t, r.WriteText(&text))
	for _, want := range []string{"mailprobe 127.0.0.1:25: smtp", "220 mx ESMTP", "TLS 1.3, TLS_AES_128_GCM_SHA256, ALPN none",
		"policy encrypt", "FAIL  x", "| S: 250 injected", "exit 1"} {
		assert.Contains(t, text.String(), want)
	}
	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var back map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, float64(1), back["exit"])
	assert.Equal(t, []any{`S: 220 mx ESMTP\r\n`}, back["transcript"])
}
