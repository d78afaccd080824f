package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharedDataDir: two instances on one data directory share the users'
// maildrops and their locks: a session on one makes the other answer
// -ERR [IN-USE]; mail submitted to one is read from the other.
func TestSharedDataDir(t *testing.T) {
	a := Start(t, Options{})
	b := Start(t, Options{Data: a.Data})
	assert.Equal(t, a.Fingerprint, b.Fingerprint, "one certificate")

	cl, err := dialSubmission(context.Background(), a, "bob", "bob-secret-pw")
	require.NoError(t, err)
	body := []byte("From: bob@localhost\r\nTo: alice@localhost\r\nSubject: shared\r\n\r\nthe body, byte for byte\r\n.leading dot\r\n")
	require.NoError(t, cl.sendMail("bob@localhost", "alice@localhost", body))
	cl.quit()

	pa := dialPOP(t, a, "pop3s")
	pa.login("alice", "alice-secret-pw")
	pb := dialPOP(t, b, "pop3s")
	require.True(t, pb.cmd("USER alice").OK)
	r := pb.cmd("PASS alice-secret-pw")
	require.Equal(t, "IN-USE", r.Code, "%v", r)
	require.True(t, pa.cmd("QUIT").OK)

	pb.login("alice", "alice-secret-pw")
	require.True(t, pb.cmd("RETR 1").OK)
	got := pb.body()
	// The service adds its own trace and rewrites identifying fields in
	// the header; the body arrives untouched.
	i := bytes.Index(got, []byte("\r\n\r\n"))
	require.Positive(t, i)
	assert.Equal(t, "the body, byte for byte\r\n.leading dot\r\n", string(got[i+4:]))
	assert.Contains(t, string(got[:i]), "Subject: shared")
	assert.NotContains(t, string(got), "127.0.0.1", "no client IP in the message")
	require.True(t, pb.cmd("QUIT").OK)
	a.Stop()
	b.Stop()
}
