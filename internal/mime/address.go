package mime

// Address is one entry of an ENVELOPE address list as spans of the
// buffer AddressIter.Next appended to; a span with Has* false is NIL. A
// group starts with an entry whose Mailbox is the group's name and Domain
// NIL, and ends with an entry with everything NIL (RFC 3501 §7.4.2).
type Address struct {
	Name, Route, Mailbox, Domain             [2]int
	HasName, HasRoute, HasMailbox, HasDomain bool
}

// Placeholders Dovecot writes for parts of an address that are missing.
const (
	MissingMailbox = "MISSING_MAILBOX"
	MissingDomain  = "MISSING_DOMAIN"
	SyntaxError    = "SYNTAX_ERROR"
	InvalidRoute   = "INVALID_ROUTE"
)

// AddressIter is a cursor over an RFC 5322 address-list (a From, To, …
// value, folds kept), lenient as Dovecot's parser is: display names are
// phrases with quoted strings unquoted and words joined by one space
// (RFC 2047 words stay encoded), the last comment names an addr-spec
// without one, and missing parts are filled with placeholders.
type AddressIter struct {
	v       []byte
	i       int
	inGroup bool
	done    bool
	comment [2]int // the last comment skipped, inside the parentheses
}

// Addresses returns a cursor over the address list v.
func Addresses(v []byte) AddressIter {
	a := AddressIter{v: v}
	a.i = a.cfws(0)
	return a
}

// cfws skips white space and comments, remembering the last comment.
func (a *AddressIter) cfws(i int) int {
	v := a.v
	for i < len(v) {
		c := v[i]
		if isLWSP(c) {
			i++
			continue
		}
		if c != '(' {
			return i
		}
		e := skipComment(v, i)
		end := e
		if end > i+1 && v[end-1] == ')' {
			end--
		}
		a.comment = [2]int{i + 1, end}
		i = e
	}
	return i
}

// Next appends the next address's strings to dst and returns it.
func (a *AddressIter) Next(dst []byte) ([]byte, Address, bool) {
	var ad Address
	v := a.v
	if a.done {
		return dst, ad, false
	}
	if a.inGroup {
		if a.i >= len(v) || v[a.i] == ';' {
			a.inGroup = false
			if a.i < len(v) {
				a.i = a.cfws(a.i + 1)
			}
			a.afterAddress()
			return dst, ad, true // the group's end
		}
		dst, ad = a.mailbox(dst)
		a.i = a.cfws(a.i)
		if a.i < len(v) && v[a.i] == ',' {
			a.i = a.cfws(a.i + 1)
		} else if a.i < len(v) && v[a.i] != ';' {
			a.i = len(v) // garbage ends the group
		}
		return dst, ad, true
	}
	if a.i >= len(v) {
		a.done = true
		return dst, ad, false
	}
	// A group: display-name ":".
	start := a.i
	m := len(dst)
	var e int
	dst, e = a.phrase(dst, a.i)
	if e < len(v) && v[e] == ':' && e > start {
		ad.Mailbox, ad.HasMailbox = [2]int{m, len(dst)}, true
		a.i = a.cfws(e + 1)
		a.inGroup = true
		return dst, ad, true
	}
	dst = dst[:m]
	dst, ad = a.mailbox(dst)
	a.afterAddress()
	return dst, ad, true
}

// afterAddress moves past the "," after an address, or ends the list.
func (a *AddressIter) afterAddress() {
	a.i = a.cfws(a.i)
	switch {
	case a.i < len(a.v) && a.v[a.i] == ',':
		a.i = a.cfws(a.i + 1)
	default:
		a.i = len(a.v) // garbage after an address ends the list
	}
}

// phrase appends the phrase at i (words joined by one space) and returns
// where it ends; a phrase starting with "." is none.
func (a *AddressIter) phrase(dst []byte, i int) ([]byte, int) {
	v := a.v
	if i < len(v) && v[i] == '.' {
		return dst, i
	}
	first := true
	for i < len(v) {
		c := v[i]
		if c != '"' && !atext(c) && c != '.' {
			break
		}
		if !first {
			dst = append(dst, ' ')
		}
		first = false
		if c == '"' {
			e, _ := quotedEnd(v, i)
			in := v[i+1 : e]
			if len(in) > 0 && e <= len(v) && v[e-1] == '"' && e-1 > i {
				in = v[i+1 : e-1]
			}
			dst = appendQuotedContent(dst, in)
			i = e
		} else {
			j := i
			for j < len(v) && (atext(v[j]) || v[j] == '.') {
				j++
			}
			dst = append(dst, v[i:j]...)
			i = j
		}
		i = a.cfws(i)
	}
	return dst, i
}

