package imapwire

// FetchAtt names a FETCH data item, in a command (what to fetch) or in a
// response (what was fetched).
type FetchAtt uint8

// FETCH data items (RFC 9051 §6.4.5 and §7.5.2, RFC 3501, RFC 3516 BINARY,
// RFC 7162 MODSEQ).
const (
	FetchUnknown       FetchAtt = iota // Name says which
	FetchAll                           // macro ALL (commands)
	FetchFast                          // macro FAST (commands)
	FetchFull                          // macro FULL (commands)
	FetchEnvelope                      // ENVELOPE
	FetchFlags                         // FLAGS
	FetchInternalDate                  // INTERNALDATE
	FetchRFC822                        // RFC822
	FetchRFC822Header                  // RFC822.HEADER
	FetchRFC822Size                    // RFC822.SIZE
	FetchRFC822Text                    // RFC822.TEXT
	FetchBody                          // BODY without a section: the non-extensible structure
	FetchBodyStructure                 // BODYSTRUCTURE
	FetchUID                           // UID
	FetchBodySection                   // BODY[section]<partial> and BODY.PEEK[…]
	FetchBinary                        // BINARY[part]<partial> and BINARY.PEEK[…]
	FetchBinarySize                    // BINARY.SIZE[part]
	FetchModSeq                        // MODSEQ
)

var fetchNames = [...]string{"", "ALL", "FAST", "FULL", "ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822",
	"RFC822.HEADER", "RFC822.SIZE", "RFC822.TEXT", "BODY", "BODYSTRUCTURE", "UID", "BODY", "BINARY",
	"BINARY.SIZE", "MODSEQ"}

// SectionText is the text part of a section specification.
type SectionText uint8

const (
	SectionAll             SectionText = iota // no text part: the whole message or part
	SectionHeader                             // HEADER
	SectionHeaderFields                       // HEADER.FIELDS (…)
	SectionHeaderFieldsNot                    // HEADER.FIELDS.NOT (…)
	SectionBodyText                           // TEXT
	SectionMIME                               // MIME
)

// Section is a parsed section specification, "1.2.HEADER.FIELDS (From)".
type Section struct {
	Raw    []byte      // between the brackets
	Part   []byte      // the part number, "1.2", or nil
	Text   SectionText // what of the part
	Fields Values      // the header field names of HEADER.FIELDS(.NOT)
}

// FetchItem is a FETCH data item's name with its section and partial.
type FetchItem struct {
	Att     FetchAtt
	Name    []byte // as sent, without the section
	Peek    bool   // BODY.PEEK or BINARY.PEEK
	Section Section
	// Partial is set for "<offset.count>" in commands and "<origin>" in
	// responses (Count is then 0).
	Partial       bool
	Offset, Count uint32
}

// fetchAttIndex finds FETCH items by name; BODY[…] is found by its
// section, not here.
var fetchAttIndex = indexWords(FetchAll, FetchModSeq, func(a FetchAtt) string { return fetchNames[a] }, FetchBodySection)

// lookupFetchAtt finds the item named name, ignoring case.
func lookupFetchAtt(name []byte) FetchAtt {
	switch string(name) { // the names as servers write them, without a search
	case "UID":
		return FetchUID
	case "FLAGS":
		return FetchFlags
	case "INTERNALDATE":
		return FetchInternalDate
	case "RFC822.SIZE":
		return FetchRFC822Size
	case "ENVELOPE":
		return FetchEnvelope
	case "BODYSTRUCTURE":
		return FetchBodyStructure
	case "BODY":
		return FetchBody
	case "MODSEQ":
		return FetchModSeq
	}
	return fetchAttIndex.lookup(name, FetchUnknown)
}

