package smtpwire

import (
	"bytes"
	"iter"
	"net/netip"
)

// XCLIENT is Postfix's SMTP extension by which an authorized client (a
// proxy, a content filter, a test) tells the server who the real client
// is (Postfix XCLIENT_README):
//
//	XCLIENT 1*( SP attribute-name "=" attribute-value )
//
// Values are xtext; names, "[UNAVAILABLE]", "[TEMPUNAVAIL]" and "IPV6:" are
// case-insensitive. The server answers a good command with a new 220
// greeting (the client then sends EHLO again), or 501 (syntax), 503 (in a
// transaction), 550 5.7.0 (client not authorized). Commands are limited to
// 512 octets, so a client with long values sends several XCLIENT commands
// (AppendXCLIENT makes them).

// XCLIENTAttr is an XCLIENT attribute name.
type XCLIENTAttr uint8

// The attributes, as Postfix 3.7 announces them.
const (
	XCLIENTUnknown     XCLIENTAttr = iota
	XCLIENTName                    // NAME: the client's host name, [UNAVAILABLE] or [TEMPUNAVAIL]
	XCLIENTAddr                    // ADDR: IPv4, "IPV6:" IPv6, or [UNAVAILABLE]
	XCLIENTPort                    // PORT: 0 to 65535, or [UNAVAILABLE]
	XCLIENTProto                   // PROTO: SMTP or ESMTP
	XCLIENTHelo                    // HELO: the HELO/EHLO argument, or [UNAVAILABLE]
	XCLIENTLogin                   // LOGIN: the SASL login name, or [UNAVAILABLE]
	XCLIENTDestAddr                // DESTADDR: the server address, as ADDR
	XCLIENTDestPort                // DESTPORT: the server port, as PORT
	XCLIENTReverseName             // REVERSE_NAME: the reverse-lookup name, as NAME
	numXCLIENTAttrs
)

var xclientNames = [numXCLIENTAttrs]string{
	XCLIENTName: "NAME", XCLIENTAddr: "ADDR", XCLIENTPort: "PORT", XCLIENTProto: "PROTO",
	XCLIENTHelo: "HELO", XCLIENTLogin: "LOGIN", XCLIENTDestAddr: "DESTADDR",
	XCLIENTDestPort: "DESTPORT", XCLIENTReverseName: "REVERSE_NAME",
}

// String returns the attribute name, "" for XCLIENTUnknown.
func (a XCLIENTAttr) String() string {
	if a < numXCLIENTAttrs {
		return xclientNames[a]
	}
	return ""
}

func lookupXCLIENTAttr(name []byte) XCLIENTAttr {
	for a := XCLIENTName; a < numXCLIENTAttrs; a++ {
		if equalFold(name, xclientNames[a]) {
			return a
		}
	}
	return XCLIENTUnknown
}

// The special values.
const (
	XCLIENTUnavailable     = "[UNAVAILABLE]"
	XCLIENTTempUnavailable = "[TEMPUNAVAIL]"
)

// maxXCLIENTValue bounds a decoded value: NAME and HELO are at most 255
// octets (XCLIENT_README note 1), the others shorter.
const maxXCLIENTValue = 255

// XCLIENTSet is a set of attributes: what a server announced.
type XCLIENTSet uint16

// Has reports whether a is in the set.
func (s XCLIENTSet) Has(a XCLIENTAttr) bool { return a != XCLIENTUnknown && s&(1<<a) != 0 }

// XCLIENTAttrs returns the attributes the server listed after its XCLIENT
// keyword; names this package does not know are left out. ok is false when
// XCLIENT was not announced.
// The set is kept in the value, like Has.
func (c *Capabilities) XCLIENTAttrs() (s XCLIENTSet, ok bool) {
	return c.xattrs, c.Has(ExtXCLIENT)
}

// XCLIENTParam is one attribute of an XCLIENT command: views into the
// argument it was parsed from.
type XCLIENTParam struct {
	Attr  XCLIENTAttr
	Name  []byte // as sent
	Value []byte // as sent, still xtext
}

// Unavailable reports whether the value is [UNAVAILABLE].
func (p XCLIENTParam) Unavailable() bool { return equalFold(p.Value, XCLIENTUnavailable) }

// TempUnavailable reports whether the value is [TEMPUNAVAIL].
func (p XCLIENTParam) TempUnavailable() bool { return equalFold(p.Value, XCLIENTTempUnavailable) }

