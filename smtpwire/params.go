package smtpwire

import (
	"bytes"
	"encoding/binary"
	"iter"
	"math/bits"
	"unicode/utf8"
)

// ParamKind names the ESMTP parameters this package knows.
type ParamKind uint8

// Known MAIL parameters, then RCPT parameters.
const (
	ParamUnknown    ParamKind = iota
	ParamSize                 // MAIL SIZE=n (RFC 1870)
	ParamBody                 // MAIL BODY=7BIT|8BITMIME|BINARYMIME (RFC 6152, 3030)
	ParamSMTPUTF8             // MAIL SMTPUTF8 (RFC 6531)
	ParamRequireTLS           // MAIL REQUIRETLS (RFC 8689)
	ParamRet                  // MAIL RET=FULL|HDRS (RFC 3461)
	ParamEnvID                // MAIL ENVID=xtext (RFC 3461)
	ParamAuth                 // MAIL AUTH=xtext|<> (RFC 4954)
	ParamMTPriority           // MAIL MT-PRIORITY=-9..9 (RFC 6710)
	ParamNotify               // RCPT NOTIFY=NEVER|SUCCESS,FAILURE,DELAY (RFC 3461)
	ParamORCPT                // RCPT ORCPT=addr-type;xtext (RFC 3461, 6533)
	numParamKinds
)

var paramNames = [numParamKinds]string{
	ParamSize: "SIZE", ParamBody: "BODY", ParamSMTPUTF8: "SMTPUTF8", ParamRequireTLS: "REQUIRETLS",
	ParamRet: "RET", ParamEnvID: "ENVID", ParamAuth: "AUTH", ParamMTPriority: "MT-PRIORITY",
	ParamNotify: "NOTIFY", ParamORCPT: "ORCPT",
}

// String returns the keyword, "" for ParamUnknown.
func (k ParamKind) String() string {
	if k < numParamKinds {
		return paramNames[k]
	}
	return ""
}

func (k ParamKind) onMail() bool { return k >= ParamSize && k <= ParamMTPriority }

// paramCandidate is the only known keyword that could have length n and
// first letter first (upper case); the caller confirms it with one
// comparison.
func paramCandidate(n int, first byte) ParamKind {
	switch n {
	case 3:
		return ParamRet
	case 4:
		switch first {
		case 'S':
			return ParamSize
		case 'B':
			return ParamBody
		case 'A':
			return ParamAuth
		}
	case 5:
		switch first {
		case 'E':
			return ParamEnvID
		case 'O':
			return ParamORCPT
		}
	case 6:
		return ParamNotify
	case 8:
		return ParamSMTPUTF8
	case 10:
		return ParamRequireTLS
	case 11:
		return ParamMTPriority
	}
	return ParamUnknown
}

// lookupParam finds a known keyword by its length, then compares once.
func lookupParam(keyword []byte) ParamKind {
	if len(keyword) == 0 {
		return ParamUnknown
	}
	k := paramCandidate(len(keyword), upper(keyword[0]))
	if k != ParamUnknown && !equalFold(keyword, paramNames[k]) {
		k = ParamUnknown
	}
	return k
}

// Limits of RFC 3461 §4.
const (
	maxEnvID = 100
	maxORCPT = 500
)

// Body is the BODY parameter's value.
type Body uint8

// Body values; BodyNone when the parameter is absent.
const (
	BodyNone Body = iota
	Body7Bit
	Body8BitMIME
	BodyBinaryMIME
)

// Ret is the RET parameter's value.
type Ret uint8

// Ret values; RetNone when the parameter is absent.
const (
	RetNone Ret = iota
	RetFull
	RetHdrs
)

// Notify is the NOTIFY parameter's value, a set.
type Notify uint8

// Notify flags. NotifyNever excludes the others.
const (
	NotifyNever Notify = 1 << iota
	NotifySuccess
	NotifyFailure
	NotifyDelay
)

