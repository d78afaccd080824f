package headers

// Action is what a [Rule] does with the fields it matches.
type Action uint8

// The actions. Keep, Drop, Rewrite and Add are what a [Rule] asks for;
// a [Report] says what was done, which for a Rewrite rule is any of Keep,
// Drop, Rewrite, Trim and Repair. Repair and Trim appear only in a Report.
const (
	// Keep writes the field byte for byte (repaired if it has defects). In
	// a Report: a Rewrite rule wrote the field back unchanged.
	Keep Action = iota + 1
	// Drop writes nothing. In a Report: the field is gone (a Drop rule, a
	// Rewrite rule that wrote nothing, or a defect that cannot be repaired).
	Drop
	// Rewrite writes what the rule's Rewrite function appends instead. In a
	// Report: the field was replaced by other content.
	Rewrite
	// Add matches no field: the rule's Field is written after the last
	// field of the block.
	Add
	// Repair reports a kept field whose defects were repaired.
	Repair
	// Trim reports a field a Rewrite rule wrote back with part of its value
	// cut out and nothing else changed (the "from" clause of a Received
	// field, a comment); Change.Removed is the part.
	Trim
)

var actionNames = [...]string{"", "keep", "drop", "rewrite", "add", "repair", "trim"}

func (a Action) String() string {
	if int(a) < len(actionNames) && a != 0 {
		return actionNames[a]
	}
	return "action?"
}

// RewriteFunc appends to dst what replaces f: zero or more complete,
// CRLF-terminated fields. f is valid only during the call (a field with
// defects is handed over repaired, from a scratch copy in dst). It may refuse with an error, which stops the
// sanitizer. [AppendField] is the safe way to write a field.
type RewriteFunc func(dst []byte, f Field) ([]byte, error)

// Rule is one step of a [Sanitizer]: the first rule whose Name matches a
// field decides what happens to it; a field no rule matches is kept.
type Rule struct {
	// Name is the field name the rule matches, ignoring ASCII case; "*"
	// matches every field (after keep rules, it makes an allowlist).
	Name    string
	Action  Action      // the zero Action keeps
	Rewrite RewriteFunc // for Rewrite
	Field   []byte      // for Add: one complete field, CRLF-terminated
}

func (r *Rule) matches(name []byte) bool {
	return r.Action != Add && (r.Name == "*" || EqualFold(name, r.Name))
}

// Change is one entry of a [Report]: what happened to one field.
type Change struct {
	// Action is what was done, as the output shows it, whatever the rule
	// asked for: Drop, Trim, Rewrite, Keep (a Rewrite rule kept the field),
	// Repair or Add.
	Action  Action
	Rule    int    // index in Sanitizer.Rules; -1 for a defect the parser repaired or dropped
	Name    []byte // a view into the input (or into the Add rule's Field); empty for a nameless field
	Offset  int    // of the field in the input; -1 for Add
	Defects Defect // the defects repaired, if any
	// Removed is what of the input field is not in the output, a view into
	// the input: the whole field for Drop; for Trim the part of the value
	// cut out; for Rewrite the part of the value that was replaced (the
	// value between what the old and new values share at their start and
	// end), or the whole value when the rule wrote fields of another name
	// or more than one. Empty for Keep, Repair and Add.
	Removed []byte
}

// Report lists, for logging, what a sanitizer did to each field a Drop or
// Rewrite rule matched, each field it repaired or dropped for a defect, and
// each field it added; fields no rule touched and fields of Keep rules are
// not listed. Reuse one Report and the sanitizer does not allocate for it.
type Report struct {
	Changes []Change
}

func (r *Report) add(c Change) {
	if r != nil {
		r.Changes = append(r.Changes, c)
	}
}

// change appends an entry to r and returns it to be filled in place (a
// Change literal would be built on the stack and copied), or nil when r
// is nil.
func (r *Report) change(a Action, rule int, f *Field) *Change {
	if r == nil {
		return nil
	}
	r.Changes = append(r.Changes, Change{})
	c := &r.Changes[len(r.Changes)-1]
	c.Action, c.Rule, c.Name, c.Offset, c.Defects = a, rule, f.Name, f.Offset, f.Defects
	return c
}

