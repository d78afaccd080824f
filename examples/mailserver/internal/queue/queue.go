// Package queue is the durable outbound spool of the mail service and its
// delivery loop.
//
// Spool layout under the queue directory (every write is a file in tmp/,
// fsync, rename, fsync of the directory):
//
//	tmp/ID.msg, tmp/ID.env  being written; removed at Open when stale
//	msg/ID                  the message as stored (after the privacy pipeline)
//	env/ID                  its envelope (JSON); its presence commits the message
//	active/ID               an envelope claimed for a delivery attempt
//
// A delivery attempt claims a message by renaming env/ID to active/ID: the
// rename succeeds for one process only, so several instances can share the
// spool (on one host: the claim is also an flock, held for the attempt).
// After the attempt the updated envelope is renamed back into env/ (retry
// later) or the message is removed (every recipient done). A claim left
// behind by a process that died has lost its lock and is taken back at the
// next scan.
//
// Delivery goes through a Router, which gives each recipient a Destination
// (the local store, the relay; later an MX host per domain). One connection
// per destination carries every recipient it has, and the results are per
// recipient: some accepted, some deferred, some failed. A failed recipient,
// or one still deferred after MaxAge, gets an RFC 3464 delivery status
// notification, queued like any message to the sender's local Maildir.
package queue

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/mailwire/mailwire/smtpwire"
	"github.com/mailwire/mailwire/tlspolicy"
)

// Deliverer is the local store: durable in every user's Maildir, all or
// nothing (internal/store.Store).
type Deliverer interface {
	Deliver(users []string, msg io.Reader) error
}

// Users says which addresses are local (internal/users.DB).
type Users interface {
	Lookup(address string) (users.User, bool)
}

// Config configures a queue.
type Config struct {
	// Relay is the smarthost, "host:port"; empty: remote recipients fail
	// (5.4.4, no route).
	Relay string
	// Level is the TLS level toward the relay (-relay-tls). A required
	// level never falls back to plaintext: the message stays queued.
	Level tlspolicy.Level
	// Implicit: the relay port speaks TLS from the start (RFC 8314, 465).
	Implicit bool
	// AuthUser and AuthPass are the relay login (-relay-auth). They are
	// sent only over TLS: at LevelNone never, at LevelMay only when
	// STARTTLS succeeded.
	AuthUser, AuthPass string
	// Hostname is the service's name: EHLO, Reporting-MTA, DSN From.
	Hostname string
	// MaxAge is how long a message is retried; 0: 5 days (RFC 5321
	// §4.5.4.1 suggests 4-5 days).
	MaxAge time.Duration
	// Retry are the waits after the first, second… failed attempt; the
	// last repeats. nil: 1m, 5m, 15m, 30m, 1h, 2h, 4h.
	Retry []time.Duration
	// Local receives DSNs and the local recipients of a message that also
	// had remote ones.
	Local Deliverer
	// Users tells local recipients from remote ones.
	Users Users
	// RootCAs verify the relay at LevelVerify and above; nil: system roots.
	RootCAs *x509.CertPool
	// Log gets one line per delivery attempt and per recipient result.
	Log *slog.Logger
	// Timeout bounds one delivery attempt; 0: 10 minutes.
	Timeout time.Duration
	// Poll is how often the spool is scanned without a new message; 0: 30 s.
	Poll time.Duration
	// StaleClaim is the age after which a temporary file, or a message
	// file without an envelope, is removed at Open; 0: 30 min.
	StaleClaim time.Duration
	// Router overrides the default routing (local, else MX or the relay).
	Router Router
	// MX, when set, delivers non-local recipients to their domains' MX
	// hosts (-relay mx); Relay is then not used.
	MX *MXConfig
	// Concurrency is how many messages are attempted at once; 0: 1.
	// MX delivery also limits connections per domain (MXConfig.PerDomain).
	Concurrency int
}

// Queue is a spool directory and its delivery loop.
type Queue struct {
	dir    string
	cfg    Config
	router Router
	log    *slog.Logger
	kick   chan struct{}
	now    func() time.Time
	mu     sync.Mutex // serializes attempts within this process
}

var defaultRetry = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour}

