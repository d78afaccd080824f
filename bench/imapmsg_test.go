package bench

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	imapv2 "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"

	"github.com/mailwire/mailwire/imapwire"
)

// What an IMAP server computes from a stored message for FETCH:
//
//   - ImapMessageStructure: BODYSTRUCTURE and ENVELOPE of a nested
//     multipart (.ci/record.sh's "nested multipart": mixed ⊃ alternative
//     ⊃ related, an inline image and a PDF attachment). imapwire: Parse and
//     AppendBodyStructure + AppendEnvelope, wire bytes written. go-imap v2:
//     imapserver.ExtractBodyStructure and ExtractEnvelope, typed values
//     only (its writer is internal, so its side does less work).
//   - ImapMessageSection: BODY[1.2.2] of the same message (the image
//     part). imapwire: Parse, Section and WriteSection. go-imap v2:
//     imapserver.ExtractBodySection.

var imapNestedMsg = []byte(strings.ReplaceAll(`From: Carol <carol@example.test>
To: alice@example.test
Subject: nested multipart
Date: Mon, 23 Nov 2026 10:05:00 +0000
Message-ID: <nested.6@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is a multi-part message in MIME format.
--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=us-ascii

plain version
--alt
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=us-ascii

<html><body><p>html <img src="cid:dot@x"></p></body></html>
--rel
Content-Type: image/png; name="dot.png"
Content-ID: <dot@x>
Content-Transfer-Encoding: base64
Content-Disposition: inline; filename="dot.png"

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
--rel--
--alt--
--outer
Content-Type: application/pdf; name="report (final).pdf"
Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg==
--outer--
epilogue
`, "\n", "\r\n"))

func TestImapMessageAgree(t *testing.T) {
	m := imapwire.NewMessage(imapwire.MessageOptions{})
	if err := m.Parse(imapNestedMsg); err != nil {
		t.Fatal(err)
	}
	if m.Parts() != 7 {
		t.Fatalf("%d parts", m.Parts())
	}
	bs := imapserver.ExtractBodyStructure(bytes.NewReader(imapNestedMsg))
	n := 0
	bs.Walk(func(path []int, part imapv2.BodyStructure) bool { n++; return true })
	if n != 7 {
		t.Fatalf("go-imap v2 sees %d parts", n)
	}
	r, err := m.Section(imapwire.Section{Part: []byte("1.2.2")})
	if err != nil {
		t.Fatal(err)
	}
	ours := imapNestedMsg[r.Off : r.Off+r.Len]
	theirs := imapserver.ExtractBodySection(bytes.NewReader(imapNestedMsg), &imapv2.FetchItemBodySection{Part: []int{1, 2, 2}})
	if !bytes.Equal(bytes.TrimRight(ours, "\r\n"), bytes.TrimRight(theirs, "\r\n")) {
		t.Fatalf("BODY[1.2.2]: ours %q, go-imap v2 %q", ours, theirs)
	}
}

func BenchmarkImapMessageStructure(b *testing.B) {
	imapRuns(b, len(imapNestedMsg), []imapRun{
		{"imapwire", func(b *testing.B) {
			m := imapwire.NewMessage(imapwire.MessageOptions{})
			dst := make([]byte, 0, 4096)
			want := len(wireStructure(b, m, dst))
			for b.Loop() {
				if err := m.Parse(imapNestedMsg); err != nil {
					b.Fatal(err)
				}
				var err error
				if dst, err = imapwire.AppendBodyStructure(dst[:0], m, true); err != nil {
					b.Fatal(err)
				}
				if dst, err = imapwire.AppendEnvelope(dst, m); err != nil || len(dst) != want {
					b.Fatal(err, len(dst))
				}
			}
		}},
		{"go-imap-v2-imapserver", func(b *testing.B) {
			for b.Loop() {
				bs := imapserver.ExtractBodyStructure(bytes.NewReader(imapNestedMsg))
				h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(imapNestedMsg)))
				if mp, ok := bs.(*imapv2.BodyStructureMultiPart); err != nil || !ok || len(mp.Children) != 2 {
					b.Fatal(err, bs)
				}
				if env := imapserver.ExtractEnvelope(h); env == nil {
					b.Fatal("no envelope")
				}
			}
		}},
	})
}

func BenchmarkImapMessageSection(b *testing.B) {
	sec := imapwire.Section{Part: []byte("1.2.2")}
	imapRuns(b, len(imapNestedMsg), []imapRun{
		{"imapwire", func(b *testing.B) {
			m := imapwire.NewMessage(imapwire.MessageOptions{})
			if err := m.Parse(imapNestedMsg); err != nil {
				b.Fatal(err)
			}
			first, err := m.Section(sec)
			if err != nil || first.Len == 0 {
				b.Fatal(err)
			}
			wantLen := first.Len // TestImapMessageAgree holds it to go-imap v2's bytes
			for b.Loop() {
				if err := m.Parse(imapNestedMsg); err != nil {
					b.Fatal(err)
				}
				r, err := m.Section(sec)
				if err != nil || r.Len != wantLen {
					b.Fatal(err, r.Len)
				}
				if err := m.WriteSection(io.Discard, r.Off, r.Len); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"go-imap-v2-imapserver", func(b *testing.B) {
			item := &imapv2.FetchItemBodySection{Part: []int{1, 2, 2}}
			for b.Loop() {
				if data := imapserver.ExtractBodySection(bytes.NewReader(imapNestedMsg), item); len(data) == 0 {
					b.Fatal("empty section")
				}
			}
		}},
	})
}

// wireStructure is what one imapwire pass writes: BODYSTRUCTURE then
// ENVELOPE of imapNestedMsg.
func wireStructure(b *testing.B, m *imapwire.Message, dst []byte) []byte {
	if err := m.Parse(imapNestedMsg); err != nil {
		b.Fatal(err)
	}
	dst, err := imapwire.AppendBodyStructure(dst[:0], m, true)
	if err == nil {
		dst, err = imapwire.AppendEnvelope(dst, m)
	}
	if err != nil || len(dst) == 0 {
		b.Fatal(err)
	}
	return dst
}
