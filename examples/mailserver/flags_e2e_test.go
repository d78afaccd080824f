package main

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadFlags: refused configurations exit non-zero with a message and
// listen on nothing.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tls", "sometimes"}, "-tls must be required or opportunistic"},
		{[]string{"-relay", "127.0.0.1:1", "-relay-tls", "none", "-relay-auth", "u:p"}, "plaintext"},
		{[]string{"-relay-auth", "u:p"}, "-relay-auth needs -relay"},
		{[]string{"-relay", "127.0.0.1:1", "-relay-tls", "bogus"}, "-relay-tls"},
		{[]string{"-user", "Bad Name:pw"}, "invalid user name"},
		{[]string{"-user", "nopassword"}, "want NAME:PASSWORD"},
		{[]string{"-cert", "/nonexistent"}, "-cert and -key go together"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		args := append([]string{"-data", t.TempDir(), "-submission", "", "-submissions", "", "-pop3", "", "-pop3s", ""}, tc.args...)
		cmd := exec.Command(Binary(t), args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "%v", tc.args)
		assert.NotZero(t, ee.ExitCode())
		assert.Contains(t, stderr.String(), tc.want, "%v", tc.args)
	}
}
