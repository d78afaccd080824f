package mime

// ParseMediaType finds "type/subtype" in a Content-Type value: the
// offsets of the two tokens and where the parameters start (at ";" or the
// end). Comments and white space may surround the tokens; anything else
// after the subtype makes the value malformed (ok false), as in Dovecot.
func ParseMediaType(v []byte) (typ, sub [2]int, rest int, ok bool) {
	i := skipCFWS(v, 0)
	j := i
	for j < len(v) && tokenChar(v[j]) {
		j++
	}
	if j == i {
		return typ, sub, 0, false
	}
	typ = [2]int{i, j}
	i = skipCFWS(v, j)
	if i >= len(v) || v[i] != '/' {
		return typ, sub, 0, false
	}
	i = skipCFWS(v, i+1)
	j = i
	for j < len(v) && tokenChar(v[j]) {
		j++
	}
	if j == i {
		return typ, sub, 0, false
	}
	sub = [2]int{i, j}
	i = skipCFWS(v, j)
	if i < len(v) && v[i] != ';' {
		return typ, sub, 0, false
	}
	return typ, sub, i, true
}

// ParseToken finds the token a Content-Transfer-Encoding or
// Content-Disposition value starts with and where what follows it starts;
// whole reports that nothing but white space and comments follows.
func ParseToken(v []byte) (tok [2]int, rest int, whole bool) {
	i := skipCFWS(v, 0)
	j := i
	for j < len(v) && tokenChar(v[j]) {
		j++
	}
	rest = skipCFWS(v, j)
	return [2]int{i, j}, rest, rest == len(v)
}

// ParamIter is a cursor over the "; key=value" parameters of a value
// (RFC 2045 §5.1). A malformed parameter is skipped up to the next ";".
type ParamIter struct {
	v          []byte
	i          int
	key, value [2]int
}

// Params returns a cursor over the parameters in v, which starts at the
// first ";" (or is empty).
func Params(v []byte) ParamIter { return ParamIter{v: v} }

// Next advances to the next parameter.
func (p *ParamIter) Next() bool {
	v := p.v
	for {
		i := skipCFWS(v, p.i)
		if i >= len(v) {
			p.i = i
			return false
		}
		if v[i] != ';' {
			p.i = i + 1 // garbage: look for the next ";"
			continue
		}
		i = skipCFWS(v, i+1)
		k := i
		for i < len(v) && tokenChar(v[i]) {
			i++
		}
		if i == k {
			p.i = i
			continue
		}
		key := [2]int{k, i}
		i = skipCFWS(v, i)
		if i >= len(v) || v[i] != '=' {
			p.i = i
			continue
		}
		i = skipCFWS(v, i+1)
		s := i
		switch {
		case i < len(v) && v[i] == '"':
			e, closed := quotedEnd(v, i)
			if !closed {
				p.i = len(v)
				return false
			}
			i = e
		case i < len(v) && v[i] == '=': // name==?utf-8?b?…?= from broken mailers
			for i < len(v) && v[i] != ';' && !isLWSP(v[i]) {
				i++
			}
		default:
			for i < len(v) && tokenChar(v[i]) {
				i++
			}
		}
		p.key, p.value, p.i = key, [2]int{s, i}, i
		return true
	}
}

// Key returns the parameter's name as written.
func (p *ParamIter) Key() []byte { return p.v[p.key[0]:p.key[1]] }

// RawValue returns the value as written: a token or a quoted string.
func (p *ParamIter) RawValue() []byte { return p.v[p.value[0]:p.value[1]] }

// AppendValue appends a parameter value, unquoted, to dst, stopping at
// max octets appended.
func AppendValue(dst, raw []byte, max int) []byte {
	n := len(dst)
	if len(raw) > 0 && raw[0] == '"' {
		inner := raw[1:]
		if len(inner) > 0 {
			inner = inner[:len(inner)-1]
		}
		dst = appendQuotedContent(dst, inner)
	} else {
		dst = append(dst, raw...)
	}
	if len(dst)-n > max {
		dst = dst[:n+max]
	}
	return dst
}

// MaxParams bounds the parameters a ParamList holds; more are dropped.
const MaxParams = 64

// ParamList holds decoded parameters as offsets into the buffer
// AppendParams wrote them to.
type ParamList struct {
	N   int
	Key [MaxParams][2]int
	Val [MaxParams][2]int
	ext [MaxParams]rawParam // RFC 2231 segments while merging
}

type rawParam struct {
	base     [2]int // the name before "*"
	value    [2]int
	idx      int
	extended bool
}