// Sanitizer applies ordered rules to the top-level header block of a
// message in one pass. It never reads the body, so MIME parts, nested
// message/rfc822 headers and S/MIME or PGP/MIME signed or encrypted content
// pass through byte for byte, and fields no rule touches keep their exact
// bytes.
//
// Run it before DKIM signing (and before ARC sealing): a signature over
// fields it then rewrites or drops would break.
//
// A Sanitizer is safe for concurrent use once its fields are set.
type Sanitizer struct {
	Rules []Rule
	// Options are the parse limits and repairs. MaxLineLength is capped at
	// 998, so that the output never holds a longer line.
	Options Options
}

// Append appends the sanitized header block of msg, with its empty line if
// msg has one, to dst and returns it with the body, a view of msg to be
// sent after it unchanged. rep, if not nil, is reset and filled.
//
// The output holds no NUL, bare CR or bare LF and no line over 998 octets:
// a rule whose output would break this fails with ErrRewrite. On error dst
// is returned unchanged and body is nil.
func (s *Sanitizer) Append(dst, msg []byte, rep *Report) (out, body []byte, err error) {
	if rep != nil {
		rep.Changes = rep.Changes[:0]
	}
	orig := len(dst)
	opt := s.Options
	if opt.MaxLineLength <= 0 || opt.MaxLineLength > DefaultMaxLineLength {
		opt.MaxLineLength = DefaultMaxLineLength
	}
	filter := s.filter()
	var sc Scanner
	sc.Reset(msg, opt)
	// Fields kept byte for byte are contiguous in msg: run is the range of
	// them not yet appended, so that a run of them takes one copy.
	runStart, runEnd := 0, 0
	for sc.Next() {
		f := &sc.field
		i := -1
		if f.Defects&dropDefects == 0 && filter.mayMatch(f.Name) {
			i = s.match(f.Name)
		}
		action := Keep
		if i >= 0 {
			action = s.Rules[i].Action
		}
		if f.Defects == 0 && action != Drop && action != Rewrite {
			if f.Offset != runEnd {
				dst = append(dst, msg[runStart:runEnd]...)
				runStart = f.Offset
			}
			runEnd = f.Offset + len(f.Raw)
			continue
		}
		dst = append(dst, msg[runStart:runEnd]...)
		runStart, runEnd = 0, 0
		switch {
		case f.Defects&dropDefects != 0:
			if c := rep.change(Drop, -1, f); c != nil {
				c.Removed = f.Raw
			}
		case action == Drop:
			if c := rep.change(Drop, i, f); c != nil {
				c.Removed = f.Raw
			}
		case action == Rewrite:
			if dst, err = s.rewrite(dst, f, i, rep); err != nil {
				return dst[:orig], nil, err
			}
		default:
			dst = f.AppendTo(dst)
			rep.change(Repair, -1, f)
		}
	}
	if sc.err != nil {
		return dst[:orig], nil, sc.err
	}
	dst = append(dst, msg[runStart:runEnd]...)
	for i := range s.Rules {
		r := &s.Rules[i]
		if r.Action != Add {
			continue
		}
		if len(r.Field) == 0 || !validFields(r.Field) {
			return dst[:orig], nil, &SyntaxError{Err: ErrRewrite, Offset: -1}
		}
		dst = append(dst, r.Field...)
		rep.add(Change{Action: Add, Rule: i, Name: nameOf(r.Field), Offset: -1})
	}
	if sc.blank {
		dst = append(dst, crlf...)
	}
	return dst, sc.Body(), nil
}

// nameFilter is a 256-bit Bloom filter of the rule names, built for each
// call, so that most fields skip the walk through the rules.
type nameFilter struct {
	bits [4]uint64
	all  bool // a "*" rule matches every field
}

func (s *Sanitizer) filter() nameFilter {
	var nf nameFilter
	for i := range s.Rules {
		switch name := s.Rules[i].Name; {
		case name == "*":
			nf.all = true
		case name != "":
			k := nameKey(name)
			nf.bits[k/64] |= 1 << (k % 64)
		}
	}
	return nf
}

func (nf *nameFilter) mayMatch(name []byte) bool {
	if nf.all {
		return true
	}
	if len(name) == 0 {
		return false
	}
	k := nameKey(name)
	return nf.bits[k/64]&(1<<(k%64)) != 0
}

