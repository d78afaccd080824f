package imapwire

// BodyStructure is one level of a FETCH BODY or BODYSTRUCTURE value (RFC
// 9051 §7.5.2) as views. Nested parts are decoded on demand, so walking a
// structure allocates nothing; the Reader bounded its nesting with
// Limits.MaxDepth when it captured it.
type BodyStructure struct {
	Multipart bool
	// Type and Subtype are the media type ("TEXT", "PLAIN"); for a
	// multipart Type is empty and Subtype is "MIXED", "ALTERNATIVE", ….
	Type, Subtype Token
	Params        Values // attribute/value strings; empty for NIL
	// Single-part fields.
	ID, Description, Encoding Token
	Size                      uint32
	Lines                     uint32 // TEXT/* and MESSAGE/RFC822
	Envelope                  []byte // MESSAGE/RFC822: see ParseEnvelope
	Body                      []byte // MESSAGE/RFC822: the nested structure
	// Multipart fields.
	Parts []byte // the parts, one raw list each: see BodyStructure.Children
	// Extension data, present in BODYSTRUCTURE.
	MD5         Token  // single-part only
	Disposition []byte // raw ("attachment" ("filename" "x")) or nil
	// DispositionType and DispositionParams are the disposition taken
	// apart: its type string and its attribute/value strings (empty for
	// NIL). DispositionType is of KindEnd without a disposition, and also
	// when one is not of that shape (RFC 9051 body-fld-dsp), which
	// Disposition still has raw.
	DispositionType   Token
	DispositionParams Values
	Language          []byte // raw: a string's content or a list, or nil
	// Languages are the language tags: the one string, or the strings of
	// the list; empty for NIL.
	Languages Values
	Location  Token
	Extension Values // anything after location, checked as it is read

	negative bool // the NegativeSize quirk
}

// ParseBodyStructure decodes one level of a captured body structure.
// negativeSize reads -1 sizes as 0 (Quirks.NegativeSize).
func ParseBodyStructure(raw []byte, negativeSize bool) (b BodyStructure, err error) {
	b.negative = negativeSize
	end, what := parseBody(&b, raw, 0, false, maxCapturedDepth)
	if what == "" && end != len(raw) {
		what = "end of body"
	}
	if what != "" {
		return b, syntaxErr(ErrSyntax, 0, what)
	}
	return b, nil
}

// maxCapturedDepth stands for no bound: captured bytes were bounded when
// they were captured, and parseBody does not recurse.
const maxCapturedDepth = 1 << 30

