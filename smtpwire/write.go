package smtpwire

import (
	"encoding/base64"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/dot"
)

// Writers append one complete line, CRLF included, to dst and return it.
// They refuse (ErrInjection, dst unchanged) any text that would end the
// line early or break the grammar: no lone CR or LF ever leaves.

func errInjection(expected string) error {
	return syntaxError(ErrInjection, -1, expected, stClient)
}

// validText: no control character but TAB, no DEL.
func validText(s string) bool {
	for i := range len(s) {
		if c := s[i]; c < 32 && c != '\t' || c == 127 {
			return false
		}
	}
	return true
}

// AppendReply appends a reply: one line per text, all with code, "-" after
// the code on all lines but the last, and the enhanced code (when not zero)
// before each text. No text gives the bare "NNN\r\n". The code must match
// ParseReplyLine's grammar and the enhanced code's class its first digit;
// each line must fit DefaultMaxReplyLine.
func AppendReply(dst []byte, code int, enhanced EnhancedCode, text ...string) ([]byte, error) {
	if err := checkReplyCode(code, enhanced); err != nil {
		return dst, err
	}
	start := len(dst)
	if len(text) == 0 {
		dst = strconv.AppendInt(dst, int64(code), 10)
		if !enhanced.IsZero() {
			dst = enhanced.Append(append(dst, ' '))
		}
		return append(dst, '\r', '\n'), nil
	}
	for i, t := range text {
		if !validText(t) {
			return dst[:start], errInjection("reply text without control characters")
		}
		lineStart := len(dst)
		dst = strconv.AppendInt(dst, int64(code), 10)
		if i < len(text)-1 {
			dst = append(dst, '-')
		} else {
			dst = append(dst, ' ')
		}
		if !enhanced.IsZero() {
			dst = append(enhanced.Append(dst), ' ')
		}
		dst = append(dst, t...)
		dst = append(dst, '\r', '\n')
		if len(dst)-lineStart > DefaultMaxReplyLine {
			return dst[:start], errInjection("a reply line of at most 512 octets")
		}
	}
	return dst, nil
}

// checkReplyCode checks a reply code and its enhanced code for writing.
func checkReplyCode(code int, enhanced EnhancedCode) error {
	if code < 200 || code > 559 || code/10%10 > 5 {
		return errInjection("a reply code from 200 to 559")
	}
	if !enhanced.IsZero() && (!enhanced.Valid() || int(enhanced.Class) != code/100) {
		return errInjection("an enhanced code of the reply's class")
	}
	return nil
}

// AppendCommand appends a command without ESMTP syntax of its own: EHLO,
// HELO, LHLO, DATA, RSET, NOOP, QUIT, VRFY, EXPN, HELP, STARTTLS. arg must
// be empty for DATA, RSET, QUIT and STARTTLS, and present for EHLO, HELO,
// LHLO, VRFY and EXPN. MAIL, RCPT, BDAT, AUTH and XCLIENT have their own
// writers.
func AppendCommand(dst []byte, v Verb, arg string) ([]byte, error) {
	switch v {
	case VerbMAIL, VerbRCPT, VerbBDAT, VerbAUTH, VerbXCLIENT, VerbUnknown:
		return dst, errInjection("a verb without its own writer")
	}
	if v >= numVerbs {
		return dst, errInjection("a known verb")
	}
	switch v.argRule() {
	case argNone:
		if arg != "" {
			return dst, errInjection("no argument for " + v.String())
		}
	case argRequired:
		if arg == "" {
			return dst, errInjection("an argument for " + v.String())
		}
	}
	if !validText(arg) || len(v.String())+1+len(arg)+2 > DefaultMaxCommandLine {
		return dst, errInjection("an argument without control characters that fits the line")
	}
	dst = append(dst, v.String()...)
	if arg != "" {
		dst = append(append(dst, ' '), arg...)
	}
	return append(dst, '\r', '\n'), nil
}

// ExtraParam is an ESMTP parameter the typed fields do not cover. An empty
// Value writes the keyword alone.
type ExtraParam struct {
	Keyword, Value string
}

// MailParams are the ESMTP parameters of MAIL FROM. Zero fields are
// omitted.
type MailParams struct {
	Size       uint64
	Body       Body
	SMTPUTF8   bool
	RequireTLS bool
	Ret        Ret
	EnvID      string // raw: written as xtext; printable ASCII, at most 100 octets encoded
	Auth       string // raw identity: written as xtext
	NullAuth   bool   // AUTH=<>
	// MTPriority is written when HasMTPriority is set; -9 to 9.
	MTPriority    int
	HasMTPriority bool
	Extra         []ExtraParam
}