// AppendParams decodes the parameters in v (from its first ";") into dst
// and records them in l: plain ones first, in order, then the RFC 2231
// ones (name*n, name*n*, name*) merged per name, sorted by name, with
// "name*" as the key when a segment is extended (the value is then in
// charset'language'percent-encoding form, an unextended segment's "%"
// written as "%25"). A name whose segments are not numbered 0, 1, 2, …
// is kept segment by segment. This is what Dovecot does.
func AppendParams(dst, v []byte, l *ParamList) []byte {
	l.N = 0
	ext := &l.ext
	ne := 0
	ps := Params(v)
	for ps.Next() {
		key := ps.Key()
		star := -1
		for i, c := range key {
			if c == '*' {
				star = i
				break
			}
		}
		if star > 0 && ne < MaxParams { // "*0" alone names nothing: a plain parameter
			rp := rawParam{base: [2]int{ps.key[0], ps.key[0] + star}, value: ps.value}
			rest := key[star+1:]
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' && rp.idx < 1e6 {
				rp.idx = rp.idx*10 + int(rest[j]-'0')
				j++
			}
			rest = rest[j:]
			if len(rest) > 0 && rest[0] == '*' {
				rp.extended = true
				rest = rest[1:]
			}
			if len(rest) == 0 && (j > 0 || rp.extended) {
				ext[ne] = rp
				ne++
				continue
			}
		}
		if l.N == MaxParams {
			continue
		}
		k := len(dst)
		dst = append(dst, key...)
		l.Key[l.N] = [2]int{k, len(dst)}
		k = len(dst)
		dst = AppendValue(dst, ps.RawValue(), len(v))
		l.Val[l.N] = [2]int{k, len(dst)}
		l.N++
	}
	if ne == 0 {
		return dst
	}
	// Sort by name, then segment number (insertion sort: few of them).
	for i := 1; i < ne; i++ {
		for j := i; j > 0 && rawLess(v, &ext[j], &ext[j-1]); j-- {
			ext[j], ext[j-1] = ext[j-1], ext[j]
		}
	}
	for i := 0; i < ne && l.N < MaxParams; {
		base := v[ext[i].base[0]:ext[i].base[1]]
		j, ok, hasExt := i, true, false
		for ; j < ne && EqualFoldBytes(v[ext[j].base[0]:ext[j].base[1]], base); j++ {
			if ext[j].idx != j-i {
				ok = false
			}
			hasExt = hasExt || ext[j].extended
		}
		if !ok {
			for k := i; k < j && l.N < MaxParams; k++ {
				s := len(dst)
				dst = append(dst, base...)
				dst = append(dst, '*')
				dst = appendInt(dst, ext[k].idx)
				if ext[k].extended {
					dst = append(dst, '*')
				}
				l.Key[l.N] = [2]int{s, len(dst)}
				s = len(dst)
				dst = AppendValue(dst, v[ext[k].value[0]:ext[k].value[1]], len(v))
				l.Val[l.N] = [2]int{s, len(dst)}
				l.N++
			}
			i = j
			continue
		}
		s := len(dst)
		dst = append(dst, base...)
		if hasExt {
			dst = append(dst, '*')
		}
		l.Key[l.N] = [2]int{s, len(dst)}
		s = len(dst)
		if hasExt && !ext[i].extended {
			dst = append(dst, '\'', '\'')
		}
		for k := i; k < j; k++ {
			raw := v[ext[k].value[0]:ext[k].value[1]]
			if hasExt && !ext[k].extended {
				m := len(dst)
				dst = AppendValue(dst, raw, len(v))
				dst = escapePercent(dst, m)
			} else {
				dst = AppendValue(dst, raw, len(v))
			}
		}
		l.Val[l.N] = [2]int{s, len(dst)}
		l.N++
		i = j
	}
	return dst
}

// escapePercent rewrites dst[from:] with every "%" as "%25".
func escapePercent(dst []byte, from int) []byte {
	n := 0
	for _, c := range dst[from:] {
		if c == '%' {
			n++
		}
	}
	if n == 0 {
		return dst
	}
	old := len(dst)
	for range 2 * n {
		dst = append(dst, 0)
	}
	w := len(dst)
	for r := old - 1; r >= from; r-- {
		c := dst[r]
		if c == '%' {
			w -= 3
			dst[w], dst[w+1], dst[w+2] = '%', '2', '5'
			continue
		}
		w--
		dst[w] = c
	}
	return dst
}

func rawLess(v []byte, a, b *rawParam) bool {
	ka, kb := v[a.base[0]:a.base[1]], v[b.base[0]:b.base[1]]
	if string(ka) != string(kb) {
		return string(ka) < string(kb)
	}
	return a.idx < b.idx
}

func appendInt(dst []byte, n int) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// AppendLanguages appends the language tags of a Content-Language value
// (a comma-separated list of atoms) to dst and records each in l.Key; it
// stops at the first that is not an atom, as Dovecot does.
func AppendLanguages(dst, v []byte, l *ParamList) []byte {
	l.N = 0
	i := skipCFWS(v, 0)
	for l.N < MaxParams {
		j := i
		for j < len(v) && (atext(v[j]) || v[j] == '.') {
			j++
		}
		if j == i {
			break
		}
		s := len(dst)
		dst = append(dst, v[i:j]...)
		l.Key[l.N] = [2]int{s, len(dst)}
		l.N++
		i = skipCFWS(v, j)
		if i >= len(v) || v[i] != ',' {
			break
		}
		i = skipCFWS(v, i+1)
	}
	return dst
}