// Decode appends the xtext-decoded value to dst; it allocates only when
// dst lacks the capacity. ParseXCLIENT has checked the encoding, so the
// error is only for a Param made by hand.
func (p XCLIENTParam) Decode(dst []byte) ([]byte, error) {
	out, ok := scanXtext(dst, p.Value, false, true)
	if !ok {
		return dst, syntaxError(ErrXCLIENT, 0, "xtext", stXCLIENT)
	}
	return out, nil
}

// XCLIENTParams is the checked argument of an XCLIENT command. Iterating
// it does not allocate; its slices are views into the argument.
type XCLIENTParams struct {
	raw  []byte
	seen XCLIENTSet
}

// Has reports whether attribute a was sent.
func (ps XCLIENTParams) Has(a XCLIENTAttr) bool { return ps.seen.Has(a) }

// Get returns attribute a.
func (ps XCLIENTParams) Get(a XCLIENTAttr) (XCLIENTParam, bool) {
	if !ps.Has(a) {
		return XCLIENTParam{}, false
	}
	for p := range ps.All() {
		if p.Attr == a {
			return p, true
		}
	}
	return XCLIENTParam{}, false
}

// All yields the attributes in the order sent.
func (ps XCLIENTParams) All() iter.Seq[XCLIENTParam] {
	return func(yield func(XCLIENTParam) bool) {
		for rest := ps.raw; len(rest) > 0; {
			var word []byte
			word, rest, _ = bytes.Cut(rest, []byte{' '})
			name, value, _ := bytes.Cut(word, []byte{'='})
			if !yield(XCLIENTParam{Attr: lookupXCLIENTAttr(name), Name: name, Value: value}) {
				return
			}
		}
	}
}

// ParseXCLIENT checks the argument of an XCLIENT command: one or more
// name=value pairs separated by single spaces, each name one of the
// attributes (at most once), each value xtext that decodes to what its
// attribute allows (see the XCLIENTAttr constants; decoded values are at
// most 255 octets). Anything else is ErrXCLIENT (501 5.5.4). Whether the
// client may send XCLIENT at all is the server's decision (550 5.7.0). It
// does not allocate, except that IPv6 addresses are checked with
// net/netip.
func ParseXCLIENT(args []byte) (XCLIENTParams, error) {
	ps := XCLIENTParams{raw: args}
	if len(args) == 0 {
		return XCLIENTParams{}, syntaxError(ErrXCLIENT, 0, "an attribute", stXCLIENT)
	}
	pos := 0
	for rest := args; ; {
		var word []byte
		var more bool
		word, rest, more = bytes.Cut(rest, []byte{' '})
		name, value, hasValue := bytes.Cut(word, []byte{'='})
		a := lookupXCLIENTAttr(name)
		switch {
		case a == XCLIENTUnknown:
			return XCLIENTParams{}, syntaxError(ErrXCLIENT, pos, "an XCLIENT attribute name", stXCLIENTName)
		case ps.seen.Has(a):
			return XCLIENTParams{}, syntaxError(ErrXCLIENT, pos, "each attribute once", stXCLIENT)
		case !hasValue:
			return XCLIENTParams{}, syntaxError(ErrXCLIENT, pos+len(name), "=", stXCLIENT)
		}
		if want := checkXCLIENTValue(a, value); want != "" {
			return XCLIENTParams{}, syntaxError(ErrXCLIENT, pos+len(name)+1, want, stXCLIENT)
		}
		ps.seen |= 1 << a
		pos += len(word) + 1
		if !more {
			return ps, nil
		}
	}
}

// What a value of each kind should have been, for the error.
const (
	wantXtext    = "xtext of at most 255 octets"
	wantHostname = "a host name, [UNAVAILABLE] or [TEMPUNAVAIL]"
	wantAddr     = "an IPv4 address, IPV6: and an IPv6 address, or [UNAVAILABLE]"
	wantPort     = "a port from 0 to 65535, or [UNAVAILABLE]"
	wantProto    = "SMTP or ESMTP"
	wantPrint    = "printable ASCII without spaces, or [UNAVAILABLE]"
)

// checkXCLIENTValue checks a raw (xtext) value of attribute a and returns
// what was expected, "" when it is good.
func checkXCLIENTValue(a XCLIENTAttr, raw []byte) string {
	var buf [maxXCLIENTValue]byte
	if len(raw) == 0 || !xtextFits(raw, maxXCLIENTValue) {
		return wantXtext
	}
	v, ok := scanXtext(buf[:0], raw, false, true)
	if !ok {
		return wantXtext
	}
	return checkXCLIENTDecoded(a, v)
}