// RcptParams are the ESMTP parameters of RCPT TO. Zero fields are omitted.
type RcptParams struct {
	Notify Notify
	// ORCPT is written as ORCPTType ";" xtext(ORCPT) when not empty;
	// ORCPTType defaults to "rfc822".
	ORCPTType, ORCPT string
	Extra            []ExtraParam
}

// AppendMailFrom appends "MAIL FROM:<mailbox> params". mailbox is in wire
// form (a quoted local part keeps its quotes), "" for the null path; it is
// checked with ParseMailFrom's grammar and default limits (UTF-8 only with
// p.SMTPUTF8). p may be nil.
func AppendMailFrom(dst []byte, mailbox string, p *MailParams) ([]byte, error) {
	if len(mailbox)+2 > DefaultMaxPath {
		return dst, errInjection("a path of at most 256 octets")
	}
	start := len(dst)
	dst = append(dst, "MAIL FROM:<"...)
	pathStart := len(dst) - 1
	dst = append(dst, mailbox...)
	dst = append(dst, '>')
	if mailbox != "" {
		if _, err := parseMailbox(dst[pathStart:], p != nil && p.SMTPUTF8, false, PathOptions{}, stSender); err != nil {
			return dst[:start], errInjection("a valid mailbox")
		}
	}
	if p != nil {
		var err error
		if dst, err = appendMailParams(dst, p); err != nil {
			return dst[:start], err
		}
	}
	return append(dst, '\r', '\n'), nil
}

func appendMailParams(dst []byte, p *MailParams) ([]byte, error) {
	if p.Size > 0 {
		dst = strconv.AppendUint(append(dst, " SIZE="...), p.Size, 10)
	}
	switch p.Body {
	case Body7Bit:
		dst = append(dst, " BODY=7BIT"...)
	case Body8BitMIME:
		dst = append(dst, " BODY=8BITMIME"...)
	case BodyBinaryMIME:
		dst = append(dst, " BODY=BINARYMIME"...)
	}
	if p.SMTPUTF8 {
		dst = append(dst, " SMTPUTF8"...)
	}
	if p.RequireTLS {
		dst = append(dst, " REQUIRETLS"...)
	}
	switch p.Ret {
	case RetFull:
		dst = append(dst, " RET=FULL"...)
	case RetHdrs:
		dst = append(dst, " RET=HDRS"...)
	}
	if p.EnvID != "" {
		n := len(dst)
		dst = AppendXtext(append(dst, " ENVID="...), p.EnvID)
		if !validText(p.EnvID) || len(dst)-n-len(" ENVID=") > maxEnvID {
			return dst, errInjection("an ENVID of printable ASCII within 100 octets")
		}
	}
	if p.NullAuth {
		dst = append(dst, " AUTH=<>"...)
	} else if p.Auth != "" {
		dst = AppendXtext(append(dst, " AUTH="...), p.Auth)
	}
	if p.HasMTPriority {
		if p.MTPriority < -9 || p.MTPriority > 9 {
			return dst, errInjection("an MT-PRIORITY from -9 to 9")
		}
		dst = strconv.AppendInt(append(dst, " MT-PRIORITY="...), int64(p.MTPriority), 10)
	}
	return appendExtra(dst, p.Extra)
}

// AppendRcptTo appends "RCPT TO:<mailbox> params". mailbox is in wire form
// and checked with ParseRcptTo's grammar and default limits; utf8 allows
// UTF-8 in it (the transaction's MAIL carried SMTPUTF8). p may be nil.
func AppendRcptTo(dst []byte, mailbox string, utf8 bool, p *RcptParams) ([]byte, error) {
	if len(mailbox)+2 > DefaultMaxPath {
		return dst, errInjection("a path of at most 256 octets")
	}
	start := len(dst)
	dst = append(dst, "RCPT TO:<"...)
	pathStart := len(dst) - 1
	dst = append(dst, mailbox...)
	dst = append(dst, '>')
	if _, err := parseMailbox(dst[pathStart:], utf8, true, PathOptions{}, stRecipient); err != nil {
		return dst[:start], errInjection("a valid mailbox")
	}
	if p != nil {
		if p.Notify != 0 {
			if p.Notify&NotifyNever != 0 && p.Notify != NotifyNever || p.Notify > NotifyDelay|NotifyFailure|NotifySuccess {
				return dst[:start], errInjection("NOTIFY=NEVER alone, or SUCCESS, FAILURE, DELAY")
			}
			dst = appendNotify(append(dst, " NOTIFY="...), p.Notify)
		}
		if p.ORCPT != "" {
			typ := p.ORCPTType
			if typ == "" {
				typ = "rfc822"
			}
			if !validKeyword(typ) {
				return dst[:start], errInjection("an ORCPT address type")
			}
			n := len(dst)
			dst = append(append(append(dst, " ORCPT="...), typ...), ';')
			dst = AppendXtext(dst, p.ORCPT)
			if len(dst)-n-len(" ORCPT=") > maxORCPT {
				return dst[:start], errInjection("an ORCPT within 500 octets")
			}
		}
		var err error
		if dst, err = appendExtra(dst, p.Extra); err != nil {
			return dst[:start], err
		}
	}
	return append(dst, '\r', '\n'), nil
}

