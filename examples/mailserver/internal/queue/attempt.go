package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
	"github.com/mailwire/mailwire/smtpwire"
)

// Router gives each recipient the destination that delivers to it.
type Router interface {
	Route(rcpt string) Destination
}

// Destination is where a set of recipients is delivered in one go: the
// local store, the relay, or (a later issue) one domain's MX hosts with
// their TLS policy. Key names it, so that recipients with the same key
// share one connection.
type Destination interface {
	Key() string
	// Deliver delivers the message (open gives a fresh reader of it) from
	// env.From to rcpts and returns one Result per recipient, in order.
	Deliver(ctx context.Context, env *Envelope, rcpts []string, open func() (io.ReadCloser, error)) []Result
}

// Result is one recipient's outcome of an attempt.
type Result struct {
	Status   Status // Sent, Failed, or Pending for a deferral
	Code     int
	Enhanced string
	Text     string
	Remote   string
}

// all returns the same result for n recipients.
func all(n int, r Result) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// defaultRouter: a local user goes to the store, anyone else to the relay.
type defaultRouter struct {
	q *Queue
}

func (r *defaultRouter) Route(rcpt string) Destination {
	if r.q.cfg.Users != nil {
		if u, ok := r.q.cfg.Users.Lookup(rcpt); ok {
			return localDest{q: r.q, name: u.Name}
		}
	}
	if r.q.cfg.Relay == "" {
		return noRoute{}
	}
	return &relay{q: r.q}
}

// localDest delivers into the local Maildirs.
type localDest struct {
	q    *Queue
	name string
}

func (localDest) Key() string { return "local" }

func (d localDest) Deliver(ctx context.Context, env *Envelope, rcpts []string, open func() (io.ReadCloser, error)) []Result {
	names := make([]string, 0, len(rcpts))
	for _, a := range rcpts {
		if u, ok := d.q.cfg.Users.Lookup(a); ok {
			names = append(names, u.Name)
		}
	}
	f, err := open()
	if err == nil {
		err = d.q.cfg.Local.Deliver(names, f)
		f.Close()
	}
	if err != nil {
		return all(len(rcpts), Result{Status: Pending, Code: 451, Enhanced: "4.3.0", Text: "local delivery failed: " + err.Error(), Remote: d.q.cfg.Hostname})
	}
	return all(len(rcpts), Result{Status: Sent, Code: 250, Enhanced: "2.0.0", Text: "delivered to Maildir", Remote: d.q.cfg.Hostname})
}

// noRoute fails remote recipients when there is no relay.
type noRoute struct{}

func (noRoute) Key() string { return "none" }

func (noRoute) Deliver(_ context.Context, _ *Envelope, rcpts []string, _ func() (io.ReadCloser, error)) []Result {
	return all(len(rcpts), Result{Status: Failed, Code: 550, Enhanced: "5.4.4", Text: "no route to the recipient's domain (no relay configured)"})
}

// attempt delivers the claimed message env and puts it back or removes it.
// It returns when it is due again (zero: done).
func (q *Queue) attempt(ctx context.Context, env *Envelope) time.Time {
	active := filepath.Join(q.dir, "active", env.ID)
	if fresh, err := readEnvelope(active); err == nil {
		env = fresh
	}
	msgPath := filepath.Join(q.dir, "msg", env.ID)
	open := func() (io.ReadCloser, error) { return os.Open(msgPath) }
	actx, cancel := context.WithTimeout(ctx, q.cfg.Timeout)
	defer cancel()

	// Group the pending recipients by destination, in order.
	type group struct {
		dest Destination
		idx  []int
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, r := range env.Rcpts {
		if r.Status != Pending {
			continue
		}
		d := q.router.Route(r.Addr)
		g := byKey[d.Key()]
		if g == nil {
			g = &group{dest: d}
			byKey[d.Key()] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}
	var failed []Recipient
	for _, g := range groups {
		addrs := make([]string, len(g.idx))
		for k, i := range g.idx {
			addrs[k] = env.Rcpts[i].Addr
		}
		res := g.dest.Deliver(actx, env, addrs, open)
		for k, i := range g.idx {
			r := &env.Rcpts[i]
			r.Status, r.Code, r.Enhanced, r.Text, r.Remote = res[k].Status, res[k].Code, res[k].Enhanced, res[k].Text, res[k].Remote
			q.log.Info("result", "id", env.ID, "rcpt", r.Addr, "status", statusName(r.Status), "code", r.Code, "enhanced", r.Enhanced, "text", r.Text, "via", g.dest.Key())
			if r.Status == Failed {
				failed = append(failed, *r)
			}
		}
	}
	env.Attempts++
	now := q.now()
	pending := 0
	for _, r := range env.Rcpts {
		if r.Status == Pending {
			pending++
		}
	}
	if pending > 0 && now.Sub(env.Created) >= q.cfg.MaxAge {
		for i := range env.Rcpts {
			r := &env.Rcpts[i]
			if r.Status == Pending {
				r.Status = Failed
				r.Text = "delivery time expired; last error: " + r.Text
				if r.Enhanced == "" || !strings.HasPrefix(r.Enhanced, "4.") {
					r.Enhanced = "4.4.7"
				}
				failed = append(failed, *r)
				q.log.Info("expired", "id", env.ID, "rcpt", r.Addr)
			}
		}
		pending = 0
	}
	// NOTIFY=NEVER, or a NOTIFY without FAILURE, asks for no DSN.
	notify := failed[:0:0]
	for _, r := range failed {
		if r.Notify == 0 || r.Notify&smtpwire.NotifyFailure != 0 {
			notify = append(notify, r)
		}
	}
	if len(notify) > 0 && env.From != "" {
		q.bounce(env, notify)
	}
	if pending == 0 {
		_ = os.Remove(msgPath)
		_ = os.Remove(active)
		_ = durable.SyncDir(filepath.Join(q.dir, "active"))
		q.log.Info("done", "id", env.ID, "attempts", env.Attempts)
		return time.Time{}
	}
	wait := q.cfg.Retry[min(env.Attempts-1, len(q.cfg.Retry)-1)]
	env.Next = now.Add(wait).UTC()
	if err := q.writeEnvelope("env", env); err != nil {
		// The claim stays; it is taken back as stale and retried.
		q.log.Error("envelope not saved", "id", env.ID, "err", err)
		return time.Time{}
	}
	_ = os.Remove(active)
	q.log.Info("deferred", "id", env.ID, "pending", pending, "next", env.Next.Format(time.RFC3339))
	return env.Next
}

func statusName(s Status) string {
	if s == Pending {
		return "deferred"
	}
	return string(s)
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
