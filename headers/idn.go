package headers

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// AppendASCIIDomains appends value, an address field's value such as
// `Jörg <jörg@bücher.example>, b@例子.广告`, to dst with every domain that
// holds non-ASCII bytes converted to its IDNA A-label form
// (xn--bcher-kva.example) by the idna.Lookup profile. Quoted strings,
// comments and domain literals are copied as they are; so are local parts,
// which only SMTPUTF8 (RFC 6531) can carry non-ASCII. A domain IDNA refuses,
// one with an empty label or a label over 63 octets, or a result over 253
// octets is refused with ErrDomain.
//
// It does not allocate when there is nothing to convert; converting a
// domain allocates (idna works on strings).
func AppendASCIIDomains(dst, value []byte) ([]byte, error) {
	orig := len(dst)
	for i := 0; i < len(value); {
		switch c := value[i]; c {
		case '"':
			j := skipQuoted(value, i)
			dst, i = append(dst, value[i:j]...), j
		case '(':
			j := skipComment(value, i)
			dst, i = append(dst, value[i:j]...), j
		case '@':
			j := i + 1
			for j < len(value) && strings.IndexByte(domainEnd, value[j]) < 0 {
				j++
			}
			dst = append(dst, '@')
			var err error
			if dst, err = appendASCIIDomain(dst, value[i+1:j]); err != nil {
				return dst[:orig], err
			}
			i = j
		default:
			dst, i = append(dst, c), i+1
		}
	}
	return dst, nil
}

// domainEnd holds the bytes that end a domain after "@".
const domainEnd = ">,;:()<\" \t\r\n[]"

func appendASCIIDomain(dst, domain []byte) ([]byte, error) {
	ascii := true
	for _, c := range domain {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return append(dst, domain...), nil
	}
	a, err := idna.Lookup.ToASCII(string(domain))
	if err != nil {
		return dst, fmt.Errorf("%w: %q: %v", ErrDomain, domain, err)
	}
	if len(a) > 253 {
		return dst, fmt.Errorf("%w: %q is longer than 253 octets", ErrDomain, a)
	}
	for label := range bytes.SplitSeq([]byte(a), []byte(".")) {
		if len(label) == 0 || len(label) > 63 {
			return dst, fmt.Errorf("%w: %q has an empty or over-long label", ErrDomain, a)
		}
	}
	return append(dst, a...), nil
}
