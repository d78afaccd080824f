package headers

// Field is one header field as read. Its slices are views into the input of
// the [Scanner] that returned it, valid as long as that input is.
type Field struct {
	// Raw is the field exactly as read: every line with its line end.
	Raw []byte
	// Name is the field name as written, without white space before the
	// colon. It is empty for a field with DefectNoColon, DefectFieldName
	// or DefectLeadingContinuation.
	Name []byte
	// Value is what follows the colon, leading white space and folds
	// skipped, the final line end excluded. Inner folds are kept: see
	// [AppendUnfold].
	Value []byte
	// Offset is the position of Raw in the input.
	Offset int
	// Defects are the faults the parser accepted under Options.Repair.
	Defects Defect
}

// Is reports whether the field's name is name, ignoring ASCII case.
func (f Field) Is(name string) bool { return EqualFold(f.Name, name) }

// EqualFold reports whether a and b are equal ignoring ASCII case. It does
// not allocate; unlike strings.EqualFold it folds no non-ASCII letter, as
// field names are ASCII.
func EqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// AppendUnfold appends value to dst with every fold (a CRLF, or a lone LF,
// before white space) removed, as RFC 5322 §2.2.3 unfolds. The white space
// stays.
func AppendUnfold(dst, value []byte) []byte {
	for len(value) > 0 {
		i := indexLF(value)
		if i < 0 {
			return append(dst, value...)
		}
		end := i
		if end > 0 && value[end-1] == '\r' {
			end--
		}
		dst = append(dst, value[:end]...)
		value = value[i+1:]
	}
	return dst
}
