package pop3

import "encoding/base64"

// b64 decodes strictly: no padding bits set, no line breaks tolerated.
var b64 = base64.StdEncoding.Strict()

// DecodeSASL decodes one piece of SASL data (RFC 5034 §4) into dst, from
// its start, and returns dst[:n]: an AUTH initial response ("=" is the
// empty one), a client's continuation line, or the text of a server's "+ "
// challenge. "*" gives ErrAuthCanceled; data that is not strict base64,
// ErrBase64; data that would not fit in len(dst), ErrAuthTooLong. Nothing
// is allocated: dst is the bound.
func DecodeSASL(dst, src []byte) ([]byte, error) {
	switch string(src) {
	case "=":
		return dst[:0], nil
	case "*":
		return nil, syntaxError(ErrAuthCanceled, 0, "")
	}
	if len(src)%4 != 0 || indexControl(src) >= 0 {
		return nil, syntaxError(ErrBase64, 0, "base64")
	}
	size := len(src) / 4 * 3
	for i := len(src) - 1; i >= len(src)-2 && i >= 0 && src[i] == '='; i-- {
		size--
	}
	if size > len(dst) {
		return nil, syntaxError(ErrAuthTooLong, 0, "")
	}
	n, err := b64.Decode(dst[:min(len(dst), len(src)/4*3)], src)
	if err != nil {
		return nil, syntaxError(ErrBase64, 0, "base64")
	}
	return dst[:n], nil
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
