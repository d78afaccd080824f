package headers

import (
	"bytes"
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
// decoded to UTF-8, to dst, and returns the extended slice; on error it
// returns dst as given.
//
// A value without an encoded word (the first "=?" that opens one, as
// mime.WordDecoder reads them: "=?charset?X?text?=") is unfolded into dst
// as [AppendUnfold] does, and nothing is allocated unless dst lacks the
// capacity. A value with one goes through mime.WordDecoder, which works on
// strings: that path allocates a string copy of the unfolded value, the
// decoded text, and, for a charset other than UTF-8, US-ASCII or
// ISO-8859-1, a golang.org/x/text decoder. The parser and the sanitizer
// never take it.
//
// The result is text to show or compare. Decoding can produce any
// character, CR and LF included (=?utf-8?q?a=0D=0ABcc:_x?=), so it must
// go back into a header only through [AppendField], which refuses them.
// Parse an address field's structure before decoding its words.
func AppendDecoded(dst, value []byte) ([]byte, error) {
	orig := len(dst)
	dst = AppendUnfold(dst, value)
	if !hasEncodedWord(dst[orig:]) {
		return dst, nil
	}
	s, err := wordDecoder.DecodeHeader(string(dst[orig:]))
	if err != nil {
		if errors.Is(err, ErrEncodedWord) {
			return dst[:orig], err
		}
		return dst[:orig], fmt.Errorf("%w: %v", ErrEncodedWord, err)
	}
	return append(dst[:orig], s...), nil
}

// hasEncodedWord reports whether mime.WordDecoder.DecodeHeader would find
// an encoded word in v: it gives up at the first "=?" that does not open
// "charset?X?text?=" and then returns its input unchanged, so only that
// first "=?" matters.
func hasEncodedWord(v []byte) bool {
	i := bytes.Index(v, []byte("=?"))
	if i < 0 {
		return false
	}
	v = v[i+2:]
	q := bytes.IndexByte(v, '?')
	if q < 0 || len(v) < q+1+len("Q??=") {
		return false
	}
	v = v[q+1:] // the encoding letter, then "?"
	return v[1] == '?' && bytes.Contains(v[2:], []byte("?="))
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
