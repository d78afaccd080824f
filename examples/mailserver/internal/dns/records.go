package dns

import (
	"context"
	"errors"
	"net/netip"
	"sort"
	"strings"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/mailwire/mailwire/tlspolicy"
)

// TypeTLSA is the TLSA record type (RFC 6698 §7.1); dnsmessage has no
// constant for it.
const TypeTLSA dnsmessage.Type = 52

// MX is one mail exchanger.
type MX struct {
	Pref uint16
	Host string // without the trailing dot, lower case; "" for a null MX
}

// LookupMX returns the domain's MX records sorted by preference (the
// order among equal preferences is the server's). A null MX (RFC 7505: one
// record, host ".") comes back as one MX with Host "". No records and no
// error: the domain has no MX (RFC 5321 §5.1: use the domain itself).
func (r *Resolver) LookupMX(ctx context.Context, domain string) ([]MX, bool, error) {
	a, err := r.Lookup(ctx, domain, dnsmessage.TypeMX)
	if err != nil {
		return nil, false, err
	}
	mxs := make([]MX, 0, len(a.Records))
	for _, rr := range a.Records {
		if m, ok := rr.Body.(*dnsmessage.MXResource); ok {
			mxs = append(mxs, MX{Pref: m.Pref, Host: hostName(m.MX.String())})
		}
	}
	sort.SliceStable(mxs, func(i, j int) bool { return mxs[i].Pref < mxs[j].Pref })
	return mxs, a.Secure, nil
}

// LookupAddrs returns the host's IPv4 and then IPv6 addresses; secure when
// every answer that had records was validated. An IPv6 lookup failure is
// ignored when there are IPv4 addresses.
func (r *Resolver) LookupAddrs(ctx context.Context, host string) ([]netip.Addr, bool, error) {
	var out []netip.Addr
	secure := true
	a4, err4 := r.Lookup(ctx, host, dnsmessage.TypeA)
	if err4 == nil {
		for _, rr := range a4.Records {
			if a, ok := rr.Body.(*dnsmessage.AResource); ok {
				out = append(out, netip.AddrFrom4(a.A))
			}
		}
		secure = a4.Secure
	}
	if errors.Is(err4, ErrNXDomain) {
		return nil, false, err4
	}
	a6, err6 := r.Lookup(ctx, host, dnsmessage.TypeAAAA)
	if err6 == nil {
		for _, rr := range a6.Records {
			if a, ok := rr.Body.(*dnsmessage.AAAAResource); ok {
				out = append(out, netip.AddrFrom16(a.AAAA))
			}
		}
		if len(a6.Records) > 0 {
			secure = secure && a6.Secure
		}
	}
	if len(out) == 0 {
		if err4 != nil {
			return nil, false, err4
		}
		if err6 != nil && !errors.Is(err6, ErrNXDomain) {
			return nil, false, err6
		}
	}
	return out, secure && len(out) > 0, nil
}

// LookupTLSA returns the TLSA records at name (as "_25._tcp.mx.example"),
// with the RDATA parsed (RFC 6698 §2.1); records shorter than 4 octets are
// skipped. The caller trusts them only when the answer is secure.
func (r *Resolver) LookupTLSA(ctx context.Context, name string) ([]tlspolicy.TLSA, bool, error) {
	a, err := r.Lookup(ctx, name, TypeTLSA)
	if err != nil {
		return nil, a.Secure, err
	}
	var out []tlspolicy.TLSA
	for _, rr := range a.Records {
		u, ok := rr.Body.(*dnsmessage.UnknownResource)
		if !ok || len(u.Data) < 4 {
			continue
		}
		out = append(out, tlspolicy.TLSA{Usage: u.Data[0], Selector: u.Data[1], MatchingType: u.Data[2], Data: append([]byte(nil), u.Data[3:]...)})
	}
	return out, a.Secure, nil
}

// LookupTXT returns each TXT record at name with its strings concatenated
// (RFC 8461 §3.1, RFC 8460 §3).
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([][]byte, bool, error) {
	a, err := r.Lookup(ctx, name, dnsmessage.TypeTXT)
	if err != nil {
		return nil, false, err
	}
	var out [][]byte
	for _, rr := range a.Records {
		if t, ok := rr.Body.(*dnsmessage.TXTResource); ok {
			out = append(out, []byte(strings.Join(t.TXT, "")))
		}
	}
	return out, a.Secure, nil
}

// hostName drops the trailing dot and lowers the case; "." becomes "".
func hostName(s string) string {
	return strings.ToLower(strings.TrimSuffix(s, "."))
}
