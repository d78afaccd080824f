package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/testservers"
)

// probeRun runs mailprobe in-process and returns the exit status and the
// decoded JSON report.
func probeRun(t *testing.T, args ...string) (int, map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"-json", "-timeout", "5s"}, args...), &out, &errb)
	var rep map[string]any
	if out.Len() > 0 {
		require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	}
	var text bytes.Buffer
	run(context.Background(), append([]string{"-timeout", "5s"}, args...), &text, &errb)
	return code, rep, text.String()
}

func TestScratch(t *testing.T) {
	s, err := testservers.Start(testservers.SMTP, 0, t.TempDir())
	require.NoError(t, err)
	defer s.Close()
	code, _, text := probeRun(t, "-proto", "smtp", "-tls", "starttls", "-cafile", s.CAFile, "-servername", "localhost", "-to", "alice@example.test", s.Addr)
	t.Log(text)
	t.Log(code)
}
