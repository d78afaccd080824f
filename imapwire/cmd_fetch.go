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
		if err := r.fetchItem(d.item()); err != nil {
			return err
		}
	} else {
		l := r.List()
		for l.Next() {
			if len(d.items)-n == MaxFetchItems {
				return syntaxErr(ErrTooMany, r.offset(r.p), "at most 256 fetch items")
			}
			it := d.item()
			if err := r.fetchItem(it); err != nil {
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
