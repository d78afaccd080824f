// Package sasl holds the SASL mechanics that smtpwire, pop3 and imapwire
// share: the strict base64 of AUTH exchanges and the PLAIN message of
// RFC 4616. Each protocol package wraps these in its own typed errors and
// replies; nothing here is public API.
package sasl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"unicode/utf8"
)

var (
	// ErrCanceled: the client sent "*" instead of a response (RFC 4954 §4,
	// RFC 5034 §4, RFC 9051 §6.2.2).
	ErrCanceled = errors.New("sasl: exchange canceled by the client")
	// ErrBase64: the data is not strict base64 (padding, alphabet, or a
	// line break or space inside).
	ErrBase64 = errors.New("sasl: invalid base64")
	// ErrPlain: a PLAIN message that breaks RFC 4616 §2.
	ErrPlain = errors.New("sasl: malformed PLAIN message")
)

// MaxPlainField is the longest authzid, authcid or passwd RFC 4616 §2
// allows, in octets.
const MaxPlainField = 255

var strict = base64.StdEncoding.Strict()

// Decode appends the decoded form of one SASL response or challenge to dst
// and returns the extended slice. "=" is the empty response (an initial
// response that is empty, RFC 4954 §4) and "*" gives ErrCanceled. An empty
// src decodes to nothing. The base64 must be strict: padded, canonical,
// with no CR, LF or space. It allocates only when dst lacks the capacity.
// On error dst is returned unchanged.
func Decode(dst, src []byte) ([]byte, error) {
	switch string(src) {
	case "=":
		return dst, nil
	case "*":
		return dst, ErrCanceled
	}
	if bytes.ContainsAny(src, "\r\n") {
		return dst, ErrBase64
	}
	out, err := strict.AppendDecode(dst, src)
	if err != nil {
		return dst, ErrBase64
	}
	return out, nil
}

// Plain is a decoded RFC 4616 PLAIN message. The fields are views into the
// message passed to ParsePlain.
type Plain struct {
	Authzid  []byte // empty: act as Authcid
	Authcid  []byte // the user name
	Password []byte
}

// ParsePlain splits a decoded PLAIN message, "[authzid] NUL authcid NUL
// passwd", and checks it as RFC 4616 §2 says: exactly two NULs, a
// non-empty authcid and passwd, every field valid UTF-8 and at most 255
// octets. It allocates nothing.
func ParsePlain(msg []byte) (Plain, error) {
	i := bytes.IndexByte(msg, 0)
	if i < 0 {
		return Plain{}, ErrPlain
	}
	j := bytes.IndexByte(msg[i+1:], 0)
	if j < 0 {
		return Plain{}, ErrPlain
	}
	j += i + 1
	p := Plain{Authzid: msg[:i], Authcid: msg[i+1 : j], Password: msg[j+1:]}
	if bytes.IndexByte(p.Password, 0) >= 0 || len(p.Authcid) == 0 || len(p.Password) == 0 {
		return Plain{}, ErrPlain
	}
	for _, f := range [...][]byte{p.Authzid, p.Authcid, p.Password} {
		if len(f) > MaxPlainField || !utf8.Valid(f) {
			return Plain{}, ErrPlain
		}
	}
	return p, nil
}

// AppendPlain appends the PLAIN message for the three fields (a client's
// side); it does not encode it in base64. It refuses what ParsePlain would.
func AppendPlain(dst []byte, authzid, authcid, password string) ([]byte, error) {
	start := len(dst)
	dst = append(dst, authzid...)
	dst = append(dst, 0)
	dst = append(dst, authcid...)
	dst = append(dst, 0)
	dst = append(dst, password...)
	if _, err := ParsePlain(dst[start:]); err != nil {
		return dst[:start], err
	}
	return dst, nil
}
