package transcript

import (
	"time"
	"unicode/utf8"
)

// magic is the first line of every transcript.
const magic = "mailwire-transcript 1"

// dateLayout is how Header.Date is written: RFC 3339 in UTC, seconds.
const dateLayout = "2006-01-02T15:04:05Z"

// Header describes how a transcript was made.
type Header struct {
	Protocol string    // "smtp", "pop3" or "imap" in the recordings of this repo
	Server   string    // server software and version, e.g. "Dovecot 2.3.19.1"
	Client   string    // client software and version, e.g. "curl 7.88.1"
	Date     time.Time // when the session started; written in UTC to the second
	Recorder string    // how it was made, e.g. "mailrecord (.ci/record.sh)"
	Note     string    // free text: port, what the client was asked to do
}

// headerKeys are the header keys in the only order the file allows.
var headerKeys = [...]string{"protocol", "server", "client", "date", "recorder", "note"}

// AppendHeader appends the file form of h, its closing blank line included,
// to dst. It fails with ErrBadHeaderValue when a value holds a control byte
// or invalid UTF-8, because the header is line-based, or makes its line
// longer than the 1024 bytes a reader takes, and when the date's UTC year
// is outside 0000-9999, which the four-digit layout cannot hold (Parse
// would refuse the file).
func AppendHeader(dst []byte, h Header) ([]byte, error) {
	values := [...]string{h.Protocol, h.Server, h.Client, "", h.Recorder, h.Note}
	dst = append(dst, magic...)
	dst = append(dst, '\n')
	for i, key := range headerKeys {
		dst = append(dst, key...)
		dst = append(dst, ':', ' ')
		if key == "date" {
			if y := h.Date.UTC().Year(); y < 0 || y > 9999 {
				return dst, ErrBadHeaderValue
			}
			dst = h.Date.UTC().AppendFormat(dst, dateLayout)
		} else {
			// The line, key and LF included, must fit the reader's bound.
			if !validValue(values[i]) || len(key)+2+len(values[i])+1 > maxLine {
				return dst, ErrBadHeaderValue
			}
			dst = append(dst, values[i]...)
		}
		dst = append(dst, '\n')
	}
	return append(dst, '\n'), nil
}

// validValue reports whether s is UTF-8 without control bytes.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}