// xtextFits reports whether the xtext raw decodes to at most n octets, so
// that decoding it into a fixed buffer cannot grow the buffer.
func xtextFits(raw []byte, n int) bool {
	size := 0
	for i := 0; i < len(raw); i++ {
		if raw[i] == '+' {
			i += 2
		}
		size++
	}
	return size <= n
}

// checkXCLIENTDecoded checks a decoded value of attribute a and returns
// what was expected, "" when it is good.
func checkXCLIENTDecoded(a XCLIENTAttr, v []byte) string {
	unavailable := equalFold(v, XCLIENTUnavailable)
	switch a {
	case XCLIENTName, XCLIENTReverseName:
		if !unavailable && !equalFold(v, XCLIENTTempUnavailable) && (len(v) == 0 || v[0] == '[' || !validDomain(v, false, maxXCLIENTValue)) {
			return wantHostname
		}
	case XCLIENTAddr, XCLIENTDestAddr:
		if !unavailable && !validXCLIENTAddr(v) {
			return wantAddr
		}
	case XCLIENTPort, XCLIENTDestPort:
		if p, ok := parseUint(v, 5); !unavailable && (!ok || p > 65535) {
			return wantPort
		}
	case XCLIENTProto:
		if !equalFold(v, "SMTP") && !equalFold(v, "ESMTP") {
			return wantProto
		}
	case XCLIENTHelo, XCLIENTLogin:
		if len(v) == 0 {
			return wantPrint
		}
		for _, c := range v {
			if c <= ' ' || c > '~' {
				return wantPrint
			}
		}
	}
	return ""
}

// validXCLIENTAddr: dotted IPv4, or "IPV6:" and an IPv6 address, without
// brackets.
func validXCLIENTAddr(v []byte) bool {
	if hasPrefixFold(v, "IPV6:") {
		a, err := netip.ParseAddr(string(v[5:]))
		return err == nil && a.Is6() && a.Zone() == ""
	}
	return validIPv4(v)
}

// XCLIENTField is one attribute for AppendXCLIENT: its decoded value,
// written as xtext. Use XCLIENTUnavailable for [UNAVAILABLE].
type XCLIENTField struct {
	Attr  XCLIENTAttr
	Value string
}

// AppendXCLIENT appends one XCLIENT command with as many of fields, from
// the first, as fit in maxLine octets (CRLF included; 0 means
// DefaultMaxCommandLine, Postfix's own limit is 2048) and returns how many
// it wrote. When n < len(fields), send the command, read the server's 220,
// and call again with fields[n:]; each value is checked as ParseXCLIENT
// checks it. A field that is invalid, or too long for a line of its own,
// is ErrInjection with dst unchanged and n 0. It allocates only when dst
// lacks the capacity.
//
// Postfix (3.7) judges each XCLIENT by the client the previous one made:
// once ADDR names an address outside smtpd_authorized_xclient_hosts, a
// further XCLIENT gets 550 5.7.0. Order fields so that ADDR (and NAME, if
// the authorization is by name) come last.
func AppendXCLIENT(dst []byte, fields []XCLIENTField, maxLine int) (out []byte, n int, err error) {
	if maxLine <= 0 {
		maxLine = DefaultMaxCommandLine
	}
	if len(fields) == 0 {
		return dst, 0, errInjection("an XCLIENT attribute")
	}
	start := len(dst)
	dst = append(dst, "XCLIENT"...)
	var seen XCLIENTSet
	for _, f := range fields {
		if f.Attr == XCLIENTUnknown || f.Attr >= numXCLIENTAttrs || seen.Has(f.Attr) {
			return dst[:start], 0, errInjection("known XCLIENT attributes, each once")
		}
		var buf [maxXCLIENTValue]byte
		if len(f.Value) > maxXCLIENTValue || checkXCLIENTDecoded(f.Attr, append(buf[:0], f.Value...)) != "" {
			return dst[:start], 0, errInjection("a valid " + f.Attr.String() + " value")
		}
		mark := len(dst)
		dst = append(append(append(dst, ' '), f.Attr.String()...), '=')
		dst = AppendXtext(dst, f.Value)
		if len(dst)-start+2 > maxLine {
			if n == 0 {
				return dst[:start], 0, errInjection("an XCLIENT attribute that fits the line")
			}
			dst = dst[:mark]
			break
		}
		seen |= 1 << f.Attr
		n++
	}
	return append(dst, '\r', '\n'), n, nil
}
