package dns

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/mailwire/mailwire/examples/mailserver/internal/dns/dnstest"
	"github.com/mailwire/mailwire/tlspolicy"
)

func newPair(t *testing.T) (*dnstest.Server, *Resolver) {
	srv := dnstest.Start(t)
	return srv, &Resolver{Server: srv.Addr, Timeout: 2 * time.Second, Attempts: 1}
}

func TestLookupMX(t *testing.T) {
	srv, r := newPair(t)
	srv.MX("example.test", 20, "mx2.example.test")
	srv.MX("example.test", 10, "MX1.example.test")
	srv.Secure("example.test", true)
	srv.MX("null.test", 0, ".")
	srv.A("nomx.test", "127.0.0.1")
	srv.Fail("broken.test", dnsmessage.TypeMX, dnsmessage.RCodeServerFailure)
	ctx := context.Background()

	tests := []struct {
		domain string
		want   []MX
		secure bool
		err    error
	}{
		{"example.test", []MX{{10, "mx1.example.test"}, {20, "mx2.example.test"}}, true, nil},
		{"Example.Test.", []MX{{10, "mx1.example.test"}, {20, "mx2.example.test"}}, true, nil},
		{"null.test", []MX{{0, ""}}, false, nil},
		{"nomx.test", []MX{}, false, nil},
		{"absent.test", nil, false, ErrNXDomain},
		{"broken.test", nil, false, ErrTemporary},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			mx, secure, err := r.LookupMX(ctx, tc.domain)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, mx)
			assert.Equal(t, tc.secure, secure)
		})
	}
}

func TestLookupAddrsTLSATXT(t *testing.T) {
	srv, r := newPair(t)
	srv.A("mx.test", "127.0.0.1")
	srv.A("mx.test", "::1")
	srv.Secure("mx.test", true)
	srv.A("insecure.test", "127.0.0.2")
	data := make([]byte, 32)
	data[0] = 0xab
	srv.TLSA("_25._tcp.mx.test", 3, 1, 1, data)
	srv.TLSA("_25._tcp.mx.test", 9, 9, 9, []byte{1}) // parsed, unusable
	srv.Secure("_25._tcp.mx.test", true)
	srv.TXT("_mta-sts.example.test", "v=STSv1; ", "id=20261204;")
	srv.TXT("_mta-sts.example.test", "other")
	srv.CNAME("alias.test", "mx.test")
	ctx := context.Background()

	addrs, secure, err := r.LookupAddrs(ctx, "mx.test")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, addrs)
	assert.True(t, secure)

	addrs, secure, err = r.LookupAddrs(ctx, "insecure.test")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("127.0.0.2")}, addrs)
	assert.False(t, secure)

	addrs, _, err = r.LookupAddrs(ctx, "alias.test")
	require.NoError(t, err)
	assert.Len(t, addrs, 2, "CNAME followed")

	_, _, err = r.LookupAddrs(ctx, "gone.test")
	require.ErrorIs(t, err, ErrNXDomain)

	recs, secure, err := r.LookupTLSA(ctx, "_25._tcp.mx.test")
	require.NoError(t, err)
	assert.True(t, secure)
	require.Len(t, recs, 2)
	assert.Equal(t, tlspolicy.TLSA{Usage: 3, Selector: 1, MatchingType: 1, Data: data}, recs[0])
	assert.True(t, recs[0].Usable())
	assert.False(t, recs[1].Usable())

	txt, _, err := r.LookupTXT(ctx, "_mta-sts.example.test")
	require.NoError(t, err)
	require.Len(t, txt, 2)
	assert.Equal(t, "v=STSv1; id=20261204;", string(txt[0]))
}

func TestTruncatedRetriesOverTCP(t *testing.T) {
	srv, r := newPair(t)
	srv.TruncateUDP = true
	srv.MX("example.test", 5, "mx.example.test")
	mx, _, err := r.LookupMX(context.Background(), "example.test")
	require.NoError(t, err)
	assert.Equal(t, []MX{{5, "mx.example.test"}}, mx)
}

