package imapwire

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
)

// FuzzMessage parses any message and checks what a server would answer:
// BODYSTRUCTURE and BODY parse back with the package's client-side
// cursors with one body per node of the walk (plus Dovecot's placeholder
// for a multipart without parts), ENVELOPE parses back, every part's
// sections lie inside the message, and a ReaderAt-backed Message answers
// the same.
func FuzzMessage(f *testing.F) {
	f.Add(forwarded)
	f.Add(crlfMsg("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nContent-Type: multipart/digest; boundary=c\n\n--c\n\nx\n--c--\n--b--\n"))
	f.Add(crlfMsg("From: \"a\\\"\" <a@x>, G: b@y;\nSubject: caf\xc3\xa9\nContent-Type: text/plain; n*0*=utf-8''%41; n*1=b\n\nx"))
	f.Add([]byte("Content-Type: multipart/mixed\n\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		m := NewMessage(MessageOptions{MaxParts: 64, MaxDepth: 10})
		if err := m.Parse(msg); err != nil {
			if !errors.Is(err, ErrTooManyParts) && !errors.Is(err, ErrPartsTooDeep) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		empty := 0
		for i := range m.n {
			if p := m.parts[i]; p.Kind == 2 && p.Child < 0 {
				empty++
			}
		}
		var outs [3][]byte
		for k, ext := range []bool{false, true} {
			out, err := AppendBodyStructure(nil, m, ext)
			if err != nil {
				t.Fatal(err)
			}
			n, err := countBodies(out)
			if err != nil {
				t.Fatalf("%q does not parse back: %v", out, err)
			}
			if n != m.n+empty {
				t.Fatalf("%d bodies in %q, %d parts walked", n, out, m.n)
			}
			outs[k] = out
		}
		env, err := AppendEnvelope(nil, m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseEnvelope(env); err != nil {
			t.Fatalf("envelope %q does not parse back: %v", env, err)
		}
		outs[2] = env
		checkSections(t, m, "", true, 0)

		r := NewMessage(MessageOptions{MaxParts: 64, MaxDepth: 10})
		if err := r.ParseReaderAt(bytes.NewReader(msg), int64(len(msg))); err != nil {
			t.Fatal(err)
		}
		for k, ext := range []bool{false, true} {
			out, _ := AppendBodyStructure(nil, r, ext)
			if !bytes.Equal(out, outs[k]) {
				t.Fatalf("ReaderAt structure %q, bytes %q", out, outs[k])
			}
		}
		if env, _ := AppendEnvelope(nil, r); !bytes.Equal(env, outs[2]) {
			t.Fatalf("ReaderAt envelope %q, bytes %q", env, outs[2])
		}
	})
}

// checkSections checks that every part's sections lie inside the message.
func checkSections(t *testing.T, m *Message, prefix string, top bool, node int32) {
	for n := 1; n < 100; n++ {
		var c int32
		var ok bool
		if top {
			c, ok = m.childOfMessage(node, n)
		} else {
			c, ok = m.childOfPart(node, n)
		}
		if !ok {
			return
		}
		num := prefix + strconv.Itoa(n)
		for _, text := range []SectionText{SectionAll, SectionMIME, SectionHeader, SectionBodyText} {
			r, err := m.Section(Section{Part: []byte(num), Text: text})
			if err != nil {
				if !errors.Is(err, ErrNoSection) {
					t.Fatal(err)
				}
				continue
			}
			if r.Off < 0 || r.Len < 0 || r.Off+r.Len > m.Size() {
				t.Fatalf("section %s/%d: %+v outside %d octets", num, text, r, m.Size())
			}
		}
		if c == node {
			return
		}
		checkSections(t, m, num+".", false, c)
	}
}
