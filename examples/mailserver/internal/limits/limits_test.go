package limits

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	ip1 = netip.MustParseAddr("192.0.2.1")
	ip2 = netip.MustParseAddr("192.0.2.2")
)

func TestConnectionCap(t *testing.T) {
	l := New(Config{MaxConns: 3, MaxConnsPerIP: 2})
	r1, ok := l.Acquire(ip1)
	require.True(t, ok)
	r2, ok := l.Acquire(netip.MustParseAddr("::ffff:192.0.2.1")) // the same IP, mapped
	require.True(t, ok)
	_, ok = l.Acquire(ip1)
	assert.False(t, ok, "per-IP cap")
	r3, ok := l.Acquire(ip2)
	require.True(t, ok)
	_, ok = l.Acquire(netip.MustParseAddr("192.0.2.3"))
	assert.False(t, ok, "total cap")
	assert.Equal(t, 3, l.Conns())
	r1()
	r1() // idempotent
	assert.Equal(t, 2, l.Conns())
	r4, ok := l.Acquire(ip1)
	require.True(t, ok)
	r2()
	r3()
	r4()
	assert.Equal(t, 0, l.Conns())
	assert.Empty(t, l.perIP)
}

func TestNoPerIPCap(t *testing.T) {
	l := New(Config{MaxConns: 5, MaxConnsPerIP: -1})
	for range 5 {
		_, ok := l.Acquire(ip1)
		require.True(t, ok)
	}
	_, ok := l.Acquire(ip1)
	assert.False(t, ok)
}

func TestAuthFailedDelay(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(Config{FailDelay: time.Second, MaxFailDelay: 8 * time.Second, FailWindow: time.Minute})
	l.now = func() time.Time { return now }
	var got []time.Duration
	for range 6 {
		got = append(got, l.AuthFailed(ip1))
	}
	assert.Equal(t, []time.Duration{1, 2, 4, 8, 8, 8}, scale(got))
	assert.Equal(t, time.Second, l.AuthFailed(ip2), "per IP")
	l.AuthOK(ip1)
	assert.Equal(t, time.Second, l.AuthFailed(ip1), "forgotten after a login")
	l.AuthFailed(ip1)
	now = now.Add(2 * time.Minute)
	assert.Equal(t, time.Second, l.AuthFailed(ip1), "forgotten after the window")
}

func scale(d []time.Duration) []time.Duration {
	out := make([]time.Duration, len(d))
	for i, x := range d {
		out[i] = x / time.Second
	}
	return out
}

func TestFailureTableBounded(t *testing.T) {
	l := New(Config{MaxTracked: 10})
	for i := range 100 {
		l.AuthFailed(netip.AddrFrom4([4]byte{10, 0, byte(i / 256), byte(i)}))
	}
	assert.LessOrEqual(t, len(l.fails), 10)
}
