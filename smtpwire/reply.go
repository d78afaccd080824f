package smtpwire

import (
	"bytes"
	"encoding/binary"
	"io"
	"iter"

	"github.com/mailwire/mailwire/internal/crlf"
)

// Reply limits.
const (
	// DefaultMaxReplyLine is RFC 5321 §4.5.3.1.5, octets including CRLF.
	DefaultMaxReplyLine = 512
	// DefaultMaxReplyLines bounds the lines of one reply.
	DefaultMaxReplyLines = 100
	// DefaultMaxReplySize bounds the text octets of one reply.
	DefaultMaxReplySize = 16384
)

// ReplyReaderOptions configure a [ReplyReader]; 0 means the default.
type ReplyReaderOptions struct {
	MaxLine  int // octets per line including CRLF
	MaxLines int // lines per reply
	MaxSize  int // text octets per reply, all lines together
}

// Reply is one server reply. Its text views are valid until the next call
// on the ReplyReader that returned it.
type Reply struct {
	// Code is the three-digit reply code, 200 to 559 (see ParseReplyLine).
	Code int
	// Enhanced is the RFC 3463 code at the start of the first line's text
	// when its class matches Code's first digit; zero otherwise. The text
	// lines keep it.
	Enhanced EnhancedCode
	text     []byte // the lines' texts, one after another
	ends     []int  // end offset of each line's text in text
	store    []byte // text's own storage (text is a view into the buffer for one line)
}

// Len returns the number of lines, at least 1.
func (r *Reply) Len() int { return len(r.ends) }

// Line returns the text of line i (after the code and its separator).
func (r *Reply) Line(i int) []byte {
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.text[start:r.ends[i]]
}

// Lines yields the text of every line, as Line does.
//
// The index loop "for i := range r.Len() { line := r.Line(i) }" is the
// idiom that never allocates, whatever the compiler does. A range loop
// over Lines allocates nothing too, early return included, as long as the
// compiler inlines Lines and its loop into the caller: Lines is kept small
// enough for that (cost under 20, the budget Go keeps even for very large
// callers) and the tests assert 0 allocations; it is the loop that breaks
// if a future Lines grows. Passing r.Lines() on as a value (to
// slices.Collect, say) allocates the closure.
func (r *Reply) Lines() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range r.ends {
			if !yield(r.Line(i)) {
				return
			}
		}
	}
}

// Line errors on the client side: fatal, nothing to send.
var (
	errReplyLineTooLong = &Error{Err: ErrLineTooLong, Offset: -1, Status: stClient}
	errReplyBareCR      = &Error{Err: ErrBareCR, Offset: -1, Status: stClient}
	errReplyBareLF      = &Error{Err: ErrBareLF, Offset: -1, Status: stClient}
)

// ReplyReader reads server replies from any io.Reader through one buffer.
// Once its reply storage has grown to the size of the replies it sees, it
// does not allocate.
type ReplyReader struct {
	lr       *crlf.Reader
	maxLine  int // the line reader's limit
	maxLines int
	maxSize  int
	reply    Reply
	lmtp     LMTPReplies
}

// NewReplyReader returns a reader of r.
func NewReplyReader(r io.Reader, opt ReplyReaderOptions) *ReplyReader {
	rr := &ReplyReader{maxLines: opt.MaxLines, maxSize: opt.MaxSize}
	if rr.maxLines <= 0 {
		rr.maxLines = DefaultMaxReplyLines
	}
	if rr.maxSize <= 0 {
		rr.maxSize = DefaultMaxReplySize
	}
	maxLine := opt.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxReplyLine
	}
	rr.lr = crlf.NewReader(r, crlf.Options{MaxLine: maxLine})
	rr.maxLine = rr.lr.MaxLine()
	return rr
}

// Reset makes rr read from r, dropping anything buffered.
func (rr *ReplyReader) Reset(r io.Reader) { rr.lr.Reset(r) }

// Buffered reports how many octets were read and not consumed. A client
// must see 0 after the 220 reply to STARTTLS: anything more was injected
// in plaintext.
func (rr *ReplyReader) Buffered() int { return rr.lr.Buffered() }

