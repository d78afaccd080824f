package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	imapv1 "github.com/emersion/go-imap"

	"github.com/mailwire/mailwire/imapwire"
)

// IMAP server responses: imapwire's client-side Reader against go-imap v1's
// ReadResp, response after response on one stream, for the simple shapes:
// status responses (tag, condition, response code, text), continuation
// requests, "* n EXISTS|RECENT|EXPUNGE", and FETCH with FLAGS, UID,
// RFC822.SIZE and BODY[…] / RFC822* (quoted or literal). Other data
// responses are compared by name only (mailwire skips their values with
// Capture). go-imap v2 exports no response reader, so v1 is the peer.
//
// Normalisation: v1 returns the tag "*" for untagged responses, condition
// and names as sent (compared upper-cased), and strips leading spaces from
// the text; FETCH items are compared as a sorted "NAME=value" list.

// imapResult is one reader's view of one response.
type imapResult struct {
	kind  string // "status", "cont", "data"
	tag   string
	cond  string // status: OK, NO, …; data: the name
	code  string
	text  string
	num   uint32
	items []string // FETCH: "UID=5", "FLAGS=\\Seen \\Draft", "BODY[]=…"
	// otherItem: go-imap read a FETCH item this target does not compare;
	// unknown: imapwire does not know the data response's name. Neither
	// is in String: they are the classifier's evidence only.
	otherItem, unknown bool
}

type imapFields imapResult // without the String method

func (r imapResult) String() string {
	r.otherItem, r.unknown = false, false
	return fmt.Sprintf("%+v", imapFields(r))
}

// readWireResponse reads one response with imapwire and everything it
// holds that this target compares.
func readWireResponse(r *imapwire.Reader) (imapResult, error) {
	resp, err := r.ReadResponse()
	if err != nil {
		return imapResult{}, err
	}
	var out imapResult
	switch resp.Kind {
	case imapwire.Continuation:
		return imapResult{kind: "cont", text: strings.TrimLeft(string(resp.Text), " ")}, nil
	case imapwire.Tagged:
		out.tag = string(resp.Tag)
	default:
		out.tag = "*"
	}
	if resp.Cond != imapwire.CondNone {
		out.kind, out.cond = "status", resp.Cond.String()
		out.code, out.text = strings.ToUpper(string(resp.Code)), strings.TrimLeft(string(resp.Text), " ")
		return out, nil
	}
	out.kind, out.cond, out.num = "data", strings.ToUpper(string(resp.Name)), resp.Num
	out.unknown = resp.Data == imapwire.DataUnknown
	switch resp.Data {
	case imapwire.DataExists, imapwire.DataRecent, imapwire.DataExpunge:
		return out, nil
	case imapwire.DataFetch:
		items := r.FetchItems()
		for items.Next() {
			it := items.Item()
			name := strings.ToUpper(string(it.Name))
			switch it.Att {
			case imapwire.FetchUID, imapwire.FetchRFC822Size:
				n, err := r.Number()
				if err != nil {
					return out, err
				}
				out.items = append(out.items, fmt.Sprintf("%s=%d", name, n))
			case imapwire.FetchFlags:
				// As a client reads them: a list of flags, typed.
				var flags []string
				l := r.List()
				for l.Next() {
					f, err := r.Flag()
					if err != nil {
						return out, err
					}
					flags = append(flags, string(f.Bytes))
				}
				if err := l.Err(); err != nil {
					return out, err
				}
				out.items = append(out.items, "FLAGS="+strings.Join(flags, " "))
			case imapwire.FetchBodySection, imapwire.FetchRFC822, imapwire.FetchRFC822Header, imapwire.FetchRFC822Text:
				tok, err := r.SectionData()
				if err != nil {
					return out, err
				}
				val := string(tok.Bytes)
				switch {
				case tok.Kind == imapwire.KindLiteral:
					data, err := io.ReadAll(r.LiteralReader())
					if err != nil {
						return out, err
					}
					val = string(data)
				case tok.IsNil():
					val = "NIL"
				case tok.IsString():
					val = string(tok.AppendValue(nil))
				}
				out.items = append(out.items, "BODY="+val)
			default:
				if _, err := r.Capture(); err != nil {
					return out, err
				}
			}
		}
		return out, items.Err()
	}
	for !r.AtEnd() {
		if err := r.SP(); err != nil {
			return out, err
		}
		if _, err := r.Capture(); err != nil {
			return out, err
		}
	}
	return out, r.End()
}

