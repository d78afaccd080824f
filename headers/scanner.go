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
	end, next, ok := s.line(start)
	if !ok {
		return false
	}
	if end == start {
		s.pos, s.done, s.blank = next, true, true
		return false
	}
	if s.fields == s.opt.MaxFields {
		return s.fail(ErrTooManyFields, start)
	}
	f := Field{Offset: start, Defects: s.lineDefects(start, end, next)}
	valueStart := -1
	if isWSP(s.src[start]) {
		f.Defects |= DefectLeadingContinuation
	} else if colon := bytes.IndexByte(s.src[start:end], ':'); colon < 0 {
		f.Defects |= DefectNoColon
	} else {
		name := s.src[start : start+colon]
		trimmed := bytes.TrimRight(name, " \t")
		switch {
		case !validName(trimmed):
			f.Defects |= DefectFieldName
		case len(trimmed) < len(name):
			f.Defects |= DefectSpaceBeforeColon
			fallthrough
		default:
			f.Name = trimmed
			valueStart = start + colon + 1
		}
	}
	if bad := f.Defects &^ s.opt.Repair; bad != 0 {
		return s.fail(bad.Err(), start)
	}
	for next < len(s.src) && isWSP(s.src[next]) {
		lineStart := next
		if end, next, ok = s.line(lineStart); !ok {
			return false
		}
		d := s.lineDefects(lineStart, end, next)
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
	s.field, s.pos = f, next
	s.fields++
	return true
}

// line finds the line at start: its content ends at end, the next line
// starts at next. It enforces the line and block limits.
func (s *Scanner) line(start int) (end, next int, ok bool) {
	rest := s.src[start:]
	i := indexLF(rest)
	if i < 0 {
		if len(rest) > s.opt.MaxLineLength {
			return 0, 0, s.fail(ErrLineTooLong, start+s.opt.MaxLineLength)
		}
		return 0, 0, s.fail(ErrTruncated, len(s.src))
	}
	end, next = start+i, start+i+1
	if i > 0 && rest[i-1] == '\r' {
		end--
	}
	if end-start > s.opt.MaxLineLength {
		return 0, 0, s.fail(ErrLineTooLong, start+s.opt.MaxLineLength)
	}
	if next > s.opt.MaxHeaderBytes {
		return 0, 0, s.fail(ErrHeaderTooLarge, s.opt.MaxHeaderBytes)
	}
	if end == start && end+1 == next && !s.allow(DefectBareLF) {
		return 0, 0, s.fail(ErrBareLF, end)
	}
	return end, next, true
}

// lineDefects returns the byte-level faults of the line src[start:next].
func (s *Scanner) lineDefects(start, end, next int) Defect {
	var d Defect
	if end+1 == next {
		d |= DefectBareLF
	}
	line := s.src[start:end]
	if bytes.IndexByte(line, '\r') >= 0 {
		d |= DefectBareCR
	}
	if bytes.IndexByte(line, 0) >= 0 {
		d |= DefectNUL
	}
	return d
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
