package imapwire

import "bytes"

// SEARCH and UID SEARCH: CHARSET, ESEARCH RETURN options (RFC 4731, RFC
// 5182 SAVE) and every key of RFC 9051 and RFC 3501, with CONDSTORE's
// MODSEQ (RFC 7162) and OLDER/YOUNGER (RFC 5032). NOT, OR and groups nest
// at most Limits.MaxDepth deep.

// search reads the options and the keys.
func (d *Decoder) search(a *SearchArgs) error {
	r := d.r
	o, err := r.SearchOptions()
	if err != nil {
		return err
	}
	if o.Return != nil {
		a.HasReturn = true
		for w := ValuesOf(o.Return); w.More(); {
			t, ok := w.Next()
			bit := -1
			for i, name := range searchReturnNames {
				if ok && t.EqualFold(name) {
					bit = i
				}
			}
			if bit < 0 || a.Return&(1<<bit) != 0 {
				return syntaxErr(ErrUnknownOption, r.offset(r.p), "RETURN option")
			}
			a.Return |= 1 << bit
		}
	}
	a.Charset = o.Charset
	if bytes.IndexByte(a.Charset, '\\') >= 0 {
		a.Charset = d.unquote(a.Charset)
	}
	n := len(d.terms)
	d.stack = d.stack[:0]
	done := false // the last term was a complete key
	for {
		var k SearchKey
		ok, err := r.nextSearchKey(&k)
		if err != nil {
			return err
		}
		depth := 0
		if ok {
			depth = k.Depth
		}
		if done {
			d.closeGroups(depth)
		}
		if !ok {
			a.Terms = d.terms[n:len(d.terms):len(d.terms)]
			return nil
		}
		if len(d.terms)-n >= MaxSearchTerms {
			return syntaxErr(ErrTooMany, r.offset(r.p), "at most 1024 search keys")
		}
		if len(d.stack) != k.Depth {
			return r.expected("search key")
		}
		t := d.term()
		t.Key, t.Depth, t.Set, t.Date, t.Num, t.Atom, t.Type = k.Key, k.Depth, k.Set, k.Date, k.Num, k.Atom, k.Type
		t.Str[0], t.Str[1] = nil, nil
		if k.Key == SearchModSeq && bytes.IndexByte(t.Atom, '\\') >= 0 {
			t.Atom = d.unquote(t.Atom)
		}
		for i := range k.Strings {
			if t.Str[i], err = d.astring(); err != nil {
				d.terms = d.terms[:len(d.terms)-1]
				return err
			}
		}
		done = false
		switch k.Key {
		case SearchNot:
			d.stack = append(d.stack, needOne)
		case SearchOr:
			d.stack = append(d.stack, needTwo)
		case SearchOpen:
			d.stack = append(d.stack, needOpen)
		default:
			done = true
		}
	}
}

// closeGroups mirrors what the Reader does when a key is complete: the
// operators waiting for it are satisfied, and the groups the Reader
// closed (the next key is at depth) get a SearchClose term.
func (d *Decoder) closeGroups(depth int) {
	for n := len(d.stack); n > 0; n = len(d.stack) {
		switch d.stack[n-1] {
		case needOne:
			d.stack = d.stack[:n-1]
			continue
		case needTwo:
			d.stack[n-1] = needOne
			return
		}
		if n <= depth {
			return
		}
		d.terms = append(d.terms, SearchTerm{Key: SearchClose, Depth: n - 1})
		d.stack = d.stack[:n-1]
	}
}

// term adds a term to d.terms for the caller to fill.
func (d *Decoder) term() *SearchTerm {
	if len(d.terms) == cap(d.terms) {
		d.terms = append(d.terms, SearchTerm{})
	} else {
		d.terms = d.terms[:len(d.terms)+1]
	}
	return &d.terms[len(d.terms)-1]
}