// readV1Response reads one response with go-imap v1 and normalises it.
func readV1Response(r *imapv1.Reader) (imapResult, error) {
	resp, err := imapv1.ReadResp(r)
	if err != nil {
		return imapResult{}, err
	}
	switch resp := resp.(type) {
	case *imapv1.ContinuationReq:
		return imapResult{kind: "cont", text: resp.Info}, nil
	case *imapv1.StatusResp:
		return imapResult{kind: "status", tag: resp.Tag, cond: strings.ToUpper(string(resp.Type)),
			code: strings.ToUpper(string(resp.Code)), text: resp.Info}, nil
	}
	name, fields, ok := imapv1.ParseNamedResp(resp)
	if !ok {
		return imapResult{}, errors.New("v1: not a named response")
	}
	out := imapResult{kind: "data", tag: resp.(*imapv1.DataResp).Tag, cond: name}
	// ParseNamedResp moves the name before a leading number: "* n NAME".
	data := resp.(*imapv1.DataResp).Fields
	_, secondIsName := data[min(1, len(data)-1)].(string)
	if n, err := imapv1.ParseNumber(data[0]); err == nil && len(data) > 1 && secondIsName {
		out.num = n
	} else if name == "FETCH" || name == "EXISTS" || name == "RECENT" || name == "EXPUNGE" {
		return out, errors.New("v1: " + name + " without a number")
	}
	if name != "FETCH" {
		return out, nil
	}
	if len(fields) != 2 {
		return out, errors.New("v1: FETCH without one list")
	}
	list, ok := fields[1].([]interface{})
	if !ok || len(list)%2 != 0 {
		return out, errors.New("v1: FETCH items not name-value pairs")
	}
	for i := 0; i < len(list); i += 2 {
		key, ok := list[i].(string)
		if !ok {
			return out, errors.New("v1: FETCH item name not an atom")
		}
		key = strings.ToUpper(key)
		switch {
		case key == "UID" || key == "RFC822.SIZE":
			n, err := imapv1.ParseNumber(list[i+1])
			if err != nil {
				return out, err
			}
			out.items = append(out.items, fmt.Sprintf("%s=%d", key, n))
		case key == "FLAGS":
			flags, err := imapv1.ParseStringList(list[i+1])
			if err != nil {
				return out, err
			}
			out.items = append(out.items, "FLAGS="+strings.Join(flags, " "))
		case strings.HasPrefix(key, "BODY[") || key == "RFC822" || key == "RFC822.HEADER" || key == "RFC822.TEXT":
			switch v := list[i+1].(type) {
			case nil:
				out.items = append(out.items, "BODY=NIL")
			case string:
				out.items = append(out.items, "BODY="+v)
			case imapv1.Literal:
				data, _ := io.ReadAll(v)
				out.items = append(out.items, "BODY="+string(data))
			default:
				return out, errors.New("v1: section data of another type")
			}
		default:
			out.otherItem = true
		}
	}
	return out, nil
}

// imapLine returns the line of b starting at pos, CRLF included.
func imapLine(b []byte, pos int) []byte {
	b = b[min(pos, len(b)):]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return b
}

