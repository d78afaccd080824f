package headers

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Scanner reads the fields of a header block held in memory, in order,
// without allocating. The block runs from the start of the input to the
// first empty line (or to the end of the input); what follows is the body,
// which the Scanner never reads.
//
// Every Field it returns is a view into the input, valid as long as the
// input is; the Scanner copies nothing.
type Scanner struct {
	src    []byte
	opt    Options
	pos    int // start of the next line
	fields int
	field  Field
	err    error
	done   bool
	blank  bool // the block ended at an empty line

	// win holds the ends (the index after the LF) of the lines from pos
	// on that fill found clean, win[wi:wn] still to be read: see fill.
	win    [winLines]int32
	wi, wn int
	slow   int // lines that start before slow are read one by one
}

// winLines is how many lines fill checks at once.
const winLines = 32

// NewScanner returns a Scanner of msg, a message or a bare header block.
func NewScanner(msg []byte, opt Options) Scanner {
	var s Scanner
	s.Reset(msg, opt)
	return s
}

// Reset makes s scan msg from its start under opt.
func (s *Scanner) Reset(msg []byte, opt Options) {
	*s = Scanner{} // cleared in place, not copied from a literal
	s.src, s.opt = msg, opt.resolved()
}

// Next advances to the next field and reports whether there is one. It
// returns false at the end of the block or on an error; see [Scanner.Err].
func (s *Scanner) Next() bool {
	if s.done {
		return false
	}
	src, start := s.src, s.pos
	if start >= len(src) {
		s.done = true
		return false
	}
	var end, next int
	var d Defect
	if s.wi < s.wn { // s.line, inlined
		next = int(s.win[s.wi&(winLines-1)])
		s.wi++
		end = next - 2
	} else {
		var ok bool
		if end, next, d, ok = s.refill(start, start); !ok {
			return false
		}
	}
	if end <= start {
		if d != 0 && !s.allow(DefectBareLF) {
			return s.fail(ErrBareLF, end)
		}
		s.pos, s.done, s.blank = next, true, true
		return false
	}
	if s.fields == s.opt.MaxFields {
		return s.fail(ErrTooManyFields, start)
	}
	var name []byte
	valueStart := -1
	// j is indexNotFtext(line), its word loop written out here: a call
	// would spill every register Next holds.
	line, j := src[start:end], -1
	for p, i := line, 0; ; p, i = p[8:], i+8 {
		if len(p) < 8 {
			if k := indexNotFtext(p); k >= 0 {
				j = i + k
			}
			break
		}
		if m := notFtext(binary.LittleEndian.Uint64(p)); m != 0 {
			j = i + bits.TrailingZeros64(m)/8
			break
		}
	}
	if isWSP(line[0]) {
		d |= DefectLeadingContinuation
	} else if j > 0 && line[j] == ':' {
		name, valueStart = line[:j], start+j+1 // the usual field
	} else {
		nameEnd, colon := s.name(start, end)
		switch {
		case colon < 0:
			d |= DefectNoColon
		case nameEnd == start || nameEnd < 0:
			d |= DefectFieldName
		default:
			if nameEnd < colon {
				d |= DefectSpaceBeforeColon
			}
			name, valueStart = src[start:nameEnd], colon+1
		}
	}
	if bad := d &^ s.opt.Repair; bad != 0 {
		return s.fail(bad.Err(), start)
	}
	for next < len(src) && isWSP(src[next]) {
		lineStart := next
		if s.wi < s.wn { // s.continuation, inlined
			next = int(s.win[s.wi&(winLines-1)])
			s.wi++
			end = next - 2
			continue
		}
		var ld Defect
		var ok bool
		if end, next, ld, ok = s.refill(lineStart, lineStart+1); !ok {
			return false
		}
		if bad := ld &^ s.opt.Repair; bad != 0 {
			return s.fail(bad.Err(), lineStart)
		}
		d |= ld
	}
	var value []byte
	if valueStart >= 0 {
		for valueStart < end && (isWSP(src[valueStart]) || src[valueStart] == '\r' || src[valueStart] == '\n') {
			valueStart++
		}
		value = src[valueStart:end]
	}
	// Field by field: a composite literal is built on the stack and copied
	// with 16-octet moves that stall on the 8-octet stores before them.
	f := &s.field
	f.Raw, f.Name, f.Value, f.Offset, f.Defects = src[start:next], name, value, start, d
	s.pos = next
	s.fields++
	return true
}

// name finds the field name of the line src[start:end]: it ends at nameEnd,
// before any white space, and the colon is at colon. colon is -1 when the
// line has none; nameEnd is -1 when a byte before the colon is not ftext
// (white space just before the colon aside).
func (s *Scanner) name(start, end int) (nameEnd, colon int) {
	i := end
	if j := indexNotFtext(s.src[start:end]); j >= 0 {
		i = start + j
	}
	nameEnd = i
	for i < end && isWSP(s.src[i]) {
		i++
	}
	if i < end && s.src[i] == ':' {
		return nameEnd, i
	}
	if bytes.IndexByte(s.src[i:end], ':') < 0 {
		return -1, -1
	}
	return -1, i
}

