package transcript

import (
	"errors"
	"fmt"
)

// Errors returned when reading a transcript. Each one is fatal for the
// Reader that returned it.
var (
	// ErrFormat: the bytes are not a transcript; a *SyntaxError says where.
	ErrFormat = errors.New("transcript: bad format")
	// ErrChunkTooLarge: a chunk announced more bytes than Options.MaxChunk.
	ErrChunkTooLarge = errors.New("transcript: chunk too large")
	// ErrBadHeaderValue: a header value to write holds a control byte, is
	// not UTF-8, makes its line too long to read back, or its date's year
	// is outside 0000-9999.
	ErrBadHeaderValue = errors.New("transcript: bad header value")
)

// SyntaxError locates a format error in the transcript bytes.
type SyntaxError struct {
	Offset   int64  // byte offset of the offending line from the start of the file
	Expected string // what the reader expected there
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("transcript: offset %d: expected %s", e.Offset, e.Expected)
}

// Unwrap makes errors.Is(err, ErrFormat) true.
func (e *SyntaxError) Unwrap() error { return ErrFormat }
