package pop3

import (
	"encoding/base64"

	"github.com/mailwire/mailwire/internal/sasl"
)

// b64 encodes AUTH data; decoding goes through internal/sasl.
var b64 = base64.StdEncoding.Strict()

// The errors of an AUTH exchange that ends normally (the client cancels, or
// sends bad base64) are fixed values, so that those paths do not allocate.
var (
	errAuthCanceled = syntaxError(ErrAuthCanceled, 0, "")
	errBase64       = syntaxError(ErrBase64, 0, "base64")
	errPlain        = syntaxError(ErrPlain, -1, "authzid NUL authcid NUL password")
)

// DecodeSASL appends the decoded form of one piece of SASL data (RFC 5034
// §4) to dst and returns the extended slice: an AUTH initial response ("="
// is the empty one), a client's continuation line, or the text of a
// server's "+ " challenge. "*" gives ErrAuthCanceled; data that is not
// strict base64 (padded, canonical, no CR, LF or space), ErrBase64; on
// error dst is returned as given. It allocates only when dst lacks the
// capacity: the decoded data is at most 3/4 of len(src), so the bound is
// the line limit src was read under.
func DecodeSASL(dst, src []byte) ([]byte, error) {
	out, err := sasl.Decode(dst, src)
	switch err {
	case nil:
		return out, nil
	case sasl.ErrCanceled:
		return dst, errAuthCanceled
	default:
		return dst, errBase64
	}
}

// Plain is a decoded SASL PLAIN message (RFC 4616): views into the message
// passed to ParsePlain.
type Plain struct {
	Authzid  []byte // the identity to act as; empty: act as Authcid
	Authcid  []byte // the user name
	Password []byte
}

// ParsePlain splits a decoded PLAIN message, "[authzid] NUL authcid NUL
// password" (decode it first with DecodeSASL), and checks it as RFC 4616
// §2 says: exactly two NULs, a non-empty authcid and password, every field
// valid UTF-8 of at most 255 octets. A message that breaks a rule gives an
// error matching ErrPlain, for which ReplyOf gives "-ERR [AUTH] ...". It
// does not allocate.
func ParsePlain(msg []byte) (Plain, error) {
	p, err := sasl.ParsePlain(msg)
	if err != nil {
		return Plain{}, errPlain
	}
	return Plain{Authzid: p.Authzid, Authcid: p.Authcid, Password: p.Password}, nil
}

// maxPlain is the longest PLAIN message: three fields of sasl.MaxPlainField
// octets and two NULs.
const maxPlain = 3*sasl.MaxPlainField + 2

// AppendPlainResponse appends a client's PLAIN response, the message
// base64-encoded, to dst: the initial response of "AUTH PLAIN <response>"
// or, with CRLF after it, the answer to an empty "+ " challenge. authzid
// may be empty. Fields ParsePlain would refuse give an error matching
// ErrPlain, with dst returned as given. It allocates only when dst lacks
// the capacity.
func AppendPlainResponse(dst []byte, authzid, authcid, password string) ([]byte, error) {
	if len(authzid) > sasl.MaxPlainField || len(authcid) > sasl.MaxPlainField || len(password) > sasl.MaxPlainField {
		return dst, errPlain
	}
	var buf [maxPlain]byte
	msg, err := sasl.AppendPlain(buf[:0], authzid, authcid, password)
	if err != nil {
		return dst, errPlain
	}
	return b64.AppendEncode(dst, msg), nil
}

// AppendSASL appends data base64-encoded, as an AUTH initial response:
// "=" when data is empty (RFC 5034 §4). For a continuation line, where
// empty data is an empty line, use AppendAuthResponse.
func AppendSASL(dst, data []byte) []byte {
	if len(data) == 0 {
		return append(dst, '=')
	}
	return b64.AppendEncode(dst, data)
}

// AppendAuthResponse appends a client's answer to a "+ " challenge: data
// base64-encoded and CRLF. AppendAuthCancel cancels instead.
func AppendAuthResponse(dst, data []byte) []byte {
	return append(b64.AppendEncode(dst, data), '\r', '\n')
}

// AppendAuthCancel appends "*" CRLF, which cancels an AUTH exchange.
func AppendAuthCancel(dst []byte) []byte { return append(dst, '*', '\r', '\n') }

// AppendChallenge appends a server's SASL challenge: "+ ", data
// base64-encoded, CRLF (RFC 5034 §4).
func AppendChallenge(dst, data []byte) []byte {
	dst = append(dst, '+', ' ')
	return append(b64.AppendEncode(dst, data), '\r', '\n')
}
