package smtpwire

import (
	"encoding/base64"
	"slices"

	"github.com/mailwire/mailwire/internal/sasl"
)

// The SASL pieces of AUTH (RFC 4954): decoding what a client sends, the
// PLAIN message (RFC 4616) on both sides.

var (
	errAuthCanceled = &Error{Err: ErrAuthCanceled, Offset: -1, Status: stAuthCanceled}
	errBase64       = &Error{Err: ErrBase64, Offset: -1, Expected: "strict base64", Status: stBase64}
	errPlain        = &Error{Err: ErrPlain, Offset: -1, Expected: "[authzid] NUL authcid NUL passwd", Status: stPlain}
)

// DecodeSASL appends the decoding of a SASL response, an AUTH initial
// response or a continuation line (ReadAuthResponse), to dst and returns
// the extended slice; it allocates only when dst lacks the capacity. "="
// is the empty response. "*" gives ErrAuthCanceled (501 5.0.0, RFC 4954
// §4) and anything that is not strict, padded base64 ErrBase64 (501
// 5.5.2); on error dst is returned unchanged.
func DecodeSASL(dst, src []byte) ([]byte, error) {
	out, err := sasl.Decode(dst, src)
	switch err {
	case nil:
		return out, nil
	case sasl.ErrCanceled:
		return dst, errAuthCanceled
	}
	return dst, errBase64
}

// Plain is a decoded PLAIN message (RFC 4616). Its fields are views into
// the message given to ParsePlain.
type Plain struct {
	Authzid  []byte // empty: act as Authcid
	Authcid  []byte // the user name
	Password []byte
}

// ParsePlain splits a decoded PLAIN message (DecodeSASL's output),
// "[authzid] NUL authcid NUL passwd": exactly two NULs, authcid and passwd
// not empty, each field valid UTF-8 of at most 255 octets. Anything else is
// ErrPlain (501 5.5.2). It allocates nothing.
func ParsePlain(msg []byte) (Plain, error) {
	p, err := sasl.ParsePlain(msg)
	if err != nil {
		return Plain{}, errPlain
	}
	return Plain{Authzid: p.Authzid, Authcid: p.Authcid, Password: p.Password}, nil
}

// AppendPlainResponse appends the base64 of the PLAIN message for the
// three fields to dst, without a line end: the initial response of "AUTH
// PLAIN <response>" or, with CRLF after it, the answer to an empty 334
// challenge. It refuses with ErrPlain, dst unchanged, what ParsePlain
// would refuse. It allocates only when dst lacks the capacity.
func AppendPlainResponse(dst []byte, authzid, authcid, password string) ([]byte, error) {
	start := len(dst)
	raw := len(authzid) + len(authcid) + len(password) + 2
	enc := base64.StdEncoding.EncodedLen(raw)
	// The message is built just past the room for its encoding and encoded
	// into that room: no scratch buffer, and the two never overlap.
	dst = slices.Grow(dst, enc+raw)[:start+enc]
	msg, err := sasl.AppendPlain(dst, authzid, authcid, password)
	if err != nil {
		return dst[:start], errPlain
	}
	base64.StdEncoding.Encode(msg[start:start+enc], msg[start+enc:])
	return msg[:start+enc], nil
}
