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

// blockFacts are what every run over headerBlock must find, worked out
// from the bytes with the bytes package alone, so that a parser that stops
// early or skips a fold fails its benchmark instead of looking fast.
type blockFacts struct {
	fields   int // lines that do not start with white space, the empty one aside
	unfolded int // octets of the values, from the first non-WSP octet after the colon, CRLFs removed
}

func headerFacts(block []byte) blockFacts {
	var bf blockFacts
	lines := bytes.Split(bytes.TrimSuffix(block, []byte("\r\n\r\n")), []byte("\r\n"))
	for i := 0; i < len(lines); {
		name, first, _ := bytes.Cut(lines[i], []byte(":"))
		if len(name) == 0 {
			panic("headerFacts: a line without a name")
		}
		bf.fields++
		n := len(bytes.TrimLeft(first, " \t"))
		for i++; i < len(lines) && len(lines[i]) > 0 && (lines[i][0] == ' ' || lines[i][0] == '\t'); i++ {
			if n == 0 { // the value starts on a continuation line
				n = len(bytes.TrimLeft(lines[i], " \t"))
				continue
			}
			n += len(lines[i])
		}
		bf.unfolded += n
	}
	return bf
}

// BenchmarkHeaders runs the same header block through mailwire/headers and
// through the standard library and go-message. Each of the others also
// reports its time as a multiple of mailwire-scan-unfold's ("x-mailwire"):
// that is mailwire doing the work they do, handing out unfolded values.
// Every run checks what it found against headerFacts (or, for decoding and
// sanitizing, against the first run's result).
func BenchmarkHeaders(b *testing.B) {
	block := headerBlock(b)
	want := headerFacts(block)
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
	checkFields := func(b *testing.B, got int) {
		if got != want.fields {
			b.Fatalf("%d fields, want %d", got, want.fields)
		}
	}

	run("mailwire-scan", func(b *testing.B) {
		var s headers.Scanner
		for b.Loop() {
			s.Reset(block, headers.Options{})
			n := 0
			for s.Next() {
				n++
			}
			if s.Err() != nil || s.HeaderLen() != len(block) {
				b.Fatal(s.Err(), s.HeaderLen())
			}
			checkFields(b, n)
		}
	})
	run("mailwire-scan-unfold", func(b *testing.B) {
		var s headers.Scanner
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			s.Reset(block, headers.Options{})
			n, total := 0, 0
			for s.Next() {
				buf = headers.AppendUnfold(buf[:0], s.Field().Value)
				n++
				total += len(buf)
			}
			if s.Err() != nil {
				b.Fatal(s.Err())
			}
			checkFields(b, n)
			if total != want.unfolded {
				b.Fatalf("%d octets unfolded, want %d", total, want.unfolded)
			}
		}
	})
	// Decoding every value: only the two with encoded words (a Cc and the
	// Subject) take mime.WordDecoder and allocate; the others are only
	// unfolded.
	decoded := func() (fields, octets int, err error) {
		var s headers.Scanner
		var buf []byte
		s.Reset(block, headers.Options{})
		for s.Next() {
			if buf, err = headers.AppendDecoded(buf[:0], s.Field().Value); err != nil {
				return 0, 0, err
			}
			fields++
			octets += len(buf)
		}
		return fields, octets, s.Err()
	}
	_, wantDecoded, err := decoded()
	if err != nil {
		b.Fatal(err)
	}
	run("mailwire-scan-decode", func(b *testing.B) {
		var s headers.Scanner
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			s.Reset(block, headers.Options{})
			n, total := 0, 0
			for s.Next() {
				var err error
				if buf, err = headers.AppendDecoded(buf[:0], s.Field().Value); err != nil {
					b.Fatal(err)
				}
				n++
				total += len(buf)
			}
			if s.Err() != nil {
				b.Fatal(s.Err())
			}
			checkFields(b, n)
			if total != wantDecoded {
				b.Fatalf("%d octets decoded, want %d", total, wantDecoded)
			}
		}
	})
	san := headers.Sanitizer{Rules: headers.SubmissionRules(headers.Submission{
		Domain: "example.org", Hosts: []string{"mx.example.net"}, Secret: []byte("k"),
	})}
	var rep headers.Report
	wantOut, _, err := san.Append(nil, block, &rep)
	if err != nil {
		b.Fatal(err)
	}
	wantChanges := len(rep.Changes)
	if len(wantOut) >= len(block) || wantChanges == 0 {
		b.Fatalf("sanitizer changed nothing: %d octets of %d, %d changes", len(wantOut), len(block), wantChanges)
	}
	run("mailwire-sanitize", func(b *testing.B) {
		var rep headers.Report
		buf := make([]byte, 0, 2*len(block))
		for b.Loop() {
			var err error
			var body []byte
			if buf, body, err = san.Append(buf[:0], block, &rep); err != nil {
				b.Fatal(err)
			}
			if len(buf) != len(wantOut) || len(rep.Changes) != wantChanges || body == nil || len(body) != 0 {
				b.Fatalf("%d octets, %d changes, want %d, %d", len(buf), len(rep.Changes), len(wantOut), wantChanges)
			}
		}
	})
	run("net-textproto", func(b *testing.B) {
		src := bytes.NewReader(block)
		br := bufio.NewReader(src)
		for b.Loop() {
			src.Reset(block)
			br.Reset(src)
			h, err := textproto.NewReader(br).ReadMIMEHeader()
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, v := range h {
				n += len(v)
			}
			checkFields(b, n)
		}
	})
	run("net-mail", func(b *testing.B) {
		src := bytes.NewReader(block)
		for b.Loop() {
			src.Reset(block)
			m, err := mail.ReadMessage(src)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, v := range m.Header {
				n += len(v)
			}
			checkFields(b, n)
		}
	})
	run("go-message-textproto", func(b *testing.B) {
		src := bytes.NewReader(block)
		br := bufio.NewReader(src)
		for b.Loop() {
			src.Reset(block)
			br.Reset(src)
			h, err := gmtextproto.ReadHeader(br)
			if err != nil {
				b.Fatal(err)
			}
			checkFields(b, h.Len())
		}
	})
}
