package pop3

import (
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/dot"
)

// Writers append one protocol line, or a whole multi-line response, to dst
// and return the extended slice, like strconv.AppendInt. Text parameters
// take a string or a []byte, so neither is converted (and allocated) at
// the call. Writers that take text refuse (ErrInjection, dst unchanged)
// anything that could end the line early or forge another: CR, LF, other
// control characters.

// AppendOK appends "+OK", the code in brackets when not empty, the text,
// and CRLF. See AppendErr.
func AppendOK[T ~string | ~[]byte](dst []byte, code Code, txt T) ([]byte, error) {
	return appendStatus(dst, "+OK", code, txt)
}

// AppendErr appends "-ERR", the code in brackets when not empty (one of
// the Code constants, say), the text, and CRLF. A text that starts with
// "[" is refused when code is empty: a client would read it as a code.
func AppendErr[T ~string | ~[]byte](dst []byte, code Code, txt T) ([]byte, error) {
	return appendStatus(dst, "-ERR", code, txt)
}

func appendStatus[T ~string | ~[]byte](dst []byte, status string, code Code, txt T) ([]byte, error) {
	if indexControl(txt) >= 0 || code != "" && !ValidCode(code) ||
		code == "" && len(txt) > 0 && txt[0] == '[' {
		return dst, ErrInjection
	}
	dst = append(dst, status...)
	if code != "" {
		dst = append(append(append(dst, " ["...), code...), ']')
	}
	if len(txt) > 0 {
		dst = append(append(dst, ' '), txt...)
	}
	return append(dst, '\r', '\n'), nil
}

// AppendReply appends the -ERR line for r (see ReplyOf). It appends
// nothing when r.Text is empty: there is nothing to send.
func AppendReply(dst []byte, r Reply) []byte {
	if r.Text == "" {
		return dst
	}
	out, err := AppendErr(dst, r.Code, r.Text)
	if err != nil {
		return dst
	}
	return out
}

// AppendStat appends the STAT response "+OK count size" CRLF.
func AppendStat(dst []byte, count int, size int64) []byte {
	dst = strconv.AppendInt(append(dst, "+OK "...), int64(count), 10)
	dst = strconv.AppendInt(append(dst, ' '), size, 10)
	return append(dst, '\r', '\n')
}

// AppendScan appends a scan listing line "msg size" CRLF, for a LIST
// listing.
func AppendScan(dst []byte, s Scan) []byte {
	dst = strconv.AppendInt(dst, int64(s.Msg), 10)
	dst = strconv.AppendInt(append(dst, ' '), s.Size, 10)
	return append(dst, '\r', '\n')
}

// AppendScanOK appends the response to LIST msg: "+OK msg size" CRLF.
func AppendScanOK(dst []byte, s Scan) []byte {
	return AppendScan(append(dst, "+OK "...), s)
}

// AppendUID appends a unique-id listing line "msg id" CRLF, for a UIDL
// listing. An id that is not ValidUID is refused with ErrInjection.
func AppendUID[T ~string | ~[]byte](dst []byte, msg int, id T) ([]byte, error) {
	if !ValidUID(id) {
		return dst, ErrInjection
	}
	dst = strconv.AppendInt(dst, int64(msg), 10)
	return append(append(append(dst, ' '), id...), '\r', '\n'), nil
}

