package tlspolicy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MTASTSMode is the mode field of an MTA-STS policy (RFC 8461 §5).
type MTASTSMode uint8

// The modes. The zero value is MTASTSNone: no active policy.
const (
	// MTASTSNone: the domain withdraws its policy; treat as no policy.
	MTASTSNone MTASTSMode = iota
	// MTASTSTesting: validate and report failures, but deliver anyway.
	MTASTSTesting
	// MTASTSEnforce: never deliver to an MX that fails validation.
	MTASTSEnforce
)

var mtastsModeNames = [...]string{MTASTSNone: "none", MTASTSTesting: "testing", MTASTSEnforce: "enforce"}

// String returns the mode as written in a policy file, or "MTASTSMode(n)".
func (m MTASTSMode) String() string {
	if int(m) >= len(mtastsModeNames) {
		return "MTASTSMode(" + strconv.Itoa(int(m)) + ")"
	}
	return mtastsModeNames[m]
}

// Limits of MTA-STS policies.
const (
	// MaxMTASTSAge is the largest max_age a policy can have (RFC 8461
	// §3.2, one year); larger values are capped to it.
	MaxMTASTSAge = 31557600 * time.Second
	// DefaultMTASTSMaxSize is the default limit on the size of a policy
	// file: 64 KiB, the limit RFC 8461 §3.3 suggests and common senders use.
	DefaultMTASTSMaxSize = 64 << 10
)

// MTASTSPolicy is a parsed MTA-STS policy file.
type MTASTSPolicy struct {
	Mode MTASTSMode
	// MaxAge is how long the policy may be cached, in whole seconds, at
	// most MaxMTASTSAge.
	MaxAge time.Duration
	// MX are the mx patterns in file order, as written: a domain, or "*."
	// and a domain to match exactly one more left-most label.
	MX []string
}

// MTASTSOptions are the limits of the parser. The zero value uses the
// defaults.
type MTASTSOptions struct {
	// MaxSize is the largest policy file accepted, in bytes;
	// 0 means DefaultMTASTSMaxSize.
	MaxSize int
}

func (o MTASTSOptions) maxSize() int {
	if o.MaxSize <= 0 {
		return DefaultMTASTSMaxSize
	}
	return o.MaxSize
}

// Errors of MTA-STS parsing, for errors.Is. Every parse error is an
// *MTASTSError wrapping one of the first four. Any of them means the file
// is not a policy: RFC 8461 §3.3 has the sender keep a cached policy or
// else proceed as if the domain had none, and report sts-policy-invalid.
var (
	ErrMTASTSTooLarge = errors.New("tlspolicy: MTA-STS policy too large")
	ErrMTASTSSyntax   = errors.New("tlspolicy: MTA-STS policy syntax error")
	ErrMTASTSVersion  = errors.New("tlspolicy: unsupported MTA-STS version")
	ErrMTASTSMissing  = errors.New("tlspolicy: MTA-STS policy lacks a required field")
	// ErrMTASTSInvalid is returned by AppendMTASTS for a policy that cannot
	// be written.
	ErrMTASTSInvalid = errors.New("tlspolicy: MTA-STS policy cannot be encoded")
)

// MTASTSError is a policy file that failed to parse: where, and what was
// expected there.
type MTASTSError struct {
	Offset   int    // byte offset of the problem in the file
	Line     int    // 1-based line number
	Expected string // what the grammar wanted there
	Err      error  // one of the ErrMTASTS sentinels
}

func (e *MTASTSError) Error() string {
	return fmt.Sprintf("%v: line %d (offset %d): expected %s", e.Err, e.Line, e.Offset, e.Expected)
}

func (e *MTASTSError) Unwrap() error { return e.Err }