func TestTimeoutIsTemporary(t *testing.T) {
	// A UDP port nobody answers on.
	r := &Resolver{Server: "127.0.0.1:9", Timeout: 200 * time.Millisecond, Attempts: 2}
	start := time.Now()
	_, _, err := r.LookupMX(context.Background(), "example.test")
	require.ErrorIs(t, err, ErrTemporary)
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestParseResponseRejects(t *testing.T) {
	q := dnsmessage.Question{Name: dnsmessage.MustNewName("example.test."), Type: dnsmessage.TypeMX, Class: dnsmessage.ClassINET}
	query, err := BuildQuery(7, q)
	require.NoError(t, err)
	_, _, err = ParseResponse(query, 7, q)
	require.ErrorIs(t, err, errNotOurs, "a query is not a response")
	_, _, err = ParseResponse([]byte{1, 2, 3}, 7, q)
	require.ErrorIs(t, err, ErrMalformed)
	resp := buildMX(t, 8, q, 10, "mx.example.test.", true)
	_, _, err = ParseResponse(resp, 7, q)
	require.ErrorIs(t, err, errNotOurs, "wrong ID")
	other := q
	other.Type = dnsmessage.TypeA
	_, _, err = ParseResponse(resp, 8, other)
	require.ErrorIs(t, err, errNotOurs, "wrong question")
	a, trunc, err := ParseResponse(resp, 8, q)
	require.NoError(t, err)
	assert.False(t, trunc)
	assert.True(t, a.Secure)
	require.Len(t, a.Records, 1)
}

func buildMX(t testing.TB, id uint16, q dnsmessage.Question, pref uint16, host string, ad bool) []byte {
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, Response: true, AuthenticData: ad})
	require.NoError(t, b.StartQuestions())
	require.NoError(t, b.Question(q))
	require.NoError(t, b.StartAnswers())
	require.NoError(t, b.MXResource(dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeMX, Class: dnsmessage.ClassINET}, dnsmessage.MXResource{Pref: pref, MX: dnsmessage.MustNewName(host)}))
	out, err := b.Finish()
	require.NoError(t, err)
	return out
}

// FuzzParseResponse: a response built from the inputs parses back to the
// same MX record and AD bit; arbitrary bytes never panic and, when they
// parse, give only records of the asked type.
func FuzzParseResponse(f *testing.F) {
	f.Add(uint16(10), "mx.example.test", true, []byte{0, 1})
	f.Add(uint16(0), "", false, []byte("\x00\x07\x81\x80"))
	q := dnsmessage.Question{Name: dnsmessage.MustNewName("example.test."), Type: dnsmessage.TypeMX, Class: dnsmessage.ClassINET}
	f.Fuzz(func(t *testing.T, pref uint16, host string, ad bool, raw []byte) {
		if a, _, err := ParseResponse(raw, 7, q); err == nil {
			for _, rr := range a.Records {
				require.Equal(t, dnsmessage.TypeMX, rr.Header.Type)
			}
		}
		name, err := dnsmessage.NewName(fqdn(host))
		if err != nil || host == "" {
			return
		}
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, Response: true, AuthenticData: ad})
		_ = b.StartQuestions()
		_ = b.Question(q)
		_ = b.StartAnswers()
		if b.MXResource(dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeMX, Class: dnsmessage.ClassINET}, dnsmessage.MXResource{Pref: pref, MX: name}) != nil {
			return
		}
		msg, err := b.Finish()
		if err != nil {
			return
		}
		a, trunc, err := ParseResponse(msg, 7, q)
		require.NoError(t, err)
		require.False(t, trunc)
		require.Equal(t, ad, a.Secure)
		require.Len(t, a.Records, 1)
		mx := a.Records[0].Body.(*dnsmessage.MXResource)
		require.Equal(t, pref, mx.Pref)
		require.Equal(t, name.String(), mx.MX.String())
	})
}

func BenchmarkParseResponse(b *testing.B) {
	q := dnsmessage.Question{Name: dnsmessage.MustNewName("example.test."), Type: dnsmessage.TypeMX, Class: dnsmessage.ClassINET}
	msg := buildMX(b, 8, q, 10, "mx.example.test.", true)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, _, err := ParseResponse(msg, 8, q); err != nil {
			b.Fatal(err)
		}
	}
}