// fetchItem reads one data item name with its section and partial.
func (r *Reader) fetchItem(it *FetchItem) error {
	*it = FetchItem{}
	if err := r.cur(); err != nil {
		return err
	}
	e := r.p
	for e < r.end && class[r.buf[e]]&clAtom != 0 && r.buf[e] != '[' {
		e++
	}
	if e == r.p {
		return r.expected("fetch item")
	}
	it.Name = r.buf[r.p:e]
	r.p = e
	switch {
	case equalFold(it.Name, "BODY.PEEK"):
		it.Att, it.Peek = FetchBodySection, true
	case equalFold(it.Name, "BINARY.PEEK"):
		it.Att, it.Peek = FetchBinary, true
	default:
		it.Att = lookupFetchAtt(it.Name)
	}
	if r.Peek() != '[' {
		if it.Peek || it.Att == FetchBinary || it.Att == FetchBinarySize {
			return r.expected("[")
		}
		return nil
	}
	switch it.Att {
	case FetchBody:
		it.Att = FetchBodySection
	case FetchBodySection, FetchBinary, FetchBinarySize:
	default:
		return r.expected("fetch item without [")
	}
	r.p++
	if err := r.section(&it.Section, it.Att != FetchBodySection); err != nil {
		return err
	}
	if r.Peek() == '<' && it.Att != FetchBinarySize {
		r.p++
		var err error
		if it.Offset, err = r.Number(); err != nil {
			return err
		}
		if r.Peek() == '.' {
			r.p++
			if it.Count, err = r.Number(); err != nil || it.Count == 0 {
				return r.expected("non-zero count")
			}
		}
		if r.Peek() != '>' {
			return r.expected(">")
		}
		r.p++
		it.Partial = true
	}
	return nil
}

// section reads a section specification and its "]"; partOnly is set for
// BINARY, which takes a part number alone.
func (r *Reader) section(s *Section, partOnly bool) error {
	// start is kept from the start of the message: a field name taken
	// inline by Capture may grow the buffer, which moves the message.
	start := r.p - r.msg
	for {
		e := run(r.line(), r.p, clDigit)
		if v, ok := parseUint(r.buf[r.p:e], maxNumber); !ok || v == 0 {
			break
		}
		r.p = e
		if r.p+1 < r.end && r.buf[r.p] == '.' && class[r.buf[r.p+1]]&clDigit != 0 {
			r.p++
			continue
		}
		break
	}
	if r.p > r.msg+start {
		s.Part = r.buf[r.msg+start : r.p]
		if r.Peek() == '.' && !partOnly {
			r.p++
			if r.Peek() == ']' {
				return r.expected("section text")
			}
		}
	}
	if r.Peek() != ']' {
		if partOnly {
			return r.expected("]")
		}
		switch {
		case r.keywordBefore("HEADER.FIELDS.NOT", ' '):
			s.Text = SectionHeaderFieldsNot
		case r.keywordBefore("HEADER.FIELDS", ' '):
			s.Text = SectionHeaderFields
		case r.keywordBefore("HEADER", ']'):
			s.Text = SectionHeader
		case r.keywordBefore("TEXT", ']'):
			s.Text = SectionBodyText
		case s.Part != nil && r.keywordBefore("MIME", ']'):
			s.Text = SectionMIME
		default:
			return r.expected("section")
		}
		if s.Text == SectionHeaderFields || s.Text == SectionHeaderFieldsNot {
			if err := r.SP(); err != nil {
				return err
			}
			if e, ok := headerListLine(r.buf[:r.end], r.p); ok {
				// The fast path: the names on this line, checked as below.
				s.Fields = ValuesOf(r.buf[r.p:e])
				r.p = e
				if r.Peek() != ']' {
					return r.expected("]")
				}
				s.Raw = r.buf[r.msg+start : r.p]
				r.p++
				return nil
			}
			raw, err := r.Capture()
			if err != nil {
				return err
			}
			s.Fields = ValuesOf(raw)
			n := 0
			var t Token
			for v := s.Fields; v.next(&t); n++ {
				if t.Kind != KindAtom && !t.IsString() || len(t.Bytes) == 0 {
					return r.expected("header field name")
				}
			}
			if raw[0] != '(' || n == 0 {
				return r.expected("header list")
			}
		}
	}
	if r.Peek() != ']' {
		return r.expected("]")
	}
	s.Raw = r.buf[r.msg+start : r.p]
	r.p++
	return nil
}

// headerListLine reads a list of header field names at b[i] in place:
// atoms other than NIL and non-empty ASCII quoted strings, as Capture and
// the check of section take them. It reports false for anything else,
// which section then reads the general way.
func headerListLine(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '(' {
		return 0, false
	}
	for n := 0; ; n++ {
		i++ // "(" or the SP between names
		if i >= len(b) {
			return 0, false
		}
		if b[i] == '"' {
			e, _, ok := lexQuotedIn(b, i, &quotedASCII)
			if !ok || e == i+1 {
				return 0, false
			}
			i = e + 1
		} else {
			e := run(b, i, clList)
			if e == i || (e-i == 3 && equalFold(b[i:e], "NIL")) {
				return 0, false
			}
			i = e
		}
		if i < len(b) && b[i] == ')' {
			return i + 1, true
		}
		if i+1 >= len(b) || b[i] != ' ' || b[i+1] == ')' {
			return 0, false
		}
	}
}

