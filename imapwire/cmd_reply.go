package imapwire

import (
	"errors"
	"strconv"
)

// AppendCommandError appends the response a server sends for err, an
// error of [Decoder.Decode] or [Decoder.NextMessage], and reports whether
// the connection must then close. It is "tag BAD [code] text" (or NO for
// a literal too large), "* BAD …" when no tag was read, or "* BYE text"
// when the reader cannot go on; nothing is appended for an error of the
// connection itself (Fatal, Cond ""). The text says what the grammar
// expected and where, e.g. "Syntax error at octet 9: expected SP".
func AppendCommandError(dst, tag []byte, err error) ([]byte, bool) {
	rep := ReplyFor(err)
	if rep.Cond == "" {
		return dst, true
	}
	if rep.Cond == "BYE" || len(tag) == 0 || run(tag, 0, clTag) != len(tag) {
		tag = nil
	}
	if rep.Cond == "BYE" {
		dst = append(dst, "* BYE "...)
	} else {
		if tag == nil {
			dst = append(dst, '*')
		}
		dst = append(append(append(dst, tag...), ' '), rep.Cond...)
		dst = append(dst, ' ')
	}
	if rep.Code != "" {
		dst = append(append(append(dst, '['), rep.Code...), "] "...)
	}
	text := rep.Text
	var ce *cmdError
	if errors.As(err, &ce) {
		text = ce.text
	}
	dst = append(dst, text...)
	var se *SyntaxError
	if errors.As(err, &se) && rep.Cond != "BYE" {
		dst = strconv.AppendInt(append(dst, " at octet "...), int64(se.Offset), 10)
		if se.Expected != "" {
			for i := range len(se.Expected) {
				if c := se.Expected[i]; class[c]&clText == 0 {
					return append(dst, "\r\n"...), rep.Fatal
				}
			}
			dst = append(append(dst, ": expected "...), se.Expected...)
		}
	}
	return append(dst, "\r\n"...), rep.Fatal
}
