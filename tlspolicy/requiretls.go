package tlspolicy

import "errors"

// ErrTLSRequiredValue: a TLS-Required header field whose value is not "No".
// RFC 8689 §5 defines no other value; such a field is to be disregarded.
var ErrTLSRequiredValue = errors.New(`tlspolicy: TLS-Required value is not "No"`)

// ParseTLSRequired checks the value of a TLS-Required header field (the
// bytes after the colon, unfolded or not) and reports whether it asks the
// sender to ignore recipient TLS policy failures (RFC 8689 §5). The only
// value is "No", matched without regard to case, with optional surrounding
// whitespace and folding. It does not allocate.
func ParseTLSRequired(value []byte) (bool, error) {
	v := trimFWS(value)
	if len(v) == 2 && v[0]|0x20 == 'n' && v[1]|0x20 == 'o' {
		return true, nil
	}
	return false, ErrTLSRequiredValue
}

// trimFWS removes spaces, tabs, CR and LF from both ends.
func trimFWS(b []byte) []byte {
	isFWS := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for len(b) > 0 && isFWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isFWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