// ReadAhead returns the octets read from the source and not yet consumed
// (Buffered of them), without consuming them: for a hand-over to another
// reader and for test harnesses. The view is valid until the next call on
// rr.
func (rr *ReplyReader) ReadAhead() []byte { return rr.lr.Peek() }

// ReadReply reads one complete reply: lines "NNN-text" up to a last line
// "NNN text" or "NNN", every line with the same code (see ParseReplyLine).
// A malformed line gives ErrReply, a different code ErrReplyCodeMismatch,
// too many lines or octets ErrReplyTooLarge; any of these, and the line errors of a line reader
// (ErrLineTooLong, ErrBareCR, ErrBareLF), leave the conversation out of
// step, and the client should close. The returned Reply is valid until the
// next call on rr.
func (rr *ReplyReader) ReadReply() (*Reply, error) {
	// The fast path: the reply is whole in the buffer and breaks no rule.
	// Its lines are parsed there and consumed at once; anything else (a
	// reply not yet whole that no more octets can complete, or any line
	// readReply would refuse) is left, nothing consumed, to readReply,
	// which reads the same octets line by line and refuses them as it
	// always has. The line rules are ReadLine's: each LF preceded by a CR,
	// no line longer than the limit, and no other CR, which one count of
	// the CRs of the whole reply checks, as each of its lines has one.
	for {
		b := rr.lr.Whole()
		i := bytes.IndexByte(b, '\n')
		if i >= 5 && i < rr.maxLine && b[i-1] == '\r' {
			c0, c1, c2 := b[0]-'2', b[1]-'0', b[2]-'0'
			if c0 > 3 || c1 > 5 || c2 > 9 {
				break
			}
			r := &rr.reply
			r.Code = int(c0+2)*100 + int(c1)*10 + int(c2)
			text := b[4 : i-1]
			r.Enhanced = replyEnhanced(text, c0+2)
			switch b[3] {
			case ' ':
				// One line: its text is used where it lies.
				if bytes.IndexByte(text, '\r') >= 0 || len(text) > rr.maxSize {
					return rr.readReply()
				}
				r.text, r.ends = text, append(r.ends[:0], len(text))
				rr.lr.Discard(i + 1)
				return r, nil
			case '-':
				if n, more := rr.readLines(b, i); n > 0 {
					rr.lr.Discard(n)
					return r, nil
				} else if more && rr.lr.More() {
					continue
				}
			}
		} else if i < 0 && b != nil && len(b) < rr.maxLine && rr.lr.More() {
			continue // not whole yet
		}
		break
	}
	return rr.readReply()
}

// readLines is ReadReply's fast path for a reply of several lines, whose
// first one, of code r.Code, ends with the LF at b[lf]: it copies their
// texts together and returns how many octets of b the reply took. It
// returns 0 when the reply is not whole in b (more is then true if more
// octets may make it so) or breaks a rule.
func (rr *ReplyReader) readLines(b []byte, lf int) (n int, more bool) {
	r := &rr.reply
	t := lf - 5 // the first text, b[4:lf-1]
	if t > rr.maxSize {
		return 0, false
	}
	text := r.store[:cap(r.store)]
	if len(text) < t {
		text = r.grow(t)
	}
	copy(text, b[4:lf-1])
	r.ends = append(r.ends[:0], t)
	pos := lf + 1
	for {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return 0, len(b)-pos < rr.maxLine
		}
		if i < 5 || i >= rr.maxLine || b[pos+i-1] != '\r' {
			return 0, false // also a line of 3 octets or less: readReply's
		}
		line := b[pos : pos+i-1]
		// The first line's code was checked: the same octets are the same code.
		if line[0] != b[0] || line[1] != b[1] || line[2] != b[2] || (line[3] != ' ' && line[3] != '-') {
			return 0, false
		}
		if len(r.ends) == rr.maxLines || t+len(line)-4 > rr.maxSize {
			return 0, false
		}
		k := len(line) - 4
		if len(text)-t < k+16 {
			text = r.grow(t + k + 16)
		}
		if src := b[pos+4:]; k <= 16 && len(src) >= 16 {
			// A short text, as most are, in two words rather than a call
			// to memmove: the octets copied past it are scratch, in room
			// that r.text never shows.
			binary.LittleEndian.PutUint64(text[t:], binary.LittleEndian.Uint64(src))
			binary.LittleEndian.PutUint64(text[t+8:], binary.LittleEndian.Uint64(src[8:]))
		} else {
			copy(text[t:], line[4:])
		}
		t += k
		r.ends = append(r.ends, t)
		pos += i + 1
		if line[3] == ' ' {
			break
		}
	}
	if bytes.Count(b[:pos], lineCR) != len(r.ends) {
		return 0, false
	}
	r.text = text[:t]
	return pos, false
}

