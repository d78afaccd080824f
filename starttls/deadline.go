package starttls

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// bindContext makes I/O on conn obey ctx until release is called: the
// context's deadline becomes the connection's, and a cancellation sets a
// deadline in the past so a blocked Read or Write returns. No goroutine runs
// unless ctx is cancelled while bound (context.AfterFunc). release clears
// the deadline and reports false when the cancellation already fired, in
// which case the connection must be treated as failed.
func bindContext(ctx context.Context, conn net.Conn) (release func() bool) {
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return func() bool {
		stopped := stop()
		_ = conn.SetDeadline(time.Time{})
		return stopped
	}
}

// withContext adds ctx's error to err when ctx is done, so a deadline hit
// reads as context.DeadlineExceeded and not only as an I/O timeout. A nil
// err becomes ctx's error.
func withContext(ctx context.Context, err error) error {
	ctxErr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && ctxErr == nil && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		ctxErr = context.DeadlineExceeded // the connection's timer beat the context's
	}
	switch {
	case err == nil:
		return ctxErr
	case ctxErr != nil && !errors.Is(err, ctxErr):
		return fmt.Errorf("%w (%w)", err, ctxErr)
	}
	return err
}