// parseBody decodes the body structure at b[i], "(" to its ")", into bs
// (zero but for negative), one level: nested parts and lists are skipped (checked lexically) and
// decoded on demand. It returns the structure and its end, or what was
// expected where it is malformed. line says b is a Reader's line: its
// lexical checks are Capture's (see lineValue) with lists nested at most
// maxDepth deep, and a literal or an 8-bit octet makes it fail for the
// general path to read; otherwise b holds captured bytes.
func parseBody(bs *BodyStructure, b []byte, i int, line bool, maxDepth int) (int, string) {
	if i >= len(b) || b[i] != '(' {
		return 0, "body"
	}
	c := bodyCursor{b: b, i: i + 1, line: line, max: maxDepth - 1}
	var t Token
	if !c.nstr(&t) {
		return 0, "body"
	}
	if t.Kind == KindListOpen {
		bs.Multipart = true
		start, end := c.at, c.i
		for t.Kind == KindListOpen {
			end = c.i
			if !c.next(&t) {
				return 0, "multipart subtype"
			}
		}
		bs.Parts = b[start:end]
		if !stringKind(t.Kind) {
			return 0, "multipart subtype"
		}
		bs.Subtype = t
		if c.more() {
			var ok bool
			if !c.sep() {
				return 0, "body parameters"
			}
			if bs.Params, ok = c.params(); !ok {
				return 0, "body parameters"
			}
		}
		if what := bs.extension(&c, false); what != "" {
			return 0, what
		}
		return bs.close(&c)
	}
	if !stringKind(t.Kind) {
		return 0, "media type"
	}
	bs.Type = t
	if !c.nstr(&bs.Subtype) || !stringKind(bs.Subtype.Kind) {
		return 0, "media subtype"
	}
	var ok bool
	if !c.sep() {
		return 0, "body parameters"
	}
	if bs.Params, ok = c.params(); !ok {
		return 0, "body parameters"
	}
	if !c.nstr(&bs.ID) || !nstringKind(bs.ID.Kind) || !c.nstr(&bs.Description) || !nstringKind(bs.Description.Kind) ||
		!c.nstr(&bs.Encoding) || !nstringKind(bs.Encoding.Kind) {
		return 0, "body field"
	}
	if bs.Size, ok = bs.number(&c); !ok {
		return 0, "body size"
	}
	typ, sub := bs.Type.Bytes, bs.Subtype.Bytes
	switch {
	case equalFold(typ, "TEXT"):
		if bs.Lines, ok = bs.number(&c); !ok {
			return 0, "body lines"
		}
	case equalFold(typ, "MESSAGE") && (equalFold(sub, "RFC822") || equalFold(sub, "GLOBAL")):
		var env, body Token
		if !c.next(&env) || !c.next(&body) || env.Kind != KindListOpen || body.Kind != KindListOpen {
			return 0, "message/rfc822 envelope and body"
		}
		bs.Envelope, bs.Body = env.Bytes, body.Bytes
		if bs.Lines, ok = bs.number(&c); !ok {
			return 0, "body lines"
		}
	}
	if what := bs.extension(&c, true); what != "" {
		return 0, what
	}
	return bs.close(&c)
}

// close ends a structure at its ")".
func (bs *BodyStructure) close(c *bodyCursor) (int, string) {
	e, ok := c.close()
	if !ok {
		return 0, "end of body"
	}
	return e, ""
}

// bodyCursor reads the elements of one list in place, up to its ")", with
// the separators of [Values]: SP, or nothing between ")" and "(".
type bodyCursor struct {
	b    []byte
	i    int  // the position: after "(" or after an element
	at   int  // where the last element read starts
	n    int  // elements read
	line bool // lexical checks of a Reader's line (see lineValue)
	max  int  // line: how deep lists inside this one may nest
	bad  bool
}

// more reports whether another element follows: not the ")", nor (in
// captured bytes) a trailing SP before it, which the TrailingSpace quirk
// let through.
func (c *bodyCursor) more() bool {
	if c.bad || c.i >= len(c.b) {
		return false
	}
	switch c.b[c.i] {
	case ')':
		return false
	case ' ':
		return c.line || c.n == 0 || c.i+1 >= len(c.b) || c.b[c.i+1] != ')'
	}
	return true
}

// sep moves past the separator before the next element and reports
// whether one follows; false at the ")" or at malformed bytes (bad).
func (c *bodyCursor) sep() bool {
	if c.bad {
		return false
	}
	if c.i >= len(c.b) {
		c.bad = true
		return false
	}
	switch c.b[c.i] {
	case ')':
		return false
	case ' ':
		if c.n > 0 && c.i+1 < len(c.b) {
			c.i++
			if c.b[c.i] != ')' {
				return true
			}
			if !c.line && c.b[c.i] == ')' {
				return false
			}
		}
	case '(':
		if c.n == 0 || c.b[c.i-1] == ')' {
			return true
		}
	default:
		if c.n == 0 {
			return true
		}
	}
	c.bad = true
	return false
}

// next reads the next element into t.
func (c *bodyCursor) next(t *Token) bool {
	if !c.sep() {
		return false
	}
	return c.value(t)
}

