package mime

import "errors"

// Kind is what a part's Content-Type makes of it.
type Kind uint8

const (
	KindSingle    Kind = iota // a leaf that is not text/*
	KindText                  // text/*: its line count is reported
	KindMultipart             // multipart/*: Child is its first part
	KindMessage               // message/rfc822: Child is the message inside
)

// Field names a Content-* field whose value a Part records.
type Field uint8

const (
	FieldType        Field = iota // Content-Type
	FieldEncoding                 // Content-Transfer-Encoding
	FieldID                       // Content-ID
	FieldDescription              // Content-Description
	FieldDisposition              // Content-Disposition
	FieldLanguage                 // Content-Language
	FieldLocation                 // Content-Location
	FieldMD5                      // Content-MD5
	NumFields
)

// Span is a range of the message, [Off, End). A field's value span starts
// after the colon and the white space that follows it and ends before the
// last line end: folds inside are kept. End == 0 means absent.
type Span struct{ Off, End int64 }

// Present reports whether the span was recorded.
func (s Span) Present() bool { return s.End > 0 }

// Len returns the span's length.
func (s Span) Len() int64 { return s.End - s.Off }

// Part is one node of a message's MIME tree. The root (index 0) is the
// message; a message/rfc822 part has one child, the message it holds;
// a multipart has its parts as children. Offsets are from the start of
// the message.
type Part struct {
	// Start is where the header starts, BodyStart where the body starts
	// (after the empty line that ends the header, when there is one) and
	// End where the body ends: before the line end that precedes the
	// boundary line closing the part, or at the end of the message.
	Start, BodyStart, End int64
	// Lines is the number of line ends in the body.
	Lines int64
	// Parent, Child (first child) and Next (next sibling) are part
	// indexes, -1 for none.
	Parent, Child, Next int32
	// Children counts the direct children.
	Children int32
	// Depth is 0 for the root.
	Depth uint16
	Kind  Kind
	// MIME is set when Content-* fields apply: a part of a multipart, or
	// a message with MIME-Version or Content-Type. Without it Fields are
	// empty.
	MIME bool
	// Digest marks multipart/digest, whose parts default to message/rfc822.
	Digest bool
	// Blank reports that an empty line ended the header (not a boundary
	// or the end of the message).
	Blank bool
	// Fields are the values of the first field of each kind.
	Fields [NumFields]Span
	// Type and Subtype are the media type's tokens inside the Content-Type
	// value; absent when it has none or a malformed one (text/plain is
	// then the type, RFC 2045 §5.2).
	Type, Subtype Span
}

// Errors of the walk.
var (
	// ErrTooDeep: parts nested deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("mime: parts nested too deep")
	// ErrTooManyParts: more parts than the table holds.
	ErrTooManyParts = errors.New("mime: too many parts")
	// ErrFieldTooLong: a field value longer than a reader's buffer allows.
	ErrFieldTooLong = errors.New("mime: header field too long")
	// ErrRange: a range outside the message.
	ErrRange = errors.New("mime: range outside the message")
)

// DefaultMaxDepth bounds nesting when Limits.MaxDepth is 0; Dovecot's
// limit is 100.
const DefaultMaxDepth = 64

// maxBoundary is the longest boundary kept: RFC 2046 allows 70 octets;
// Dovecot keeps 80.
const maxBoundary = 80

// maxCTValue bounds a Content-Type value read through a ReaderAt.
const maxCTValue = 16 << 10

// Limits bound a walk. The part count is bounded by the table's length.
type Limits struct {
	MaxDepth int // 0: DefaultMaxDepth
}

type boundary struct {
	part int32
	n    int
	b    [maxBoundary]byte
}

type state uint8

const (
	stHeader state = iota
	stBody
)

// Walker splits a message into its MIME parts into a caller's table
// without allocating. Its state is about 5 KiB plus the table; reuse it.
type Walker struct {
	src      *Source
	parts    []Part
	n        int
	maxDepth int
	bounds   [DefaultMaxDepth + 1]boundary
	nb       int
	lastKid  [DefaultMaxDepth + 1]int32 // the last child of the open part at each depth
	lf       int64                      // line ends before the current line
	scratch  []byte

	cur     int32
	st      state
	region  int64 // where the current content started: a line end before it is not the content's
	fld     Field // the open field, NumFields for none or uninteresting
	fldOff  int64
	mimeVer bool
}

