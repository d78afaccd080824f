package smtpwire

import (
	"bytes"
	"net/netip"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// RFC 5321 §4.5.3.1 size limits, the defaults of PathOptions.
const (
	DefaultMaxLocalPart = 64
	DefaultMaxDomain    = 255
	DefaultMaxPath      = 256 // including the angle brackets
)

// PathOptions tune ParseMailFrom and ParseRcptTo. The zero value is strict
// RFC 5321 with its size limits.
type PathOptions struct {
	// SMTPUTF8 allows UTF-8 in RCPT TO paths: set it when the transaction's
	// MAIL FROM carried SMTPUTF8. For MAIL FROM the parameter itself decides.
	SMTPUTF8 bool
	// MaxLocalPart, MaxDomain and MaxPath are limits in octets; 0 means the
	// RFC default.
	MaxLocalPart, MaxDomain, MaxPath int
	// AllowSpaceAfterColon accepts "MAIL FROM: <a@b>", which RFC 5321 does
	// not allow but some old clients send.
	AllowSpaceAfterColon bool
	// ExtensionParams names the ESMTP parameters, beyond the ones this
	// package knows (ParamKind), that the server implements itself and so
	// accepts on MAIL and RCPT; they are checked for esmtp-keyword and
	// esmtp-value syntax and duplicates, and come out as ParamUnknown.
	// Keywords match case-insensitively. Any other unknown parameter is
	// refused with ErrUnknownParameter (555 5.5.4, RFC 5321 §4.1.1.11).
	ExtensionParams []string
}

// Path is a reverse- or forward-path. Its slices are views into the
// argument it was parsed from.
type Path struct {
	// Mailbox is local-part "@" domain as sent, without the angle brackets
	// and without a source route (which is accepted and ignored). It is
	// empty for the null reverse-path "<>".
	Mailbox []byte
	// LocalPart is raw: a quoted local part keeps its quotes and escapes, so
	// that it can be written back unchanged.
	LocalPart []byte
	// Domain is empty for the null path and for RCPT TO:<Postmaster>.
	Domain []byte
}

// IsNull reports whether p is the null reverse-path "<>".
func (p Path) IsNull() bool { return len(p.Mailbox) == 0 }

// MailFrom is the parsed argument of MAIL.
type MailFrom struct {
	From   Path
	Params Params
}

// RcptTo is the parsed argument of RCPT.
type RcptTo struct {
	To     Path
	Params Params
}

// ParseMailFrom parses the argument of MAIL: "FROM:<reverse-path>" and its
// ESMTP parameters. Parameters are checked before the path, since SMTPUTF8
// allows UTF-8 in it. A parameter this package does not know, and that
// opt.ExtensionParams does not name, is ErrUnknownParameter (555 5.5.4); a
// known RCPT parameter on MAIL is ErrParameterNotAllowed (555 5.5.4). The
// results are views into args.
//
// ASCII domains are checked by hand without allocating. A domain with
// non-ASCII octets or an "xn--" label is checked with golang.org/x/net/idna,
// and an IPv6 address literal with net/netip; those checks allocate.
func ParseMailFrom(args []byte, opt PathOptions) (m MailFrom, err error) {
	err = m.Parse(args, opt)
	return m, err
}

// Parse is ParseMailFrom into m, which a server keeps from one MAIL to
// the next: nothing is copied out. On an error m is zero.
func (m *MailFrom) Parse(args []byte, opt PathOptions) error {
	m.Params.reset()
	if p, off, ok := scanPath(args, "FROM:", opt, false); ok {
		m.From = p
		if off < len(args) {
			if err := parseParams(&m.Params, args[off:], true, off, opt.ExtensionParams); err != nil {
				*m = MailFrom{}
				return err
			}
		}
		return nil
	}
	m.From = Path{}
	raw, params, off, err := splitPath(args, "FROM:", opt, stSender)
	if err == nil {
		err = parseParams(&m.Params, params, true, off, opt.ExtensionParams)
	}
	if err == nil && len(raw) > 2 {
		m.From, err = parseMailbox(raw, m.Params.Has(ParamSMTPUTF8), false, opt, stSender)
	}
	if err != nil {
		*m = MailFrom{}
	}
	return err
}

// ParseRcptTo parses the argument of RCPT: "TO:<forward-path>" and its ESMTP
// parameters. "<Postmaster>" without a domain is accepted; "<>" is not. The
// results are views into args. Domains and parameters are checked as in
// ParseMailFrom.
func ParseRcptTo(args []byte, opt PathOptions) (r RcptTo, err error) {
	err = r.Parse(args, opt)
	return r, err
}

// Parse is ParseRcptTo into r, which a server keeps from one RCPT to the
// next: nothing is copied out. On an error r is zero.
func (r *RcptTo) Parse(args []byte, opt PathOptions) error {
	r.Params.reset()
	if p, off, ok := scanPath(args, "TO:", opt, true); ok {
		r.To = p
		if off < len(args) {
			if err := parseParams(&r.Params, args[off:], false, off, opt.ExtensionParams); err != nil {
				*r = RcptTo{}
				return err
			}
		}
		return nil
	}
	raw, params, off, err := splitPath(args, "TO:", opt, stRecipient)
	if err == nil && len(raw) == 2 {
		err = syntaxError(ErrAddress, len(args)-len(raw)-len(params), "a recipient", stRecipient)
	}
	if err == nil {
		err = parseParams(&r.Params, params, false, off, opt.ExtensionParams)
	}
	if err == nil {
		r.To, err = parseMailbox(raw, opt.SMTPUTF8, true, opt, stRecipient)
	}
	if err != nil {
		*r = RcptTo{}
	}
	return err
}

// scanPath reads the common path in one pass over the byte-class table:
// ASCII, no source route, a Dot-string or Quoted-string local part, and a
// domain name without "xn--" labels (no address literal). For such a path
// it returns what splitPath and parseMailbox would, and the offset of the
// parameters (len(args) when there are none). For anything else, valid or
// not, ok is false and the general parsers decide, errors included.
func scanPath(args []byte, prefix string, opt PathOptions, rcpt bool) (p Path, off int, ok bool) {
	if !hasPrefixFold(args, prefix) {
		return Path{}, 0, false
	}
	i := len(prefix)
	if opt.AllowSpaceAfterColon && i < len(args) && args[i] == ' ' {
		i++
	}
	if i+1 >= len(args) || args[i] != '<' {
		return Path{}, 0, false
	}
	lt := i
	i++
	switch {
	case args[i] == '>':
		if rcpt {
			return Path{}, 0, false
		}
	case args[i] == '"':
		for i++; ; {
			if i >= len(args) {
				return Path{}, 0, false
			}
			c := args[i]
			if charClass[c]&cQtext != 0 {
				i++
				continue
			}
			if c == '\\' && i+1 < len(args) && args[i+1] >= 32 && args[i+1] <= 126 {
				i += 2
				continue
			}
			if c != '"' {
				return Path{}, 0, false
			}
			i++
			break
		}
		if i >= len(args) || args[i] != '@' {
			return Path{}, 0, false
		}
	default:
		for {
			s := i
			// LDH octets are atext: runs of them eight a step, the
			// other atext octets one at a time.
			for i = ldhEnd(args, i); i < len(args) && charClass[args[i]]&cAtext != 0; {
				i = ldhEnd(args, i+1)
			}
			if i == s || i == len(args) {
				return Path{}, 0, false
			}
			if args[i] != '.' {
				break
			}
			i++
		}
		if args[i] != '@' && (args[i] != '>' || !rcpt) {
			return Path{}, 0, false
		}
	}
	if args[i] != '>' || rcpt {
		local := args[lt+1 : i]
		if maxLocal := opt.MaxLocalPart; len(local) > DefaultMaxLocalPart && maxLocal <= 0 || maxLocal > 0 && len(local) > maxLocal {
			return Path{}, 0, false
		}
		if args[i] == '>' {
			if !equalFold(local, "POSTMASTER") {
				return Path{}, 0, false
			}
			p = Path{Mailbox: local, LocalPart: local}
		} else {
			i++ // "@"
			ds := i
			for {
				s := i
				i = ldhEnd(args, i)
				if n := i - s; n == 0 || n > 63 || args[s] == '-' || args[i-1] == '-' ||
					n >= 4 && args[s+2] == '-' && args[s+3] == '-' && hasPrefixFold(args[s:i], "XN--") || i == len(args) {
					return Path{}, 0, false
				}
				if args[i] != '.' {
					break
				}
				i++
			}
			if args[i] != '>' {
				return Path{}, 0, false
			}
			if maxDomain := opt.MaxDomain; i-ds > DefaultMaxDomain && maxDomain <= 0 || maxDomain > 0 && i-ds > maxDomain {
				return Path{}, 0, false
			}
			p = Path{Mailbox: args[lt+1 : i], LocalPart: local, Domain: args[ds:i]}
		}
	}
	// args[i] is the closing ">".
	if maxPath := opt.MaxPath; i+1-lt > DefaultMaxPath && maxPath <= 0 || maxPath > 0 && i+1-lt > maxPath {
		return Path{}, 0, false
	}
	i++
	if i == len(args) {
		return p, i, true
	}
	if args[i] != ' ' || i+1 == len(args) {
		return Path{}, 0, false
	}
	return p, i + 1, true
}

// splitPath checks the "FROM:"/"TO:" prefix and returns the path with its
// brackets, the parameter text, and the offset of that text in args.
func splitPath(args []byte, prefix string, opt PathOptions, st Status) (path, params []byte, off int, err error) {
	if !hasPrefixFold(args, prefix) {
		return nil, nil, 0, syntaxError(ErrArguments, 0, prefix, stArguments)
	}
	i := len(prefix)
	if opt.AllowSpaceAfterColon && i < len(args) && args[i] == ' ' {
		i++
	}
	if i >= len(args) || args[i] != '<' {
		return nil, nil, 0, syntaxError(ErrAddress, i, "<", st)
	}
	maxPath := opt.MaxPath
	if maxPath <= 0 {
		maxPath = DefaultMaxPath
	}
	// Find the closing bracket, skipping a Quoted-string local part. A
	// quote elsewhere is no string: dcontent of an address literal may
	// hold one (RFC 5321 §4.1.3).
	j := i + 1
	if j < len(args) && args[j] == '@' { // a source route: the local part follows its ":"
		if colon := bytes.IndexByte(args[j:], ':'); colon >= 0 {
			j += colon + 1
		}
	}
	if j < len(args) && args[j] == '"' {
		for j++; j < len(args) && args[j] != '"'; j++ {
			if args[j] == '\\' {
				j++
			}
		}
		j++
	}
	if j < len(args) {
		if gt := bytes.IndexByte(args[j:], '>'); gt >= 0 {
			j += gt
		} else {
			j = len(args)
		}
	}
	if j >= len(args) {
		return nil, nil, 0, syntaxError(ErrAddress, len(args), ">", st)
	}
	if j+1-i > maxPath {
		return nil, nil, 0, syntaxError(ErrAddress, i, "a path of at most "+itoa(maxPath)+" octets", st)
	}
	path, rest := args[i:j+1], args[j+1:]
	if len(rest) == 0 {
		return path, nil, len(args), nil
	}
	if rest[0] != ' ' || len(rest) == 1 {
		return nil, nil, 0, syntaxError(ErrParameter, j+1, "SP and an ESMTP parameter", stParameter)
	}
	return path, rest[1:], j + 2, nil
}

// parseMailbox parses "<" [source-route ":"] mailbox ">".
func parseMailbox(raw []byte, utf bool, rcpt bool, opt PathOptions, st Status) (Path, error) {
	inner := raw[1 : len(raw)-1]
	base := 1 // offset of inner in raw, for error positions
	if len(inner) > 0 && inner[0] == '@' {
		// A-d-l ":" : accepted and ignored (RFC 5321 §4.1.2, Appendix C).
		colon := bytes.IndexByte(inner, ':')
		if colon < 0 {
			return Path{}, syntaxError(ErrAddress, base, "a source route ending in ':'", st)
		}
		for hop := range bytes.SplitSeq(inner[:colon], []byte{','}) {
			if len(hop) < 2 || hop[0] != '@' || !validDomain(hop[1:], utf, DefaultMaxDomain) {
				return Path{}, syntaxError(ErrAddress, base, "a source route of @domain", st)
			}
		}
		inner, base = inner[colon+1:], base+colon+1
	}
	local, n, ok := scanLocalPart(inner, utf)
	if !ok || n == 0 {
		return Path{}, syntaxError(ErrAddress, base+n, "a local part", st)
	}
	maxLocal := opt.MaxLocalPart
	if maxLocal <= 0 {
		maxLocal = DefaultMaxLocalPart
	}
	if len(local) > maxLocal {
		return Path{}, syntaxError(ErrAddress, base, "a local part of at most "+itoa(maxLocal)+" octets", st)
	}
	if n == len(inner) {
		if rcpt && equalFold(local, "POSTMASTER") {
			return Path{Mailbox: inner, LocalPart: local}, nil
		}
		return Path{}, syntaxError(ErrAddress, base+n, "@domain", st)
	}
	if inner[n] != '@' {
		return Path{}, syntaxError(ErrAddress, base+n, "@", st)
	}
	maxDomain := opt.MaxDomain
	if maxDomain <= 0 {
		maxDomain = DefaultMaxDomain
	}
	domain := inner[n+1:]
	if !validDomain(domain, utf, maxDomain) {
		return Path{}, syntaxError(ErrAddress, base+n+1, "a domain or address literal", st)
	}
	return Path{Mailbox: inner, LocalPart: local, Domain: domain}, nil
}

// scanLocalPart reads a Dot-string or Quoted-string at the start of s and
// returns it and its length; ok is false when the grammar is broken.
func scanLocalPart(s []byte, utf bool) (local []byte, n int, ok bool) {
	nonASCII := false
	if len(s) > 0 && s[0] == '"' {
		n = 1
		for n < len(s) {
			c := s[n]
			switch {
			case c == '"':
				local = s[:n+1]
				return local, n + 1, !nonASCII || utf8.Valid(local)
			case c == '\\':
				if n+1 >= len(s) || s[n+1] < 32 || s[n+1] > 126 {
					return nil, n, false
				}
				n += 2
			case c >= 0x80 && utf:
				nonASCII = true
				n++
			case c >= 32 && c <= 126:
				n++
			default:
				return nil, n, false
			}
		}
		return nil, n, false
	}
	atomStart := true
	for n < len(s) && s[n] != '@' {
		c := s[n]
		switch {
		case c == '.':
			if atomStart {
				return nil, n, false
			}
			atomStart = true
		case isAtext(c) || c >= 0x80 && utf:
			nonASCII = nonASCII || c >= 0x80
			atomStart = false
		default:
			return nil, n, false
		}
		n++
	}
	if atomStart {
		return nil, n, false
	}
	local = s[:n]
	return local, n, !nonASCII || utf8.Valid(local)
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '/', '=', '?', '^', '_', '`', '{', '|', '}', '~':
		return true
	}
	return false
}

