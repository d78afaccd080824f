package headers

import (
	"errors"
	"fmt"
	"io"
	"mime"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// wordDecoder decodes RFC 2047 encoded words in any charset golang.org/x/text
// knows: ISO-8859-x, Windows-125x, KOI8-R, GB18030, Shift_JIS, EUC-KR, …
var wordDecoder = mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, err := ianaindex.MIME.Encoding(charset)
	if err != nil || enc == nil {
		if enc, err = htmlindex.Get(charset); err != nil {
			return nil, fmt.Errorf("%w: unknown charset %q", ErrEncodedWord, charset)
		}
	}
	if enc == encoding.Replacement {
		return nil, fmt.Errorf("%w: charset %q is not decoded", ErrEncodedWord, charset)
	}
	return enc.NewDecoder().Reader(input), nil
}

// AppendDecoded appends value unfolded, with its RFC 2047 encoded words
// decoded to UTF-8, to dst. This path allocates (mime.WordDecoder works on
// strings); the parser and sanitizer never take it.
//
// The result is text to show or compare. Decoding can produce any
// character, CR and LF included (=?utf-8?q?a=0D=0ABcc:_x?=), so it must
// go back into a header only through [AppendField], which refuses them.
// Parse an address field's structure before decoding its words.
func AppendDecoded(dst, value []byte) ([]byte, error) {
	s, err := wordDecoder.DecodeHeader(string(AppendUnfold(nil, value)))
	if err != nil {
		if errors.Is(err, ErrEncodedWord) {
			return dst, err
		}
		return dst, fmt.Errorf("%w: %v", ErrEncodedWord, err)
	}
	return append(dst, s...), nil
}

// AppendEncodedField is [AppendField] for 7-bit transport: a value with
// bytes outside printable US-ASCII is written as RFC 2047 Q-encoded UTF-8
// words of at most 75 octets, folded between words. value must be UTF-8;
// CR, LF and NUL are refused with ErrInjection as AppendField refuses them.
// This path allocates (mime.WordEncoder works on strings).
func AppendEncodedField(dst []byte, name, value string) ([]byte, error) {
	for i := range len(value) {
		if c := value[i]; c == '\r' || c == '\n' || c == 0 {
			return dst, &SyntaxError{Err: ErrInjection, Offset: i}
		}
	}
	return AppendField(dst, name, mime.QEncoding.Encode("utf-8", value))
}