// keywordBefore consumes w if it comes next followed by the byte next.
func (r *Reader) keywordBefore(w string, next byte) bool {
	e := r.p + len(w)
	if e >= r.end || !equalFold(r.buf[r.p:e], w) || r.buf[e] != next {
		return false
	}
	r.p = e
	return true
}

// FetchAtts is the server side's cursor over a FETCH command's items: a
// macro (ALL, FAST, FULL), one item, or a parenthesised list.
//
//	atts := r.FetchAtts()
//	for atts.Next() {
//		item := atts.Item()
//		…
//	}
//	if err := atts.Err(); err != nil { … }
type FetchAtts struct {
	r    *Reader
	l    List
	n    int
	item FetchItem
	err  error
}

// FetchAtts returns a cursor over the fetch items that come next.
func (r *Reader) FetchAtts() FetchAtts { return FetchAtts{r: r, l: r.List()} }

// Next reads the next item.
func (f *FetchAtts) Next() bool {
	if f.err != nil {
		return false
	}
	if f.n == 0 && f.r.Peek() != '(' {
		f.n = -1
		f.err = f.r.fetchItemInto(&f.item)
		return f.err == nil
	}
	if f.n < 0 || !f.l.Next() {
		if f.err = f.l.Err(); f.err == nil && f.n == 0 {
			f.err = f.r.expected("fetch item")
		}
		return false
	}
	f.n++
	f.err = f.r.fetchItemInto(&f.item)
	if f.err == nil && f.item.Att >= FetchAll && f.item.Att <= FetchFull {
		f.err = f.r.expected("fetch item, not a macro, in a list")
	}
	return f.err == nil
}

// Item returns the current item.
func (f *FetchAtts) Item() FetchItem { return f.item }

// Err returns the error that stopped the cursor.
func (f *FetchAtts) Err() error { return f.err }

// FetchItems is the client side's cursor over the items of a FETCH
// response. After Next the caller reads the item's value with the method
// that fits it: Capture for FLAGS, Number for UID and RFC822.SIZE,
// Envelope, BodyStructure, SectionData for BODY[…], BINARY[…] and RFC822*
// (a literal is opened: stream it or inline it), String for INTERNALDATE,
// ModSeq, Number64 for BINARY.SIZE, Capture for anything else. At the
// closing ")" the message ends.
type FetchItems struct {
	r    *Reader
	l    List
	item FetchItem
	err  error
}

// FetchItems returns a cursor over the items of the FETCH response being
// read.
func (r *Reader) FetchItems() FetchItems { return FetchItems{r: r, l: r.List()} }

// Next reads the next item's name and the SP before its value.
func (f *FetchItems) Next() bool {
	if f.err != nil {
		return false
	}
	if f.l.Len() == 0 && !f.l.done {
		if f.err = f.r.SP(); f.err != nil {
			return false
		}
	}
	if !f.l.Next() {
		if f.err = f.l.Err(); f.err == nil {
			f.err = f.r.trailingEnd()
		}
		return false
	}
	if f.err = f.r.fetchItem(&f.item); f.err == nil {
		f.err = f.r.SP()
	}
	return f.err == nil
}

// Item returns the current item.
func (f *FetchItems) Item() FetchItem { return f.item }

// Err returns the error that stopped the cursor.
func (f *FetchItems) Err() error { return f.err }

// SectionData reads the value of BODY[…], BINARY[…], RFC822, RFC822.HEADER
// or RFC822.TEXT: NIL, a quoted string, or a literal (literal8 too) that
// it opens.
func (r *Reader) SectionData() (Token, error) {
	if r.Nil() {
		return Token{Kind: KindNil}, nil
	}
	return r.str(true)
}

// ModSeq reads a MODSEQ value, "(n)" (RFC 7162).
func (r *Reader) ModSeq() (uint64, error) {
	l := r.List()
	if !l.Next() {
		return 0, r.expected("(mod-sequence)")
	}
	v, err := r.Number64()
	if err != nil {
		return 0, err
	}
	if l.Next() || l.Err() != nil {
		return 0, r.expected(")")
	}
	return v, nil
}