// nstr is next for an element expected to be NIL or a quoted string,
// the commonest ones, with the separator and the lexer inlined; anything
// else takes next from the same position.
func (c *bodyCursor) nstr(t *Token) bool {
	b, i := c.b, c.i
	if c.n > 0 {
		if i+1 >= len(b) || b[i] != ' ' {
			return c.next(t)
		}
		i++
	}
	if i < len(b) {
		switch b[i] {
		case '"':
			plain := &quotedPlain
			if c.line {
				plain = &quotedASCII
			}
			if e, esc, ok := lexQuotedIn(b, i, plain); ok {
				setToken(t, KindQuoted, b[i+1:e], esc)
				c.at, c.i = i, e+1
				c.n++
				return true
			}
		case 'N':
			if i+3 < len(b) && b[i+1] == 'I' && b[i+2] == 'L' && class[b[i+3]]&clList == 0 {
				setToken(t, KindNil, b[i:i+3], false)
				c.at, c.i = i, i+3
				c.n++
				return true
			}
		}
	}
	return c.next(t)
}

// value reads the element at the position into t.
func (c *bodyCursor) value(t *Token) bool {
	var e int
	if c.line {
		e = lineValue(c.b, c.i, t, c.max)
	} else {
		e = lexValue(c.b, c.i, t)
	}
	if e < 0 {
		c.bad = true
		return false
	}
	c.at, c.i = c.i, e
	c.n++
	return true
}

// close consumes the ")" and returns the end of the list.
func (c *bodyCursor) close() (int, bool) {
	if c.bad {
		return 0, false
	}
	if !c.line && c.n > 0 && c.i+1 < len(c.b) && c.b[c.i] == ' ' && c.b[c.i+1] == ')' {
		c.i++
	}
	if c.i >= len(c.b) || c.b[c.i] != ')' {
		return 0, false
	}
	return c.i + 1, true
}

// params reads body-fld-param at the position (after its separator): NIL
// or a non-empty list of string pairs, in one pass that checks the strings
// and finds the list's end.
func (c *bodyCursor) params() (Values, bool) {
	b := c.b
	if c.i >= len(b) {
		return Values{}, false
	}
	if b[c.i] != '(' {
		var t Token
		if c.value(&t) && t.Kind == KindNil {
			return Values{}, true
		}
		return Values{}, false
	}
	if c.line && c.max < 1 {
		return Values{}, false
	}
	plain := &quotedPlain
	if c.line {
		plain = &quotedASCII
	}
	start := c.i + 1
	i := start
	var t Token
	for n := 0; ; n++ {
		if i > start {
			if i < len(b) && b[i] == ')' && n%2 == 0 {
				c.at, c.i = c.i, i+1
				c.n++
				return Values{b: b[start:i]}, true
			}
			if i >= len(b) || b[i] != ' ' {
				return Values{}, false
			}
			i++
		}
		if i < len(b) && b[i] == '"' {
			e, _, ok := lexQuotedIn(b, i, plain)
			if !ok {
				return Values{}, false
			}
			i = e + 1
			continue
		}
		if c.line {
			i = lineValue(b, i, &t, 0)
		} else {
			i = lexValue(b, i, &t)
		}
		if i < 0 || !stringKind(t.Kind) {
			return Values{}, false
		}
	}
}

// lineValue is lexValue for a Reader's line, with Capture's checks: lists
// as captureLine checks them (at most maxDepth deep), quoted strings of
// ASCII octets, flags, atoms and NIL. A literal or anything else gives -1,
// for the general path to read.
func lineValue(b []byte, i int, t *Token, maxDepth int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		e, esc, ok := lexQuotedIn(b, i, &quotedASCII)
		if !ok {
			return -1
		}
		setToken(t, KindQuoted, b[i+1:e], esc)
		return e + 1
	case '(':
		e, ok := captureLine(b, i, maxDepth)
		if !ok {
			return -1
		}
		setToken(t, KindListOpen, b[i:e], false)
		return e
	case '{', '~':
		return -1
	case '\\':
		e := lexFlag(b, i)
		if e < 0 {
			return -1
		}
		setToken(t, KindFlag, b[i:e], false)
		return e
	}
	e := run(b, i, clList)
	if e == i {
		return -1
	}
	setToken(t, KindAtom, b[i:e], false)
	if e-i == 3 && b[i]|0x20 == 'n' && b[i+1]|0x20 == 'i' && b[i+2]|0x20 == 'l' {
		t.Kind = KindNil
	}
	return e
}

