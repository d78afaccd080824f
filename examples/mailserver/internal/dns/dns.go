// Package dns is the stub resolver of the outbound queue: it asks one
// recursive server (the operator's -dns, else the first nameserver of
// /etc/resolv.conf) for MX, A/AAAA, TLSA and TXT records, with messages
// built and parsed by golang.org/x/net/dns/dnsmessage, so that the AD bit
// (RFC 4035 §3.2.3, the server validated the answer with DNSSEC) and TLSA
// records are visible, which the standard library's resolver hides.
//
// Limits: UDP with an EDNS(0) size of 1232 octets, retried over TCP when the
// answer is truncated (a TCP answer is read into a buffer of at most 64 KiB,
// the protocol's maximum); at most Attempts tries of Timeout each. The AD
// bit is only as trustworthy as the path to the resolver: point -dns at a
// validating resolver on loopback or a trusted network (RFC 7672 §2.1).
package dns

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Errors of a lookup, for errors.Is. Every error a lookup returns wraps
// one of them.
var (
	// ErrNXDomain: the name does not exist (RCODE 3). It is final.
	ErrNXDomain = errors.New("dns: no such domain")
	// ErrTemporary: the server failed (SERVFAIL, REFUSED, other RCODEs),
	// did not answer in time, or could not be reached. Retry later.
	ErrTemporary = errors.New("dns: temporary failure")
	// ErrMalformed: the answer is not a valid response to the question.
	ErrMalformed = errors.New("dns: malformed answer")
)

// udpSize is the EDNS(0) payload size offered (DNS flag day 2020).
const udpSize = 1232

// Resolver sends queries to one recursive server. The zero value asks the
// system's first nameserver.
type Resolver struct {
	// Server is "host:port"; empty: the first nameserver in
	// /etc/resolv.conf, port 53 (127.0.0.1:53 when there is none).
	Server string
	// Timeout bounds one try; 0: 5 s.
	Timeout time.Duration
	// Attempts is how many tries a query gets; 0: 2.
	Attempts int
}

// Answer is the part of a response a lookup uses.
type Answer struct {
	// Secure: the server set AD, it validated the answer with DNSSEC.
	Secure bool
	// Records are the answer records of the asked type whose owner is the
	// asked name or the end of a CNAME chain from it, in order.
	Records []dnsmessage.Resource
}

// SystemServer returns the first nameserver of /etc/resolv.conf as
// "host:53", or "127.0.0.1:53".
func SystemServer() string {
	f, err := os.Open("/etc/resolv.conf")
	if err != nil {
		return "127.0.0.1:53"
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			return net.JoinHostPort(fields[1], "53")
		}
	}
	return "127.0.0.1:53"
}

func (r *Resolver) server() string {
	if r.Server != "" {
		return r.Server
	}
	return SystemServer()
}

// Lookup asks for name's records of type typ. NXDOMAIN is ErrNXDomain; an
// empty answer (NODATA) is no error and no records.
func (r *Resolver) Lookup(ctx context.Context, name string, typ dnsmessage.Type) (Answer, error) {
	qname, err := dnsmessage.NewName(fqdn(name))
	if err != nil {
		return Answer{}, fmt.Errorf("%w: name %q: %v", ErrMalformed, name, err)
	}
	q := dnsmessage.Question{Name: qname, Type: typ, Class: dnsmessage.ClassINET}
	timeout, attempts := r.Timeout, r.Attempts
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	if attempts <= 0 {
		attempts = 2
	}
	var last error
	for i := 0; i < attempts; i++ {
		if ctx.Err() != nil {
			return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, ctx.Err())
		}
		a, err := r.exchange(ctx, q, timeout)
		if err == nil || errors.Is(err, ErrNXDomain) {
			return a, err
		}
		last = err
	}
	return Answer{}, last
}

// exchange runs one query over UDP, and over TCP when truncated.
func (r *Resolver) exchange(ctx context.Context, q dnsmessage.Question, timeout time.Duration) (Answer, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := randomID()
	msg, err := BuildQuery(id, q)
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", r.server())
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := conn.Write(msg); err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
	}
	buf := make([]byte, udpSize)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
		}
		a, truncated, err := ParseResponse(buf[:n], id, q)
		if errors.Is(err, errNotOurs) {
			continue // a stray or spoofed datagram: keep waiting
		}
		if err != nil || !truncated {
			return a, err
		}
		return r.exchangeTCP(ctx, q, msg, id)
	}
}

