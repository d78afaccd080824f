package users

import (
	"bytes"
	"errors"
)

// ErrPlain: a SASL PLAIN message that is not authzid NUL authcid NUL passwd
// (RFC 4616 §2) with a non-empty authcid and password.
var ErrPlain = errors.New("users: malformed SASL PLAIN message")

// ParsePlain splits a decoded SASL PLAIN message. The one place that does
// it, until the library's ParsePlain lands in pop3 and smtpwire.
func ParsePlain(msg []byte) (authzid, authcid, password string, err error) {
	a, rest, ok := bytes.Cut(msg, []byte{0})
	if !ok {
		return "", "", "", ErrPlain
	}
	c, p, ok := bytes.Cut(rest, []byte{0})
	if !ok || len(c) == 0 || len(p) == 0 || bytes.IndexByte(p, 0) >= 0 || len(a) > 255 || len(c) > 255 || len(p) > 255 {
		return "", "", "", ErrPlain
	}
	return string(a), string(c), string(p), nil
}
