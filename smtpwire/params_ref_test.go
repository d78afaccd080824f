package smtpwire

import "bytes"

// The parser as it was before the one-pass index (validate, then re-split
// on every accessor call), kept as the oracle of the differential fuzz
// target FuzzParsePathParams: the new parser must accept exactly what this
// one accepts, with the same errors, and read back the same parameters.

type refParams struct {
	raw  []byte
	seen uint16
}

func (ps refParams) has(k ParamKind) bool { return k != ParamUnknown && ps.seen&(1<<k) != 0 }

// get finds k by re-splitting raw, as Params.Get did.
func (ps refParams) get(k ParamKind) (Param, bool) {
	if !ps.has(k) {
		return Param{}, false
	}
	for rest := ps.raw; len(rest) > 0; {
		var word []byte
		word, rest, _ = bytes.Cut(rest, []byte{' '})
		if p := refSplitParam(word); p.Kind == k {
			return p, true
		}
	}
	return Param{}, false
}

func refParseMailFrom(args []byte, opt PathOptions) (Path, refParams, error) {
	raw, params, off, err := splitPath(args, "FROM:", opt, stSender)
	if err != nil {
		return Path{}, refParams{}, err
	}
	ps, err := refParseParams(params, true, off, opt.ExtensionParams)
	if err != nil {
		return Path{}, refParams{}, err
	}
	var p Path
	if len(raw) > 2 {
		p, err = parseMailbox(raw, ps.has(ParamSMTPUTF8), false, opt, stSender)
		if err != nil {
			return Path{}, refParams{}, err
		}
	}
	return p, ps, nil
}

func refParseRcptTo(args []byte, opt PathOptions) (Path, refParams, error) {
	raw, params, off, err := splitPath(args, "TO:", opt, stRecipient)
	if err != nil {
		return Path{}, refParams{}, err
	}
	if len(raw) == 2 {
		return Path{}, refParams{}, syntaxError(ErrAddress, len(args)-len(raw)-len(params), "a recipient", stRecipient)
	}
	ps, err := refParseParams(params, false, off, opt.ExtensionParams)
	if err != nil {
		return Path{}, refParams{}, err
	}
	p, err := parseMailbox(raw, opt.SMTPUTF8, true, opt, stRecipient)
	if err != nil {
		return Path{}, refParams{}, err
	}
	return p, ps, nil
}

func refParseParams(raw []byte, mail bool, off int, ext []string) (refParams, error) {
	ps := refParams{raw: raw}
	pos := off
	for rest := raw; len(rest) > 0; {
		var word []byte
		word, rest, _ = bytes.Cut(rest, []byte{' '})
		p := refSplitParam(word)
		if err := refCheckParam(p, mail, pos); err != nil {
			return refParams{}, err
		}
		if p.Kind == ParamUnknown && !namedExtension(ext, p.Keyword) {
			return refParams{}, syntaxError(ErrUnknownParameter, pos, "", stUnknownParam)
		}
		if p.Kind == ParamUnknown && refHasKeyword(raw[:pos-off], p.Keyword) || p.Kind != ParamUnknown && ps.seen&(1<<p.Kind) != 0 {
			return refParams{}, syntaxError(ErrDuplicateParameter, pos, "", stDuplicate)
		}
		ps.seen |= 1 << p.Kind
		pos += len(word) + 1
	}
	if len(raw) > 0 && raw[len(raw)-1] == ' ' {
		return refParams{}, syntaxError(ErrParameter, off+len(raw), "an ESMTP parameter", stParameter)
	}
	ps.seen &^= 1 << ParamUnknown
	return ps, nil
}

func refSplitParam(word []byte) Param {
	kw, val, hasVal := bytes.Cut(word, []byte{'='})
	p := Param{Kind: refLookupParam(kw), Keyword: kw}
	if hasVal {
		p.Value = val
	}
	return p
}

func refLookupParam(keyword []byte) ParamKind {
	for k := ParamSize; k < numParamKinds; k++ {
		if equalFold(keyword, paramNames[k]) {
			return k
		}
	}
	return ParamUnknown
}

func refHasKeyword(before, keyword []byte) bool {
	for rest := before; len(rest) > 0; {
		var word []byte
		word, rest, _ = bytes.Cut(rest, []byte{' '})
		if bytes.EqualFold(refSplitParam(word).Keyword, keyword) {
			return true
		}
	}
	return false
}

func refCheckParam(p Param, mail bool, pos int) error {
	if !validKeyword(p.Keyword) {
		return syntaxError(ErrParameter, pos, "an ESMTP keyword", stParameter)
	}
	vpos := pos + len(p.Keyword) + 1
	if p.Value != nil && !validValue(p.Value) {
		return syntaxError(ErrParameter, vpos, "an ESMTP value", stParameter)
	}
	if p.Kind == ParamUnknown {
		return nil
	}
	if p.Kind.onMail() != mail {
		return syntaxError(ErrParameterNotAllowed, pos, "", stNotAllowed)
	}
	ok := true
	switch p.Kind {
	case ParamSMTPUTF8, ParamRequireTLS:
		ok = p.Value == nil
	case ParamSize:
		_, ok = parseUint(p.Value, 20)
	case ParamBody:
		ok = p.Body() != BodyNone
	case ParamRet:
		ok = p.Ret() != RetNone
	case ParamEnvID:
		ok = len(p.Value) <= maxEnvID && validPrintableXtext(p.Value)
	case ParamAuth:
		_, xok := scanXtext(nil, p.Value, false, false)
		ok = p.IsNullAuth() || xok
	case ParamMTPriority:
		_, ok = parsePriority(p.Value)
	case ParamNotify:
		_, ok = refParseNotify(p.Value)
	case ParamORCPT:
		typ, addr := p.ORCPT()
		_, xok := scanXtext(nil, addr, equalFold(typ, "UTF-8"), false)
		ok = len(p.Value) <= maxORCPT && validKeyword(typ) && len(addr) > 0 && xok
	}
	if !ok {
		return syntaxError(ErrParameter, vpos, "a valid "+p.Kind.String()+" value", stParameter)
	}
	return nil
}

func refParseNotify(v []byte) (Notify, bool) {
	if equalFold(v, "NEVER") {
		return NotifyNever, true
	}
	var n Notify
	for item := range bytes.SplitSeq(v, []byte{','}) {
		var f Notify
		switch {
		case equalFold(item, "SUCCESS"):
			f = NotifySuccess
		case equalFold(item, "FAILURE"):
			f = NotifyFailure
		case equalFold(item, "DELAY"):
			f = NotifyDelay
		default:
			return 0, false
		}
		if n&f != 0 {
			return 0, false
		}
		n |= f
	}
	return n, true
}
