package listener

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/limits"
	"github.com/mailwire/mailwire/examples/mailserver/internal/proxyproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addrHandler greets with the client address it sees, then echoes.
type addrHandler struct {
	mu    sync.Mutex
	addrs []string
}

func (h *addrHandler) Serve(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	h.mu.Lock()
	h.addrs = append(h.addrs, conn.RemoteAddr().String())
	h.mu.Unlock()
	_, isTLS := conn.(*tls.Conn)
	greet := "hello " + conn.RemoteAddr().String()
	if isTLS {
		greet += " tls"
	}
	conn.Write([]byte(greet + "\r\n"))
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		conn.Write([]byte(line))
	}
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func v2(t *testing.T, src string) []byte {
	t.Helper()
	b, err := proxyproto.AppendV2(nil, proxyproto.Header{Command: proxyproto.Proxy, Family: proxyproto.TCP4,
		Source: netip.MustParseAddrPort(src), Dest: netip.MustParseAddrPort("198.51.100.1:587")})
	require.NoError(t, err)
	return b
}

// closedUnanswered asserts that the server closes c without a byte.
func closedUnanswered(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	assert.NoError(t, err, "closed, not timed out")
	assert.Empty(t, string(b), "no byte answered")
}

func TestProxyHeaderNamesTheClient(t *testing.T) {
	h := &addrHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, ProxyFrom: loopback})
	for _, hdr := range [][]byte{v2(t, "192.0.2.7:4242"), []byte("PROXY TCP4 192.0.2.7 198.51.100.1 4242 587\r\n")} {
		c, r := dial(t, s)
		c.Write(append(hdr, "ping\r\n"...)) // the session's bytes in the same write
		assert.Equal(t, "hello 192.0.2.7:4242\r\n", readLine(t, r))
		assert.Equal(t, "ping\r\n", readLine(t, r), "no session byte lost to the header read")
	}
	// A LOCAL header (HAProxy's health check) and UNKNOWN keep the real
	// address.
	for _, hdr := range []string{"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00", "\r\n\r\n\x00\r\nQUIT\n\x21\x00\x00\x00", "PROXY UNKNOWN\r\n"} {
		c, r := dial(t, s)
		c.Write([]byte(hdr))
		assert.Equal(t, "hello "+c.LocalAddr().String()+"\r\n", readLine(t, r), "%q", hdr)
	}
}

func TestProxyHeaderBeforeTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	h := &addrHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, ProxyFrom: loopback, Implicit: &tls.Config{Certificates: []tls.Certificate{cert}}})
	// Without a header the TLS handshake never starts.
	c0, _ := dial(t, s)
	tc0 := tls.Client(c0, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	assert.Error(t, tc0.Handshake())
	raw, err := net.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = raw.Write(v2(t, "[2001:db8::9]:1"[0:0]+"203.0.113.5:999"))
	require.NoError(t, err)
	c := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	assert.Equal(t, "hello 203.0.113.5:999 tls\r\n", readLine(t, bufio.NewReader(c)))
}

func TestProxyHeaderRequired(t *testing.T) {
	h := &addrHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, ProxyFrom: loopback, ProxyTimeout: 300 * time.Millisecond})
	for name, send := range map[string][]byte{
		"missing":        []byte("EHLO client\r\n"),
		"malformed v1":   []byte("PROXY TCP4 192.0.2.07 198.51.100.1 1 2\r\n"),
		"malformed v2":   []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x41\x00\x00"),
		"bad checksum":   append(v2(t, "192.0.2.7:1")[:14:14], 0, 19, 192, 0, 2, 7, 1, 1, 1, 1, 0, 1, 0, 2, 3, 0, 4, 1, 2, 3, 4),
		"silent":         nil,
		"too long":       []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\xff\xff"),
		"udp":            append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x12\x00\x0c"), make([]byte, 12)...),
		"incomplete eof": []byte("PROXY TCP4 192.0.2.7"),
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := dial(t, s)
			if send != nil {
				c.Write(send)
			}
			if name == "incomplete eof" {
				c.(*net.TCPConn).CloseWrite()
			}
			t0 := time.Now()
			closedUnanswered(t, c)
			if name == "silent" {
				assert.GreaterOrEqual(t, time.Since(t0), 250*time.Millisecond, "closed at ProxyTimeout")
			}
		})
	}
	assert.Empty(t, h.addrs, "no session started")
}

func TestProxyHeaderFromUntrusted(t *testing.T) {
	h := &addrHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, ProxyFrom: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	// Plain traffic from an untrusted source is served as before.
	c, r := dial(t, s)
	assert.Equal(t, "hello "+c.LocalAddr().String()+"\r\n", readLine(t, r))
	c.Write([]byte("ping\r\n"))
	assert.Equal(t, "ping\r\n", readLine(t, r))
	// A forged header is refused: the connection closes, nothing is echoed.
	for _, forged := range [][]byte{[]byte("PROXY TCP4 192.0.2.7 198.51.100.1 4242 587\r\nping\r\n"), append(v2(t, "192.0.2.7:1"), "ping\r\n"...)} {
		c, r := dial(t, s)
		assert.Equal(t, "hello "+c.LocalAddr().String()+"\r\n", readLine(t, r))
		c.Write(forged)
		rest, err := io.ReadAll(r)
		assert.NoError(t, err)
		assert.Empty(t, string(rest))
	}
}

// On an implicit-TLS port an untrusted header fails the handshake.
func TestProxyHeaderFromUntrustedTLS(t *testing.T) {
	cert, _ := selfSigned(t)
	h := &addrHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, ProxyFrom: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, Implicit: &tls.Config{Certificates: []tls.Certificate{cert}}})
	c, _ := dial(t, s)
	c.Write(v2(t, "192.0.2.7:1"))
	closedUnanswered(t, c)
	assert.Empty(t, h.addrs)
}

// The connection caps count the proxied client, not the proxy.
func TestProxyLimitsPerClient(t *testing.T) {
	h := &addrHandler{}
	s, _, _ := start(t, Config{Name: "t", Handler: h, ProxyFrom: loopback, Busy: []byte("421 busy\r\n"),
		Limits: limits.New(limits.Config{MaxConns: 10, MaxConnsPerIP: 1})})
	c1, r1 := dial(t, s)
	c1.Write(v2(t, "192.0.2.1:1"))
	assert.Equal(t, "hello 192.0.2.1:1\r\n", readLine(t, r1))
	c2, r2 := dial(t, s)
	c2.Write(v2(t, "192.0.2.1:2"))
	assert.Equal(t, "421 busy\r\n", readLine(t, r2))
	c3, r3 := dial(t, s)
	c3.Write(v2(t, "192.0.2.2:3"))
	assert.Equal(t, "hello 192.0.2.2:3\r\n", readLine(t, r3), "another client behind the same proxy")
}
