package tlspolicy

import (
	"bytes"
	"errors"
)

// MTASTSRecord is the TXT record at _mta-sts.<domain> (RFC 8461 §3.1)
// that announces a policy and its version.
type MTASTSRecord struct {
	// ID names the policy version: 1 to 32 letters and digits. A sender
	// fetches the policy again when it differs from the cached one. After
	// ParseMTASTSRecord it is a view into the parsed text, valid while that
	// text is unchanged.
	ID []byte
}

// ErrMTASTSRecordCount: the domain publishes no TXT record starting with
// "v=STSv1", or more than one; RFC 8461 §3.1 then treats the domain as
// having no policy.
var ErrMTASTSRecordCount = errors.New("tlspolicy: not exactly one MTA-STS TXT record")

// ParseMTASTSRecord parses the text of one TXT record (its strings already
// concatenated) by RFC 8461 §3.1: "v=STSv1" first, then fields separated by
// ";" with optional spaces and tabs around it, an optional trailing ";".
// The id field is required; the first one wins. Extension fields are checked
// for syntax and ignored. Errors are *MTASTSError (Line 1). It does not
// allocate unless it fails.
func ParseMTASTSRecord(txt []byte) (MTASTSRecord, error) {
	rest, ok := bytes.CutPrefix(txt, []byte("v=STSv1"))
	if !ok {
		return MTASTSRecord{}, recordError(txt, txt, `"v=STSv1"`, ErrMTASTSVersion)
	}
	var r MTASTSRecord
	for {
		field, more, sep := cutRecordField(rest)
		switch {
		case !sep && len(trimWSP(rest)) != 0:
			return MTASTSRecord{}, recordError(txt, rest, `";"`, ErrMTASTSSyntax)
		case !sep || len(field) == 0 && len(more) == 0:
			if r.ID == nil {
				return MTASTSRecord{}, recordError(txt, txt[len(txt):], `an "id" field`, ErrMTASTSMissing)
			}
			return r, nil
		}
		name, value, ok := bytes.Cut(field, []byte("="))
		switch {
		case !ok || !validFieldName(name):
			return MTASTSRecord{}, recordError(txt, field, "a field: name=value", ErrMTASTSSyntax)
		case string(name) == "id":
			if !validRecordID(value) {
				return MTASTSRecord{}, recordError(txt, value, "1 to 32 letters and digits", ErrMTASTSSyntax)
			}
			if r.ID == nil {
				r.ID = value
			}
		case !validRecordExtValue(value):
			return MTASTSRecord{}, recordError(txt, value, `visible characters other than "=" and ";"`, ErrMTASTSSyntax)
		}
		rest = more
	}
}

// cutRecordField splits "*WSP ; *WSP field rest" into the field (up to the
// next space, tab or ";") and what follows it. sep is false when rest does
// not start with a separator.
func cutRecordField(rest []byte) (field, more []byte, sep bool) {
	rest = trimWSPLeft(rest)
	if len(rest) == 0 || rest[0] != ';' {
		return nil, rest, false
	}
	rest = trimWSPLeft(rest[1:])
	end := bytes.IndexAny(rest, " \t;")
	if end < 0 {
		end = len(rest)
	}
	return rest[:end], rest[end:], true
}

// SelectMTASTSRecord picks the policy record among all TXT records of
// _mta-sts.<domain>: those not starting with "v=STSv1" are ignored, and
// exactly one must remain (RFC 8461 §3.1), else ErrMTASTSRecordCount.
func SelectMTASTSRecord(txts [][]byte) (MTASTSRecord, error) {
	var found []byte
	n := 0
	for _, txt := range txts {
		rest, ok := bytes.CutPrefix(txt, []byte("v=STSv1"))
		if ok && (len(rest) == 0 || rest[0] == ';' || isWSP(rest[0])) {
			found, n = txt, n+1
		}
	}
	if n != 1 {
		return MTASTSRecord{}, ErrMTASTSRecordCount
	}
	return ParseMTASTSRecord(found)
}

// AppendMTASTSRecord appends "v=STSv1; id=<ID>;" to dst, or refuses an ID
// that is not 1 to 32 letters and digits (ErrMTASTSInvalid, dst unchanged).
func AppendMTASTSRecord(dst []byte, r MTASTSRecord) ([]byte, error) {
	if !validRecordID(r.ID) {
		return dst, invalidMTASTS("record id " + string(r.ID))
	}
	dst = append(dst, "v=STSv1; id="...)
	dst = append(dst, r.ID...)
	return append(dst, ';'), nil
}

// recordError reports a problem at the start of at, a subslice of txt;
// the two share a backing array, so the difference of capacities is the
// offset of at in txt.
func recordError(txt, at []byte, expected string, err error) *MTASTSError {
	return &MTASTSError{Offset: cap(txt) - cap(at), Line: 1, Expected: expected, Err: err}
}

func validRecordID(id []byte) bool {
	if len(id) == 0 || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !isLetDig(c) {
			return false
		}
	}
	return true
}

// validRecordExtValue checks sts-ext-value: visible ASCII except "=" and ";".
func validRecordExtValue(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if c < 0x21 || c > 0x7e || c == '=' || c == ';' {
			return false
		}
	}
	return true
}

func trimWSPLeft(b []byte) []byte {
	for len(b) > 0 && isWSP(b[0]) {
		b = b[1:]
	}
	return b
}
