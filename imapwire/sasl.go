package imapwire

import (
	"encoding/base64"
	"errors"
	"slices"

	"github.com/mailwire/mailwire/internal/sasl"
)

// SASL for AUTHENTICATE (RFC 9051 §6.2.2, SASL-IR RFC 4959) and the PLAIN
// mechanism (RFC 4616). The same names exist in smtpwire and pop3.

// Plain is a decoded PLAIN message; the fields are views into the message
// given to ParsePlain.
type Plain struct {
	Authzid  []byte // empty: act as Authcid
	Authcid  []byte // the user name
	Password []byte
}

// DecodeSASL appends the decoded form of a client's AUTHENTICATE answer
// (a line from ReadAuthLine, or the SASL-IR initial response) to dst and
// returns the extended slice. "=" is an empty initial response (RFC 4959).
// "*" cancels: ErrAuthCanceled, answered "tag BAD" as RFC 9051 §6.2.2
// says. Anything that is not strict base64 is ErrSyntax, also BAD. On error
// dst is returned unchanged. It allocates only when dst lacks the capacity.
func DecodeSASL(dst, src []byte) ([]byte, error) {
	out, err := sasl.Decode(dst, src)
	switch {
	case errors.Is(err, sasl.ErrCanceled):
		return dst, ErrAuthCanceled
	case err != nil:
		return dst, errSASLBase64
	}
	return out, nil
}

var (
	errSASLBase64 error = &SyntaxError{Err: ErrSyntax, Expected: "base64"}
	errPlain      error = &SyntaxError{Err: ErrAuthFailed, Expected: "PLAIN message [authzid] NUL authcid NUL passwd"}
)

// ParsePlain splits a decoded PLAIN message, "[authzid] NUL authcid NUL
// passwd", checked as RFC 4616 §2 says (exactly two NULs, non-empty
// authcid and password, UTF-8, 255 octets each at most). A malformed one is
// ErrAuthFailed ("tag NO [AUTHENTICATIONFAILED]"). It allocates nothing.
func ParsePlain(msg []byte) (Plain, error) {
	p, err := sasl.ParsePlain(msg)
	if err != nil {
		return Plain{}, errPlain
	}
	return Plain{Authzid: p.Authzid, Authcid: p.Authcid, Password: p.Password}, nil
}

// AppendPlainResponse appends a client's PLAIN response, the base64 of
// "authzid NUL authcid NUL password", for "AUTHENTICATE PLAIN <response>"
// (SASL-IR) or as the line after the server's "+". It refuses what
// ParsePlain would (ErrInjection), leaving dst unchanged. It allocates only
// when dst lacks the capacity.
func AppendPlainResponse(dst []byte, authzid, authcid, password string) ([]byte, error) {
	start := len(dst)
	n := len(authzid) + len(authcid) + len(password) + 2
	enc := base64.StdEncoding.EncodedLen(n)
	dst = slices.Grow(dst, enc+n)
	// The message goes after the room for its base64, which is written
	// in front of it: the two never overlap.
	msg, err := sasl.AppendPlain(dst[:start+enc], authzid, authcid, password)
	if err != nil {
		return dst[:start], ErrInjection
	}
	base64.StdEncoding.Encode(msg[start:start+enc], msg[start+enc:])
	return msg[:start+enc], nil
}