// Param is one ESMTP parameter: views into the command line.
type Param struct {
	Kind    ParamKind
	Keyword []byte // as sent
	Value   []byte // after "="; nil when there is no "="
}

// Params is the checked parameter list of a MAIL or RCPT command: every
// parameter is well formed and none is repeated. Parsing indexes it once:
// Has, Get and the typed accessors (Size, Body, Ret, Notify, MTPriority,
// EnvID, ORCPT) read that index and the values decoded while checking,
// without splitting the text again. Iterating it does not allocate; its
// slices are views into the command line. A list longer than 65535 octets
// is refused (ErrParameter).
type Params struct {
	raw    []byte
	seen   uint16 // bit k set when ParamKind k is present
	plain  uint16 // bit k set when the xtext of k has no escape: decoding copies it
	words  [numParamKinds]paramSpan
	size   uint64
	body   Body
	ret    Ret
	notify Notify
	prio   int8
	semi   uint16 // ORCPT: offset of ";" in the value
}

// reset empties ps for the next parameter list. The words are not
// cleared: seen says which of them hold anything.
func (ps *Params) reset() {
	ps.raw, ps.seen, ps.plain, ps.size = nil, 0, 0, 0
	ps.body, ps.ret, ps.notify, ps.prio, ps.semi = 0, 0, 0, 0, 0
}

// paramSpan is a known parameter's word: raw[start:end], keyword first.
type paramSpan struct{ start, end uint16 }

// maxParams bounds the parameter text, so that its offsets fit paramSpan.
const maxParams = 1<<16 - 1

// Raw returns the parameters as sent, separated by single spaces.
func (ps *Params) Raw() []byte { return ps.raw }

// Has reports whether a known parameter is present.
func (ps *Params) Has(k ParamKind) bool { return k != ParamUnknown && ps.seen&(1<<k) != 0 }

// Get returns the known parameter k.
func (ps *Params) Get(k ParamKind) (Param, bool) {
	if !ps.Has(k) {
		return Param{}, false
	}
	return ps.get(k), true
}

// value is get(k).Value without the rest of the Param: the value of the
// present parameter k, nil when it has none.
func (ps *Params) value(k ParamKind) []byte {
	w := ps.words[k]
	if vs := int(w.start) + len(paramNames[k]) + 1; vs <= int(w.end) {
		return ps.raw[vs:w.end]
	}
	return nil
}

// get reads the index entry of the present parameter k.
func (ps *Params) get(k ParamKind) Param {
	start := ps.words[k].start
	return Param{Kind: k, Keyword: ps.raw[start : int(start)+len(paramNames[k])], Value: ps.value(k)}
}

// All yields the parameters in order, unknown ones included.
func (ps Params) All() iter.Seq[Param] {
	return func(yield func(Param) bool) {
		rest := ps.raw
		for len(rest) > 0 {
			var word []byte
			word, rest, _ = bytes.Cut(rest, []byte{' '})
			if !yield(splitParam(word)) {
				return
			}
		}
	}
}

func splitParam(word []byte) Param {
	kw, val, hasVal := bytes.Cut(word, []byte{'='})
	p := Param{Kind: lookupParam(kw), Keyword: kw}
	if hasVal {
		p.Value = val
	}
	return p
}

// Size returns the SIZE value.
func (p Param) Size() uint64 {
	v, _ := parseUint(p.Value, 20)
	return v
}

// Body returns the BODY value.
func (p Param) Body() Body {
	switch {
	case equalFold(p.Value, "7BIT"):
		return Body7Bit
	case equalFold(p.Value, "8BITMIME"):
		return Body8BitMIME
	case equalFold(p.Value, "BINARYMIME"):
		return BodyBinaryMIME
	}
	return BodyNone
}

// Ret returns the RET value.
func (p Param) Ret() Ret {
	switch {
	case equalFold(p.Value, "FULL"):
		return RetFull
	case equalFold(p.Value, "HDRS"):
		return RetHdrs
	}
	return RetNone
}

// Notify returns the NOTIFY value; 0 if it is malformed.
func (p Param) Notify() Notify {
	n, _ := parseNotify(p.Value)
	return n
}

