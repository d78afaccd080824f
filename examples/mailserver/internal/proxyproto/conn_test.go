package proxyproto

import (
	"io"
	"net"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewConn(a, Header{Version: 2, Command: Proxy, Family: TCP4, Source: ap("192.0.2.7:4242"), Dest: ap("198.51.100.1:587")})
	assert.Equal(t, "192.0.2.7:4242", c.RemoteAddr().String())
	assert.Equal(t, "198.51.100.1:587", c.LocalAddr().String())
	assert.IsType(t, &net.TCPAddr{}, c.RemoteAddr())
	assert.Same(t, a, c.(*Conn).Unwrap())
	c6 := NewConn(a, Header{Version: 1, Command: Proxy, Family: TCP6, Source: ap("[2001:db8::7]:1"), Dest: ap("[::1]:2")})
	assert.Equal(t, "[2001:db8::7]:1", c6.RemoteAddr().String())
	for _, h := range []Header{{Version: 2, Command: Local, Family: TCP4, Source: ap("1.2.3.4:1")}, {Version: 1, Command: Proxy, Family: Unspec}, {Version: 2, Command: Proxy, Family: UDP4, Source: ap("1.2.3.4:1")}, {Version: 2, Command: Proxy, Family: UnixStr}} {
		assert.Same(t, a, NewConn(a, h), "%+v keeps the real connection", h)
	}
}

func TestRefuseHeaders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		refuse bool
	}{
		{"smtp", []string{"EHLO client\r\n"}, false},
		{"pop3 in pieces", []string{"U", "SER alice\r\n"}, false},
		{"v1", []string{"PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\nEHLO x\r\n"}, true},
		{"v1 in pieces", []string{"PRO", "XY", " TCP4"}, true},
		{"v2", []string{sigV2 + "\x21\x11\x00\x0c"}, true},
		{"v2 byte by byte", []string{"\r", "\n", "\r", "\n", "\x00", "\r", "\n", "Q", "U", "I", "T", "\n"}, true},
		{"almost", []string{"PROXX\r\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			go func() {
				for _, w := range tc.writes {
					if _, err := b.Write([]byte(w)); err != nil {
						return
					}
				}
				b.Close()
			}()
			g := RefuseHeaders(a)
			p := make([]byte, 4096)
			n, err := g.Read(p)
			if tc.refuse {
				assert.ErrorIs(t, err, ErrUntrusted)
				assert.Zero(t, n)
				_, err = a.Write([]byte("x"))
				assert.Error(t, err, "closed")
				return
			}
			require.NoError(t, err)
			rest, _ := io.ReadAll(g)
			var all string
			for _, w := range tc.writes {
				all += w
			}
			assert.Equal(t, all, string(p[:n])+string(rest))
		})
	}
}

// What a connection keeps after its header was read: the wrapper and two
// addresses (the header buffer is the caller's, and is not kept).
func TestConnRetainedBytes(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	h := Header{Version: 2, Command: Proxy, Family: TCP6, Source: ap("[2001:db8::7]:4242"), Dest: ap("[2001:db8::1]:587")}
	const n = 10000
	keep := make([]net.Conn, n)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for i := range keep {
		keep[i] = NewConn(a, h)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	per := float64(m1.HeapAlloc-m0.HeapAlloc) / n
	t.Logf("a proxied connection keeps %.0f bytes", per)
	assert.Less(t, per, 256.0)
	runtime.KeepAlive(keep)

	keep2 := make([]net.Conn, n)
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for i := range keep2 {
		keep2[i] = RefuseHeaders(a)
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	per = float64(m1.HeapAlloc-m0.HeapAlloc) / n
	t.Logf("a guarded connection keeps %.0f bytes", per)
	assert.Less(t, per, 64.0)
	runtime.KeepAlive(keep2)
}
