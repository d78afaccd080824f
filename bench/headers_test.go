package bench

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"os"
	"strings"
	"testing"

	gmtextproto "github.com/emersion/go-message/textproto"
	"github.com/mailwire/mailwire/headers"
)

// headerBlock is a realistic 3 KiB header block (a mailing-list message as
// delivered: three Received fields, Authentication-Results, a DKIM
// signature, folded address lists, an encoded subject), empty line included.
func headerBlock(b *testing.B) []byte {
	msg, err := os.ReadFile("../headers/testdata/list3k.eml")
	if err != nil {
		b.Fatal(err)
	}
	block, _, err := headers.Split(msg, headers.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return block
}

// BenchmarkHeaders runs the same header block through mailwire/headers and
// through the standard library and go-message. Each of the others also
// reports its time as a multiple of mailwire-scan-unfold's ("x-mailwire"):
// that is mailwire doing the work they do, handing out unfolded values.
func BenchmarkHeaders(b *testing.B) {
	block := headerBlock(b)
	const base = "mailwire-scan-unfold"
	var baseNs float64
	run := func(name string, f func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(block)))
			f(b)
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			switch {
			case name == base:
				baseNs = ns
			case baseNs > 0 && !strings.HasPrefix(name, "mailwire"):
				b.ReportMetric(ns/baseNs, "x-mailwire")
			}
		})
	}

	run("mailwire-scan", func(b *testing.B) {
		var s headers.Scanner
		for b.Loop() {
			s.Reset(block, headers.Options{})
			for s.Next() {
			}
			if s.Err() != nil {
				b.Fatal(s.Err())
			}
		}
	})
	run("mailwire-scan-unfold", func(b *testing.B) {
		var s headers.Scanner
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			s.Reset(block, headers.Options{})
			for s.Next() {
				buf = headers.AppendUnfold(buf[:0], s.Field().Value)
			}
			if s.Err() != nil {
				b.Fatal(s.Err())
			}
		}
	})
	// Decoding every value: only the two with encoded words (a Cc and the
	// Subject) take mime.WordDecoder and allocate; the others are only
	// unfolded.
	run("mailwire-scan-decode", func(b *testing.B) {
		var s headers.Scanner
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			s.Reset(block, headers.Options{})
			for s.Next() {
				var err error
				if buf, err = headers.AppendDecoded(buf[:0], s.Field().Value); err != nil {
					b.Fatal(err)
				}
			}
			if s.Err() != nil {
				b.Fatal(s.Err())
			}
		}
	})
	run("mailwire-sanitize", func(b *testing.B) {
		san := headers.Sanitizer{Rules: headers.SubmissionRules(headers.Submission{
			Domain: "example.org", Hosts: []string{"mx.example.net"}, Secret: []byte("k"),
		})}
		var rep headers.Report
		buf := make([]byte, 0, 2*len(block))
		for b.Loop() {
			var err error
			if buf, _, err = san.Append(buf[:0], block, &rep); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("net-textproto", func(b *testing.B) {
		src := bytes.NewReader(block)
		br := bufio.NewReader(src)
		for b.Loop() {
			src.Reset(block)
			br.Reset(src)
			if _, err := textproto.NewReader(br).ReadMIMEHeader(); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("net-mail", func(b *testing.B) {
		src := bytes.NewReader(block)
		for b.Loop() {
			src.Reset(block)
			if _, err := mail.ReadMessage(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	run("go-message-textproto", func(b *testing.B) {
		src := bytes.NewReader(block)
		br := bufio.NewReader(src)
		for b.Loop() {
			src.Reset(block)
			br.Reset(src)
			if _, err := gmtextproto.ReadHeader(br); err != nil {
				b.Fatal(err)
			}
		}
	})

}
