package mime

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzWalk checks the walk's invariants on any input: offsets within the
// message and nested, sibling order, line counts, and the same tree from
// a ReaderAt read through windows of any size (split invariance).
func FuzzWalk(f *testing.F) {
	f.Add(uint16(100), nested)
	f.Add(uint16(90), crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\nContent-Type: multipart/digest; boundary=c\n\n--c\n\nx\n--c--\n--b--\n"))
	f.Add(uint16(4096), crlf("Content-Type: multipart/mixed; boundary=\"a b\"; x*0*=utf-8''a; x*1=b\n\n--a b\n--a b--\n"))
	f.Fuzz(func(t *testing.T, win uint16, msg []byte) {
		var w Walker
		var src Source
		parts := make([]Part, 32)
		src.ResetBytes(msg)
		n, err := w.Walk(&src, parts, Limits{MaxDepth: 8})
		if err != nil && !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrTooManyParts) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil {
			checkTree(t, msg, parts[:n])
		}
		src.ResetReaderAt(bytes.NewReader(msg), int64(len(msg)))
		src.wmax = 90 + int(win)%4000
		parts2 := make([]Part, 32)
		n2, err2 := w.Walk(&src, parts2, Limits{MaxDepth: 8})
		if (err == nil) != (err2 == nil) || n != n2 {
			t.Fatalf("ReaderAt walk: %d parts, %v; bytes walk: %d parts, %v", n2, err2, n, err)
		}
		if err == nil {
			for i := range n {
				if parts[i] != parts2[i] {
					t.Fatalf("part %d differs:\n bytes    %+v\n ReaderAt %+v", i, parts[i], parts2[i])
				}
			}
		}
	})
}

func checkTree(t *testing.T, msg []byte, parts []Part) {
	size := int64(len(msg))
	if len(parts) == 0 || parts[0].Parent != -1 || parts[0].Start != 0 || parts[0].End != size {
		t.Fatalf("root %+v of %d octets", parts, size)
	}
	for i, p := range parts {
		if p.Start < 0 || p.Start > p.BodyStart || p.BodyStart > p.End || p.End > size {
			t.Fatalf("part %d offsets %+v", i, p)
		}
		if want := int64(bytes.Count(msg[p.BodyStart:p.End], []byte("\n"))); p.Lines != want {
			t.Fatalf("part %d: %d lines, counted %d", i, p.Lines, want)
		}
		for f, s := range p.Fields {
			if s.Present() && (s.Off < p.Start || s.End > p.BodyStart || s.Off > s.End) {
				t.Fatalf("part %d field %d span %+v outside the header", i, f, s)
			}
		}
		if p.Parent >= 0 {
			q := parts[p.Parent]
			if p.Start < q.BodyStart || p.End > q.End || int(p.Depth) != int(q.Depth)+1 {
				t.Fatalf("part %d %+v not inside its parent %+v", i, p, q)
			}
		}
		kids, prevEnd := int32(0), p.BodyStart
		for c := p.Child; c >= 0; c = parts[c].Next {
			if parts[c].Parent != int32(i) || parts[c].Start < prevEnd {
				t.Fatalf("child %d of %d out of order", c, i)
			}
			prevEnd = parts[c].End
			kids++
		}
		if kids != p.Children {
			t.Fatalf("part %d: %d children linked, %d counted", i, kids, p.Children)
		}
		if p.Kind == KindMessage && p.Children != 1 {
			t.Fatalf("message/rfc822 part %d with %d children", i, p.Children)
		}
	}
}

// FuzzParams checks the parameter decoder on any value: keys are never
// empty, the count is bounded, and the decoded octets are no more than
// the input's plus the RFC 2231 escapes ("%" → "%25", "”", "*n*").
func FuzzParams(f *testing.F) {
	f.Add([]byte(`; a="b c"; d*0*=utf-8''%41; d*1="%"; e*1=x; e*0=y; f==?q?x?=`))
	f.Add([]byte("; boundary=\"foo\r\n bar\"; x"))
	f.Fuzz(func(t *testing.T, v []byte) {
		var l ParamList
		buf := AppendParams(nil, v, &l)
		if l.N > MaxParams {
			t.Fatalf("%d params", l.N)
		}
		if len(buf) > 4*len(v)+16*l.N {
			t.Fatalf("%d octets decoded from %d", len(buf), len(v))
		}
		for k := range l.N {
			if l.Key[k][0] >= l.Key[k][1] || l.Key[k][1] > len(buf) || l.Val[k][0] > l.Val[k][1] || l.Val[k][1] > len(buf) {
				t.Fatalf("param %d spans %v %v of %d", k, l.Key[k], l.Val[k], len(buf))
			}
		}
		// The same input decoded again gives the same.
		var l2 ParamList
		if buf2 := AppendParams(nil, v, &l2); !bytes.Equal(buf, buf2) || l2.N != l.N {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzAddresses checks the address-list parser on any value: it ends,
// every span is inside its buffer, groups open and close in turn, and
// each mailbox has a mailbox and a host (a placeholder at worst).
func FuzzAddresses(f *testing.F) {
	f.Add([]byte(`"Last, First" (c) <f@x>, Team: a@x, B <b@y>;, <@r:d@z>, nodomain, <>, Broken <x@`))
	f.Add([]byte("undisclosed-recipients:;"))
	f.Fuzz(func(t *testing.T, v []byte) {
		it := Addresses(v)
		var buf []byte
		inGroup := false
		for n := 0; ; n++ {
			if n > len(v)+2 {
				t.Fatalf("more addresses than octets in %q", v)
			}
			var a Address
			var ok bool
			buf, a, ok = it.Next(buf[:0])
			if !ok {
				break
			}
			for _, s := range [][2]int{a.Name, a.Route, a.Mailbox, a.Domain} {
				if s[0] > s[1] || s[1] > len(buf) {
					t.Fatalf("span %v of %d", s, len(buf))
				}
			}
			switch {
			case !a.HasName && !a.HasRoute && !a.HasMailbox && !a.HasDomain:
				if !inGroup {
					t.Fatal("a group end outside a group")
				}
				inGroup = false
			case a.HasMailbox && !a.HasDomain && !a.HasName && !a.HasRoute:
				if inGroup {
					t.Fatal("a group inside a group")
				}
				inGroup = true
			default:
				if !a.HasMailbox || !a.HasDomain {
					t.Fatalf("mailbox without mailbox or host: %+v", a)
				}
			}
		}
		if inGroup {
			t.Fatal("a group left open")
		}
	})
}