// number reads a size or line count.
func (bs *BodyStructure) number(c *bodyCursor) (uint32, bool) {
	if b, i := c.b, c.i; c.n > 0 && i+1 < len(b) && b[i] == ' ' && class[b[i+1]]&clDigit != 0 {
		// The common case inline: SP and digits that end the atom.
		e := run(b, i+1, clDigit)
		if e < len(b) && class[b[e]]&clList == 0 {
			v, ok := parseUint(b[i+1:e], maxNumber)
			c.at, c.i = i+1, e
			c.n++
			return uint32(v), ok
		}
	}
	var t Token
	if !c.next(&t) {
		return 0, false
	}
	if bs.negative && t.Kind == KindAtom && len(t.Bytes) > 1 && t.Bytes[0] == '-' {
		_, ok := parseUint(t.Bytes[1:], maxNumber)
		return 0, ok
	}
	return t.Uint32()
}

// extension reads the optional extension data; it returns what was
// expected where it is malformed.
func (bs *BodyStructure) extension(c *bodyCursor, single bool) string {
	if single && c.more() {
		if !c.nstr(&bs.MD5) || !nstringKind(bs.MD5.Kind) {
			return "body MD5"
		}
	}
	if c.more() {
		if !bs.disposition(c) {
			return "body disposition"
		}
	}
	if c.more() {
		var t Token
		c.nstr(&t)
		switch {
		case t.Kind == KindListOpen:
			bs.Language = t.Bytes
			bs.Languages = ValuesOf(t.Bytes)
		case stringKind(t.Kind):
			bs.Language = t.Bytes
			bs.Languages = Values{b: c.b[c.at:c.i]}
		case t.Kind != KindNil:
			return "body language"
		}
	}
	if c.more() {
		if !c.nstr(&bs.Location) || !nstringKind(bs.Location.Kind) {
			return "body location"
		}
	}
	if c.more() {
		start := c.i
		if c.b[start] == ' ' {
			start++
		}
		var t Token
		for c.more() {
			if !c.next(&t) {
				return "body extension"
			}
		}
		bs.Extension = Values{b: c.b[start:c.i]}
	}
	return ""
}

// disposition reads body-fld-dsp: NIL, or a list taken apart when it has
// the RFC's shape, a string and parameters, and kept raw when it has not.
func (bs *BodyStructure) disposition(c *bodyCursor) bool {
	if !c.sep() {
		return false
	}
	start := c.i
	if c.b[start] == '(' && (!c.line || c.max >= 1) {
		d := bodyCursor{b: c.b, i: start + 1, line: c.line, max: c.max - 1}
		if d.nstr(&bs.DispositionType) && stringKind(bs.DispositionType.Kind) && d.sep() {
			if params, ok := d.params(); ok {
				if e, ok := d.close(); ok {
					bs.DispositionParams = params
					bs.Disposition = c.b[start:e]
					c.at, c.i = start, e
					c.n++
					return true
				}
			}
		}
	}
	bs.DispositionType = Token{}
	if e := lineNil(c.b, start); e >= 0 && e < len(c.b) && class[c.b[e]]&clList == 0 {
		c.at, c.i = start, e // NIL, the commonest
		c.n++
		return true
	}
	var t Token
	if !c.value(&t) {
		return false
	}
	switch t.Kind {
	case KindListOpen:
		bs.Disposition = t.Bytes
	case KindNil:
	default:
		return false
	}
	return true
}

// Children returns a cursor over a multipart's parts.
func (b BodyStructure) Children() BodyParts {
	return BodyParts{v: Values{b: b.Parts}, negative: b.negative}
}

// Nested decodes a MESSAGE/RFC822 part's body.
func (b BodyStructure) Nested() (BodyStructure, error) {
	return ParseBodyStructure(b.Body, b.negative)
}

// BodyParts is a cursor over the parts of a multipart.
type BodyParts struct {
	v        Values
	negative bool
	err      error
}

// Next decodes the next part.
func (p *BodyParts) Next() (b BodyStructure, ok bool) {
	ok = p.NextInto(&b)
	return b, ok
}