func appendNotify(dst []byte, n Notify) []byte {
	if n == NotifyNever {
		return append(dst, "NEVER"...)
	}
	sep := false
	for _, f := range [...]struct {
		flag Notify
		name string
	}{{NotifySuccess, "SUCCESS"}, {NotifyFailure, "FAILURE"}, {NotifyDelay, "DELAY"}} {
		if n&f.flag != 0 {
			if sep {
				dst = append(dst, ',')
			}
			dst = append(dst, f.name...)
			sep = true
		}
	}
	return dst
}

func appendExtra(dst []byte, extra []ExtraParam) ([]byte, error) {
	for _, e := range extra {
		if !validKeyword(e.Keyword) || e.Value != "" && !validValue(e.Value) {
			return dst, errInjection("an esmtp-keyword and esmtp-value")
		}
		dst = append(append(dst, ' '), e.Keyword...)
		if e.Value != "" {
			dst = append(append(dst, '='), e.Value...)
		}
	}
	return dst, nil
}

// AppendBDAT appends "BDAT size" or "BDAT size LAST"; the chunk's octets
// follow it as they are.
func AppendBDAT(dst []byte, size uint64, last bool) []byte {
	dst = strconv.AppendUint(append(dst, "BDAT "...), size, 10)
	if last {
		dst = append(dst, " LAST"...)
	}
	return append(dst, '\r', '\n')
}

// AppendAuth appends "AUTH mechanism" and, when hasInitial is set, the
// base64 initial response ("=" when it is empty).
func AppendAuth(dst []byte, mechanism string, initial []byte, hasInitial bool) ([]byte, error) {
	if !validMechanism(mechanism) {
		return dst, errInjection("a SASL mechanism name")
	}
	dst = append(append(dst, "AUTH "...), mechanism...)
	if hasInitial {
		dst = append(dst, ' ')
		if len(initial) == 0 {
			dst = append(dst, '=')
		} else {
			dst = base64.StdEncoding.AppendEncode(dst, initial)
		}
	}
	return append(dst, '\r', '\n'), nil
}

// AppendAuthResponse appends a client's line in an AUTH exchange: data in
// base64 (an empty response is an empty line).
func AppendAuthResponse(dst, data []byte) []byte {
	return append(base64.StdEncoding.AppendEncode(dst, data), '\r', '\n')
}

// AppendAuthChallenge appends a server's "334 " challenge line: data in
// base64 (RFC 4954 §4). An empty challenge is "334 ".
func AppendAuthChallenge(dst, data []byte) []byte {
	dst = append(dst, "334 "...)
	return append(base64.StdEncoding.AppendEncode(dst, data), '\r', '\n')
}

// AppendData dot-stuffs a complete DATA body and appends the ".\r\n" that
// ends it (after a CRLF when body does not end with one). A body with a
// lone CR or LF is refused with ErrBareCR or ErrBareLF and dst returned
// unchanged.
func AppendData(dst, body []byte) ([]byte, error) { return dot.Append(dst, body) }

// DataWriter is the streaming form of AppendData: Write dot-stuffs through
// one buffer allocated in NewDataWriter, Close writes the terminator. A
// lone CR or LF fails the Write and every later call, so no terminator
// follows a broken body.
type DataWriter struct {
	w *dot.Writer
}

// NewDataWriter returns a DataWriter of one body to w.
func NewDataWriter(w io.Writer) *DataWriter { return &DataWriter{dot.NewWriter(w)} }

// Reset starts a new body to w, keeping the buffer.
func (d *DataWriter) Reset(w io.Writer) { d.w.Reset(w) }

// Write dot-stuffs p; it returns how many octets of p were accepted.
func (d *DataWriter) Write(p []byte) (int, error) { return d.w.Write(p) }

// Close writes the end of the body and flushes; it does not close the
// underlying writer.
func (d *DataWriter) Close() error { return d.w.Close() }