// Priority returns the MT-PRIORITY value, -9 to 9.
func (p Param) Priority() int {
	v, _ := parsePriority(p.Value)
	return v
}

// ORCPT splits the ORCPT value into its address type ("rfc822", "utf-8")
// and its still-encoded address; DecodeXtext decodes the address.
func (p Param) ORCPT() (addrType, addr []byte) {
	addrType, addr, _ = bytes.Cut(p.Value, []byte{';'})
	return addrType, addr
}

// DecodeORCPT returns the address type of an ORCPT parameter ("rfc822",
// "utf-8", as sent: a view) and appends its decoded address to dst: xtext,
// and for utf-8 also the raw UTF-8 and \x{HEX} of RFC 6533. addr is dst
// extended; it allocates only when dst lacks the capacity. Any other
// parameter, or a bad encoding, is ErrParameter with dst unchanged.
func (p Param) DecodeORCPT(dst []byte) (addrType, addr []byte, err error) {
	if p.Kind != ParamORCPT {
		return nil, dst, syntaxError(ErrParameter, 0, "an ORCPT parameter", stParameter)
	}
	addrType, _ = p.ORCPT()
	addr, err = p.DecodeXtext(dst)
	if err != nil {
		return nil, dst, err
	}
	return addrType, addr, nil
}

// MailParams returns the parameters of a MAIL command in the writer's form,
// so that AppendMailFrom writes them back: ParseMailFrom, MailParams and
// AppendMailFrom round-trip. ENVID and AUTH come out xtext-decoded; SIZE=0,
// which the typed field cannot carry, and extension parameters go to
// Extra. It allocates the strings of ENVID, AUTH and Extra when they are
// present (Get and the Param accessors are the allocation-free way), and
// fails only on parameters that ParseMailFrom did not check.
func (ps Params) MailParams() (MailParams, error) {
	var m MailParams
	for q := range ps.All() {
		switch q.Kind {
		case ParamSize:
			if m.Size = q.Size(); m.Size == 0 {
				m.Extra = append(m.Extra, ExtraParam{string(q.Keyword), string(q.Value)})
			}
		case ParamBody:
			m.Body = q.Body()
		case ParamSMTPUTF8:
			m.SMTPUTF8 = true
		case ParamRequireTLS:
			m.RequireTLS = true
		case ParamRet:
			m.Ret = q.Ret()
		case ParamEnvID, ParamAuth:
			if q.IsNullAuth() && q.Kind == ParamAuth {
				m.NullAuth = true
				continue
			}
			v, err := q.DecodeXtext(nil)
			if err != nil {
				return MailParams{}, err
			}
			if q.Kind == ParamEnvID {
				m.EnvID = string(v)
			} else {
				m.Auth = string(v)
			}
		case ParamMTPriority:
			m.MTPriority, m.HasMTPriority = q.Priority(), true
		case ParamUnknown:
			m.Extra = append(m.Extra, ExtraParam{string(q.Keyword), string(q.Value)})
		default:
			return MailParams{}, syntaxError(ErrParameterNotAllowed, 0, "", stNotAllowed)
		}
	}
	return m, nil
}

// RcptParams returns the parameters of a RCPT command in the writer's form,
// so that ParseRcptTo, RcptParams and AppendRcptTo round-trip; ORCPT comes
// out decoded (DecodeORCPT). Allocation is as for MailParams.
func (ps Params) RcptParams() (RcptParams, error) {
	var r RcptParams
	for q := range ps.All() {
		switch q.Kind {
		case ParamNotify:
			r.Notify = q.Notify()
		case ParamORCPT:
			typ, addr, err := q.DecodeORCPT(nil)
			if err != nil {
				return RcptParams{}, err
			}
			r.ORCPTType, r.ORCPT = string(typ), string(addr)
		case ParamUnknown:
			r.Extra = append(r.Extra, ExtraParam{string(q.Keyword), string(q.Value)})
		default:
			return RcptParams{}, syntaxError(ErrParameterNotAllowed, 0, "", stNotAllowed)
		}
	}
	return r, nil
}