// NextInto is Next decoding into b, which a walk can reuse: a structure
// is large, and returning one copies it.
func (p *BodyParts) NextInto(b *BodyStructure) bool {
	*b = BodyStructure{}
	b.negative = p.negative
	if p.err != nil || !p.v.sep() {
		return false
	}
	end, what := parseBody(b, p.v.b, p.v.i, false, maxCapturedDepth)
	if what != "" {
		p.v.bad = true
		p.err = syntaxErr(ErrSyntax, 0, what)
		*b = BodyStructure{}
		return false
	}
	p.v.i = end
	return true
}

// Err returns the error that stopped the cursor.
func (p *BodyParts) Err() error { return p.err }

// BodyStructure reads a FETCH BODY or BODYSTRUCTURE value and decodes its
// top level; its literals are taken inline. The parts of a multipart are
// checked as they are captured and decoded as Children reads them.
func (r *Reader) BodyStructure() (b BodyStructure, err error) {
	err = r.BodyStructureInto(&b)
	return b, err
}

// BodyStructureInto is BodyStructure decoding into b, which a client can
// reuse: a structure is large, and returning one copies it.
func (r *Reader) BodyStructureInto(b *BodyStructure) error {
	*b = BodyStructure{}
	if err := r.cur(); err != nil {
		return err
	}
	// The fast path: the whole structure on this line, without literals
	// or 8-bit octets, read in place with Capture's checks. Anything else,
	// errors included, is left to the general path.
	b.negative = r.q.NegativeSize
	if end, what := parseBody(b, r.buf[:r.end], r.p, true, r.lim.MaxDepth); what == "" {
		r.p = end
		return nil
	}
	var err error
	*b, err = r.bodyStructure()
	return err
}

// bodyStructure is BodyStructure's general path: literals, 8-bit octets
// and errors.
func (r *Reader) bodyStructure() (BodyStructure, error) {
	if r.p+1 >= r.end || r.buf[r.p] != '(' || r.buf[r.p+1] != '(' {
		raw, err := r.Capture()
		if err != nil {
			return BodyStructure{}, err
		}
		b, err := ParseBodyStructure(raw, r.q.NegativeSize)
		if err != nil {
			return b, r.expected("body structure")
		}
		return b, nil
	}
	// A multipart: capture the parts one by one, then the rest.
	r.p++
	if r.depth++; r.depth > r.lim.MaxDepth {
		return BodyStructure{}, syntaxErr(ErrTooDeep, r.offset(r.p), "")
	}
	partsStart := r.p - r.msg
	for r.Peek() == '(' {
		if _, err := r.Capture(); err != nil {
			return BodyStructure{}, err
		}
		if r.Peek() == ' ' && r.p+1 < r.end && r.buf[r.p+1] == '(' {
			r.p++
		}
	}
	partsEnd := r.p - r.msg
	for r.Peek() != ')' {
		if err := r.SP(); err != nil {
			return BodyStructure{}, err
		}
		if _, err := r.Capture(); err != nil {
			return BodyStructure{}, err
		}
	}
	r.p++
	r.depth--
	if r.msg+partsEnd+1 >= r.p {
		return BodyStructure{}, r.expected("multipart subtype")
	}
	b := BodyStructure{Multipart: true, negative: r.q.NegativeSize,
		Parts: r.buf[r.msg+partsStart : r.msg+partsEnd]}
	c := bodyCursor{b: r.buf[r.msg+partsEnd+1 : r.p], max: maxCapturedDepth}
	var t Token
	if !c.next(&t) || !stringKind(t.Kind) {
		return b, r.expected("multipart subtype")
	}
	b.Subtype = t
	if c.more() {
		var ok bool
		if !c.sep() {
			return b, r.expected("body parameters")
		}
		if b.Params, ok = c.params(); !ok {
			return b, r.expected("body parameters")
		}
	}
	if what := b.extension(&c, false); what != "" {
		return b, r.expected("body extension")
	}
	if _, ok := c.close(); !ok {
		return b, r.expected("body extension")
	}
	return b, nil
}