// nameKey hashes a name's length and its first and last letters, ASCII
// case ignored.
func nameKey[T ~string | ~[]byte](name T) uint8 {
	return uint8(len(name)*31 + int(name[0]|0x20)*7 + int(name[len(name)-1]|0x20))
}

// rewrite appends what rule i makes of f. A field with defects is repaired
// first, so that the rule sees a clean field; the repaired copy is then
// overwritten by the rule's output.
func (s *Sanitizer) rewrite(dst []byte, f *Field, i int, rep *Report) ([]byte, error) {
	rule := s.Rules[i].Rewrite
	if rule == nil {
		return dst, &SyntaxError{Err: ErrRewrite, Offset: f.Offset}
	}
	n := len(dst)
	// Member by member, as Scanner.Field copies: *f would stall.
	in := Field{Raw: f.Raw, Name: f.Name, Value: f.Value, Offset: f.Offset, Defects: f.Defects}
	if f.Defects != 0 {
		dst = f.AppendTo(dst)
		var clean Scanner
		clean.Reset(dst[n:], Options{})
		clean.Next()
		in = clean.field
		in.Offset = f.Offset
	}
	m := len(dst)
	dst, err := rule(dst, in)
	if err != nil {
		return dst, err
	}
	unchanged := string(dst[m:]) == string(in.Raw)
	if m != n {
		dst = dst[:n+copy(dst[n:], dst[m:])]
	}
	out := dst[n:]
	action, ruleIndex, removed := Keep, i, []byte(nil)
	switch {
	case unchanged:
		if f.Defects != 0 {
			action, ruleIndex = Repair, -1
		}
	case len(out) == 0:
		action, removed = Drop, f.Raw
	default:
		// One scan both checks the output and finds what it did.
		var sc Scanner
		sc.Reset(out, Options{MaxHeaderBytes: len(out) + 1})
		var name, value []byte
		fields := 0
		for ; sc.Next(); fields++ {
			if fields == 0 {
				name, value = sc.field.Name, sc.field.Value
			}
		}
		if sc.err != nil || sc.blank || sc.pos != len(out) {
			return dst, &SyntaxError{Err: ErrRewrite, Offset: f.Offset}
		}
		action, removed = diffField(f, name, value, fields)
	}
	if c := rep.change(action, ruleIndex, f); c != nil {
		c.Removed = removed
	}
	return dst, nil
}

// diffField tells what a rule's output, fields of which the first has
// name and value, did to f: Trim when it is one field of the same name
// whose value is f's with one span cut out, otherwise Rewrite; and the
// span of f's value that is gone.
func diffField(f *Field, name, value []byte, fields int) (Action, []byte) {
	if fields != 1 || !EqualFold(name, string(f.Name)) {
		return Rewrite, f.Value
	}
	ov, nv := f.Value, value
	p := 0
	for p < len(ov) && p < len(nv) && ov[p] == nv[p] {
		p++
	}
	q := 0
	if rest := nv[p:]; len(rest) < len(ov)-p && string(ov[len(ov)-len(rest):]) == string(rest) {
		q = len(rest) // the whole rest is a suffix: a trim, found in one compare
	} else {
		for q < len(ov)-p && q < len(nv)-p && ov[len(ov)-1-q] == nv[len(nv)-1-q] {
			q++
		}
	}
	removed := ov[p : len(ov)-q]
	if p+q == len(nv) && len(removed) > 0 {
		return Trim, removed
	}
	return Rewrite, removed
}

func (s *Sanitizer) match(name []byte) int {
	for i := range s.Rules {
		if s.Rules[i].matches(name) {
			return i
		}
	}
	return -1
}

// validFields reports whether b is a list of complete, strictly valid
// fields with lines of at most 998 octets and nothing else.
func validFields(b []byte) bool {
	sc := NewScanner(b, Options{MaxHeaderBytes: len(b) + 1})
	for sc.Next() {
	}
	return sc.err == nil && !sc.blank && sc.pos == len(b)
}

func nameOf(field []byte) []byte {
	for i, c := range field {
		if c == ':' {
			return field[:i]
		}
	}
	return nil
}