// ParseMTASTS parses a policy file body strictly by the grammar of RFC 8461
// §3.2: lines end in LF or CRLF (the last may be unterminated), there are no
// empty lines, field names are case-sensitive, "version: STSv1", "mode" and
// "max_age" are required and "mx" is required unless the mode is none. The
// first occurrence of a non-repeatable field wins (§3.2); every occurrence
// must still be well-formed. Unknown (extension) fields are checked for
// syntax and ignored. max_age above MaxMTASTSAge is capped.
//
// ParseMTASTS does not allocate when the policy has no mx field; otherwise it
// makes two allocations: one string holding all mx patterns and the MX slice
// of exactly their number. The result does not refer to b.
func ParseMTASTS(b []byte, opt MTASTSOptions) (MTASTSPolicy, error) {
	if limit := opt.maxSize(); len(b) > limit {
		return MTASTSPolicy{}, &MTASTSError{Offset: limit, Line: 1 + bytes.Count(b[:limit], []byte{'\n'}),
			Expected: "at most " + strconv.Itoa(limit) + " bytes", Err: ErrMTASTSTooLarge}
	}
	var (
		p                     MTASTSPolicy
		haveVersion, haveMode bool
		haveMaxAge            bool
		mxCount, mxBytes      int
		sc                    = stsScanner{b: b}
	)
	for {
		name, value, ok, err := sc.next()
		if err != nil {
			return MTASTSPolicy{}, err
		}
		if !ok {
			break
		}
		valOff := sc.valueOff
		switch string(name) {
		case "version":
			if string(value) != "STSv1" {
				return MTASTSPolicy{}, sc.errorAt(valOff, `"STSv1"`, ErrMTASTSVersion)
			}
			haveVersion = true
		case "mode":
			m, ok := parseMTASTSMode(value)
			if !ok {
				return MTASTSPolicy{}, sc.errorAt(valOff, `"enforce", "testing" or "none"`, ErrMTASTSSyntax)
			}
			if !haveMode {
				p.Mode, haveMode = m, true
			}
		case "max_age":
			age, ok := parseMTASTSMaxAge(value)
			if !ok {
				return MTASTSPolicy{}, sc.errorAt(valOff, "1 to 10 digits", ErrMTASTSSyntax)
			}
			if !haveMaxAge {
				p.MaxAge, haveMaxAge = age, true
			}
		case "mx":
			if !validMXPattern(value) {
				return MTASTSPolicy{}, sc.errorAt(valOff, `a domain name, optionally after "*."`, ErrMTASTSSyntax)
			}
			mxCount++
			mxBytes += len(value) + 1
		}
	}
	missing := ""
	switch {
	case !haveVersion:
		missing = `a "version" field`
	case !haveMode:
		missing = `a "mode" field`
	case !haveMaxAge:
		missing = `a "max_age" field`
	case mxCount == 0 && p.Mode != MTASTSNone:
		missing = `an "mx" field`
	}
	if missing != "" {
		return MTASTSPolicy{}, sc.errorAt(len(b), missing, ErrMTASTSMissing)
	}
	if mxCount > 0 {
		p.MX = collectMX(b, mxCount, mxBytes)
	}
	return p, nil
}

// collectMX returns the mx values of an already validated file, as views
// into one string. Validation is done, so it only finds the mx lines.
func collectMX(b []byte, count, size int) []string {
	var all strings.Builder
	all.Grow(size)
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if value, ok := bytes.CutPrefix(line, []byte("mx:")); ok {
			all.Write(trimWSP(bytes.TrimSuffix(value, []byte("\r"))))
			all.WriteByte('\n')
		}
	}
	mx := make([]string, 0, count)
	rest := all.String()
	for rest != "" {
		var pattern string
		pattern, rest, _ = strings.Cut(rest, "\n")
		mx = append(mx, pattern)
	}
	return mx
}

// ReadMTASTS reads a policy body from r, at most opt.MaxSize bytes, and
// parses it as ParseMTASTS does. It reads in small steps and never sizes a
// buffer from a length the peer announced; the buffer grows to the body's
// size and no further.
func ReadMTASTS(r io.Reader, opt MTASTSOptions) (MTASTSPolicy, error) {
	body, err := io.ReadAll(io.LimitReader(r, int64(opt.maxSize())+1))
	if err != nil {
		return MTASTSPolicy{}, err
	}
	return ParseMTASTS(body, opt)
}