// validDomain checks a domain name or an address literal.
func validDomain(d []byte, utf bool, maxLen int) bool {
	if len(d) == 0 || len(d) > maxLen {
		return false
	}
	if d[0] == '[' {
		return validAddressLiteral(d)
	}
	needIDNA := false
	// An index loop, not bytes.SplitSeq: d must not escape, so that
	// callers can check a domain held in a stack buffer.
	for rest, more := d, true; more; {
		var label []byte
		label, rest, more = bytes.Cut(rest, []byte{'.'})
		if len(label) == 0 || len(label) > 63 {
			return false
		}
		if hasPrefixFold(label, "XN--") {
			needIDNA = true
		}
		for i, c := range label {
			switch {
			case c >= 0x80:
				if !utf {
					return false
				}
				needIDNA = true
			case c == '-':
				if i == 0 || i == len(label)-1 {
					return false
				}
			case !isAlpha(c) && !isDigit(c):
				return false
			}
		}
	}
	if needIDNA {
		if _, err := idna.Lookup.ToASCII(string(d)); err != nil {
			return false
		}
	}
	return true
}

// validAddressLiteral checks "[" IPv4 / "IPv6:" IPv6 / tag ":" dcontent "]".
func validAddressLiteral(d []byte) bool {
	if len(d) < 3 || d[len(d)-1] != ']' {
		return false
	}
	in := d[1 : len(d)-1]
	if hasPrefixFold(in, "IPV6:") {
		a, err := netip.ParseAddr(string(in[5:]))
		return err == nil && a.Is6() && a.Zone() == ""
	}
	colon := bytes.IndexByte(in, ':')
	if colon < 0 {
		return validIPv4(in)
	}
	tag, content := in[:colon], in[colon+1:]
	if len(tag) == 0 || len(content) == 0 || tag[0] == '-' || tag[len(tag)-1] == '-' {
		return false
	}
	for _, c := range tag {
		if !isAlpha(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	for _, c := range content {
		if c < 33 || c > 126 || c == '[' || c == '\\' || c == ']' {
			return false
		}
	}
	return true
}

func validIPv4(b []byte) bool {
	for i := range 4 {
		if i > 0 {
			if len(b) == 0 || b[0] != '.' {
				return false
			}
			b = b[1:]
		}
		n := 0
		for n < len(b) && n < 3 && isDigit(b[n]) {
			n++
		}
		if v, ok := parseUint(b[:n], 3); !ok || v > 255 {
			return false
		}
		b = b[n:]
	}
	return len(b) == 0
}