// Walk splits src into parts, filling parts from index 0 in pre-order
// (a part before its children), and returns how many it filled. The
// walk is lenient as Dovecot's parser is: any octet is accepted, a
// boundary is found as a prefix of a line (the longest of the open
// ones), a header that a boundary interrupts ends there, and a missing
// close delimiter ends parts at the end of the message. It fails with
// ErrTooManyParts, ErrTooDeep or the Source's read error.
func (w *Walker) Walk(src *Source, parts []Part, lim Limits) (int, error) {
	w.src, w.parts, w.n, w.nb, w.lf = src, parts, 0, 0, 0
	w.maxDepth = lim.MaxDepth
	if w.maxDepth <= 0 || w.maxDepth > DefaultMaxDepth {
		w.maxDepth = DefaultMaxDepth
	}
	if err := w.open(-1, 0); err != nil {
		return 0, err
	}
	size := src.size
	for pos := int64(0); pos < size; {
		end, next, lf := src.line(pos)
		if src.err != nil {
			return w.n, src.err
		}
		if w.nb > 0 {
			handled, err := w.boundaryAt(pos, end, next, lf)
			if err != nil {
				return w.n, err
			}
			if handled {
				pos = next
				continue
			}
		}
		if w.st == stHeader {
			if end == pos {
				if lf {
					w.lf++
				}
				if err := w.endHeader(pos, next, w.lf, true); err != nil {
					return w.n, err
				}
				pos = next
				continue
			}
			w.headerLine(pos, end)
		}
		if lf {
			w.lf++
		}
		pos = next
	}
	if src.err != nil {
		return w.n, src.err
	}
	for w.st == stHeader {
		if err := w.endHeader(size, size, w.lf, false); err != nil {
			return w.n, err
		}
	}
	for c := w.cur; c >= 0; c = w.parts[c].Parent {
		w.close(c, size, w.lf)
	}
	return w.n, nil
}

// open starts a part whose header begins at off.
func (w *Walker) open(parent int32, off int64) error {
	if w.n >= len(w.parts) {
		return ErrTooManyParts
	}
	depth := 0
	if parent >= 0 {
		depth = int(w.parts[parent].Depth) + 1
		if depth > w.maxDepth {
			return ErrTooDeep
		}
	}
	i := int32(w.n)
	w.n++
	w.parts[i] = Part{Start: off, BodyStart: off, End: off, Parent: parent, Child: -1, Next: -1, Depth: uint16(depth), Lines: w.lf}
	if parent >= 0 {
		p := &w.parts[parent]
		w.parts[i].MIME = p.Kind == KindMultipart
		if p.Child < 0 {
			p.Child = i
		} else {
			w.parts[w.lastKid[p.Depth]].Next = i
		}
		w.lastKid[p.Depth] = i
		p.Children++
	}
	w.cur, w.st, w.fld, w.mimeVer, w.region = i, stHeader, NumFields, false, off
	return nil
}

// close ends part i at end, with lf line ends before end.
func (w *Walker) close(i int32, end, lf int64) {
	p := &w.parts[i]
	if end < p.BodyStart {
		end = p.BodyStart
	}
	p.End = end
	p.Lines = lf - p.Lines
}

// headerLine takes the header line [pos, end).
func (w *Walker) headerLine(pos, end int64) {
	c := w.src.at(pos)
	if c == ' ' || c == '\t' {
		return // a continuation: the open field runs on
	}
	w.closeField(pos)
	v := w.src.view(pos, 64)
	if int64(len(v)) > end-pos {
		v = v[:end-pos]
	}
	colon := -1
	for i, b := range v {
		if b == ':' {
			colon = i
			break
		}
		if i == 40 {
			break
		}
	}
	if colon < 0 {
		return
	}
	name := v[:colon]
	for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
		name = name[:len(name)-1]
	}
	f, mv := fieldOf(name)
	if mv {
		w.mimeVer = true
	}
	if f == NumFields || w.parts[w.cur].Fields[f].Present() {
		return
	}
	w.fld, w.fldOff = f, pos+int64(colon)+1
}

// closeField records the open field, whose last line ends before next
// (the start of the line after it).
func (w *Walker) closeField(next int64) {
	if w.fld == NumFields {
		return
	}
	end := next
	if end > w.fldOff && w.src.at(end-1) == '\n' {
		end--
		if end > w.fldOff && w.src.at(end-1) == '\r' {
			end--
		}
	}
	off := w.fldOff
	for off < end {
		if c := w.src.at(off); c != ' ' && c != '\t' {
			break
		}
		off++
	}
	// off is after a colon, so End > 0 marks the span present.
	w.parts[w.cur].Fields[w.fld] = Span{off, end}
	w.fld = NumFields
}

// fieldOf classifies a field name; mv reports MIME-Version.
func fieldOf(name []byte) (Field, bool) {
	if len(name) > 8 && equalFold(name[:8], "content-") {
		switch n := name[8:]; {
		case equalFold(n, "type"):
			return FieldType, false
		case equalFold(n, "transfer-encoding"):
			return FieldEncoding, false
		case equalFold(n, "id"):
			return FieldID, false
		case equalFold(n, "description"):
			return FieldDescription, false
		case equalFold(n, "disposition"):
			return FieldDisposition, false
		case equalFold(n, "language"):
			return FieldLanguage, false
		case equalFold(n, "location"):
			return FieldLocation, false
		case equalFold(n, "md5"):
			return FieldMD5, false
		}
		return NumFields, false
	}
	return NumFields, equalFold(name, "mime-version")
}