// IsNullAuth reports whether an AUTH parameter is "<>" (no identity).
func (p Param) IsNullAuth() bool { return string(p.Value) == "<>" }

// DecodeXtext appends the decoded value of ENVID, AUTH or ORCPT (its
// address part) to dst and returns it. For ORCPT of type utf-8 it also
// decodes the \x{HEX} form of RFC 6533. dst is not grown past what the
// value needs, so a dst with room allocates nothing.
func (p Param) DecodeXtext(dst []byte) ([]byte, error) {
	v, unicode := p.Value, false
	if p.Kind == ParamORCPT {
		var typ []byte
		typ, v = p.ORCPT()
		unicode = equalFold(typ, "UTF-8")
	}
	out, ok := scanXtext(dst, v, unicode, true)
	if !ok {
		return dst, syntaxError(ErrParameter, 0, "xtext", stParameter)
	}
	return out, nil
}

// namedExtension reports whether keyword is in ext, ignoring ASCII case.
func namedExtension(ext []string, keyword []byte) bool {
	for _, e := range ext {
		if equalFoldASCII(keyword, e) {
			return true
		}
	}
	return false
}

// hasKeyword reports whether the parameter list before holds keyword.
func hasKeyword(before, keyword []byte) bool {
	for q := range (Params{raw: before}).All() {
		if bytes.EqualFold(q.Keyword, keyword) {
			return true
		}
	}
	return false
}

