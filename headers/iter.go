package headers

import "iter"

// Fields returns an iterator over the fields of msg's header block, in
// order. A parse error is yielded last, with a zero Field. The fields are
// views into msg, as [Scanner] returns them.
func Fields(msg []byte, opt Options) iter.Seq2[Field, error] {
	return func(yield func(Field, error) bool) {
		s := NewScanner(msg, opt)
		for s.Next() {
			if !yield(s.field, nil) {
				return
			}
		}
		if s.err != nil {
			yield(Field{}, s.err)
		}
	}
}
