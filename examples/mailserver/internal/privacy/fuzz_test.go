package privacy

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mailwire/mailwire/headers"
)

var addedID = regexp.MustCompile(`Message-ID: <[0-9a-f]{32}@mail\.example>`)

// FuzzPipeline: whatever the message, an accepted one starts with the
// service's Received field, has a clean header (no bare CR or LF, no line
// over 998 octets), ends with the input's body byte for byte, and comes out
// the same when the input arrives one octet at a time.
func FuzzPipeline(f *testing.F) {
	for _, s := range []string{
		"Subject: s\r\n\r\nbody\r\n",
		"Date: x\r\nMessage-ID: <1@laptop.example>\r\nUser-Agent: u\r\nReceived: from a by b; x\r\n\r\nb\r\n",
		"Content-Type: multipart/signed;\r\n boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
		"no colon\r\n\r\n",
		"\r\nbody only\r\n",
		"Subject: bare\nlf\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	p := New("mail.example", []byte("k"))
	f.Fuzz(func(t *testing.T, in []byte) {
		tr := Trace{With: "ESMTPSA", ID: "q1", Date: date}
		m, err := p.Open(bytes.NewReader(in), tr)
		if err != nil {
			return
		}
		out, err := io.ReadAll(m)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, []byte(received)) {
			t.Fatalf("no Received on top: %q", out)
		}
		_, body, err := headers.Split(in, headers.Options{MaxHeaderBytes: DefaultMaxHeader})
		if err != nil {
			t.Fatalf("accepted a block Split refuses: %v", err)
		}
		if !bytes.HasSuffix(out, body) {
			t.Fatalf("body changed: %q → %q", in, out)
		}
		hdr := out[:len(out)-len(body)]
		for i, c := range hdr {
			if (c == '\r' && (i+1 >= len(hdr) || hdr[i+1] != '\n')) || (c == '\n' && (i == 0 || hdr[i-1] != '\r')) {
				t.Fatalf("bare CR or LF in the header at %d: %q", i, hdr)
			}
		}
		for _, l := range strings.Split(string(hdr), "\r\n") {
			if len(l) > 998 {
				t.Fatalf("header line of %d octets", len(l))
			}
		}
		m2, err := p.Open(iotest.OneByteReader(bytes.NewReader(in)), tr)
		if err != nil {
			t.Fatalf("one octet at a time: %v", err)
		}
		out2, _ := io.ReadAll(m2)
		m2.Close()
		a := addedID.ReplaceAll(out, []byte("ID"))
		b := addedID.ReplaceAll(out2, []byte("ID"))
		if !bytes.Equal(a, b) {
			t.Fatalf("split reads differ:\n%q\n%q", a, b)
		}
	})
}
