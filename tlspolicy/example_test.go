package tlspolicy_test

import (
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
