// Package target turns the command line's HOST:PORT, protocol, TLS mode
// and level into what a probe connects to and the tlspolicy.Policy it
// must meet.
package target

import (
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
	"github.com/mailwire/mailwire/tlspolicy"
)

// Mode is how TLS starts.
type Mode string

// The modes of -tls.
const (
	Implicit Mode = "implicit"
	STARTTLS Mode = "starttls"
	None     Mode = "none"
)

// Target is one server to probe.
type Target struct {
	Addr       string // host:port as dialled
	Host       string
	Port       int
	Proto      session.Proto
	Mode       Mode
	Level      tlspolicy.Level
	ServerName string
	Insecure   bool
	Policy     tlspolicy.Policy
	// ALPN are the protocol names offered (RFC 7301); none by default.
	ALPN []string
}

// Options are the command line's choices; empty strings mean "guess".
type Options struct {
	Proto, Mode, Level, ServerName, CAFile string
	Insecure                               bool
	ALPN                                   []string // offered protocol names
	Fingerprints                           []string // hex SHA-256, for -level fingerprint
	TLSA                                   []string // "usage selector mtype hex", for -level dane
}

// wellKnown maps the ports of RFC 5321, 6409, 8314, 1939 and 3501.
var wellKnown = map[int]struct {
	proto session.Proto
	mode  Mode
}{
	25: {session.SMTP, STARTTLS}, 587: {session.SMTP, STARTTLS}, 465: {session.SMTP, Implicit},
	110: {session.POP3, STARTTLS}, 995: {session.POP3, Implicit},
	143: {session.IMAP, STARTTLS}, 993: {session.IMAP, Implicit},
	24: {session.LMTP, None},
}

// ErrUsage is a command line that cannot be probed.
var ErrUsage = errors.New("usage")

// New checks addr and opt and builds the target. Errors wrap ErrUsage.
func New(addr string, opt Options) (Target, error) {
	host, portS, err := net.SplitHostPort(addr)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	port, err := strconv.Atoi(portS)
	if err != nil || port <= 0 || port > 65535 {
		return Target{}, fmt.Errorf("%w: bad port %q", ErrUsage, portS)
	}
	t := Target{Addr: addr, Host: host, Port: port, Insecure: opt.Insecure, ALPN: opt.ALPN}
	known, isKnown := wellKnown[port]
	if opt.Proto != "" {
		if t.Proto, err = session.ParseProto(opt.Proto); err != nil {
			return Target{}, fmt.Errorf("%w: %v", ErrUsage, err)
		}
	} else if isKnown {
		t.Proto = known.proto
	} else {
		return Target{}, fmt.Errorf("%w: port %d is not well known: give -proto", ErrUsage, port)
	}
	switch Mode(opt.Mode) {
	case Implicit, STARTTLS, None:
		t.Mode = Mode(opt.Mode)
	case "":
		if isKnown && known.proto == t.Proto {
			t.Mode = known.mode
		} else {
			t.Mode = STARTTLS
		}
	default:
		return Target{}, fmt.Errorf("%w: -tls %q: implicit, starttls or none", ErrUsage, opt.Mode)
	}
	if opt.Level == "" {
		opt.Level = "verify"
	}
	if t.Level, err = tlspolicy.ParseLevel(opt.Level); err != nil {
		return Target{}, fmt.Errorf("%w: -level: %v", ErrUsage, err)
	}
	if t.Mode == None {
		t.Level = tlspolicy.LevelNone
	} else if t.Level == tlspolicy.LevelNone {
		t.Mode = None
	}
	t.ServerName = opt.ServerName
	if t.ServerName == "" {
		t.ServerName = host
	}
	if t.Policy, err = policy(t, opt); err != nil {
		return Target{}, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return t, nil
}

func policy(t Target, opt Options) (tlspolicy.Policy, error) {
	p := tlspolicy.Policy{Level: t.Level, ServerName: t.ServerName}
	switch t.Mode {
	case None:
		p.Transport = tlspolicy.TransportPlain
	case STARTTLS:
		p.Transport = tlspolicy.TransportSTARTTLS
	case Implicit:
		p.Transport = tlspolicy.TransportImplicit
	}
	if opt.CAFile != "" {
		pem, err := os.ReadFile(opt.CAFile)
		if err != nil {
			return p, err
		}
		p.RootCAs = x509.NewCertPool()
		if !p.RootCAs.AppendCertsFromPEM(pem) {
			return p, fmt.Errorf("-cafile %s: no PEM certificate", opt.CAFile)
		}
	}
	if p.Level == tlspolicy.LevelFingerprint {
		for _, f := range opt.Fingerprints {
			b, err := hex.DecodeString(strings.ReplaceAll(f, ":", ""))
			if err != nil || len(b) != 32 {
				return p, fmt.Errorf("-fingerprint %q: not a SHA-256 in hex", f)
			}
			p.Fingerprints = append(p.Fingerprints, b)
		}
	}
	if p.Level.DANEBased() {
		for _, s := range opt.TLSA {
			r, err := parseTLSA(s)
			if err != nil {
				return p, err
			}
			p.TLSA = append(p.TLSA, r)
		}
	}
	if t.Mode == Implicit && !p.Level.Required() {
		// Implicit TLS cannot fall back to plaintext; may means encrypt here.
		p.Level = tlspolicy.LevelEncrypt
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	return p, nil
}

// parseTLSA reads "3 1 1 <hex>".
func parseTLSA(s string) (tlspolicy.TLSA, error) {
	f := strings.Fields(s)
	if len(f) != 4 {
		return tlspolicy.TLSA{}, fmt.Errorf("-tlsa %q: want \"usage selector type hex\"", s)
	}
	var n [3]uint8
	for i := range 3 {
		v, err := strconv.ParseUint(f[i], 10, 8)
		if err != nil {
			return tlspolicy.TLSA{}, fmt.Errorf("-tlsa %q: %v", s, err)
		}
		n[i] = uint8(v)
	}
	data, err := hex.DecodeString(f[3])
	if err != nil {
		return tlspolicy.TLSA{}, fmt.Errorf("-tlsa %q: %v", s, err)
	}
	return tlspolicy.TLSA{Usage: n[0], Selector: n[1], MatchingType: n[2], Data: data}, nil
}
