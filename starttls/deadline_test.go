package starttls

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBindContextCancel(t *testing.T) {
	cconn, _ := pair(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	release := bindContext(ctx, cconn)
	time.AfterFunc(10*time.Millisecond, cancel)
	_, err := cconn.Read(make([]byte, 1)) // blocks until the cancellation
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.False(t, release(), "the cancellation fired")
}

func TestBindContextDeadline(t *testing.T) {
	cconn, _ := pair(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	release := bindContext(ctx, cconn)
	_, err := cconn.Read(make([]byte, 1))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.ErrorIs(t, withContext(ctx, err), context.DeadlineExceeded)
	release()
}

func TestBindContextRelease(t *testing.T) {
	cconn, sconn := pair(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	release := bindContext(ctx, cconn)
	require.True(t, release())
	cancel() // after release, cancelling must not touch the connection
	go func() { _, _ = sconn.Write([]byte("x")) }()
	_, err := io.ReadFull(cconn, make([]byte, 1))
	require.NoError(t, err)
}

func TestWithContext(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	cause := errors.New("read failed")
	assert.Equal(t, cause, withContext(live, cause))
	assert.NoError(t, withContext(live, nil))
	assert.ErrorIs(t, withContext(done, nil), context.Canceled)
	err := withContext(done, cause)
	assert.ErrorIs(t, err, cause)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, context.Canceled, withContext(done, context.Canceled))
}