// refill reads the line at start, once the window is used up: from a new
// window if fill finds one, else with lineFrom(start, from). It enforces
// the line and block limits, looking no further than the line limit
// allows; d holds the line's byte-level faults (NUL, bare CR, a lone LF as
// line end): see lineFrom.
func (s *Scanner) refill(start, from int) (end, next int, d Defect, ok bool) {
	if s.fill(start) {
		next = int(s.win[0])
		s.wi = 1
		return next - 2, next, 0, true
	}
	return s.lineFrom(start, from)
}

// fill finds the clean lines from start on, up to winLines of them, and
// reports whether it found any. A clean line ends in CRLF, holds no other
// CR and no NUL, and is within the line and block limits: lineFrom would
// find the same end with no defect. fill finds each LF with bytes.IndexByte
// and then checks the CRs and NULs of all the lines at once (one
// bytes.Count, one bytes.IndexByte), which costs a fraction of testing
// every byte of every line. It stops after an empty line, so it never
// reads the body, and before any line that is not clean, which lineFrom
// then reads; when the check fails, lineFrom reads all the lines it found.
func (s *Scanner) fill(start int) bool {
	s.wi, s.wn = 0, 0
	if start < s.slow {
		return false
	}
	src := s.src[:min(len(s.src), s.opt.MaxHeaderBytes, 1<<31-1)]
	if start >= len(src) {
		return false
	}
	maxLine := len(src) // a line with its CRLF
	if m := s.opt.MaxLineLength; m < maxLine-2 {
		maxLine = m + 2
	}
	n, p := 0, start
	for n < winLines {
		b := src[p:]
		if len(b) > maxLine {
			b = b[:maxLine]
		}
		i := bytes.IndexByte(b, '\n')
		if i < 1 || b[i-1] != '\r' {
			break
		}
		p += i + 1
		s.win[n] = int32(p)
		n++
		if i == 1 {
			break // the empty line
		}
	}
	if n == 0 {
		return false
	}
	if w := s.src[start:p]; bytes.Count(w, cr) != n || bytes.IndexByte(w, 0) >= 0 {
		s.slow = p
		return false
	}
	s.wn = n
	return true
}

var cr = []byte{'\r'}

// lineFrom reads the line at start testing each octet, for refill when fill
// finds no clean line there: its content ends at end, the next line starts
// at next, and d holds its byte-level faults. The octets before from are
// known to be text (the white space that starts a continuation line).
func (s *Scanner) lineFrom(start, from int) (end, next int, d Defect, ok bool) {
	limit := len(s.src)
	if m := s.opt.MaxLineLength; m < limit-start-2 {
		limit = start + m + 2
	}
	for i := from; ; {
		j := indexControl(s.src[i:limit])
		if j < 0 {
			if limit < len(s.src) || limit-start > s.opt.MaxLineLength {
				return 0, 0, 0, s.fail(ErrLineTooLong, start+s.opt.MaxLineLength)
			}
			return 0, 0, 0, s.fail(ErrTruncated, len(s.src))
		}
		p := i + j
		switch s.src[p] {
		case '\n':
			end, next, d = p, p+1, d|DefectBareLF
		case '\r':
			if p+1 < len(s.src) && s.src[p+1] == '\n' {
				end, next = p, p+2
				break
			}
			d |= DefectBareCR
			i = p + 1
			continue
		case 0:
			d |= DefectNUL
			fallthrough
		default: // another control character, such as TAB
			i = p + 1
			continue
		}
		break
	}
	if end-start > s.opt.MaxLineLength {
		return 0, 0, 0, s.fail(ErrLineTooLong, start+s.opt.MaxLineLength)
	}
	if next > s.opt.MaxHeaderBytes {
		return 0, 0, 0, s.fail(ErrHeaderTooLarge, s.opt.MaxHeaderBytes)
	}
	return end, next, d, true
}

func (s *Scanner) allow(d Defect) bool { return s.opt.Repair&d == d }

func (s *Scanner) fail(err error, offset int) bool {
	s.err, s.done = &SyntaxError{Err: err, Offset: offset}, true
	return false
}

// Field returns the field Next found.
func (s *Scanner) Field() Field {
	// Member by member: a copy of the whole struct loads 16 octets at a
	// time, which stalls on the 8-octet stores Next just made.
	f := &s.field
	return Field{Raw: f.Raw, Name: f.Name, Value: f.Value, Offset: f.Offset, Defects: f.Defects}
}

// Err returns the error that stopped the scan, or nil at the end of the
// block. It is a [*SyntaxError].
func (s *Scanner) Err() error { return s.err }

// HeaderLen returns the length of the header block, its empty line
// included, once Next has returned false with no error; -1 before that.
// The body is the input from there on.
func (s *Scanner) HeaderLen() int {
	if !s.done || s.err != nil {
		return -1
	}
	return s.pos
}

// Body returns the input after the header block once Next has returned
// false with no error, and nil before that or after an error. It is empty
// when the block did not end with an empty line.
func (s *Scanner) Body() []byte {
	if n := s.HeaderLen(); n >= 0 {
		return s.src[n:]
	}
	return nil
}

// Split scans msg and returns its header block, empty line included, and
// the body after it, both views of msg.
func Split(msg []byte, opt Options) (header, body []byte, err error) {
	s := NewScanner(msg, opt)
	for s.Next() {
	}
	if s.err != nil {
		return nil, nil, s.err
	}
	return msg[:s.pos], msg[s.pos:], nil
}