// classifyIMAP names the row explaining why imapwire refused a response v1
// read; the response's first line (at pos) must show the fault.
func classifyIMAP(in []byte, pos int, err error, mw, v1 imapResult) string {
	line := imapLine(in, pos)
	text := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	has := func(f func(byte) bool) bool {
		for _, c := range text {
			if f(c) {
				return true
			}
		}
		return false
	}
	switch {
	case errors.Is(err, imapwire.ErrSyntax) && v1.kind == "status" && v1.tag != "*" && (v1.cond == "BYE" || v1.cond == "PREAUTH"),
		errors.Is(err, imapwire.ErrSyntax) && v1.kind == "data" && (v1.tag != "*" || !dataNameIsAtom(text)),
		errors.Is(err, imapwire.ErrSyntax) && (v1.cond == "EXISTS" || v1.cond == "RECENT" || v1.cond == "EXPUNGE") &&
			len(bytes.Fields(text)) > 3:
		// RFC 3501 §7: only OK, NO and BAD are tagged, data has a name
		// that is not a number, and "* n EXPUNGE" ends there.
		return rowIMAPDataShape
	case errors.Is(err, imapwire.ErrSyntax) && mw.unknown && mw.cond == v1.cond && v1.kind == "data":
		// A response imapwire does not know: it reads the values as RFC
		// 3501 values (Capture), go-imap v1 takes almost any octets.
		return rowIMAPUnknownData
	case errors.Is(err, imapwire.ErrSyntax) && v1.cond == "FETCH" && (v1.otherItem || laxSectionData(text)):
		// go-imap v1 takes any atom as a FETCH item name (and any section
		// in BODY[…]) and any atom as its value; this target compares
		// only the items it knows, so the rest is v1's word.
		return rowIMAPFetchItem
	case errors.Is(err, imapwire.ErrSyntax) && v1.kind == "data" && bytes.ContainsAny(text, "[]"),
		v1.kind == "data" && strings.ContainsAny(v1.cond, "[]"):
		// go-imap v1 reads from "[" to the next "]" as one atom, whatever
		// is between: its reading of such a line is not RFC 3501's.
		return rowIMAPBracket
	case errors.Is(err, imapwire.ErrSyntax) && malformedCode(respTextOf(text, v1.kind)):
		return rowIMAPCodeForm
	case errors.Is(err, io.ErrUnexpectedEOF) && endsAfterLiteral(in[pos:]):
		return rowIMAPTruncated
	case errors.Is(err, imapwire.ErrBareLF) && hasBareLF(in[pos:]):
		return rowBareLFLine
	case errors.Is(err, imapwire.ErrLiteralNUL) && bytes.IndexByte(in[pos:], 0) >= 0:
		return rowIMAPLiteralNUL
	case errors.Is(err, imapwire.ErrEightBit) && bytes.ContainsFunc(in[pos:], func(r rune) bool { return r >= 0x80 }):
		// On any line of the response: literals end lines, and the octet
		// may follow one.
		return rowIMAP8Bit
	case errors.Is(err, imapwire.ErrSyntax) && has(func(c byte) bool { return c >= 0x80 }):
		return rowIMAP8Bit // where the grammar wants a flag or atom, 8-bit is a syntax error
	case errors.Is(err, imapwire.ErrLineTooLong) && len(text) > imapwire.ClientLimits().MaxLine:
		return rowLongLine
	case errors.Is(err, imapwire.ErrSyntax) && has(func(c byte) bool { return c < 0x20 || c == 0x7f }):
		return rowIMAPCTL // includes a bare CR
	case errors.Is(err, imapwire.ErrSyntax) && v1.kind == "cont" && len(text) > 1 && text[1] != ' ',
		// "+" not followed by SP: v1 reads the rest as the text.
		errors.Is(err, imapwire.ErrSyntax) && v1.kind != "cont" && strings.Contains(v1.tag, "+"),
		errors.Is(err, imapwire.ErrSyntax) && v1LaxAtom(text):
		// RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+">.
		return rowIMAPAtom
	}
	return ""
}

