package imapwire

// SeqSet is a validated sequence-set view (RFC 9051 §9): "1:*,3,5:9", or
// "$" (SEARCHRES). Numbers are non-zero; "*" is reported as 0.
type SeqSet struct{ raw []byte }

// ParseSeqSet validates b as a sequence set; the SeqSet aliases b.
func ParseSeqSet(b []byte) (SeqSet, bool) {
	if len(b) == 1 && b[0] == '$' {
		return SeqSet{b}, true
	}
	i := 0
	for {
		var ok bool
		if i, ok = seqNumber(b, i); !ok {
			return SeqSet{}, false
		}
		if i < len(b) && b[i] == ':' {
			if i, ok = seqNumber(b, i+1); !ok {
				return SeqSet{}, false
			}
		}
		if i == len(b) {
			return SeqSet{b}, true
		}
		if b[i] != ',' {
			return SeqSet{}, false
		}
		i++
	}
}

// seqNumber reads a seq-number at b[i]: "*" or a non-zero 32-bit number.
func seqNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '*' {
		return i + 1, true
	}
	e := run(b, i, clDigit)
	v, ok := parseUint(b[i:e], maxNumber)
	return e, ok && v != 0
}

// Bytes returns the set as written.
func (s SeqSet) Bytes() []byte { return s.raw }

// Saved reports whether the set is "$", the result of a saved search.
func (s SeqSet) Saved() bool { return len(s.raw) == 1 && s.raw[0] == '$' }

// Ranges returns a cursor over the ranges of the set, in the order written.
func (s SeqSet) Ranges() SeqRanges { return SeqRanges{raw: s.raw} }

// SeqRanges iterates a SeqSet's ranges. A single number n is the range
// n:n; "*" is 0; a range is reported as written, so Lo may exceed Hi.
type SeqRanges struct {
	raw    []byte
	i      int
	Lo, Hi uint32
}

// Next moves to the next range.
func (it *SeqRanges) Next() bool {
	if it.i >= len(it.raw) || (len(it.raw) == 1 && it.raw[0] == '$') {
		return false
	}
	it.Lo = it.num()
	it.Hi = it.Lo
	if it.i < len(it.raw) && it.raw[it.i] == ':' {
		it.i++
		it.Hi = it.num()
	}
	it.i++ // the comma, or past the end
	return true
}

func (it *SeqRanges) num() uint32 {
	if it.raw[it.i] == '*' {
		it.i++
		return 0
	}
	e := run(it.raw, it.i, clDigit)
	v, _ := parseUint(it.raw[it.i:e], maxNumber)
	it.i = e
	return uint32(v)
}

// SeqSet reads a sequence set.
func (r *Reader) SeqSet() (SeqSet, error) {
	if err := r.cur(); err != nil {
		return SeqSet{}, err
	}
	e := run(r.buf[:r.end], r.p, clSeq)
	s, ok := ParseSeqSet(r.buf[r.p:e])
	if !ok {
		return SeqSet{}, r.expected("sequence set")
	}
	r.p = e
	return s, nil
}
