// Package dot decodes and encodes dot-stuffed bodies: SMTP DATA (RFC 5321
// §4.5.2) and POP3 multi-line responses (RFC 1939 §3).
//
// The decoder ends a body only at <CRLF>.<CRLF>. A bare CR or LF anywhere,
// a line over its limit or a body over its size limit makes it stop handing
// out bytes, keep reading to the real end, and then fail: the protocol stays
// in step and no smuggled second message is ever seen (SMTP smuggling,
// CVE-2023-51764).
package dot

import (
	"bytes"
	"errors"
	"io"

	"github.com/mailwire/mailwire/internal/crlf"
)

// ErrTooLarge: the body was longer than Options.MaxSize. The rest of it was
// read and discarded.
var ErrTooLarge = errors.New("body too large")

// Options configure a [Reader].
type Options struct {
	// MaxSize is the most body octets handed out (after unstuffing);
	// 0 means no limit.
	MaxSize int64
	// MaxLine is the longest line in octets as sent, stuffing dot and CRLF
	// included; 0 means no limit. Past it: stop emitting, drain,
	// crlf.ErrLineTooLong.
	MaxLine int
	// AllowBareLF makes a lone LF end a line, so that ".\n" ends the body:
	// for old POP3 servers that send LF line ends. A bare CR is still an
	// error.
	AllowBareLF bool
}

type state uint8

const (
	lineStart  state = iota // at the start of a line
	inLine                  // inside a line
	afterCR                 // a CR was seen inside a line, not yet handed out
	owedLF                  // a CRLF was consumed; its CR is out, its LF owed
	afterDot                // a dot was seen at the start of a line
	afterDotCR              // ".\r" was seen at the start of a line
	done                    // the terminating line was consumed
)

// Reader is an io.Reader of one dot-stuffed body.
type Reader struct {
	src  *crlf.Reader
	opt  Options
	st   state
	n    int64 // octets handed out
	line int   // octets of the current line consumed by the state machine
	fail error // first violation; once set, nothing more is handed out
}

// NewReader returns a Reader of the body that src holds next.
func NewReader(src *crlf.Reader, opt Options) *Reader {
	d := &Reader{}
	d.Reset(src, opt)
	return d
}

// Reset makes d read the next body from src.
func (d *Reader) Reset(src *crlf.Reader, opt Options) {
	*d = Reader{src: src, opt: opt}
}

// Read hands out body octets with their CRLF line ends and the leading dot
// of stuffed lines removed. It returns io.EOF once the terminating ".\r\n"
// has been consumed, or instead crlf.ErrBareCR, crlf.ErrBareLF,
// crlf.ErrLineTooLong or ErrTooLarge when the body broke a rule; everything handed out before the
// violation was body. A source error is returned as is and reading can
// resume; a source that ends before the terminator gives
// io.ErrUnexpectedEOF.
func (d *Reader) Read(p []byte) (int, error) {
	if d.st == done {
		return 0, d.final()
	}
	if len(p) == 0 {
		return 0, nil
	}
	out := 0
	for {
		if d.st == owedLF {
			d.st = lineStart
			out += d.emit(p[out:], lineEnd[1:])
			if out == len(p) && d.fail == nil {
				return out, nil
			}
		}
		buf := d.src.Peek()
		if len(buf) == 0 {
			if out > 0 {
				return out, nil
			}
			if err := d.src.Fill(); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return 0, err
			}
			continue
		}
		used, made := d.step(buf, p[out:])
		d.src.Discard(used)
		out += made
		if d.st == done {
			if out > 0 {
				return out, nil
			}
			return 0, d.final()
		}
		if out == len(p) && d.fail == nil {
			return out, nil
		}
	}
}

// Failed reports the rule the body broke so far, or nil. Read reports it
// only once the whole body is consumed.
func (d *Reader) Failed() error { return d.fail }

func (d *Reader) final() error {
	if d.fail != nil {
		return d.fail
	}
	return io.EOF
}

func (d *Reader) violate(err error) {
	if d.fail == nil {
		d.fail = err
	}
}