// mailbox reads a name-addr or an addr-spec at a.i.
func (a *AddressIter) mailbox(dst []byte) ([]byte, Address) {
	var ad Address
	v := a.v
	start := a.i
	m := len(dst)
	var e int
	dst, e = a.phrase(dst, a.i)
	if e < len(v) && v[e] == '<' {
		if len(dst) > m {
			ad.Name, ad.HasName = [2]int{m, len(dst)}, true
		}
		a.i = e
		var ok bool
		dst, ok = a.angle(dst, &ad)
		if !ok {
			ad.HasDomain = true
			s := len(dst)
			dst = append(dst, SyntaxError...)
			ad.Domain = [2]int{s, len(dst)}
			// skip to the end of the address
			for a.i < len(v) && v[a.i] != ',' && v[a.i] != ';' {
				a.i++
			}
		}
		dst = a.fill(dst, &ad)
		return dst, ad
	}
	dst = dst[:m]
	// addr-spec, its name from the last comment
	a.i = start
	a.comment = [2]int{}
	dst = a.localPart(dst, &ad)
	if a.i < len(v) && v[a.i] == '@' {
		dst = a.domain(dst, &ad)
		if c := a.comment; c[1] > c[0] {
			s := len(dst)
			dst = appendQuotedContent(dst, v[c[0]:c[1]])
			ad.Name, ad.HasName = [2]int{s, len(dst)}, true
		}
		dst = a.fill(dst, &ad)
		return dst, ad
	}
	if c := a.comment; c[1] > c[0] {
		s := len(dst)
		dst = appendQuotedContent(dst, v[c[0]:c[1]])
		ad.Name, ad.HasName = [2]int{s, len(dst)}, true
		dst = a.fill(dst, &ad)
		return dst, ad
	}
	// "user" alone, or a phrase without an address: a display name.
	if ad.HasMailbox && a.i < len(v) && (atext(v[a.i]) || v[a.i] == '"' || v[a.i] == '.') {
		dst = append(dst, ' ')
		dst, a.i = a.phrase(dst, a.i)
		ad.Name, ad.HasName = [2]int{ad.Mailbox[0], len(dst)}, true
		ad.HasMailbox = false
	}
	for a.i < len(v) && v[a.i] != ',' && v[a.i] != ';' && !a.inGroup {
		a.i++
	}
	dst = a.fill(dst, &ad)
	return dst, ad
}

// fill writes the placeholders for a missing mailbox or domain.
func (a *AddressIter) fill(dst []byte, ad *Address) []byte {
	if !ad.HasMailbox {
		s := len(dst)
		dst = append(dst, MissingMailbox...)
		ad.Mailbox, ad.HasMailbox = [2]int{s, len(dst)}, true
	}
	if !ad.HasDomain || ad.Domain[0] == ad.Domain[1] {
		s := len(dst)
		dst = append(dst, MissingDomain...)
		ad.Domain, ad.HasDomain = [2]int{s, len(dst)}, true
	}
	return dst
}

// localPart reads a dot-atom (dots anywhere, as Dovecot allows) or a
// quoted string into ad.Mailbox.
func (a *AddressIter) localPart(dst []byte, ad *Address) []byte {
	v := a.v
	s := len(dst)
	i := a.i
	if i < len(v) && v[i] == '"' {
		e, _ := quotedEnd(v, i)
		in := v[i+1 : e]
		if e-1 > i && v[e-1] == '"' {
			in = v[i+1 : e-1]
		}
		dst = appendQuotedContent(dst, in)
		a.i = a.cfws(e)
		ad.Mailbox, ad.HasMailbox = [2]int{s, len(dst)}, true
		return dst
	}
	any := false
	for i < len(v) {
		if v[i] == '.' {
			dst = append(dst, '.')
			i = a.cfws(i + 1)
			any = true
			continue
		}
		j := i
		for j < len(v) && atext(v[j]) {
			j++
		}
		if j == i {
			break
		}
		dst = append(dst, v[i:j]...)
		any = true
		i = a.cfws(j)
		if i >= len(v) || v[i] != '.' {
			break
		}
	}
	a.i = i
	if any {
		ad.Mailbox, ad.HasMailbox = [2]int{s, len(dst)}, true
	}
	return dst
}

// domain reads "@" and a dot-atom or a domain literal into ad.Domain.
func (a *AddressIter) domain(dst []byte, ad *Address) []byte {
	v := a.v
	i := a.cfws(a.i + 1)
	s := len(dst)
	if i < len(v) && v[i] == '[' {
		j := i + 1
		for j < len(v) && v[j] != ']' {
			j++
		}
		if j < len(v) {
			j++
		}
		dst = AppendUnfold(dst, v[i:j])
		i = a.cfws(j)
	} else {
		for i < len(v) {
			j := i
			for j < len(v) && atext(v[j]) {
				j++
			}
			if j == i {
				break
			}
			dst = append(dst, v[i:j]...)
			i = a.cfws(j)
			if i >= len(v) || v[i] != '.' {
				break
			}
			dst = append(dst, '.')
			i = a.cfws(i + 1)
		}
	}
	a.i = i
	if len(dst) > s {
		ad.Domain, ad.HasDomain = [2]int{s, len(dst)}, true
	}
	return dst
}

// angle reads "<" [route ":"] [local-part ["@" domain]] ">".
func (a *AddressIter) angle(dst []byte, ad *Address) ([]byte, bool) {
	v := a.v
	a.i = a.cfws(a.i + 1)
	if a.i < len(v) && v[a.i] == '@' {
		s := len(dst)
		for a.i < len(v) && v[a.i] == '@' {
			if len(dst) > s {
				dst = append(dst, ',')
			}
			dst = append(dst, '@')
			var d Address
			dst = a.domain(dst, &d)
			for a.i < len(v) && (v[a.i] == ',' || isLWSP(v[a.i])) {
				a.i = a.cfws(a.i + 1)
			}
		}
		ad.Route, ad.HasRoute = [2]int{s, len(dst)}, true
		if a.i < len(v) && v[a.i] == ':' {
			a.i = a.cfws(a.i + 1)
		} else {
			dst = dst[:s]
			dst = append(dst, InvalidRoute...)
			ad.Route = [2]int{s, len(dst)}
		}
	}
	if a.i >= len(v) {
		return dst, false
	}
	if v[a.i] != '>' {
		dst = a.localPart(dst, ad)
		if !ad.HasMailbox {
			return dst, false
		}
		if a.i < len(v) && v[a.i] == '@' {
			dst = a.domain(dst, ad)
		}
	}
	if a.i >= len(v) || v[a.i] != '>' {
		return dst, false
	}
	a.i = a.cfws(a.i + 1)
	return dst, true
}