// endsAfterLiteral reports input whose last line ends in a literal header
// whose data runs to the end of the input, or past it: the response's line
// must go on after the data, so the input stops inside it.
func endsAfterLiteral(in []byte) bool {
	m := literalHeader.FindAllSubmatchIndex(in, -1)
	if len(m) == 0 {
		return false
	}
	last := m[len(m)-1]
	n, err := strconv.Atoi(string(in[last[2]:last[3]]))
	data := last[1] + 2 // after "}" CRLF
	if err != nil || data > len(in) || !bytes.HasPrefix(in[last[1]:], []byte("\r\n")) {
		return false
	}
	return data+n >= len(in) || bytes.IndexByte(in[data+n:], '\n') < 0
}

// respTextOf returns the resp-text of a status response or continuation
// request line ("tag SP cond SP text", "+ SP text"), or nil.
func respTextOf(text []byte, kind string) []byte {
	switch kind {
	case "cont":
		if rest, ok := bytes.CutPrefix(text, []byte("+ ")); ok {
			return rest
		}
	case "status":
		if f := bytes.SplitN(text, []byte(" "), 3); len(f) == 3 {
			return f[2]
		}
	}
	return nil
}

// malformedCode reports a resp-text that starts with "[" but not with a
// well-formed code: "[" atom [SP 1*<TEXT-CHAR except "]">] "]" SP.
func malformedCode(text []byte) bool {
	if len(text) == 0 || text[0] != '[' {
		return false
	}
	i := 1
	for i < len(text) && text[i] > ' ' && text[i] < 0x7f && !bytes.ContainsRune([]byte(`(){%*"\]`), rune(text[i])) {
		i++
	}
	if i == 1 {
		return true
	}
	if i < len(text) && text[i] == ' ' {
		for i++; i < len(text) && text[i] != ']'; i++ {
		}
	}
	return i+1 >= len(text) || text[i] != ']' || text[i+1] != ' '
}

// v1LaxAtom reports a token in a response's first line that go-imap v1
// reads as an atom and RFC 3501 §9 does not: one holding atom-specials
// other than "]" in a response code ("%", "*" but in the untagged mark and
// "\*", "\" but at the start of a flag, a flag of only "\"),
// two values with no SP between them, an SP too many (leading, doubled,
// trailing, inside parentheses), or an empty tag or status word.
func v1LaxAtom(text []byte) bool {
	if len(text) == 0 || text[0] == ' ' || text[len(text)-1] == ' ' || bytes.Contains(text, []byte("  ")) ||
		bytes.Contains(text, []byte("( ")) || bytes.Contains(text, []byte(" )")) || missingSP(text) {
		return true
	}
	if tag, _, _ := bytes.Cut(text, []byte(" ")); text[0] != '*' && text[0] != '+' && bytes.ContainsAny(tag, `\%*"{(`) {
		return true // tag = 1*<any ASTRING-CHAR except "+">: no quoted-specials, wildcards or "{"
	}
	rest := bytes.TrimPrefix(text, []byte("* "))
	for i, c := range rest {
		if c == '%' || c == '*' && (i == 0 || rest[i-1] != '\\') {
			return true // "\*" is the flag of PERMANENTFLAGS
		}
		if c == '\\' && i > 0 && rest[i-1] != ' ' && rest[i-1] != '(' && rest[i-1] != '"' {
			return true // a backslash inside an atom, not a flag's
		}
		if c == '\\' && (i+1 == len(rest) || strings.IndexByte(" ()\"{", rest[i+1]) >= 0) {
			return true // a flag of only the backslash
		}
		if c == ']' && i+1 < len(rest) && rest[i+1] != ' ' && rest[i+1] != '<' {
			return true // no SP after a response code or section
		}
	}
	return false
}

