package proxyproto

import (
	"net"
)

// Conn is a connection that reports the proxied client as RemoteAddr and
// the proxy's frontend as LocalAddr; everything else is the underlying
// connection's.
type Conn struct {
	net.Conn
	remote, local net.Addr
}

// NewConn wraps c with the addresses of h when h names a TCP client (a
// Proxy command of family TCP4 or TCP6); otherwise (Local, Unspec, UDP,
// AF_UNIX) it returns c itself, whose real addresses then stand.
func NewConn(c net.Conn, h Header) net.Conn {
	if h.Command != Proxy || (h.Family != TCP4 && h.Family != TCP6) {
		return c
	}
	return &Conn{Conn: c, remote: net.TCPAddrFromAddrPort(h.Source), local: net.TCPAddrFromAddrPort(h.Dest)}
}

// RemoteAddr is the proxied client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// LocalAddr is the address the client connected to at the proxy.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// Unwrap returns the connection from the proxy.
func (c *Conn) Unwrap() net.Conn { return c.Conn }

// guard is a connection from a source that may not send a header.
type guard struct {
	net.Conn
	decided bool
}

// RefuseHeaders wraps a connection from a source that may not send a
// PROXY header: its first Read (given at least 12 bytes of room, as every
// session's buffered reader does) reads on until the first bytes are
// known not to be a header signature; a signature closes the connection
// and the Read returns ErrUntrusted. Later reads pass through. A first
// Read into less than 12 bytes is not inspected.
func RefuseHeaders(c net.Conn) net.Conn { return &guard{Conn: c} }

func (g *guard) Read(p []byte) (int, error) {
	if g.decided || len(p) < len(sigV2) {
		g.decided = true
		return g.Conn.Read(p)
	}
	n := 0
	for {
		m, err := g.Conn.Read(p[n:])
		n += m
		sig, decided := HasSignature(p[:n])
		if decided {
			g.decided = true
			if sig {
				g.Conn.Close()
				clear(p[:n])
				return 0, ErrUntrusted
			}
			return n, err
		}
		if err != nil {
			return n, err
		}
	}
}

// Unwrap returns the guarded connection.
func (g *guard) Unwrap() net.Conn { return g.Conn }
