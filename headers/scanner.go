package headers

import "bytes"

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
}

// NewScanner returns a Scanner of msg, a message or a bare header block.
func NewScanner(msg []byte, opt Options) Scanner {
	var s Scanner
	s.Reset(msg, opt)
	return s
}

// Reset makes s scan msg from its start under opt.
func (s *Scanner) Reset(msg []byte, opt Options) {
	*s = Scanner{src: msg, opt: opt.resolved()}
}

// Next advances to the next field and reports whether there is one. It
// returns false at the end of the block or on an error; see [Scanner.Err].
func (s *Scanner) Next() bool {
	if s.done {
		return false
	}
	start := s.pos
	if start == len(s.src) {
		s.done = true
		return false
	}
	end, next, d, ok := s.line(start)
	if !ok {
		return false
	}
	if end == start {
		if d != 0 && !s.allow(DefectBareLF) {
			return s.fail(ErrBareLF, end)
		}
		s.pos, s.done, s.blank = next, true, true
		return false
	}
	if s.fields == s.opt.MaxFields {
		return s.fail(ErrTooManyFields, start)
	}
	f := &s.field
	*f = Field{Offset: start, Defects: d}
	valueStart := -1
	if isWSP(s.src[start]) {
		f.Defects |= DefectLeadingContinuation
	} else {
		nameEnd, colon := s.name(start, end)
		switch {
		case colon < 0:
			f.Defects |= DefectNoColon
		case nameEnd == start || nameEnd < 0:
			f.Defects |= DefectFieldName
		default:
			if nameEnd < colon {
				f.Defects |= DefectSpaceBeforeColon
			}
			f.Name = s.src[start:nameEnd]
			valueStart = colon + 1
		}
	}
	if bad := f.Defects &^ s.opt.Repair; bad != 0 {
		return s.fail(bad.Err(), start)
	}
	for next < len(s.src) && isWSP(s.src[next]) {
		lineStart := next
		if end, next, d, ok = s.lineFrom(lineStart, lineStart+1); !ok {
			return false
		}
		if bad := d &^ s.opt.Repair; bad != 0 {
			return s.fail(bad.Err(), lineStart)
		}
		f.Defects |= d
	}
	if valueStart >= 0 {
		for valueStart < end && (isWSP(s.src[valueStart]) || s.src[valueStart] == '\r' || s.src[valueStart] == '\n') {
			valueStart++
		}
		f.Value = s.src[valueStart:end]
	}
	f.Raw = s.src[start:next]
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

// line finds the line at start: its content ends at end, the next line
// starts at next, and d holds its byte-level faults (NUL, bare CR, a lone
// LF as line end). It enforces the line and block limits, looking no
// further than the line limit allows.
func (s *Scanner) line(start int) (end, next int, d Defect, ok bool) {
	return s.lineFrom(start, start)
}

// lineFrom is line for a line whose octets before from are known to be
// text (the white space that starts a continuation line).
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
func (s *Scanner) Field() Field { return s.field }

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
