// Package chunked serves bytes in chunks of chosen sizes, so that tests can
// check that a parser gives the same result however its input is split, as a
// network splits it.
package chunked

import "io"

// Reader returns data in chunks whose sizes cycle through a list.
type Reader struct {
	data  []byte
	sizes []int
	next  int
}

// NewReader returns a Reader of data whose successive Reads return at most
// sizes[0], sizes[1], … bytes, cycling through sizes. A size below 1 counts
// as 1; an empty sizes list means one byte at a time.
func NewReader(data []byte, sizes ...int) *Reader {
	return &Reader{data: data, sizes: sizes}
}

// SizesFrom turns arbitrary bytes (a fuzzer's input, say) into chunk sizes
// from 1 to 256.
func SizesFrom(seed []byte) []int {
	sizes := make([]int, len(seed))
	for i, b := range seed {
		sizes[i] = int(b) + 1
	}
	return sizes
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := 1
	if len(r.sizes) > 0 {
		n = max(1, r.sizes[r.next%len(r.sizes)])
		r.next++
	}
	n = copy(p, r.data[:min(n, len(r.data))])
	r.data = r.data[n:]
	return n, nil
}

// Loop serves the same bytes forever, for steady-state allocation tests and
// benchmarks that read a stream without end.
type Loop struct {
	data []byte
	off  int
}

// NewLoop returns a Loop of data; data must not be empty.
func NewLoop(data []byte) *Loop { return &Loop{data: data} }

// Read implements io.Reader; it never returns an error.
func (l *Loop) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}
