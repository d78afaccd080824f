// Package limits bounds what clients can take from the service: a cap on
// connections in all and per client IP, and a delay after failed logins
// that grows with each failure from the same IP. It is safe for
// concurrent use and shared by every listener of a process.
package limits

import (
	"net/netip"
	"sync"
	"time"
)

// Config sets the limits. Zero values take the defaults.
type Config struct {
	MaxConns      int           // connections in all; default 1000
	MaxConnsPerIP int           // connections from one IP; default 100; negative: no per-IP cap
	FailDelay     time.Duration // delay after the first failed login; default 1 s
	MaxFailDelay  time.Duration // the delay doubles per failure up to this; default 16 s
	FailWindow    time.Duration // failures older than this are forgotten; default 15 min
	MaxTracked    int           // IPs whose failures are remembered; default 10000
}

// Limits holds the counters.
type Limits struct {
	cfg   Config
	mu    sync.Mutex
	conns int
	perIP map[netip.Addr]int
	fails map[netip.Addr]failure
	now   func() time.Time
}

type failure struct {
	n    int
	last time.Time
}

// New returns limits with cfg's values (defaults for zeros).
func New(cfg Config) *Limits {
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 1000
	}
	if cfg.MaxConnsPerIP == 0 {
		cfg.MaxConnsPerIP = 100
	}
	if cfg.FailDelay <= 0 {
		cfg.FailDelay = time.Second
	}
	if cfg.MaxFailDelay < cfg.FailDelay {
		cfg.MaxFailDelay = 16 * cfg.FailDelay
	}
	if cfg.FailWindow <= 0 {
		cfg.FailWindow = 15 * time.Minute
	}
	if cfg.MaxTracked <= 0 {
		cfg.MaxTracked = 10000
	}
	return &Limits{cfg: cfg, perIP: map[netip.Addr]int{}, fails: map[netip.Addr]failure{}, now: time.Now}
}

// Acquire takes a connection slot for ip. ok is false when the total or the
// per-IP cap is reached; otherwise release must be called once when the
// connection ends.
func (l *Limits) Acquire(ip netip.Addr) (release func(), ok bool) {
	ip = ip.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns >= l.cfg.MaxConns || (l.cfg.MaxConnsPerIP > 0 && l.perIP[ip] >= l.cfg.MaxConnsPerIP) {
		return nil, false
	}
	l.conns++
	l.perIP[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.conns--
			if l.perIP[ip]--; l.perIP[ip] <= 0 {
				delete(l.perIP, ip)
			}
		})
	}, true
}

// Conns reports the connections held now.
func (l *Limits) Conns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns
}

// AuthFailed records a failed login from ip and returns how long the
// session waits before answering it: FailDelay, doubled for every further
// failure within FailWindow, up to MaxFailDelay.
func (l *Limits) AuthFailed(ip netip.Addr) time.Duration {
	ip = ip.Unmap()
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[ip]
	if now.Sub(f.last) > l.cfg.FailWindow {
		f.n = 0
	}
	f.n++
	f.last = now
	if _, known := l.fails[ip]; !known && len(l.fails) >= l.cfg.MaxTracked {
		l.prune(now)
	}
	l.fails[ip] = f
	d := l.cfg.FailDelay
	for i := 1; i < f.n && d < l.cfg.MaxFailDelay; i++ {
		d *= 2
	}
	return min(d, l.cfg.MaxFailDelay)
}

// AuthOK forgets ip's failures after a successful login.
func (l *Limits) AuthOK(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, ip.Unmap())
}

// prune drops expired failures, and if none expired, the oldest entry, so
// that the table stays bounded.
func (l *Limits) prune(now time.Time) {
	var oldest netip.Addr
	var oldestT time.Time
	dropped := false
	for ip, f := range l.fails {
		if now.Sub(f.last) > l.cfg.FailWindow {
			delete(l.fails, ip)
			dropped = true
		} else if oldestT.IsZero() || f.last.Before(oldestT) {
			oldest, oldestT = ip, f.last
		}
	}
	if !dropped && oldest.IsValid() {
		delete(l.fails, oldest)
	}
}