func FuzzDiffIMAPResponse(f *testing.F) {
	f.Add(clip(imapFetchSync, 2048))
	for _, s := range sessions(f, "imap-") {
		// One seed per kilobyte of server stream, each starting at an
		// untagged response.
		for at := 0; at < len(s.server); {
			i := bytes.Index(s.server[at:], []byte("\r\n* "))
			if i < 0 {
				break
			}
			at += i + 2
			f.Add(clip(s.server[at:], 1024))
			at += 1024
		}
	}
	for _, s := range []string{
		"* OK [UIDNEXT 5] Predicted\r\n", "a1 OK done\r\n", "+ go ahead\r\n", "+\r\n", "* 3 EXISTS\r\n", "* BYE bye\r\n",
		"* 1 FETCH (UID 7 FLAGS (\\Seen $Junk) RFC822.SIZE 44)\r\n", "* 2 FETCH (BODY[] {5}\r\nhello)\r\n",
		"* 2 FETCH (BODY[HEADER] \"a\\\"b\")\r\n", "* 2 FETCH (BODY[] {3}\r\na\x00b)\r\n", "* ok lower\r\n", "a1 OK done\n",
		"* CAPABILITY IMAP4rev1 IDLE\r\n", "* 4 EXPUNGE\r\n", "* SEARCH 1 2 3\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, m := range literalHeader.FindAllSubmatch(in, -1) {
			if n, err := strconv.ParseUint(string(m[1]), 10, 64); err != nil || n > 1<<16 {
				// go-imap v1 allocates a literal's announced size before
				// reading it: a fuzzed {4000000000} would take the machine.
				return
			}
		}
		msrc := bytes.NewReader(in)
		mr := imapwire.NewReader(msrc, imapwire.ClientSide, imapwire.Options{})
		vsrc := bytes.NewReader(in)
		br := bufio.NewReader(vsrc)
		vr := imapv1.NewReader(br)
		pos := 0
		for i := range 20 {
			mw, mwErr := readWireResponse(mr)
			v1, v1Err := readV1Response(vr)
			switch {
			case mwErr != nil && v1Err != nil:
				return
			case mwErr == nil && v1Err == nil:
				if w := bytes.Fields(imapLine(in, pos)); mw.kind == "status" && v1.kind == "data" && len(w) > 1 &&
					strings.EqualFold(string(w[1]), mw.cond) && string(w[1]) != mw.cond {
					return // rowIMAPStatusCase: go-imap v1 reads "* ok" as data
				}
				if mw.kind == "data" && v1.kind == "data" && strings.Contains(mw.cond, "[") && strings.HasPrefix(v1.cond, mw.cond) {
					return // rowIMAPBracket: v1 reads "[" to its "]" as one atom, SPs included
				}
				if mw.String() != v1.String() {
					t.Fatalf("response at %d of %q read differently:\nimapwire %v\ngo-imap  %v", pos, in, mw, v1)
				}
				mwPos := len(in) - mr.Buffered() - msrc.Len()
				v1Pos := len(in) - br.Buffered() - vsrc.Len()
				if mwPos != v1Pos {
					t.Fatalf("response at %d of %q ends at %d for imapwire, %d for go-imap", pos, in, mwPos, v1Pos)
				}
				pos = mwPos
			case mwErr != nil:
				if q, err := quirkResponse(in, i); err == nil {
					// rowIMAPQuirk: a named server deviation, read when its
					// Quirks field is set; it must then agree with go-imap.
					// go-imap v1 sees a status only when SP follows the
					// condition, so "tag OK" without text is data to it.
					textless := q.kind == "status" && v1.kind == "data" && q.cond == v1.cond && q.text == ""
					if q.String() != v1.String() && !textless {
						t.Fatalf("response %d of %q read under Quirks differently:\nimapwire %v\ngo-imap  %v", i, in, q, v1)
					}
					return
				}
				if classifyIMAP(in, pos, mwErr, mw, v1) == "" {
					t.Fatalf("imapwire refuses the response at %d of %q (%v), go-imap reads %v, and no FUZZING.md row explains it",
						pos, in, mwErr, v1)
				}
				return
			default:
				if mw.unknown && strings.HasSuffix(v1Err.Error(), mw.cond+" without a number") {
					// rowIMAPUnnumbered: imapwire hands "* RECENT" out as
					// DataUnknown, never as a typed RECENT.
					return
				}
				if w := bytes.Fields(imapLine(in, pos)); mw.kind == "status" && len(w) > 1 && string(w[1]) != mw.cond {
					// rowIMAPStatusCase: go-imap v1 reads "0 ok …" as data
					// and then fails on text that is not values.
					return
				}
				if mw.kind == "status" && mw.code != "" {
					// rowIMAPCodeArgs: after an unknown code RFC 3501 allows
					// any TEXT-CHAR but "]"; v1 parses the rest as values.
					return
				}
				line := imapLine(in, pos)
				tag, _, _ := bytes.Cut(line, []byte(" "))
				if strings.Contains(v1Err.Error(), "brackets") && bytes.IndexByte(line, ']') >= 0 ||
					mw.kind == "data" && bytes.ContainsAny(line, "[]") || bytes.ContainsAny(tag, "[]") {
					// rowIMAPBracket: "]" is an ASTRING-CHAR, "[" an ATOM-CHAR;
					// v1 wants "[" first and then reads to "]" as one atom.
					return
				}
				t.Fatalf("imapwire reads the response at %d of %q (%v), go-imap refuses it (%v): no FUZZING.md row", pos, in, mw, v1Err)
			}
		}
	})
}

