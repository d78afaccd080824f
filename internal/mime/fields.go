package mime

// maxName bounds the field names FieldIter finds (RFC 5322 sets none;
// Dovecot's is 1000).
const maxName = 1000

// FieldIter is a cursor over the fields of a header held in a Source, in
// [start, end): each field's name and value span (see Span), and the
// field's whole extent, line ends included. Lines without a colon are
// skipped, as Dovecot skips them. The name is a view valid until the next
// call on the Source.
type FieldIter struct {
	src        *Source
	pos, end   int64
	name       []byte
	value      Span
	start, raw int64
}

// Fields returns a cursor over the fields of the header [start, end).
func Fields(src *Source, start, end int64) FieldIter {
	return FieldIter{src: src, pos: start, end: end}
}

// Next advances to the next field.
func (f *FieldIter) Next() bool {
	for f.pos < f.end {
		start := f.pos
		lineEnd, next, _ := f.src.line(start)
		if lineEnd == start { // the empty line that ends the header
			f.pos = f.end
			return false
		}
		// The field runs over its continuation lines.
		last := lineEnd
		for next < f.end {
			c := f.src.at(next)
			if c != ' ' && c != '\t' {
				break
			}
			last, next, _ = f.src.line(next)
		}
		if last > f.end {
			last = f.end
		}
		if next > f.end {
			next = f.end
		}
		f.pos = next
		// A name is looked for in the first maxName octets of the line,
		// in memory and through a ReaderAt alike.
		v := f.src.view(start, maxName)
		if int64(len(v)) > lineEnd-start {
			v = v[:lineEnd-start]
		}
		if len(v) > maxName {
			v = v[:maxName]
		}
		colon := -1
		for i, c := range v {
			if c == ':' {
				colon = i
				break
			}
		}
		if colon < 0 {
			continue
		}
		name := v[:colon]
		for len(name) > 0 && (name[len(name)-1] == ' ' || name[len(name)-1] == '\t') {
			name = name[:len(name)-1]
		}
		off := start + int64(colon) + 1
		for off < last {
			if c := f.src.at(off); c != ' ' && c != '\t' {
				break
			}
			off++
		}
		f.name, f.value, f.start, f.raw = name, Span{off, last}, start, next
		// name is a view of the window; refresh it after the at() calls.
		if w := f.src.view(start, colon); len(w) >= len(name) {
			f.name = w[:len(name)]
		}
		return true
	}
	return false
}

// Name returns the field name, white space before the colon removed.
func (f *FieldIter) Name() []byte { return f.name }

// Value returns the value's span.
func (f *FieldIter) Value() Span { return f.value }

// Extent returns the field's range, every line end included.
func (f *FieldIter) Extent() Span { return Span{f.start, f.raw} }
