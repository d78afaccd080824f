package imapwire

// STORE and UID STORE, with UNCHANGEDSINCE (RFC 7162 §3.1.3).

// store reads "SP sequence-set SP ["(" UNCHANGEDSINCE SP n ")" SP]
// store-att-flags".
func (d *Decoder) store(a *StoreArgs) (err error) {
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
	if d.paren() {
		if !r.keywordBefore("UNCHANGEDSINCE", ' ') {
			return syntaxErr(ErrUnknownOption, r.offset(r.p), "UNCHANGEDSINCE")
		}
		r.p++
		if a.UnchangedSince, err = r.Number64(); err != nil {
			return err
		}
		a.HasUnchangedSince = true
		if r.Peek() != ')' {
			return r.expected(")")
		}
		r.p++
		if err := r.SP(); err != nil {
			return err
		}
	}
	var s Store
	n := len(d.bufs)
	if err := r.store(&s, &d.bufs); err != nil {
		return err
	}
	a.Op, a.Silent = s.Op, s.Silent
	a.List = r.buf[r.p-1] == ')'
	a.Flags = d.bufs[n:len(d.bufs):len(d.bufs)]
	return r.End()
}