func parseMTASTSMode(v []byte) (MTASTSMode, bool) {
	for m, name := range mtastsModeNames {
		if string(v) == name {
			return MTASTSMode(m), true
		}
	}
	return MTASTSNone, false
}

// parseMTASTSMaxAge parses 1*10DIGIT and caps it at MaxMTASTSAge.
func parseMTASTSMaxAge(v []byte) (time.Duration, bool) {
	if len(v) == 0 || len(v) > 10 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	age := time.Duration(min(n, uint64(MaxMTASTSAge/time.Second))) * time.Second
	return age, true
}

// validMXPattern reports whether v is ["*."] Domain (RFC 8461 §3.2, with
// Domain from RFC 5321 §4.1.2: LDH labels of 1 to 63 bytes, at most 253 in
// all). U-labels are not domains here; policies carry A-labels.
func validMXPattern[T string | []byte](v T) bool {
	if len(v) >= 2 && v[0] == '*' && v[1] == '.' {
		v = v[2:]
	}
	if len(v) == 0 || len(v) > 253 {
		return false
	}
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == '.' {
			if !validLabel(v[start:i]) {
				return false
			}
			start = i + 1
		}
	}
	return true
}

// validLabel reports whether l is a Let-dig [Ldh-str] label of 1 to 63 bytes.
func validLabel[T string | []byte](l T) bool {
	if len(l) == 0 || len(l) > 63 || !isLetDig(l[0]) || !isLetDig(l[len(l)-1]) {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !isLetDig(l[i]) && l[i] != '-' {
			return false
		}
	}
	return true
}

func isLetDig(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// stsScanner walks the fields of a policy file, one line at a time.
type stsScanner struct {
	b        []byte
	off      int // start of the next line
	line     int // number of the line last returned
	valueOff int // offset of the last field's value
}

func (s *stsScanner) errorAt(off int, expected string, err error) *MTASTSError {
	line := s.line
	if line == 0 {
		line = 1
	}
	return &MTASTSError{Offset: off, Line: line, Expected: expected, Err: err}
}

// next returns the next field's name and value (trailing whitespace
// removed), ok false at the end of the file.
func (s *stsScanner) next() (name, value []byte, ok bool, err error) {
	if s.off >= len(s.b) {
		return nil, nil, false, nil
	}
	s.line++
	start := s.off
	line := s.b[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line, _ = bytes.CutSuffix(line[:i], []byte("\r"))
		s.off = start + i + 1
	} else {
		s.off = len(s.b)
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return nil, nil, false, s.errorAt(start, `"name:" at the start of a line`, ErrMTASTSSyntax)
	}
	name = line[:colon]
	if !validFieldName(name) {
		return nil, nil, false, s.errorAt(start, "a field name: a letter or digit, then up to 31 of letters, digits, '_', '-', '.'", ErrMTASTSSyntax)
	}
	v := colon + 1
	for v < len(line) && isWSP(line[v]) {
		v++
	}
	value = trimWSP(line[v:])
	s.valueOff = start + v
	if len(value) == 0 {
		return nil, nil, false, s.errorAt(start+v, "a value", ErrMTASTSSyntax)
	}
	for i, c := range value {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return nil, nil, false, s.errorAt(start+v+i, "a visible character, space or tab (line ends are LF or CRLF)", ErrMTASTSSyntax)
		}
	}
	if !utf8.Valid(value) {
		return nil, nil, false, s.errorAt(start+v, "UTF-8", ErrMTASTSSyntax)
	}
	return name, value, true, nil
}

// validFieldName checks sts-policy-ext-name, which every field name fits.
func validFieldName(n []byte) bool {
	if len(n) == 0 || len(n) > 32 || !isLetDig(n[0]) {
		return false
	}
	for _, c := range n[1:] {
		if !isLetDig(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// trimWSP removes spaces and tabs from both ends of b.
func trimWSP(b []byte) []byte {
	for len(b) > 0 && isWSP(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isWSP(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