// Open opens (creating) the spool in dir and takes back stale claims and
// removes stale temporary files.
func Open(dir string, cfg Config) (*Queue, error) {
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 5 * 24 * time.Hour
	}
	if len(cfg.Retry) == 0 {
		cfg.Retry = defaultRetry
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 30 * time.Second
	}
	if cfg.StaleClaim <= 0 {
		cfg.StaleClaim = 30 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Local == nil {
		return nil, errors.New("queue: Config.Local is required")
	}
	for _, d := range []string{"tmp", "msg", "env", "active"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	q := &Queue{dir: dir, cfg: cfg, log: cfg.Log.With("part", "queue"), kick: make(chan struct{}, 1), now: time.Now}
	q.router = cfg.Router
	switch {
	case q.router != nil:
	case cfg.MX != nil:
		if cfg.MX.DNS == nil {
			return nil, errors.New("queue: Config.MX.DNS is required")
		}
		q.router = &mxRouter{q: q}
	default:
		q.router = &defaultRouter{q: q}
	}
	if err := q.recover(); err != nil {
		return nil, err
	}
	return q, nil
}

// Envelope is what the spool keeps about one message.
type Envelope struct {
	ID       string      `json:"id"`
	From     string      `json:"from"` // "" for a DSN (null reverse-path)
	Rcpts    []Recipient `json:"rcpts"`
	Created  time.Time   `json:"created"`
	Attempts int         `json:"attempts"`
	Next     time.Time   `json:"next"`
	Size     int64       `json:"size"`
	// RFC 3461 parameters of MAIL: RET and ENVID (decoded).
	Ret   smtpwire.Ret `json:"ret,omitempty"`
	EnvID string       `json:"envid,omitempty"`
	// RequireTLS: MAIL had REQUIRETLS (RFC 8689): the message is only
	// ever sent on over verified TLS to a server that offers REQUIRETLS,
	// else it bounces 5.7.30.
	RequireTLS bool `json:"requiretls,omitempty"`
}

// Recipient is one recipient's state.
type Recipient struct {
	Addr   string `json:"addr"`
	Status Status `json:"status"`
	// RFC 3461 parameters of RCPT: NOTIFY (0: not given) and ORCPT
	// (type and decoded address).
	Notify    smtpwire.Notify `json:"notify,omitempty"`
	ORCPTType string          `json:"orcpt_type,omitempty"`
	ORCPT     string          `json:"orcpt,omitempty"`
	// The last result: reply code, enhanced code and text, and who gave it.
	Code     int    `json:"code,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	Text     string `json:"text,omitempty"`
	Remote   string `json:"remote,omitempty"`
}

// Status is a recipient's delivery state.
type Status string

// The states.
const (
	Pending Status = ""
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Enqueue stores a message for from to rcpts; it is durable (message and
// envelope written, synced and renamed into place) before it returns nil.
// On error nothing of it is left in the spool.
func (q *Queue) Enqueue(from string, rcpts []string, msg io.Reader) error {
	return q.EnqueueDSN(from, smtpwire.RetNone, "", rcpts, nil, nil, msg)
}

// EnqueueDSN is Enqueue with the RFC 3461 parameters: RET and ENVID of
// the message, and per recipient NOTIFY and ORCPT ("type;address",
// decoded; nil slices or empty entries: not given). They decide which
// failures get a DSN (NOTIFY=NEVER: none), what it returns (RET=FULL: the
// whole message, else the header), its Original-Envelope-Id and
// Original-Recipient fields, and they are passed on to a relay that offers
// DSN.
func (q *Queue) EnqueueDSN(from string, ret smtpwire.Ret, envid string, rcpts []string, notify []smtpwire.Notify, orcpt []string, msg io.Reader) error {
	return q.enqueue(from, ret, envid, false, rcpts, notify, orcpt, msg)
}

// EnqueueRequireTLS is EnqueueDSN for a message whose MAIL had the RFC
// 8689 REQUIRETLS parameter.
func (q *Queue) EnqueueRequireTLS(from string, ret smtpwire.Ret, envid string, rcpts []string, notify []smtpwire.Notify, orcpt []string, msg io.Reader) error {
	return q.enqueue(from, ret, envid, true, rcpts, notify, orcpt, msg)
}

func (q *Queue) enqueue(from string, ret smtpwire.Ret, envid string, requireTLS bool, rcpts []string, notify []smtpwire.Notify, orcpt []string, msg io.Reader) error {
	if len(rcpts) == 0 {
		return errors.New("queue: no recipients")
	}
	env := Envelope{ID: newID(), From: from, Created: q.now().UTC(), Ret: ret, EnvID: envid, RequireTLS: requireTLS}
	env.Next = env.Created
	for i, r := range rcpts {
		rc := Recipient{Addr: r}
		if i < len(notify) {
			rc.Notify = notify[i]
		}
		if i < len(orcpt) && orcpt[i] != "" {
			rc.ORCPTType, rc.ORCPT, _ = strings.Cut(orcpt[i], ";")
		}
		env.Rcpts = append(env.Rcpts, rc)
	}
	n, err := q.writeFile(filepath.Join(q.dir, "msg", env.ID), env.ID+".msg", msg)
	if err != nil {
		return err
	}
	env.Size = n
	if err := q.writeEnvelope("env", &env); err != nil {
		_ = os.Remove(filepath.Join(q.dir, "msg", env.ID))
		return err
	}
	q.log.Info("queued", "id", env.ID, "rcpts", len(rcpts), "size", n)
	q.Kick()
	return nil
}

// Kick wakes the delivery loop.
func (q *Queue) Kick() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// writeFile writes r to dst durably (durable.WriteVia): tmp/name, fsync,
// rename, fsync of dst's directory. n is the bytes written.
func (q *Queue) writeFile(dst, name string, r io.Reader) (n int64, err error) {
	err = durable.WriteVia(filepath.Join(q.dir, "tmp", name), dst, 0o600, func(w io.Writer) error {
		var cerr error
		n, cerr = io.Copy(w, r)
		return cerr
	})
	return n, err
}

func (q *Queue) writeEnvelope(sub string, env *Envelope) error {
	b, err := json.MarshalIndent(env, "", " ")
	if err != nil {
		return err
	}
	_, err = q.writeFile(filepath.Join(q.dir, sub, env.ID), env.ID+".env", strings.NewReader(string(b)+"\n"))
	return err
}

func readEnvelope(path string) (*Envelope, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("queue: envelope %s: %w", path, err)
	}
	return &env, nil
}

// recover takes back stale claims, drops stale temporary files and
// messages whose envelope was never committed.
func (q *Queue) recover() error {
	now := q.now()
	stale := func(info fs.FileInfo) bool { return now.Sub(info.ModTime()) > q.cfg.StaleClaim }
	q.takeBack()
	tmps, _ := os.ReadDir(filepath.Join(q.dir, "tmp"))
	for _, e := range tmps {
		if info, err := e.Info(); err == nil && stale(info) {
			_ = os.Remove(filepath.Join(q.dir, "tmp", e.Name()))
		}
	}
	msgs, _ := os.ReadDir(filepath.Join(q.dir, "msg"))
	for _, e := range msgs {
		info, err := e.Info()
		if err != nil || !stale(info) {
			continue
		}
		_, e1 := os.Stat(filepath.Join(q.dir, "env", e.Name()))
		_, e2 := os.Stat(filepath.Join(q.dir, "active", e.Name()))
		if errors.Is(e1, fs.ErrNotExist) && errors.Is(e2, fs.ErrNotExist) {
			_ = os.Remove(filepath.Join(q.dir, "msg", e.Name()))
		}
	}
	return durable.SyncDir(filepath.Join(q.dir, "env"))
}

// Run delivers until ctx is done: due messages at once, the rest when
// their retry time comes, new ones when Enqueue kicks.
func (q *Queue) Run(ctx context.Context) {
	for {
		next := q.RunOnce(ctx)
		wait := q.cfg.Poll
		if !next.IsZero() {
			if d := next.Sub(q.now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-q.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// RunOnce makes one pass over the spool: every message that is due gets an
// attempt. It returns the earliest retry time of those still waiting
// (zero: none).
func (q *Queue) RunOnce(ctx context.Context) time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.takeBack()
	entries, err := os.ReadDir(filepath.Join(q.dir, "env"))
	if err != nil {
		q.log.Error("spool unreadable", "err", err)
		return time.Time{}
	}
	var list []*Envelope
	var earliest time.Time
	now := q.now()
	for _, e := range entries {
		env, err := readEnvelope(filepath.Join(q.dir, "env", e.Name()))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				q.log.Error("envelope unreadable", "id", e.Name(), "err", err)
			}
			continue
		}
		if env.Next.After(now) {
			if earliest.IsZero() || env.Next.Before(earliest) {
				earliest = env.Next
			}
			continue
		}
		list = append(list, env)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Next.Before(list[j].Next) })
	workers := max(q.cfg.Concurrency, 1)
	slots := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, env := range list {
		if ctx.Err() != nil {
			break
		}
		lock := q.claim(env.ID)
		if lock == nil {
			continue
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := q.attempt(ctx, env)
			lock.Close()
			<-slots
			emu.Lock()
			if !n.IsZero() && (earliest.IsZero() || n.Before(earliest)) {
				earliest = n
			}
			emu.Unlock()
		}()
	}
	wg.Wait()
	return earliest
}

// claim takes env/ID for one attempt: it opens and flocks the envelope,
// then renames it to active/ID. The lock (it follows the file through the
// rename) is held until release, so that a claim whose process died is
// seen as one: its lock is gone (see takeBack). It returns nil when another
// process has the message.
func (q *Queue) claim(id string) *os.File {
	src := filepath.Join(q.dir, "env", id)
	f, err := os.Open(src)
	if err != nil {
		return nil
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		f.Close()
		return nil
	}
	// Between Open and Flock another process may have claimed and put back
	// the message: only the file still at env/ID counts.
	if !sameFile(f, src) || os.Rename(src, filepath.Join(q.dir, "active", id)) != nil {
		f.Close()
		return nil
	}
	return f
}

// sameFile reports whether f is the file at path.
func sameFile(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// takeBack returns to env/ the claims whose process died: the ones nobody
// holds a lock on.
func (q *Queue) takeBack() {
	active, err := os.ReadDir(filepath.Join(q.dir, "active"))
	if err != nil {
		return
	}
	for _, e := range active {
		p := filepath.Join(q.dir, "active", e.Name())
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil && sameFile(f, p) {
			if _, err := os.Stat(filepath.Join(q.dir, "env", e.Name())); err == nil {
				_ = os.Remove(p) // the attempt had saved its envelope
			} else if os.Rename(p, filepath.Join(q.dir, "env", e.Name())) == nil {
				q.log.Info("claim of a dead process taken back", "id", e.Name())
			}
		}
		f.Close()
	}
}
