package pipetest

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// After CloseWrite the server reads to io.EOF and what it writes after
// that still reaches the client, whole, until the server closes.
func TestHalfPipe(t *testing.T) {
	client, server := HalfPipe()
	done := make(chan error, 1)
	go func() {
		in, err := io.ReadAll(server)
		if err == nil {
			_, err = server.Write(append([]byte("got "), in...))
		}
		server.Close()
		done <- err
	}()
	_, err := client.Write([]byte("abc"))
	require.NoError(t, err)
	require.NoError(t, client.CloseWrite())
	out, err := io.ReadAll(client)
	require.NoError(t, err)
	require.NoError(t, <-done)
	require.Equal(t, "got abc", string(out))
	_, err = client.Write([]byte("x"))
	require.ErrorIs(t, err, io.ErrClosedPipe, "the server end is closed")
}