// quirkResponse reads in with every imapwire Quirk on and returns its
// response number i.
func quirkResponse(in []byte, i int) (imapResult, error) {
	r := imapwire.NewReader(bytes.NewReader(in), imapwire.ClientSide, imapwire.Options{Quirks: imapwire.Quirks{
		TrailingSpace: true, MissingText: true, EmptyContinuation: true, NegativeSize: true,
	}})
	for j := 0; ; j++ {
		res, err := readWireResponse(r)
		if err != nil || j == i {
			return res, err
		}
	}
}

// dataNameIsAtom reports whether the untagged data response in text has a
// name that starts with a letter, after its number if it has one.
func dataNameIsAtom(text []byte) bool {
	w := bytes.Split(text, []byte(" "))
	if len(w) > 2 && len(w[1]) > 0 && len(bytes.Trim(w[1], "0123456789")) == 0 {
		w = w[1:]
	}
	if len(w) < 2 || len(w[1]) == 0 {
		return false
	}
	c := w[1][0] | 0x20
	return c >= 'a' && c <= 'z'
}

// missingSP reports a quoted string or list that follows another value
// without SP between them, outside quoted strings.
func missingSP(text []byte) bool {
	quoted := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"':
			if !quoted && i > 0 && text[i-1] != ' ' && text[i-1] != '(' && text[i-1] != '[' {
				return true
			}
			if quoted && i+1 < len(text) && text[i+1] != ' ' && text[i+1] != ')' && text[i+1] != ']' {
				return true
			}
			quoted = !quoted
		case !quoted && c == '(' && i > 0 && text[i-1] != ' ' && text[i-1] != '(' && text[i-1] != '[':
			return true
		}
	}
	return false
}

var (
	literalHeader = regexp.MustCompile(`\{([0-9]+)\+?\}`)
	sectionData   = regexp.MustCompile(`(?i)(?:BODY\[([^\]]*)\](<[0-9]+>)?|\bRFC822(?:\.HEADER|\.TEXT)?)( |$)(.?)`)
	sectionSpec   = regexp.MustCompile(`(?i)^(([1-9][0-9]*)(\.[1-9][0-9]*)*(\.(HEADER|TEXT|MIME|HEADER\.FIELDS(\.NOT)? \(.+\)))?|HEADER|TEXT|HEADER\.FIELDS(\.NOT)? \(.+\))?$`)
)

// laxSectionData reports a BODY[…] in a FETCH response whose section is
// not RFC 3501 §9's section-spec (BODY[0]), or a BODY[…] or RFC822* whose
// value does not start as an nstring (a quoted string, a literal or NIL).
func laxSectionData(text []byte) bool {
	for _, m := range sectionData.FindAllSubmatch(text, -1) {
		v := m[4]
		if !sectionSpec.Match(m[1]) || len(v) == 0 || v[0] != '"' && v[0] != '{' && v[0] != '~' && v[0]|0x20 != 'n' {
			return true
		}
	}
	return false
}
