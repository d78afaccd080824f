package headers

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
)

// seedMessages adds every fixture and a few hostile headers to f, each with
// the extra arguments the target takes.
func seedMessages(f *testing.F, extra ...any) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	var seeds [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range []string{
		"Subject: a\rBcc: evil@x\r\n\r\n",
		"X-Originating-IP : [192.0.2.1]\r\n\r\n",
		" lead\r\nA: 1\nB: 2\x00\r\nno colon\r\n\r\nbody",
		"A:\r\n \r\n\tx\r\n\r\n",
		"Received: from (((\r\n by mail.example.org; x\r\n\r\n",
		"Message-ID: <<@@>>\r\nMIME-Version: 1.0 (\r\n\r\n",
	} {
		seeds = append(seeds, []byte(s))
	}
	for _, s := range seeds {
		f.Add(append([]any{s}, extra...)...)
	}
}

// FuzzScanner checks that a parse keeps every byte, that each field written
// again with AppendField parses to the same name and unfolded value, and
// that a repaired block is a fixed point that parses strictly.
func FuzzScanner(f *testing.F) {
	seedMessages(f, uint8(0))
	f.Fuzz(func(t *testing.T, msg []byte, repair uint8) {
		opt := Options{Repair: Defect(repair) & AllDefects, MaxLineLength: 200, MaxFields: 50}
		s := NewScanner(msg, opt)
		var exact, repaired []byte
		var unfolded []byte
		for s.Next() {
			fd := s.Field()
			if bytes.Count(fd.Raw, []byte("\n")) == 0 || fd.Defects&^opt.Repair != 0 {
				t.Fatalf("field %q: no line end or defects %b not allowed", fd.Raw, fd.Defects)
			}
			for line := range bytes.Lines(fd.Raw) {
				if len(bytes.TrimRight(line, "\r\n")) > opt.MaxLineLength {
					t.Fatalf("line over the limit: %q", line)
				}
			}
			exact = append(exact, fd.Raw...)
			repaired = fd.AppendTo(repaired)
			if fd.Defects != 0 {
				continue
			}
			unfolded = AppendUnfold(unfolded[:0], fd.Value)
			out, err := AppendField(nil, fd.Name, unfolded)
			if errors.Is(err, ErrLineTooLong) {
				continue
			}
			if err != nil {
				t.Fatalf("AppendField(%q, %q): %v", fd.Name, unfolded, err)
			}
			again := NewScanner(out, Options{})
			if !again.Next() || again.Next() || again.Err() != nil {
				t.Fatalf("written field %q does not parse as one field: %v", out, again.Err())
			}
			g := again.Field()
			if string(g.Name) != string(fd.Name) || string(AppendUnfold(nil, g.Value)) != string(unfolded) {
				t.Fatalf("round trip: %q %q became %q %q", fd.Name, unfolded, g.Name, AppendUnfold(nil, g.Value))
			}
		}
		if s.Err() != nil {
			return
		}
		n := s.HeaderLen()
		blank := string(msg[len(exact):n])
		if !bytes.HasPrefix(msg, exact) || (blank != "" && blank != "\r\n" && blank != "\n") || !bytes.Equal(msg[n:], s.Body()) {
			t.Fatalf("raw fields %q and empty line %q are not the header of %q", exact, blank, msg)
		}
		// The repaired block parses strictly, and repairing it changes nothing.
		check := NewScanner(repaired, Options{MaxLineLength: opt.MaxLineLength})
		var again []byte
		for check.Next() {
			again = check.Field().AppendTo(again)
		}
		if check.Err() != nil || !bytes.Equal(again, repaired) {
			t.Fatalf("repaired block %q: %v", repaired, check.Err())
		}
	})
}

// FuzzSanitize checks that the submission sanitizer, repairing everything,
// never emits a NUL, a bare CR or LF, or a line over 998 octets, that its
// output parses strictly, and that the body is the input's, untouched.
func FuzzSanitize(f *testing.F) {
	seedMessages(f)
	s := Sanitizer{
		Rules: append(SubmissionRules(Submission{Domain: "example.org", Hosts: []string{"mail.example.org"}, Secret: []byte("k")}),
			Rule{Name: "Subject", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
				return AppendField(dst, "Subject", AppendUnfold(nil, f.Value))
			}}),
		Options: Options{Repair: AllDefects},
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		var rep Report
		out, body, err := s.Append(nil, msg, &rep)
		if err != nil {
			if body != nil || len(out) != 0 {
				t.Fatalf("error %v with output", err)
			}
			return
		}
		if !bytes.HasSuffix(msg, body) {
			t.Fatalf("body %q is not the end of the input", body)
		}
		for _, c := range rep.Changes {
			if !reportTrue(msg, c) {
				t.Fatalf("change %+v does not describe the input %q", c, msg)
			}
		}
		if bytes.IndexByte(out, 0) >= 0 {
			t.Fatalf("NUL in %q", out)
		}
		for line := range bytes.Lines(out) {
			content, ok := bytes.CutSuffix(line, []byte("\r\n"))
			if !ok || bytes.ContainsAny(content, "\r\n") {
				t.Fatalf("bare CR or LF in %q", out)
			}
			if len(content) > DefaultMaxLineLength {
				t.Fatalf("line of %d octets", len(content))
			}
		}
		check := NewScanner(out, Options{})
		for check.Next() {
			if check.Field().Is("X-Mailer") || check.Field().Is("User-Agent") || check.Field().Is("X-Originating-IP") {
				t.Fatalf("client field kept: %q", check.Field().Raw)
			}
		}
		if check.Err() != nil {
			t.Fatalf("output %q does not parse: %v", out, check.Err())
		}
	})
}