var lineCR = []byte{'\r'}

// grow makes r.store hold at least n octets, keeping what it holds (up to its
// capacity: the caller's text so far), and returns it at full capacity.
func (r *Reply) grow(n int) []byte {
	r.store = append(r.store[:cap(r.store)], make([]byte, n-cap(r.store))...)
	return r.store[:cap(r.store)]
}

// replyEnhanced is the enhanced code at the start of a reply's first text,
// as readReply finds it: parseEnhancedCode's, when its class is the reply
// code's first digit (class), and zero otherwise. The common shape,
// "C.S.D" with one digit each and SP or the end after it, is read here
// directly; anything else is parseEnhancedCode's to decide.
func replyEnhanced(text []byte, class byte) EnhancedCode {
	if len(text) < 5 || text[1] != '.' || text[0] != '0'+class {
		return EnhancedCode{} // parseEnhancedCode wants text[1] '.', and its class must match
	}
	if s, d := text[2]-'0', text[4]-'0'; s <= 9 && d <= 9 && text[3] == '.' && (len(text) == 5 || text[5] == ' ') && (class == 2 || class == 4 || class == 5) {
		return EnhancedCode{uint16(class), uint16(s), uint16(d)}
	}
	if c, _, ok := parseEnhancedCode(text); ok && c.Class == uint16(class) {
		return c
	}
	return EnhancedCode{}
}

// readReply is ReadReply's general path, line by line through ReadLine.
func (rr *ReplyReader) readReply() (*Reply, error) {
	r := &rr.reply
	r.Code, r.Enhanced = 0, EnhancedCode{}
	r.text, r.ends = r.store[:0], r.ends[:0]
	for {
		line, err := rr.lr.ReadLine()
		if err != nil {
			switch {
			case err == io.EOF && len(r.ends) > 0:
				err = io.ErrUnexpectedEOF
			case err == crlf.ErrLineTooLong:
				err = errReplyLineTooLong
			case err == crlf.ErrBareCR:
				err = errReplyBareCR
			case err == crlf.ErrBareLF:
				err = errReplyBareLF
			}
			return nil, err
		}
		code, text, last, err := ParseReplyLine(line)
		if err != nil {
			return nil, err
		}
		if len(r.ends) == 0 {
			r.Code = code
			if c, _, ok := parseEnhancedCode(text); ok && int(c.Class) == code/100 {
				r.Enhanced = c
			}
		} else if code != r.Code {
			return nil, syntaxError(ErrReplyCodeMismatch, 0, "code "+itoa(r.Code), stClient)
		}
		if len(r.ends) == rr.maxLines || len(r.text)+len(text) > rr.maxSize {
			return nil, syntaxError(ErrReplyTooLarge, 0, "", stClient)
		}
		r.text = append(r.text, text...)
		r.store = r.text
		r.ends = append(r.ends, len(r.text))
		if last {
			return r, nil
		}
	}
}

// ParseReplyLine splits one reply line (without CRLF) into its code, its
// text, and whether it is the last line of its reply.
// The code must match RFC 5321 §4.2 (digits 2-5, 0-5, 0-9): codes outside
// 200-559 are ErrReply. The text is a view into line.
func ParseReplyLine(line []byte) (code int, text []byte, last bool, err error) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || !isDigit(line[2]) {
		return 0, nil, false, syntaxError(ErrReply, 0, "a reply code from 200 to 559", stClient)
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, nil, true, nil
	}
	switch line[3] {
	case ' ':
		return code, line[4:], true, nil
	case '-':
		return code, line[4:], false, nil
	}
	return 0, nil, false, syntaxError(ErrReply, 3, `SP, "-" or end of line`, stClient)
}
