package bench

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gmtextproto "github.com/emersion/go-message/textproto"

	"github.com/mailwire/mailwire/headers"
)

// Header blocks: headers.Scanner against net/mail.ReadMessage and
// emersion/go-message's textproto.ReadHeader.
//
// Normalisation: net/mail keys fields by textproto.CanonicalMIMEHeaderKey
// and unfolds a value by trimming every physical line of SP, HTAB, CR and
// LF and joining the lines with one SP; mailwire's fields are put in the
// same map the same way. go-message keeps the order, canonicalises keys
// the same way, and joins the trimmed lines that are not empty with one SP;
// mailwire's fields are listed the same way. The bodies after the block must
// be equal.

// netmailValue unfolds a mailwire value as net/textproto's
// ReadContinuedLine does.
func netmailValue(v []byte) string {
	lines := strings.Split(strings.ReplaceAll(string(v), "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.Trim(l, " \t\r\n")
	}
	return strings.Join(lines, " ")
}

// gomessageValue unfolds a mailwire value as go-message's ReadHeader does.
func gomessageValue(v []byte) string {
	var parts []string
	for _, l := range strings.Split(string(v), "\n") {
		if l = strings.Trim(strings.TrimSuffix(l, "\r"), " \t"); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// lineAt returns the line of b that holds offset, its LF included.
func lineAt(b []byte, offset int) []byte {
	offset = min(max(offset, 0), len(b))
	start := bytes.LastIndexByte(b[:offset], '\n') + 1
	end := len(b)
	if i := bytes.IndexByte(b[offset:], '\n'); i >= 0 {
		end = offset + i + 1
	}
	return b[start:end]
}

// classifyHeader names the row explaining why mailwire refused a block
// net/mail read; the line at the error's offset must show the fault.
func classifyHeader(in []byte, err error) string {
	var se *headers.SyntaxError
	if !errors.As(err, &se) {
		return ""
	}
	line := lineAt(in, se.Offset)
	text := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	name, _, hasColon := bytes.Cut(text, []byte(":"))
	badName := func() bool {
		for _, c := range name {
			if c < 33 || c > 126 {
				return true
			}
		}
		return false
	}
	switch {
	case errors.Is(err, headers.ErrNUL) && bytes.IndexByte(line, 0) >= 0:
		return rowHeaderNUL
	case errors.Is(err, headers.ErrBareCR) && hasBareCR(line):
		return rowHeaderBareCR
	case errors.Is(err, headers.ErrBareLF) && hasBareLF(line):
		return rowHeaderBareLF
	case errors.Is(err, headers.ErrLineTooLong) && len(text) > headers.DefaultMaxLineLength:
		return rowHeaderLong
	case errors.Is(err, headers.ErrTruncated) && !bytes.HasSuffix(in, []byte("\n")):
		return rowHeaderNoEnd
	case errors.Is(err, headers.ErrSpaceBeforeColon) && hasColon && len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t'):
		return rowHeaderSpace
	case errors.Is(err, headers.ErrNoColon) && !hasColon && colonInFold(in[min(se.Offset+len(line), len(in)):]):
		return rowHeaderColonFolded
	case errors.Is(err, headers.ErrFieldName) && hasColon && len(name) == 0:
		return rowHeaderEmptyName
	case errors.Is(err, headers.ErrFieldName) && hasColon && badName():
		return rowHeaderName
	}
	return ""
}

func FuzzDiffHeaders(f *testing.F) {
	emls, _ := filepath.Glob("../headers/testdata/*.eml")
	for _, name := range emls {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(clip(b, 2048))
	}
	for _, b := range dataBodies(f) {
		f.Add(clip(unstuff(b), 2048))
	}
	for _, s := range []string{
		"Subject: a\r\n\r\nbody", "Subject: a\r\n b\r\n\t c\r\n\r\n", "Subject: a\n\nbody", "Subject: a\rBcc: x\r\n\r\n",
		"X: a\x00b\r\n\r\n", "X-Originating-IP : [1.2.3.4]\r\n\r\n", ": x\r\n\r\n", "Sübject: x\r\n\r\n", " X: y\r\n\r\n",
		"X: y", "X: a\r\n \r\n\r\n", "\r\nbody", "X: y\r\n", "NoColon\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		msg, nmErr := mail.ReadMessage(bytes.NewReader(in))
		gmr := bufio.NewReader(bytes.NewReader(in))
		gm, gmErr := gmtextproto.ReadHeader(gmr)
		mw := map[string][]string{}
		var mwList []string
		s := headers.NewScanner(in, headers.Options{})
		for s.Next() {
			fd := s.Field()
			key := textproto.CanonicalMIMEHeaderKey(string(fd.Name))
			mw[key] = append(mw[key], netmailValue(fd.Value))
			mwList = append(mwList, key+": "+gomessageValue(fd.Value))
		}
		mwErr := s.Err()

		switch {
		case mwErr == nil && gmErr == nil:
			var gmList []string
			for fs := gm.Fields(); fs.Next(); {
				gmList = append(gmList, fs.Key()+": "+fs.Value())
			}
			body, _ := io.ReadAll(gmr)
			if !reflect.DeepEqual(mwList, gmList) || !bytes.Equal(body, s.Body()) {
				t.Fatalf("%q read differently:\nmailwire   %q then %q\ngo-message %q then %q", in, mwList, s.Body(), gmList, body)
			}
		case mwErr != nil && gmErr == nil:
			if classifyHeader(in, mwErr) == "" {
				t.Fatalf("mailwire refuses %q (%v), go-message reads it, and no FUZZING.md row explains it", in, mwErr)
			}
		case mwErr == nil && gmErr != nil:
			t.Fatalf("mailwire reads %q (%q), go-message refuses it (%v): no FUZZING.md row", in, mwList, gmErr)
		}

		switch {
		case mwErr == nil && nmErr == nil:
			nm := map[string][]string(msg.Header)
			if !reflect.DeepEqual(mw, nm) {
				t.Fatalf("fields of %q differ:\nmailwire %q\nnet/mail %q", in, mw, nm)
			}
			body, _ := io.ReadAll(msg.Body)
			if !bytes.Equal(body, s.Body()) {
				t.Fatalf("bodies of %q differ:\nmailwire %q\nnet/mail %q", in, s.Body(), body)
			}
		case mwErr != nil && nmErr == nil:
			if classifyHeader(in, mwErr) == "" {
				t.Fatalf("mailwire refuses %q (%v), net/mail reads %q, and no FUZZING.md row explains it", in, mwErr, msg.Header)
			}
		case mwErr == nil && nmErr != nil:
			if errors.Is(nmErr, io.EOF) && len(mw) == 0 && !bytes.Contains(in, []byte("\n")) {
				return // rowHeaderNoFields: nothing but EOF, which net/mail calls an error
			}
			t.Fatalf("mailwire reads %q (%q), net/mail refuses it (%v): no FUZZING.md row", in, mw, nmErr)
		}
	})
}

// colonInFold reports a colon on the continuation lines at the start of b.
func colonInFold(b []byte) bool {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		line := lineAt(b, 0)
		if bytes.IndexByte(line, ':') >= 0 {
			return true
		}
		b = b[len(line):]
	}
	return false
}