func (r *Resolver) exchangeTCP(ctx context.Context, q dnsmessage.Question, msg []byte, id uint16) (Answer, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.server())
	if err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	out := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(out, uint16(len(msg)))
	copy(out[2:], msg)
	if _, err := conn.Write(out); err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
	}
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
	}
	// The length is 16 bits: the buffer is at most 64 KiB.
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return Answer{}, fmt.Errorf("%w: %v", ErrTemporary, err)
	}
	a, _, err := ParseResponse(buf, id, q)
	if errors.Is(err, errNotOurs) {
		err = fmt.Errorf("%w: TCP answer to another query", ErrMalformed)
	}
	return a, err
}

// BuildQuery returns a recursive query for q with ID id, the AD bit set to
// ask for the validation result (RFC 6840 §5.7) and an EDNS(0) record.
func BuildQuery(id uint16, q dnsmessage.Question) ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{ID: id, RecursionDesired: true, AuthenticData: true})
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAdditionals(); err != nil {
		return nil, err
	}
	var opt dnsmessage.ResourceHeader
	if err := opt.SetEDNS0(udpSize, dnsmessage.RCodeSuccess, false); err != nil {
		return nil, err
	}
	if err := b.OPTResource(opt, dnsmessage.OPTResource{}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// errNotOurs: a datagram that does not answer our query (ID or question
// differ); over UDP it is ignored.
var errNotOurs = errors.New("dns: answer to another query")

// maxCNAME bounds the CNAME chain followed inside one answer.
const maxCNAME = 8

// ParseResponse checks that msg answers query id for q and returns its
// records of q's type for q's name (following CNAMEs within the answer),
// whether AD was set, and whether it was truncated. RCODE 3 is
// ErrNXDomain, other failure codes ErrTemporary. The records do not refer
// to msg.
func ParseResponse(msg []byte, id uint16, q dnsmessage.Question) (Answer, bool, error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return Answer{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !h.Response || h.ID != id {
		return Answer{}, false, errNotOurs
	}
	qs, err := p.AllQuestions()
	if err != nil {
		return Answer{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(qs) != 1 || qs[0].Type != q.Type || qs[0].Class != q.Class || !strings.EqualFold(qs[0].Name.String(), q.Name.String()) {
		return Answer{}, false, errNotOurs
	}
	if h.Truncated {
		return Answer{}, true, nil
	}
	switch h.RCode {
	case dnsmessage.RCodeSuccess:
	case dnsmessage.RCodeNameError:
		return Answer{Secure: h.AuthenticData}, false, fmt.Errorf("%w: %s", ErrNXDomain, q.Name)
	default:
		return Answer{}, false, fmt.Errorf("%w: %s for %s %s", ErrTemporary, h.RCode, q.Name, q.Type)
	}
	rrs, err := p.AllAnswers()
	if err != nil {
		return Answer{}, false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	a := Answer{Secure: h.AuthenticData}
	name := q.Name.String()
	for hop := 0; hop <= maxCNAME; hop++ {
		next := ""
		for _, rr := range rrs {
			if !strings.EqualFold(rr.Header.Name.String(), name) || rr.Header.Class != dnsmessage.ClassINET {
				continue
			}
			switch {
			case rr.Header.Type == q.Type:
				a.Records = append(a.Records, rr)
			case rr.Header.Type == dnsmessage.TypeCNAME && next == "":
				if c, ok := rr.Body.(*dnsmessage.CNAMEResource); ok {
					next = c.CNAME.String()
				}
			}
		}
		if len(a.Records) > 0 || next == "" {
			return a, false, nil
		}
		name = next
	}
	return Answer{}, false, fmt.Errorf("%w: CNAME chain longer than %d", ErrMalformed, maxCNAME)
}

func fqdn(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}

func randomID() uint16 {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint16(b[:])
}