// step runs the state machine over buf, writing body octets to dst. It
// returns how many octets of buf it consumed and how many it wrote. It stops
// when buf is used up, dst is full (unless failed: then nothing is written),
// or the body is done.
func (d *Reader) step(buf, dst []byte) (used, made int) {
	i := 0
	for i < len(buf) {
		if made == len(dst) && d.fail == nil {
			return i, made
		}
		c := buf[i]
		switch d.st {
		case lineStart:
			if n := d.cleanLines(buf[i:], len(dst)-made); n > 0 {
				made += copy(dst[made:], buf[i:i+n])
				d.n += int64(n)
				i += n
				continue
			}
			if c == '.' {
				if n := d.stuffedLine(buf[i:], len(dst)-made); n > 0 {
					// The stuffing dot dropped, the rest of the line in one copy.
					made += copy(dst[made:], buf[i+1:i+n])
					d.n += int64(n - 1)
					i += n
					continue
				}
				d.st = afterDot
				d.took(1)
				i++
				continue
			}
			d.st = inLine
		case afterDot:
			switch c {
			case '\r':
				d.st = afterDotCR
				d.took(1)
				i++
			case '\n':
				i++
				d.took(1)
				if d.opt.AllowBareLF {
					d.st = done
					return i, made
				}
				d.violate(crlf.ErrBareLF)
				d.st = inLine
			default:
				d.st = inLine // the stuffed dot is dropped
			}
			continue
		case afterDotCR:
			if c == '\n' {
				d.st = done
				return i + 1, made
			}
			d.violate(crlf.ErrBareCR)
			d.st = inLine
			continue
		case afterCR:
			if c == '\n' {
				i++
				d.st = lineStart
				d.endLine()
				if len(dst)-made == 1 && d.fail == nil {
					if d.emit(dst[made:], lineEnd[:1]) == 0 {
						continue // over the size limit: nothing is owed
					}
					d.st = owedLF
					return i, made + 1
				}
				made += d.emit(dst[made:], lineEnd)
				continue
			}
			d.violate(crlf.ErrBareCR)
			d.st = inLine
			continue
		}
		// inLine: hand out the run up to the next CR or LF in one copy.
		rest := buf[i:]
		run := rest
		if lf := bytes.IndexByte(rest, '\n'); lf >= 0 {
			run = rest[:lf]
		}
		if cr := bytes.IndexByte(run, '\r'); cr >= 0 {
			run = rest[:cr]
		}
		if d.fail == nil {
			run = run[:min(len(run), len(dst)-made)]
		}
		out := run
		if d.opt.MaxLine > 0 {
			out = run[:max(0, min(len(run), d.opt.MaxLine-d.line))] // a line hands out no more than MaxLine
		}
		made += d.emit(dst[made:], out)
		d.took(len(run))
		i += len(run)
		if i == len(buf) || (made == len(dst) && d.fail == nil) {
			return i, made
		}
		switch buf[i] {
		case '\r':
			d.st = afterCR // handed out with its LF, never alone
			d.took(1)
		case '\n':
			if d.opt.AllowBareLF {
				made += d.emit(dst[made:], buf[i:i+1])
				d.st = lineStart
				d.endLine()
			} else {
				d.took(1)
				d.violate(crlf.ErrBareLF) // a bare LF starts no line
			}
		}
		i++
	}
	return i, made
}

// cleanLines measures the whole lines at the start of b that can be handed
// out in one copy: each ends in CRLF, has no other CR or LF, does not start
// with a dot, and all fit in room and under the size limit. It is the fast
// path for the common case; anything else goes through the state machine.
func (d *Reader) cleanLines(b []byte, room int) int {
	if d.fail != nil || d.opt.AllowBareLF {
		return 0
	}
	if d.opt.MaxSize > 0 {
		room = int(min(int64(room), d.opt.MaxSize-d.n))
	}
	b = b[:min(len(b), room)]
	end, lines := 0, 0
	for end < len(b) && b[end] != '.' {
		lf := bytes.IndexByte(b[end:], '\n')
		if lf < 1 || b[end+lf-1] != '\r' || (d.opt.MaxLine > 0 && lf+1 > d.opt.MaxLine) {
			break
		}
		end += lf + 1
		lines++
	}
	if bytes.Count(b[:end], lineEnd[:1]) == lines {
		return end
	}
	// A CR without its LF: keep the whole lines before the one holding it.
	for cr := 0; ; cr++ {
		cr += bytes.IndexByte(b[cr:end], '\r')
		if b[cr+1] != '\n' {
			return bytes.LastIndexByte(b[:cr], '\n') + 1
		}
	}
}

// stuffedLine measures the dot-stuffed line at the start of b (b[0] is
// '.') when it can be handed out in one copy without its dot: whole, its
// LF preceded by its CR and no other CR or LF in it, not the terminator
// (a dot and then CR or LF is never one), within MaxLine as sent, and with
// room and size for the rest. It returns the line's length as sent, dot
// and CRLF included, or 0: the state machine then takes the line octet by
// octet, with the same rules.
func (d *Reader) stuffedLine(b []byte, room int) int {
	if d.fail != nil || d.opt.AllowBareLF || len(b) < 4 || b[1] == '\r' || b[1] == '\n' {
		return 0
	}
	lf := bytes.IndexByte(b, '\n')
	if lf < 3 || b[lf-1] != '\r' || bytes.IndexByte(b[1:lf-1], '\r') >= 0 {
		return 0
	}
	if (d.opt.MaxLine > 0 && lf >= d.opt.MaxLine) || lf > room || (d.opt.MaxSize > 0 && int64(lf) > d.opt.MaxSize-d.n) {
		return 0
	}
	return lf + 1
}

// took counts n octets of the current line against MaxLine.
func (d *Reader) took(n int) {
	d.line += n
	if d.opt.MaxLine > 0 && d.line > d.opt.MaxLine {
		d.violate(crlf.ErrLineTooLong)
	}
}

// endLine counts a line's LF and starts the next line.
func (d *Reader) endLine() {
	d.took(1)
	d.line = 0
}

// emit copies body octets to dst within the size limit; after a violation
// it drops them. dst has room for src unless d has failed.
func (d *Reader) emit(dst, src []byte) int {
	if d.fail != nil {
		return 0
	}
	if d.opt.MaxSize > 0 && d.n+int64(len(src)) > d.opt.MaxSize {
		src = src[:d.opt.MaxSize-d.n]
		d.violate(ErrTooLarge)
	}
	n := copy(dst, src)
	d.n += int64(n)
	return n
}
