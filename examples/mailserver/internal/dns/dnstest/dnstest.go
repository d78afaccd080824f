// Package dnstest is a small authoritative-style DNS server on loopback for
// tests of the outbound queue: UDP and TCP on one port of 127.0.0.1, written
// with golang.org/x/net/dns/dnsmessage. It answers from an in-memory zone,
// sets AD on the answers of names marked secure (as a validating resolver
// would), answers NXDOMAIN for names it has no record of and NODATA for
// names it has other types of.
package dnstest

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

type key struct {
	name string
	typ  dnsmessage.Type
}

// Server is a running DNS server.
type Server struct {
	// Addr is "127.0.0.1:port", for UDP and TCP.
	Addr string
	// TruncateUDP: every UDP answer is an empty one with TC set, so that
	// the client must ask again over TCP.
	TruncateUDP bool

	udp    net.PacketConn
	tcp    net.Listener
	mu     sync.Mutex
	rrs    map[key][]dnsmessage.Resource
	names  map[string]bool
	secure map[string]bool
	rcode  map[key]dnsmessage.RCode
	log    []string
	wg     sync.WaitGroup
}

// Start starts a server and stops it at the test's end.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{rrs: map[key][]dnsmessage.Resource{}, names: map[string]bool{}, secure: map[string]bool{}, rcode: map[key]dnsmessage.RCode{}}
	var err error
	for i := 0; i < 20; i++ {
		s.udp, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.tcp, err = net.Listen("tcp", s.udp.LocalAddr().String())
		if err == nil {
			break
		}
		s.udp.Close()
	}
	if err != nil {
		t.Fatalf("dnstest: no port free for UDP and TCP: %v", err)
	}
	s.Addr = s.udp.LocalAddr().String()
	s.wg.Add(2)
	go s.serveUDP()
	go s.serveTCP()
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.udp.Close()
	s.tcp.Close()
	s.wg.Wait()
}

func canon(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

func (s *Server) add(name string, typ dnsmessage.Type, body dnsmessage.ResourceBody) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := canon(name)
	h := dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(n), Type: typ, Class: dnsmessage.ClassINET, TTL: 300}
	s.rrs[key{n, typ}] = append(s.rrs[key{n, typ}], dnsmessage.Resource{Header: h, Body: body})
	s.names[n] = true
}

// MX adds an MX record; host "." is a null MX.
func (s *Server) MX(domain string, pref uint16, host string) {
	s.add(domain, dnsmessage.TypeMX, &dnsmessage.MXResource{Pref: pref, MX: dnsmessage.MustNewName(canon(host))})
}

// A adds an address record (A or AAAA by the address's family).
func (s *Server) A(host, addr string) {
	a := netip.MustParseAddr(addr)
	if a.Is4() {
		s.add(host, dnsmessage.TypeA, &dnsmessage.AResource{A: a.As4()})
	} else {
		s.add(host, dnsmessage.TypeAAAA, &dnsmessage.AAAAResource{AAAA: a.As16()})
	}
}

// TLSA adds a TLSA record (type 52) at name, as "_25._tcp.mx.example".
func (s *Server) TLSA(name string, usage, selector, matching uint8, data []byte) {
	rd := append([]byte{usage, selector, matching}, data...)
	s.add(name, 52, &dnsmessage.UnknownResource{Type: 52, Data: rd})
}

// TXT adds a TXT record made of the strings.
func (s *Server) TXT(name string, txt ...string) {
	s.add(name, dnsmessage.TypeTXT, &dnsmessage.TXTResource{TXT: txt})
}

// CNAME adds a CNAME record.
func (s *Server) CNAME(name, target string) {
	s.add(name, dnsmessage.TypeCNAME, &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName(canon(target))})
}

// Secure marks the answers for name as DNSSEC-validated (AD set).
func (s *Server) Secure(name string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secure[canon(name)] = on
}

// Fail makes queries for name and type answer rcode (as SERVFAIL).
func (s *Server) Fail(name string, typ dnsmessage.Type, rcode dnsmessage.RCode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcode[key{canon(name), typ}] = rcode
	s.names[canon(name)] = true
}

// Queries returns the questions asked so far, as "name TYPE".
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// answer builds the response to query msg; nil when msg is not a query.
func (s *Server) answer(msg []byte, udp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil || h.Response {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	n := canon(q.Name.String())
	s.mu.Lock()
	s.log = append(s.log, n+" "+q.Type.String())
	rh := dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	var rrs []dnsmessage.Resource
	if rc, ok := s.rcode[key{n, q.Type}]; ok {
		rh.RCode = rc
	} else if !s.names[n] {
		rh.RCode = dnsmessage.RCodeNameError
		rh.AuthenticData = s.secure[n]
	} else {
		rrs = append(rrs, s.rrs[key{n, q.Type}]...)
		if len(rrs) == 0 && q.Type != dnsmessage.TypeCNAME {
			if c := s.rrs[key{n, dnsmessage.TypeCNAME}]; len(c) > 0 {
				rrs = append(rrs, c[0])
				t := canon(c[0].Body.(*dnsmessage.CNAMEResource).CNAME.String())
				rrs = append(rrs, s.rrs[key{t, q.Type}]...)
			}
		}
		rh.AuthenticData = s.secure[n]
	}
	trunc := udp && s.TruncateUDP
	s.mu.Unlock()
	if trunc {
		rh.Truncated, rrs = true, nil
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), rh)
	b.EnableCompression()
	_ = b.StartQuestions()
	_ = b.Question(q)
	_ = b.StartAnswers()
	for _, rr := range rrs {
		var err error
		switch body := rr.Body.(type) {
		case *dnsmessage.MXResource:
			err = b.MXResource(rr.Header, *body)
		case *dnsmessage.AResource:
			err = b.AResource(rr.Header, *body)
		case *dnsmessage.AAAAResource:
			err = b.AAAAResource(rr.Header, *body)
		case *dnsmessage.TXTResource:
			err = b.TXTResource(rr.Header, *body)
		case *dnsmessage.CNAMEResource:
			err = b.CNAMEResource(rr.Header, *body)
		case *dnsmessage.UnknownResource:
			err = b.UnknownResource(rr.Header, *body)
		}
		if err != nil {
			return nil
		}
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}

func (s *Server) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		if out := s.answer(buf[:n], true); out != nil {
			_, _ = s.udp.WriteTo(out, from)
		}
	}
}

func (s *Server) serveTCP() {
	defer s.wg.Done()
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			for {
				var l [2]byte
				if _, err := io.ReadFull(c, l[:]); err != nil {
					return
				}
				msg := make([]byte, binary.BigEndian.Uint16(l[:]))
				if _, err := io.ReadFull(c, msg); err != nil {
					return
				}
				out := s.answer(msg, false)
				if out == nil {
					return
				}
				var hdr [2]byte
				binary.BigEndian.PutUint16(hdr[:], uint16(len(out)))
				if _, err := c.Write(append(hdr[:], out...)); err != nil && !errors.Is(err, net.ErrClosed) {
					return
				}
			}
		}()
	}
}
