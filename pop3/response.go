package pop3

// Code is an extended response code (RFC 2449 §8): the text between the
// brackets of "-ERR [SYS/TEMP] ...". Codes are hierarchical, levels
// separated by "/".
type Code string

// Response codes of RFC 2449 §8, RFC 3206 and RFC 6856 §2.
const (
	CodeInUse      Code = "IN-USE"      // the maildrop is locked by another session
	CodeLoginDelay Code = "LOGIN-DELAY" // logged in too recently (see the LOGIN-DELAY capability)
	CodeSysTemp    Code = "SYS/TEMP"    // a temporary system failure: try again later
	CodeSysPerm    Code = "SYS/PERM"    // a permanent system failure: do not retry
	CodeAuth       Code = "AUTH"        // the credentials are wrong; retry only after changing them
	CodeUTF8       Code = "UTF8"        // the command needs UTF8 mode or a UTF-8 argument
)

// ValidCode reports whether c is a response code: one or more levels of
// printable ASCII other than "/" and "]", separated by "/".
func ValidCode[T ~string | ~[]byte](c T) bool {
	if len(c) == 0 || c[0] == '/' || c[len(c)-1] == '/' {
		return false
	}
	for i := range len(c) {
		switch b := c[i]; {
		case b < 0x21 || b > 0x7e || b == ']':
			return false
		case b == '/' && c[i-1] == '/':
			return false
		}
	}
	return true
}

// Status is the kind of a server response line.
type Status uint8

// Response kinds.
const (
	StatusOK       Status = iota + 1 // "+OK"
	StatusErr                        // "-ERR"
	StatusContinue                   // "+ " SASL challenge (RFC 5034)
)

// Response is one parsed response line. Its slices are views into the line
// it was parsed from (for a ResponseReader: valid until the next call).
type Response struct {
	Status Status
	// Code is the extended response code without its brackets, empty if
	// there is none.
	Code []byte
	// Text is the rest of the line after the status (and code) and one
	// space; for StatusContinue it is the challenge, still base64 (see
	// DecodeSASL).
	Text []byte
}

// OK reports whether the response is "+OK".
func (r Response) OK() bool { return r.Status == StatusOK }

// HasCode reports whether the response carries code c, compared
// case-insensitively.
func (r Response) HasCode(c Code) bool { return len(r.Code) > 0 && equalFold(r.Code, string(c)) }

// ParseResponse parses a response line (without its CRLF): "+OK" or
// "-ERR", then optionally a space, an extended code in brackets and text;
// or a SASL continuation "+" with optional space and data. The status
// must be upper case (RFC 1939 §3). A "[" that does not open a valid code
// is taken as text, as servers older than RFC 2449 send. It does not
// allocate unless it returns an error, which is an *Error matching
// ErrResponse.
func ParseResponse(line []byte) (Response, error) {
	var r Response
	var rest []byte
	switch {
	case hasPrefix(line, "+OK"):
		r.Status, rest = StatusOK, line[3:]
	case hasPrefix(line, "-ERR"):
		r.Status, rest = StatusErr, line[4:]
	case hasPrefix(line, "+"):
		r.Status, rest = StatusContinue, line[1:]
	default:
		return Response{}, clientError(ErrResponse, 0, `"+OK", "-ERR" or "+"`, true)
	}
	if len(rest) == 0 {
		return r, nil
	}
	if rest[0] != ' ' {
		return Response{}, clientError(ErrResponse, len(line)-len(rest), "a space after the status", true)
	}
	rest = rest[1:]
	if r.Status != StatusContinue && len(rest) > 0 && rest[0] == '[' {
		for i, c := range rest {
			if c != ']' {
				continue
			}
			if ValidCode(rest[1:i]) {
				r.Code, rest = rest[1:i], rest[i+1:]
				if len(rest) > 0 && rest[0] == ' ' {
					rest = rest[1:]
				}
			}
			break
		}
	}
	r.Text = rest
	return r, nil
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }
