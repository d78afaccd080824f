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
	Language    []byte // raw: a string or a list, or nil
	Location    Token
	Extension   Values // anything after location, checked as it is read

	negative bool // the NegativeSize quirk
}

// ParseBodyStructure decodes one level of a captured body structure.
// negativeSize reads -1 sizes as 0 (Quirks.NegativeSize).
func ParseBodyStructure(raw []byte, negativeSize bool) (BodyStructure, error) {
	b := BodyStructure{negative: negativeSize}
	bad := func(what string) (BodyStructure, error) {
		return b, syntaxErr(ErrSyntax, 0, what)
	}
	if len(raw) == 0 || raw[0] != '(' {
		return bad("body")
	}
	v := ValuesOf(raw)
	var t Token
	if !v.next(&t) {
		return bad("body")
	}
	if t.Kind == KindListOpen {
		b.Multipart = true
		start := t.Bytes
		end := t.Bytes
		for t.Kind == KindListOpen {
			end = t.Bytes
			if !v.next(&t) {
				return bad("multipart subtype")
			}
		}
		b.Parts = raw[offsetIn(raw, start) : offsetIn(raw, end)+len(end)]
		if !t.IsString() {
			return bad("multipart subtype")
		}
		b.Subtype = t
		if v.More() && !b.params(&v) {
			return bad("body parameters")
		}
		return b, b.extension(&v, false)
	}
	if !t.IsString() {
		return bad("media type")
	}
	b.Type = t
	if !v.next(&b.Subtype) || !b.Subtype.IsString() {
		return bad("media subtype")
	}
	if !b.params(&v) {
		return bad("body parameters")
	}
	if !v.next(&b.ID) || !nstring(b.ID) || !v.next(&b.Description) || !nstring(b.Description) ||
		!v.next(&b.Encoding) || !nstring(b.Encoding) {
		return bad("body field")
	}
	var ok bool
	if b.Size, ok = b.number(&v); !ok {
		return bad("body size")
	}
	typ, sub := b.Type.Bytes, b.Subtype.Bytes
	switch {
	case equalFold(typ, "MESSAGE") && (equalFold(sub, "RFC822") || equalFold(sub, "GLOBAL")):
		var env, body Token
		if !v.next(&env) || !v.next(&body) || env.Kind != KindListOpen || body.Kind != KindListOpen {
			return bad("message/rfc822 envelope and body")
		}
		b.Envelope, b.Body = env.Bytes, body.Bytes
		if b.Lines, ok = b.number(&v); !ok {
			return bad("body lines")
		}
	case equalFold(typ, "TEXT"):
		if b.Lines, ok = b.number(&v); !ok {
			return bad("body lines")
		}
	}
	return b, b.extension(&v, true)
}

// offsetIn returns where sub starts in b; sub must alias b.
func offsetIn(b, sub []byte) int { return cap(b) - cap(sub) }

// params reads body-fld-param: NIL or a non-empty list of string pairs,
// in one pass that checks the strings and finds the list's end.
func (b *BodyStructure) params(v *Values) bool {
	if !v.sep() {
		return false
	}
	if v.b[v.i] != '(' {
		var t Token
		if e := lexValue(v.b, v.i, &t); e >= 0 && t.Kind == KindNil {
			v.i = e
			return true
		}
		return false
	}
	start := v.i + 1
	i := start
	var t Token
	for n := 0; ; n++ {
		if i > start {
			if i < len(v.b) && v.b[i] == ')' && n%2 == 0 {
				b.Params = Values{b: v.b[start:i]}
				v.i = i + 1
				return true
			}
			if i >= len(v.b) || v.b[i] != ' ' {
				return false
			}
			i++
		}
		if i = lexValue(v.b, i, &t); i < 0 || !t.IsString() {
			return false
		}
	}
}

// number reads a size or line count.
func (b *BodyStructure) number(v *Values) (uint32, bool) {
	var t Token
	if !v.next(&t) {
		return 0, false
	}
	if b.negative && t.Kind == KindAtom && len(t.Bytes) > 1 && t.Bytes[0] == '-' {
		_, ok := parseUint(t.Bytes[1:], maxNumber)
		return 0, ok
	}
	return t.Uint32()
}

// extension reads the optional extension data.
func (b *BodyStructure) extension(v *Values, single bool) error {
	if single && v.More() {
		if !v.next(&b.MD5) || !nstring(b.MD5) {
			return syntaxErr(ErrSyntax, 0, "body MD5")
		}
	}
	if v.More() {
		var t Token
		v.next(&t)
		if t.Kind == KindListOpen {
			b.Disposition = t.Bytes
		} else if t.Kind != KindNil {
			return syntaxErr(ErrSyntax, 0, "body disposition")
		}
	}
	if v.More() {
		var t Token
		v.next(&t)
		if t.Kind == KindListOpen || t.IsString() {
			b.Language = t.Bytes
		} else if t.Kind != KindNil {
			return syntaxErr(ErrSyntax, 0, "body language")
		}
	}
	if v.More() {
		if !v.next(&b.Location) || !nstring(b.Location) {
			return syntaxErr(ErrSyntax, 0, "body location")
		}
	}
	b.Extension = *v
	return nil
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
func (p *BodyParts) Next() (BodyStructure, bool) {
	if p.err != nil {
		return BodyStructure{}, false
	}
	var t Token
	if !p.v.next(&t) {
		return BodyStructure{}, false
	}
	var b BodyStructure
	b, p.err = ParseBodyStructure(t.Bytes, p.negative)
	return b, p.err == nil
}

// Err returns the error that stopped the cursor.
func (p *BodyParts) Err() error { return p.err }

// BodyStructure reads a FETCH BODY or BODYSTRUCTURE value and decodes its
// top level; its literals are taken inline. The parts of a multipart are
// checked as they are captured and decoded as Children reads them.
func (r *Reader) BodyStructure() (BodyStructure, error) {
	if err := r.cur(); err != nil {
		return BodyStructure{}, err
	}
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
	v := Values{b: r.buf[r.msg+partsEnd+1 : r.p-1]}
	t, ok := v.Next()
	if !ok || !t.IsString() {
		return b, r.expected("multipart subtype")
	}
	b.Subtype = t
	if v.More() && !b.params(&v) {
		return b, r.expected("body parameters")
	}
	if err := b.extension(&v, false); err != nil {
		return b, r.expected("body extension")
	}
	return b, nil
}
