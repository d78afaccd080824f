package headers

// FoldWidth is the line length AppendField folds at where the value has
// white space to fold at (RFC 5322 §2.1.1: 78 octets, CRLF excluded).
const FoldWidth = 78

const crlf = "\r\n"

// AppendField appends the field "name: value" to dst, CRLF-terminated,
// folding at white space so that lines stay within FoldWidth where the value
// allows and within 998 octets always. The value is written as given, UTF-8
// included (RFC 6532); to encode it for 7-bit transport use
// [AppendEncodedField]. White space at its start is written, but a parse
// skips it, as it skips the space after the colon.
//
// A name that is not printable US-ASCII without a colon, or a value holding
// CR, LF or NUL, is refused with ErrInjection: a user's value can never end
// the field or start another. A word that does not fit in 998 octets is
// refused with ErrLineTooLong. On error dst is returned unchanged.
func AppendField[N, V ~string | ~[]byte](dst []byte, name N, value V) ([]byte, error) {
	if !validName(name) {
		return dst, &SyntaxError{Err: ErrInjection, Offset: 0}
	}
	for i := range len(value) {
		if c := value[i]; c == '\r' || c == '\n' || c == 0 {
			return dst, &SyntaxError{Err: ErrInjection, Offset: i}
		}
	}
	orig := len(dst)
	dst = append(dst, name...)
	dst = append(dst, ':')
	if len(value) == 0 {
		return append(dst, crlf...), nil
	}
	dst = append(dst, ' ')
	lineLen := len(name) + 2
	for i := 0; i < len(value); {
		// A segment is a run of white space and the word after it.
		j := i
		for j < len(value) && isWSP(value[j]) {
			j++
		}
		for j < len(value) && !isWSP(value[j]) {
			j++
		}
		seg := value[i:j]
		foldable := i > 0 && isWSP(value[i]) && !isWSP(value[j-1])
		if foldable && lineLen+len(seg) > FoldWidth {
			dst = append(dst, crlf...)
			lineLen = 0
		}
		dst = append(dst, seg...)
		lineLen += len(seg)
		if lineLen > DefaultMaxLineLength {
			return dst[:orig], &SyntaxError{Err: ErrLineTooLong, Offset: j}
		}
		i = j
	}
	return append(dst, crlf...), nil
}

// AppendTo appends the field to dst as it was read, or repaired if it has
// defects: NULs removed, a bare CR written as a space, every line end as
// CRLF, white space before the colon removed. A field without a usable name
// (DefectNoColon, DefectFieldName, DefectLeadingContinuation) is not
// written at all.
func (f Field) AppendTo(dst []byte) []byte {
	if f.Defects == 0 {
		return append(dst, f.Raw...)
	}
	if f.Defects&dropDefects != 0 {
		return dst
	}
	dst = append(dst, f.Name...)
	rest := f.Raw[len(f.Name):]
	for len(rest) > 0 && rest[0] != ':' {
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; c {
		case 0:
		case '\r':
			if i+1 < len(rest) && rest[i+1] == '\n' {
				dst = append(dst, crlf...)
				i++
			} else {
				dst = append(dst, ' ')
			}
		case '\n':
			dst = append(dst, crlf...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
