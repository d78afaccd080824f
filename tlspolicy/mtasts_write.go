package tlspolicy

import (
	"fmt"
	"strconv"
	"time"
)

// AppendMTASTS appends p as a policy file to dst: version, mode, the mx
// lines in order, then max_age, each line ending in CRLF. It refuses (with
// an error wrapping ErrMTASTSInvalid, and dst unchanged) an undefined mode,
// a MaxAge that is negative, above MaxMTASTSAge or not whole seconds, an
// invalid mx pattern, and a mode other than none without mx patterns.
// ParseMTASTS of the output gives p back.
func AppendMTASTS(dst []byte, p MTASTSPolicy) ([]byte, error) {
	switch {
	case int(p.Mode) >= len(mtastsModeNames):
		return dst, invalidMTASTS("undefined mode " + p.Mode.String())
	case p.MaxAge < 0 || p.MaxAge > MaxMTASTSAge || p.MaxAge%time.Second != 0:
		return dst, invalidMTASTS("max_age " + p.MaxAge.String())
	case len(p.MX) == 0 && p.Mode != MTASTSNone:
		return dst, invalidMTASTS("mode " + p.Mode.String() + " without mx")
	}
	for _, mx := range p.MX {
		if !validMXPattern(mx) {
			return dst, invalidMTASTS("mx pattern " + strconv.Quote(mx))
		}
	}
	dst = append(dst, "version: STSv1\r\nmode: "...)
	dst = append(dst, p.Mode.String()...)
	dst = append(dst, "\r\n"...)
	for _, mx := range p.MX {
		dst = append(dst, "mx: "...)
		dst = append(dst, mx...)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "max_age: "...)
	dst = strconv.AppendInt(dst, int64(p.MaxAge/time.Second), 10)
	return append(dst, "\r\n"...), nil
}

func invalidMTASTS(what string) error {
	return fmt.Errorf("%w: %s", ErrMTASTSInvalid, what)
}