// endHeader ends the current part's header: its last field ends before
// fieldsEnd, the body starts at body with lf line ends before it. blank
// says an empty line ended the header (not a boundary or the end).
func (w *Walker) endHeader(fieldsEnd, body, lf int64, blank bool) error {
	w.closeField(fieldsEnd)
	i := w.cur
	p := &w.parts[i]
	p.BodyStart, p.Blank = body, blank
	p.Lines = lf // the count at the body's start until close
	w.region = body
	if w.mimeVer || p.Fields[FieldType].Present() {
		p.MIME = true
	}
	if !p.MIME {
		p.Fields = [NumFields]Span{}
	}
	var n int
	p.Kind, p.Type, p.Subtype, n = w.kindOf(i)
	w.st = stBody
	switch p.Kind {
	case KindMultipart:
		if !blank || n == 0 {
			return nil // no parts: a multipart without a boundary
		}
		if int(p.Depth)+1 > w.maxDepth {
			return ErrTooDeep
		}
		w.bounds[w.nb].part, w.bounds[w.nb].n = i, n
		w.nb++
	case KindMessage:
		return w.open(i, body)
	}
	return nil
}

// kindOf resolves part i's kind from its Content-Type (or its default);
// a multipart's boundary goes into the next free boundary slot, n octets.
func (w *Walker) kindOf(i int32) (k Kind, typ, sub Span, n int) {
	p := &w.parts[i]
	ct := p.Fields[FieldType]
	if !ct.Present() {
		if p.Parent >= 0 && w.parts[p.Parent].Digest {
			return KindMessage, Span{}, Span{}, 0
		}
		return KindText, Span{}, Span{}, 0
	}
	v, err := w.src.Read(ct.Off, ct.End, &w.scratch, maxCTValue)
	if err != nil {
		return KindText, Span{}, Span{}, 0
	}
	t, s, rest, ok := ParseMediaType(v)
	if !ok {
		return KindText, Span{}, Span{}, 0
	}
	typ = Span{ct.Off + int64(t[0]), ct.Off + int64(t[1])}
	sub = Span{ct.Off + int64(s[0]), ct.Off + int64(s[1])}
	tb, sb := v[t[0]:t[1]], v[s[0]:s[1]]
	switch {
	case equalFold(tb, "text"):
		return KindText, typ, sub, 0
	case equalFold(tb, "message") && equalFold(sb, "rfc822"):
		return KindMessage, typ, sub, 0
	case equalFold(tb, "multipart"):
		p.Digest = equalFold(sb, "digest")
		ps := Params(v[rest:])
		for ps.Next() {
			if equalFold(ps.Key(), "boundary") {
				slot := &w.bounds[w.nb].b
				var tmp [maxBoundary + 8]byte
				val := AppendValue(tmp[:0], ps.RawValue(), len(tmp))
				return KindMultipart, typ, sub, copy(slot[:], val)
			}
		}
		return KindMultipart, typ, sub, 0
	}
	return KindSingle, typ, sub, 0
}

// boundaryAt handles the line [pos, end) when it is a boundary line of an
// open multipart; it reports whether it was one.
func (w *Walker) boundaryAt(pos, end, next int64, lf bool) (bool, error) {
	v := w.src.view(pos, 2+maxBoundary+4)
	if len(v) < 2 || v[0] != '-' || v[1] != '-' {
		return false, nil
	}
	line := v[2:]
	if n := end - pos - 2; int64(len(line)) > n {
		line = line[:n]
	}
	if len(line) > maxBoundary+2 {
		line = line[:maxBoundary+2]
	}
	trailing := len(line) > 2 && line[len(line)-1] == '-' && line[len(line)-2] == '-'
	best := -1
	for k := w.nb - 1; k >= 0; k-- {
		b := &w.bounds[k]
		if b.n <= len(line) && string(b.b[:b.n]) == string(line[:b.n]) && (best < 0 || w.bounds[best].n < b.n) {
			best = k
			if b.n == len(line) || (b.n == len(line)-2 && trailing) {
				break
			}
		}
	}
	if best < 0 {
		return false, nil
	}
	b := &w.bounds[best]
	if w.st == stHeader && b.part == w.cur {
		return false, nil
	}
	closing := len(line) >= b.n+2 && line[b.n] == '-' && line[b.n+1] == '-'
	// The line end before the boundary line belongs to the boundary.
	region := w.region
	cut, lfEnd := pos, w.lf
	if pos > region {
		cut--
		lfEnd--
		if cut > region && w.src.at(cut-1) == '\r' {
			cut--
		}
	}
	for w.st == stHeader {
		if err := w.endHeader(pos, cut, lfEnd, false); err != nil {
			return true, err
		}
	}
	for c := w.cur; c != b.part; c = w.parts[c].Parent {
		w.close(c, cut, lfEnd)
	}
	w.cur = b.part
	if lf {
		w.lf++
	}
	if closing {
		// The multipart's epilogue follows, this line's end included.
		w.nb, w.st, w.region = best, stBody, next
		return true, nil
	}
	w.nb = best + 1
	return true, w.open(b.part, next)
}
