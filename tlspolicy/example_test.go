package tlspolicy_test

import (
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/mailwire/mailwire/tlspolicy"
)

// A sender fetches the MTA-STS policy of a recipient domain over HTTPS and
// decides, for each MX host, whether and how to deliver. A loopback test
// server stands in for https://mta-sts.example.com.
func ExampleReadMTASTS() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/mta-sts.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
	}))
	defer srv.Close()

	// In production: a client with the system roots, and the URL
	// "https://mta-sts." + domain + "/.well-known/mta-sts.txt".
	client := srv.Client()
	client.Timeout = time.Minute
	client.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // RFC 8461 §3.3: redirects are not followed
	}
	resp, err := client.Get(srv.URL + "/.well-known/mta-sts.txt")
	if err != nil {
		fmt.Println("sts-policy-fetch-error:", err)
		return
	}
	defer resp.Body.Close()
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusOK || mediaType != "text/plain" {
		fmt.Println("sts-policy-fetch-error:", resp.Status, mediaType)
		return
	}
	policy, err := tlspolicy.ReadMTASTS(resp.Body, tlspolicy.MTASTSOptions{})
	if err != nil {
		fmt.Println(tlspolicy.ResultTypeOf(err), err)
		return
	}
	fmt.Println("mode", policy.Mode, "cache for", policy.MaxAge)
	for _, mx := range []string{"mail.example.com", "mx2.example.net", "mx.attacker.example"} {
		d := policy.Decide(mx)
		fmt.Printf("%s: deliver=%v level=%v failure=%q\n", mx, d.Deliver, d.Level, d.Failure)
	}
	// Output:
	// mode enforce cache for 168h0m0s
	// mail.example.com: deliver=true level=verify failure=""
	// mx2.example.net: deliver=true level=verify failure=""
	// mx.attacker.example: deliver=false level=verify failure="validation-failure"
}

// A sender decides how to deliver one message to one MX host: the local
// level is opportunistic DANE, the recipient domain enforces MTA-STS, the
// DNS has no TLSA records, and the message was sent with REQUIRETLS.
func ExampleResolve() {
	sts, err := tlspolicy.ParseMTASTS([]byte("version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 86400\n"), tlspolicy.MTASTSOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mx := range []string{"mx1.example.com", "mx.attacker.example"} {
		d := tlspolicy.Resolve(tlspolicy.Situation{
			Configured: tlspolicy.LevelDANE,
			Transport:  tlspolicy.TransportSTARTTLS,
			MX:         mx,
			MTASTS:     &sts,
			DANE:       tlspolicy.DANENone,
			RequireTLS: true,
		})
		if d.Action != tlspolicy.ActionDeliver {
			fmt.Printf("%s: %v, TLSRPT %s %s\n", mx, d.Action, d.PolicyType, d.Failure)
			continue
		}
		fmt.Printf("%s: %v at %v, plaintext=%v, server must offer REQUIRETLS=%v\n",
			mx, d.Action, d.Level, d.AllowPlaintext, d.RequireTLSExtension)
		cfg, err := tlspolicy.Policy{Level: d.Level, Transport: tlspolicy.TransportSTARTTLS, ServerName: mx}.TLSConfig()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("  tls.Config verifies", cfg.ServerName, "with PKIX:", !cfg.InsecureSkipVerify)
	}
	// Without REQUIRETLS but with "TLS-Required: No", policy failures are
	// ignored and plaintext is allowed.
	no, _ := tlspolicy.ParseTLSRequired([]byte(" No"))
	d := tlspolicy.Resolve(tlspolicy.Situation{Configured: tlspolicy.LevelDANE, Transport: tlspolicy.TransportSTARTTLS,
		MX: "mx.attacker.example", MTASTS: &sts, TLSRequiredNo: no})
	fmt.Printf("TLS-Required: No: %v at %v, plaintext=%v\n", d.Action, d.Level, d.AllowPlaintext)
	// Output:
	// mx1.example.com: deliver at verify, plaintext=false, server must offer REQUIRETLS=true
	//   tls.Config verifies mx1.example.com with PKIX: true
	// mx.attacker.example: next-mx, TLSRPT sts validation-failure
	// TLS-Required: No: deliver at may, plaintext=true
}

// Policies for the three ways a client meets a server's certificate.
func ExamplePolicy_TLSConfig() {
	policies := []tlspolicy.Policy{
		{Level: tlspolicy.LevelMay, Transport: tlspolicy.TransportSTARTTLS},
		{Level: tlspolicy.LevelSecure, Transport: tlspolicy.TransportImplicit, ServerName: "example.com"},
		{Level: tlspolicy.LevelDANE, Transport: tlspolicy.TransportSTARTTLS, ServerName: "mx.example.com",
			TLSA: []tlspolicy.TLSA{{Usage: tlspolicy.UsageDANEEE, Selector: tlspolicy.SelectorSPKI,
				MatchingType: tlspolicy.MatchSHA256, Data: make([]byte, 32)}}},
		{Level: tlspolicy.LevelMay, Transport: tlspolicy.TransportImplicit},
	}
	for _, p := range policies {
		cfg, err := p.TLSConfig()
		if err != nil {
			fmt.Println(p.Level, p.Transport, "error:", err)
			continue
		}
		fmt.Printf("%v %v: pkix=%v hook=%v required=%v\n", p.Level, p.Transport,
			!cfg.InsecureSkipVerify, cfg.VerifyConnection != nil, p.Level.Required())
	}
	// Output:
	// may starttls: pkix=false hook=false required=false
	// secure implicit: pkix=true hook=false required=true
	// dane starttls: pkix=false hook=true required=true
	// may implicit error: tlspolicy: invalid policy: implicit TLS needs level encrypt or above, not may
}

// DANE-EE: the server's key is pinned by a "3 1 1" TLSA record. The hook
// goes into a tls.Config that skips crypto/tls's own PKIX check, as
// Policy.TLSConfig does at LevelDANE.
func ExampleDANEVerifier() {
	spkiDigest, _ := hex.DecodeString("8bd1da95272f7fa4ffb24137fc0ed03aae67e5c4d8b3c50734e1050a7920b922")
	v := tlspolicy.DANEVerifier{
		Records: []tlspolicy.TLSA{
			{Usage: tlspolicy.UsagePKIXEE, Selector: tlspolicy.SelectorSPKI, MatchingType: tlspolicy.MatchSHA256, Data: spkiDigest},
			{Usage: tlspolicy.UsageDANEEE, Selector: tlspolicy.SelectorSPKI, MatchingType: tlspolicy.MatchSHA256, Data: spkiDigest},
		},
		Names: []string{"mx.example.com"},
	}
	for _, r := range v.Records {
		fmt.Println(r.Usage, r.Selector, r.MatchingType, "usable:", r.Usable())
	}
	cfg := &tls.Config{ServerName: "mx.example.com", InsecureSkipVerify: true, VerifyConnection: v.VerifyConnection}
	fmt.Println(cfg.VerifyConnection(tls.ConnectionState{}))
	// Output:
	// 1 1 1 usable: false
	// 3 1 1 usable: true
	// tlspolicy: peer certificate matches no TLSA record
}
