package listener

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/proxyproto"
)

// headerBufs are the buffers PROXY headers are read into, only for the
// time of the read.
var headerBufs = sync.Pool{New: func() any { return new([proxyproto.MaxLen]byte) }}

// proxy reads the PROXY header of a connection from a trusted source and
// returns the connection that names the client it forwards; a connection
// from any other source is guarded against a header. ok is false when the
// connection must be closed unanswered.
func (s *Server) proxy(conn net.Conn) (net.Conn, bool) {
	if len(s.cfg.ProxyFrom) == 0 {
		return conn, true
	}
	peer := RemoteIP(conn)
	if !s.trusted(peer) {
		return proxyproto.RefuseHeaders(conn), true
	}
	conn.SetReadDeadline(time.Now().Add(s.cfg.ProxyTimeout))
	buf := headerBufs.Get().(*[proxyproto.MaxLen]byte)
	h, err := proxyproto.ReadHeader(conn, buf)
	headerBufs.Put(buf) // the listener keeps no view into it
	conn.SetReadDeadline(time.Time{})
	if err != nil {
		s.cfg.Log.Info("refused: PROXY header", "listener", s.cfg.Name, "proxy", peer.String(), "err", err)
		return nil, false
	}
	// UDP and AF_UNIX datagrams cannot be what reached a TCP port. Local
	// (health checks), Unspec ("UNKNOWN") and AF_UNIX streams keep the
	// proxy's own address, as the specification says.
	if h.Command == proxyproto.Proxy && h.Family != proxyproto.Unspec && !h.Family.Stream() {
		s.cfg.Log.Info("refused: PROXY header", "listener", s.cfg.Name, "proxy", peer.String(), "err", "not a stream")
		return nil, false
	}
	return proxyproto.NewConn(conn, h), true
}

// trusted reports whether ip is in ProxyFrom.
func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.cfg.ProxyFrom {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