// AppendUIDOK appends the response to UIDL msg: "+OK msg id" CRLF.
func AppendUIDOK[T ~string | ~[]byte](dst []byte, msg int, id T) ([]byte, error) {
	out, err := AppendUID(append(dst, "+OK "...), msg, id)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// AppendEnd appends the ".\r\n" line that ends a LIST or UIDL listing.
func AppendEnd(dst []byte) []byte { return append(dst, '.', '\r', '\n') }

// AppendCapabilities appends a whole CAPA response (RFC 2449 §5): "+OK",
// one line per capability (name and parameters, as "SASL PLAIN LOGIN"),
// and ".\r\n". A line with a control character, an empty one, or one
// starting with "." is refused with ErrInjection.
func AppendCapabilities(dst []byte, lines ...string) ([]byte, error) {
	for _, l := range lines {
		if l == "" || l[0] == '.' || indexControl(l) >= 0 {
			return dst, ErrInjection
		}
	}
	dst = append(dst, "+OK Capability list follows\r\n"...)
	for _, l := range lines {
		dst = append(append(dst, l...), '\r', '\n')
	}
	return AppendEnd(dst), nil
}

// AppendBody appends a multi-line body (RETR, TOP) dot-stuffed, with the
// terminating ".\r\n" (after a CRLF when body does not end in one). The
// "+OK" line before it is the caller's. A body with a lone CR or LF is
// refused (ErrBareCR, ErrBareLF) and dst returned unchanged: no lone CR
// or LF ever leaves. Normalize line ends before, if the store has them.
func AppendBody(dst, body []byte) ([]byte, error) { return dot.Append(dst, body) }

// BodyWriter streams a multi-line body: it dot-stuffs what is written,
// in pieces of any size, through one buffer allocated in NewBodyWriter,
// and Close appends the terminator. A lone CR or LF makes Write fail with
// ErrBareCR or ErrBareLF and the writer stays failed, so that no
// terminator follows a broken body.
type BodyWriter struct{ w *dot.Writer }

// NewBodyWriter returns a BodyWriter of one body to w.
func NewBodyWriter(w io.Writer) *BodyWriter { return &BodyWriter{dot.NewWriter(w)} }

// Reset makes b write a new body to w, keeping its buffer.
func (b *BodyWriter) Reset(w io.Writer) { b.w.Reset(w) }

// Write dot-stuffs p; it does not allocate.
func (b *BodyWriter) Write(p []byte) (int, error) { return b.w.Write(p) }

// Close ends the body with ".\r\n" and flushes; it does not close the
// underlying writer.
func (b *BodyWriter) Close() error { return b.w.Close() }

// AppendCommand appends c as a command line with CRLF, for a client: the
// verb's name and the arguments its grammar takes from Msg, Lines, Arg
// and Arg2 (Args and Name are used only for VerbUnknown). Arguments that
// do not fit the grammar, contain control characters, or make the line
// longer than DefaultMaxCommandLine give ErrInjection and dst unchanged.
func AppendCommand(dst []byte, c Command) ([]byte, error) {
	start := len(dst)
	if c.Verb >= numVerbs {
		return dst, ErrInjection
	}
	name := []byte(nil)
	if c.Verb == VerbUnknown {
		name = c.Name
	}
	dst = append(append(dst, verbNames[c.Verb]...), name...)
	switch argRules[c.Verb] {
	case argsMessage, argsOptional:
		if c.Msg != 0 || argRules[c.Verb] == argsMessage {
			dst = strconv.AppendInt(append(dst, ' '), int64(c.Msg), 10)
		}
	case argsTop:
		dst = strconv.AppendInt(append(dst, ' '), int64(c.Msg), 10)
		dst = strconv.AppendInt(append(dst, ' '), int64(c.Lines), 10)
	case argsWord, argsRest, argsLang:
		if len(c.Arg) > 0 {
			dst = append(append(dst, ' '), c.Arg...)
		}
	case argsAPOP, argsAuth:
		if len(c.Arg) > 0 {
			dst = append(append(dst, ' '), c.Arg...)
		}
		if len(c.Arg2) > 0 {
			dst = append(append(dst, ' '), c.Arg2...)
		}
	case argsAny:
		if len(c.Args) > 0 {
			dst = append(append(dst, ' '), c.Args...)
		}
	}
	line := dst[start:]
	if len(line)+2 > DefaultMaxCommandLine {
		return dst[:start], ErrInjection
	}
	parsed, err := parseCommand(line, true)
	if err == ErrUnknownCommand && c.Verb == VerbUnknown {
		err = nil
	}
	if err != nil || !sameCommand(parsed, c) {
		return dst[:start], ErrInjection
	}
	return append(dst, '\r', '\n'), nil
}

// sameCommand reports whether parsing gave back what was meant.
func sameCommand(p, c Command) bool {
	if p.Verb != c.Verb || p.Msg != c.Msg || p.Lines != c.Lines {
		return false
	}
	switch argRules[c.Verb] {
	case argsAny:
		return string(p.Name) == string(c.Name) && string(p.Args) == string(c.Args)
	case argsMessage, argsOptional, argsTop, argsNone:
		return true
	}
	return string(p.Arg) == string(c.Arg) && string(p.Arg2) == string(c.Arg2)
}
