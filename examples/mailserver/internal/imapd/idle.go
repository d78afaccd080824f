package imapd

import (
	"errors"
	"net"
	"time"

	"github.com/mailwire/mailwire/imapwire"
)

// idle runs IDLE (RFC 2177): the loop waits for DONE in a goroutine that
// only reads, while this one sends the selected folder's changes as they
// happen (woken by the store, and polling at Config.Poll).
func (ss *session) idle(tag []byte) (bool, string) {
	ss.put(imapwire.AppendContinuation(ss.out, idlingText))
	if err := ss.flush(true); err != nil {
		return true, "write: " + err.Error()
	}
	ss.conn.SetDeadline(time.Time{})
	ss.conn.SetReadDeadline(time.Now().Add(ss.srv.cfg.Idle))
	done := make(chan error, 1)
	go func() { done <- ss.r.ReadIdleDone() }()
	var changed <-chan struct{}
	if ss.sel != nil {
		changed = ss.sel.f.Changed()
	}
	tick := time.NewTicker(ss.srv.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				var ne net.Error
				switch {
				case ss.ctx.Err() != nil:
					return true, ss.bye("shutting down")
				case errors.As(err, &ne) && ne.Timeout():
					return true, ss.bye("autologout")
				}
				if rep := replyOf(err); rep != "" {
					ss.bad(tag, noCode, "expected DONE")
					return false, ""
				}
				return true, "read: " + err.Error()
			}
			if ss.sel != nil {
				ss.update(true)
			}
			ss.ok(tag, noCode, "IDLE terminated")
			return false, ""
		case <-changed:
		case <-tick.C:
		}
		if ss.sel != nil {
			ss.update(true)
			if len(ss.out) > 0 {
				if err := ss.flush(true); err != nil {
					return true, "write: " + err.Error()
				}
			}
		}
	}
}