// validKeyword: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").
func validKeyword[T string | []byte](k T) bool {
	if len(k) == 0 || k[0] == '-' {
		return false
	}
	for i := range len(k) {
		if c := k[i]; !isAlpha(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

// validValue: esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531).
func validValue[T string | []byte](v T) bool {
	if len(v) == 0 {
		return false
	}
	nonASCII := false
	for i := range len(v) {
		switch c := v[i]; {
		case c >= 0x80:
			nonASCII = true
		case c < 33 || c > 126 || c == '=':
			return false
		}
	}
	return !nonASCII || utf8.ValidString(string(v))
}

// validPrintableXtext: ENVID is xtext that decodes to printable ASCII.
func validPrintableXtext(v []byte) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '+' {
			h, ok := hexByte(v, i+1)
			if !ok || h < 32 || h > 126 {
				return false
			}
			i += 2
		} else if c < 33 || c > 126 || c == '=' {
			return false
		}
	}
	return len(v) > 0
}

// parsePriority: MT-PRIORITY = ["-" / "+"] DIGIT, -9 to 9.
func parsePriority(v []byte) (int, bool) {
	neg := false
	if len(v) == 2 && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if len(v) != 1 || !isDigit(v[0]) {
		return 0, false
	}
	d := int(v[0] - '0')
	if neg {
		d = -d
	}
	return d, true
}

// Size returns the SIZE value; ok is false when SIZE is absent.
func (ps *Params) Size() (n uint64, ok bool) { return ps.size, ps.seen&(1<<ParamSize) != 0 }

// Body returns the BODY value, BodyNone when it is absent.
func (ps *Params) Body() Body { return ps.body }

// Ret returns the RET value, RetNone when it is absent.
func (ps *Params) Ret() Ret { return ps.ret }

// Notify returns the NOTIFY flags, 0 when NOTIFY is absent.
func (ps *Params) Notify() Notify { return ps.notify }

// MTPriority returns the MT-PRIORITY value, -9 to 9; ok is false when it
// is absent.
func (ps *Params) MTPriority() (priority int, ok bool) {
	return int(ps.prio), ps.seen&(1<<ParamMTPriority) != 0
}

// EnvID appends the decoded ENVID to dst; ok is false, and dst returned
// unchanged, when ENVID is absent. It allocates only when dst lacks room.
func (ps *Params) EnvID(dst []byte) (envid []byte, ok bool) {
	if ps.seen&(1<<ParamEnvID) == 0 {
		return dst, false
	}
	v := ps.value(ParamEnvID)
	if ps.plain&(1<<ParamEnvID) != 0 {
		return append(dst, v...), true
	}
	out, _ := scanXtext(dst, v, false, true) // checked by parsing
	return out, true
}

// ORCPT returns the address type of ORCPT (a view, as sent: "rfc822",
// "utf-8") and appends its decoded address to dst, as Param.DecodeORCPT
// does; ok is false, and dst returned unchanged, when ORCPT is absent. It
// allocates only when dst lacks room.
func (ps *Params) ORCPT(dst []byte) (addrType, addr []byte, ok bool) {
	if ps.seen&(1<<ParamORCPT) == 0 {
		return nil, dst, false
	}
	v := ps.value(ParamORCPT)
	addrType, enc := v[:ps.semi], v[ps.semi+1:]
	if ps.plain&(1<<ParamORCPT) != 0 {
		return addrType, append(dst, enc...), true
	}
	out, _ := scanXtext(dst, enc, equalFold(addrType, "UTF-8"), true) // checked by parsing
	return addrType, out, true
}

// parseParams checks a parameter list in one pass and indexes it in ps; off
// is its offset in the argument, for error positions, and ext the unknown
// keywords to accept. The checks, in order, for each parameter: keyword
// syntax, value syntax, unknown keyword, MAIL or RCPT, the value of a known
// parameter, repetition; then a trailing space.
func parseParams(ps *Params, raw []byte, mail bool, off int, ext []string) error {
	if len(raw) > maxParams {
		return syntaxError(ErrParameter, off, "parameters of at most "+itoa(maxParams)+" octets", stParameter)
	}
	ps.raw = raw
	i := 0
	for i < len(raw) {
		start := i
		pos := off + start
		k, kwEnd := keywordAt(raw, start)
		if kwEnd >= 0 {
			i = kwEnd
		} else {
			for i < len(raw) && charClass[raw[i]]&cKeyword != 0 {
				i++
			}
			kwEnd = i
			if kwEnd == start || raw[start] == '-' || i < len(raw) && raw[i] != '=' && raw[i] != ' ' {
				return syntaxError(ErrParameter, pos, "an ESMTP keyword", stParameter)
			}
			k = lookupKeyword(raw, start, kwEnd)
		}
		var acc uint8 // the classes of the value's octets, or-ed
		hasValue := i < len(raw) && raw[i] == '='
		if hasValue {
			i++
			for i+8 <= len(raw) {
				h := plainHits(binary.LittleEndian.Uint64(raw[i:]))
				if h != 0 {
					// The lowest flagged octet is the first that is not
					// plain: the per-octet loop below starts there.
					i += bits.TrailingZeros64(h) >> 3
					break
				}
				i += 8
			}
			for i < len(raw) {
				f := charClass[raw[i]]
				if f&cValue == 0 {
					break
				}
				acc |= f
				i++
			}
			if i == kwEnd+1 || i < len(raw) && raw[i] != ' ' ||
				acc&cHigh != 0 && !utf8.Valid(raw[kwEnd+1:i]) {
				return syntaxError(ErrParameter, pos+kwEnd-start+1, "an ESMTP value", stParameter)
			}
		}
		kw := raw[start:kwEnd]
		if k == ParamUnknown {
			if !namedExtension(ext, kw) {
				return syntaxError(ErrUnknownParameter, pos, "", stUnknownParam)
			}
			if hasKeyword(raw[:start], kw) {
				return syntaxError(ErrDuplicateParameter, pos, "", stDuplicate)
			}
		} else {
			if k.onMail() != mail {
				return syntaxError(ErrParameterNotAllowed, pos, "", stNotAllowed)
			}
			if !ps.checkValue(k, raw, min(kwEnd+1, i), i, hasValue, acc) {
				return syntaxError(ErrParameter, pos+kwEnd-start+1, "a valid "+k.String()+" value", stParameter)
			}
			if ps.seen&(1<<k) != 0 {
				return syntaxError(ErrDuplicateParameter, pos, "", stDuplicate)
			}
			ps.seen |= 1 << k
			ps.words[k] = paramSpan{uint16(start), uint16(i)}
		}
		if i < len(raw) {
			i++ // the SP
			if i == len(raw) {
				return syntaxError(ErrParameter, off+len(raw), "an ESMTP parameter", stParameter)
			}
		}
	}
	return nil
}

// checkValue checks the value raw[vs:ve] of the known parameter k, already
// of esmtp-value syntax with acc the or of its octets' classes, and records
// what it means.
func (ps *Params) checkValue(k ParamKind, raw []byte, vs, ve int, hasValue bool, acc uint8) bool {
	v := raw[vs:ve]
	switch k {
	case ParamSMTPUTF8, ParamRequireTLS:
		return !hasValue
	case ParamSize:
		n, ok := parseUint(v, 20)
		ps.size = n
		return ok
	case ParamBody:
		ps.body = Param{Value: v}.Body()
		return ps.body != BodyNone
	case ParamRet:
		ps.ret = Param{Value: v}.Ret()
		return ps.ret != RetNone
	case ParamEnvID:
		if acc&cPlus == 0 {
			ps.plain |= 1 << ParamEnvID
			return hasValue && len(v) <= maxEnvID && acc&cHigh == 0
		}
		return len(v) <= maxEnvID && validPrintableXtext(v)
	case ParamAuth:
		if string(v) == "<>" || hasValue && acc&(cPlus|cHigh) == 0 {
			return hasValue
		}
		_, ok := scanXtext(nil, v, false, false)
		return ok
	case ParamMTPriority:
		p, ok := parsePriority(v)
		ps.prio = int8(p)
		return ok
	case ParamNotify:
		n, ok := parseNotifyAt(raw, vs, ve)
		ps.notify = n
		return ok
	case ParamORCPT:
		semi := ldhEnd(v, 0) // the addr-type is an esmtp-keyword
		if semi == 0 || v[0] == '-' || semi+1 >= len(v) || v[semi] != ';' || len(v) > maxORCPT {
			return false
		}
		ps.semi = uint16(semi)
		unicode := equalFold(v[:semi], "UTF-8")
		if acc&(cPlus|cHigh|cBackslash) == 0 || acc&cPlus == 0 && !unicode && acc&cHigh == 0 {
			ps.plain |= 1 << ParamORCPT
			return true
		}
		_, ok := scanXtext(nil, v[semi+1:], unicode, false)
		if ok && acc&cPlus == 0 && acc&cBackslash == 0 {
			ps.plain |= 1 << ParamORCPT // raw UTF-8 decodes to itself
		}
		return ok
	}
	return true
}

// parseNotify: "NEVER" or a comma-separated set of SUCCESS, FAILURE, DELAY,
// each at most once.
func parseNotify(v []byte) (Notify, bool) { return parseNotifyAt(v, 0, len(v)) }

// parseNotifyAt is parseNotify of raw[i:end], an esmtp-value. An item is
// the octets up to the next comma; as the three words hold no comma, a
// word that matches the item's first octets and is followed by a comma or
// the end is the whole item. The words are compared a machine word at a
// time where eight octets can be read (exact for words of letters, see
// foldMask: no other esmtp-value octet folds to a letter).
func parseNotifyAt(raw []byte, i, end int) (Notify, bool) {
	if end-i == 5 && equalFold(raw[i:end], "NEVER") {
		return NotifyNever, true
	}
	var n Notify
	for {
		var f Notify
		w, rest := 7, end-i
		if rest >= 7 && (rest == 7 || raw[i+7] == ',') {
			if x, ok := foldAt(raw, i, 7); ok {
				switch x {
				case foldSUCCESS:
					f = NotifySuccess
				case foldFAILURE:
					f = NotifyFailure
				}
			} else if equalFold(raw[i:i+7], "SUCCESS") {
				f = NotifySuccess
			} else if equalFold(raw[i:i+7], "FAILURE") {
				f = NotifyFailure
			}
		}
		if f == 0 && rest >= 5 && (rest == 5 || raw[i+5] == ',') && equalFold(raw[i:i+5], "DELAY") {
			f, w = NotifyDelay, 5
		}
		if f == 0 || n&f != 0 {
			return 0, false
		}
		n |= f
		if w == rest {
			return n, true
		}
		i += w + 1
	}
}

// Folded words of the known keywords of at most eight octets.
var (
	foldSIZE     = foldWord8("SIZE")
	foldBODY     = foldWord8("BODY")
	foldAUTH     = foldWord8("AUTH")
	foldRET      = foldWord8("RET")
	foldENVID    = foldWord8("ENVID")
	foldORCPT    = foldWord8("ORCPT")
	foldNOTIFY   = foldWord8("NOTIFY")
	foldSMTPUTF8 = foldWord8("SMTPUTF8")
	foldSUCCESS  = foldWord8("SUCCESS")
	foldFAILURE  = foldWord8("FAILURE")
)

// kwWords holds, for each known keyword of at most eight octets, its
// little-endian word and the bits that must match: all of each octet but
// bit 5 of a letter (ASCII case), none beyond the keyword.
var kwWords = func() (t [numParamKinds][2]uint64) {
	for k := ParamSize; k < numParamKinds; k++ {
		name := paramNames[k]
		if len(name) > 8 {
			continue
		}
		for i := range len(name) {
			keep := uint64(0xff)
			if isAlpha(name[i]) {
				keep = 0xdf
			}
			t[k][0] |= uint64(name[i]) << (8 * i)
			t[k][1] |= keep << (8 * i)
		}
	}
	return t
}()

// keywordAt recognizes a known keyword of at most eight octets at
// raw[start:], followed by "=", SP or the end, from one word: the first "="
// or SP (the lowest flagged octet of the has-zero test is exact) gives its
// length, the length and first letter the candidate, one masked comparison
// the answer. It returns the kind and the keyword's end, or end -1 when it
// cannot tell (an unknown or malformed keyword, fewer than eight octets
// left), for the octet-by-octet scan to decide.
func keywordAt(raw []byte, start int) (ParamKind, int) {
	if start < 0 || start+8 > len(raw) {
		return ParamUnknown, -1
	}
	w := binary.LittleEndian.Uint64(raw[start:])
	eq, sp := w^('='*swarOnes), w^(' '*swarOnes)
	n := 8
	if m := ((eq-swarOnes)&^eq | (sp-swarOnes)&^sp) & swarHighs; m != 0 {
		n = bits.TrailingZeros64(m) >> 3
	} else if start+8 < len(raw) && raw[start+8] != ' ' {
		return ParamUnknown, -1
	}
	// n is at most 8 here, so only keywords kwWords holds can come back.
	k := paramCandidate(n, byte(w)&^0x20)
	if k == ParamUnknown || (w^kwWords[k][0])&kwWords[k][1] != 0 {
		return ParamUnknown, -1
	}
	return k, start + n
}

// lookupKeyword is lookupParam of raw[start:end], a checked esmtp-keyword,
// with one word comparison when eight octets can be read at start.
func lookupKeyword(raw []byte, start, end int) ParamKind {
	n := end - start
	w, ok := foldAt(raw, start, n)
	if !ok {
		return lookupParam(raw[start:end])
	}
	switch w {
	case foldSIZE:
		return ParamSize
	case foldBODY:
		return ParamBody
	case foldAUTH:
		return ParamAuth
	case foldRET:
		return ParamRet
	case foldENVID:
		return ParamEnvID
	case foldORCPT:
		return ParamORCPT
	case foldNOTIFY:
		return ParamNotify
	case foldSMTPUTF8:
		return ParamSMTPUTF8
	}
	if n == 10 || n == 11 {
		return lookupParam(raw[start:end])
	}
	return ParamUnknown
}
