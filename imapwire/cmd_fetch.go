package imapwire

// FETCH and UID FETCH: macros, data items with sections and partials, and
// the CHANGEDSINCE and VANISHED modifiers (RFC 7162 §3.1.4, §3.2.6).

// fetch reads "SP sequence-set SP (macro / att / "(" att *(SP att) ")")
// [SP "(" fetch-modifier *(SP fetch-modifier) ")"]".
func (d *Decoder) fetch(a *FetchArgs) (err error) {
	r := d.r
	if err := r.SP(); err != nil {
		return err
	}
	if a.Set, err = r.SeqSet(); err != nil {
		return err
	}
	if err := r.SP(); err != nil {
		return err
	}
	a.List = r.Peek() == '('
	n := len(d.items)
	// The items are read in place, as FetchAtts reads them: a macro or one
	// item, or a list of items that are not macros.
	if !a.List {
		if err := r.fetchItemInto(d.item()); err != nil {
			return err
		}
	} else {
		l := r.List()
		for l.Next() {
			if len(d.items)-n == MaxFetchItems {
				return syntaxErr(ErrTooMany, r.offset(r.p), "at most 256 fetch items")
			}
			it := d.item()
			if err := r.fetchItemInto(it); err != nil {
				return err
			}
			if it.Att >= FetchAll && it.Att <= FetchFull {
				return r.expected("fetch item, not a macro, in a list")
			}
		}
		if err := l.Err(); err != nil {
			return err
		}
		if len(d.items) == n {
			return r.expected("fetch item")
		}
	}
	a.Items = d.items[n:len(d.items):len(d.items)]
	if !d.more() {
		return r.End()
	}
	if !d.paren() {
		return r.expected("(")
	}
	for {
		switch {
		case !a.HasChangedSince && r.keywordBefore("CHANGEDSINCE", ' '):
			r.p++
			if a.ChangedSince, err = r.Number64(); err != nil || a.ChangedSince == 0 {
				return r.expected("non-zero mod-sequence")
			}
			a.HasChangedSince = true
		case !a.Vanished && r.Keyword("VANISHED"):
			a.Vanished = true
		default:
			return syntaxErr(ErrUnknownOption, r.offset(r.p), "CHANGEDSINCE or VANISHED")
		}
		more, err := d.spOrClose()
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if a.Vanished && (!d.cmd.UID || !a.HasChangedSince) {
		return r.expected("VANISHED only in UID FETCH with CHANGEDSINCE")
	}
	return r.End()
}

// item adds an item to d.items for fetchItem to fill (it zeroes it).
func (d *Decoder) item() *FetchItem {
	if len(d.items) == cap(d.items) {
		d.items = append(d.items, FetchItem{})
	} else {
		d.items = d.items[:len(d.items)+1]
	}
	return &d.items[len(d.items)-1]
}

// fetchItemInto reads one item into it: the common ones in one pass here,
// anything else (and every error) through fetchItem.
func (r *Reader) fetchItemInto(it *FetchItem) error {
	start := r.p
	if r.fetchItemFast(it) {
		return nil
	}
	r.p = start
	return r.fetchItem(it)
}

// Ids of fetchNameIndex past the FetchAtt values: the PEEK forms.
const (
	fetchBodyPeek   = uint8(FetchModSeq) + 1
	fetchBinaryPeek = uint8(FetchModSeq) + 2
)

// fetchNameIndex finds the FETCH item names of fetchNames (BODY as
// FetchBody) and the PEEK forms.
var fetchNameIndex = newFoldIndex(uint8(FetchAll), fetchBinaryPeek, func(id uint8) string {
	switch {
	case id == fetchBodyPeek:
		return "BODY.PEEK"
	case id == fetchBinaryPeek:
		return "BINARY.PEEK"
	case FetchAtt(id) == FetchBodySection:
		return ""
	}
	return fetchNames[id]
})

// fetchItemFast reads, by fetchItem's rules, an item without a section
// or BODY[]/BODY.PEEK[] with no part, no partial and a section of
// HEADER, TEXT or HEADER.FIELDS(.NOT) with atoms for names. It reports
// false for anything else, with it zero and r.p wherever: the caller goes
// back and takes fetchItem.
func (r *Reader) fetchItemFast(it *FetchItem) bool {
	*it = FetchItem{}
	if r.cur() != nil {
		return false
	}
	b := r.buf[:r.end]
	p := r.p
	e := p
	for e < len(b) && class[b[e]]&clAtom != 0 && b[e] != '[' {
		e++
	}
	n := e - p
	if n == 0 || n > 16 {
		return false
	}
	id := fetchNameIndex.lookup(r.buf, p, n)
	att := FetchAtt(id)
	switch id {
	case fetchBodyPeek:
		att, it.Peek = FetchBodySection, true
	case fetchBinaryPeek:
		return false
	}
	if e == len(b) || b[e] != '[' {
		if it.Peek || att == FetchBinary || att == FetchBinarySize {
			return false
		}
		it.Att, it.Name = att, b[p:e]
		r.p = e
		return true
	}
	if att != FetchBody && att != FetchBodySection {
		return false
	}
	i := e + 1
	start := i
	var text SectionText
	var fields []byte
	switch {
	case i < len(b) && b[i] == ']':
	case wordAt(b, i, "HEADER", ']'):
		text, i = SectionHeader, i+6
	case wordAt(b, i, "TEXT", ']'):
		text, i = SectionBodyText, i+4
	case wordAt(b, i, "HEADER.FIELDS.NOT", ' '):
		text, i = SectionHeaderFieldsNot, i+18
	case wordAt(b, i, "HEADER.FIELDS", ' '):
		text, i = SectionHeaderFields, i+14
	default:
		return false
	}
	if text == SectionHeaderFields || text == SectionHeaderFieldsNot {
		// "(" atom *(SP atom) ")", as Capture and Values take it: the
		// atoms are list-chars, not NIL.
		if i >= len(b) || b[i] != '(' || r.lim.MaxDepth < 1 {
			return false
		}
		j := i + 1
		for {
			f := run(b, j, clAtom)
			if f == j || f-j == 3 && b[j]|0x20 == 'n' && b[j+1]|0x20 == 'i' && b[j+2]|0x20 == 'l' || f == len(b) {
				return false
			}
			if b[f] == ')' {
				j = f
				break
			}
			if b[f] != ' ' || f+1 == len(b) || b[f+1] == ')' {
				return false
			}
			j = f + 1
		}
		fields = b[i+1 : j]
		i = j + 1
	}
	if i >= len(b) || b[i] != ']' || i+1 < len(b) && b[i+1] == '<' {
		return false
	}
	it.Att, it.Name = FetchBodySection, b[p:e]
	it.Section = Section{Raw: b[start:i], Text: text, Fields: Values{b: fields}}
	r.p = i + 1
	return true
}

// wordAt reports whether b holds the upper-case word w at i, in any case,
// followed by the octet next.
func wordAt(b []byte, i int, w string, next byte) bool {
	e := i + len(w)
	return e < len(b) && b[e] == next && equalFold(b[i:e], w)
}