// FuzzAppendField checks that a written field is refused or parses back to
// its name and value, never to more than one field, with no line over 998.
func FuzzAppendField(f *testing.F) {
	f.Add("Subject", "hello world")
	f.Add("Subject", "hi\r\nBcc: victim@example.com")
	f.Add("X-Long", strings.Repeat("word ", 300))
	f.Add("Sub:ject", "x")
	f.Add("Subject", "Grüße aus München")
	f.Fuzz(func(t *testing.T, name, value string) {
		out, err := AppendField(nil, name, value)
		if err != nil {
			if len(out) != 0 {
				t.Fatalf("error %v with output %q", err, out)
			}
			return
		}
		s := NewScanner(out, Options{})
		if !s.Next() || s.Next() || s.Err() != nil || s.HeaderLen() != len(out) {
			t.Fatalf("%q does not parse as one field: %v", out, s.Err())
		}
		fd := s.Field()
		if string(fd.Name) != name || string(AppendUnfold(nil, fd.Value)) != strings.TrimLeft(value, " \t") {
			t.Fatalf("%q %q became %q", name, value, out)
		}
	})
}

// FuzzReadBlock checks that the same input split into any chunks gives the
// same block, that the block is the input's start, and that it ends where
// the Scanner says the header ends.
func FuzzReadBlock(f *testing.F) {
	seedMessages(f, []byte{1, 7, 200})
	f.Fuzz(func(t *testing.T, msg, sizes []byte) {
		buf := make([]byte, 512)
		whole, _, wholeErr := ReadBlock(bytes.NewReader(msg), buf)
		want := string(whole)
		block, extra, err := ReadBlock(chunked.NewReader(msg, chunked.SizesFrom(sizes)...), make([]byte, 512))
		if (err == nil) != (wholeErr == nil) || string(block) != want {
			t.Fatalf("chunked %q %v, whole %q %v", block, err, want, wholeErr)
		}
		if err != nil {
			return
		}
		if !bytes.HasPrefix(msg, block) || !bytes.HasPrefix(msg[len(block):], extra) {
			t.Fatalf("block %q and extra %q are not the input's start", block, extra)
		}
		s := NewScanner(msg, Options{Repair: AllDefects, MaxLineLength: 1 << 20})
		for s.Next() {
		}
		if s.Err() == nil && s.HeaderLen() != len(block) {
			t.Fatalf("scanner ends the header at %d, ReadBlock at %d", s.HeaderLen(), len(block))
		}
	})
}

// reportTrue checks a Change against the input: Removed lies inside the
// field at Offset (all of it for Drop), is empty exactly when nothing was
// cut out, and Add has no input field.
func reportTrue(msg []byte, c Change) bool {
	if c.Action == Add {
		return c.Offset == -1 && len(c.Removed) == 0
	}
	if c.Offset < 0 || c.Offset >= len(msg) {
		return false
	}
	if len(c.Removed) == 0 {
		return c.Action == Keep || c.Action == Repair || c.Action == Rewrite
	}
	start := cap(msg) - cap(c.Removed) // Removed is a view into msg
	if start < c.Offset || start+len(c.Removed) > len(msg) || !bytes.Equal(msg[start:start+len(c.Removed)], c.Removed) {
		return false
	}
	switch c.Action {
	case Drop:
		return start == c.Offset
	case Trim, Rewrite:
		return true
	}
	return false
}

// FuzzScannerWindow checks that the windowed line search (fill) finds
// exactly what the line-by-line one finds: the same fields, defects, error
// and offset, whatever the options.
func FuzzScannerWindow(f *testing.F) {
	seedMessages(f, uint8(0), uint16(0), uint16(0))
	f.Add([]byte("A: b\r\n c\r\n\r\n"), uint8(AllDefects), uint16(3), uint16(9))
	f.Add([]byte("A: b\r\nB: c\rd\r\nC: e\nD: f\x00\r\n\r\n"), uint8(AllDefects), uint16(0), uint16(0))
	f.Fuzz(func(t *testing.T, msg []byte, repair uint8, maxLine, maxBytes uint16) {
		opt := Options{Repair: Defect(repair) & AllDefects, MaxLineLength: int(maxLine), MaxHeaderBytes: int(maxBytes)}
		var fast, slow Scanner
		fast.Reset(msg, opt)
		slow.Reset(msg, opt)
		slow.slow = len(msg) + 1 // every line read one by one
		for {
			a, b := fast.Next(), slow.Next()
			if a != b {
				t.Fatalf("Next: windowed %v, line by line %v", a, b)
			}
			if !a {
				break
			}
			fa, fb := fast.Field(), slow.Field()
			if string(fa.Raw) != string(fb.Raw) || string(fa.Name) != string(fb.Name) ||
				string(fa.Value) != string(fb.Value) || fa.Offset != fb.Offset || fa.Defects != fb.Defects {
				t.Fatalf("field: windowed %+v, line by line %+v", fa, fb)
			}
		}
		if fmt.Sprint(fast.Err()) != fmt.Sprint(slow.Err()) || fast.HeaderLen() != slow.HeaderLen() {
			t.Fatalf("end: windowed %v %d, line by line %v %d", fast.Err(), fast.HeaderLen(), slow.Err(), slow.HeaderLen())
		}
	})
}
