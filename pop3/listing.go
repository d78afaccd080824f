package pop3

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Scan is one scan listing (RFC 1939 §5, LIST): a message and its size in
// octets.
type Scan struct {
	Msg  int
	Size int64
	// Raw is the line it was parsed from, without CRLF (for a
	// ResponseReader: dot-unstuffed, a view valid until the next read), for
	// logging and for what a server adds after the size. Writers ignore it.
	Raw []byte
}

// UID is one unique-id listing (RFC 1939 §7, UIDL). ID is a view into the
// line it was parsed from.
type UID struct {
	Msg int
	ID  []byte
	// Raw is the line, as for Scan.
	Raw []byte
}

// MaxUIDLen is the longest unique-id, in octets (RFC 1939 §7).
const MaxUIDLen = 70

// ParseStat parses the text of a STAT response, "count size" (RFC 1939
// §5). Whatever follows the size after a space is ignored, as the RFC
// allows servers to add it. Errors match ErrResponse.
func ParseStat(text []byte) (count int, size int64, err error) {
	n, rest, ok := leadingDecimal(text, MaxMessageNumber)
	if !ok || !startsWithSpace(rest) {
		return 0, 0, clientError(ErrResponse, 0, "a message count and a space", false)
	}
	size, err = parseSize(rest[1:], len(text)-len(rest)+1)
	return int(n), size, err
}

// ParseScan parses a scan listing, "msg size": a line of a LIST listing
// or the text of a LIST msg response. Whatever follows the size after a
// space is ignored (RFC 1939 §5); Raw is line, also on error. Errors match
// ErrResponse.
func ParseScan(line []byte) (Scan, error) {
	msg, rest, err := leadingMessage(line)
	if err != nil {
		return Scan{Raw: line}, err
	}
	size, err := parseSize(rest, len(line)-len(rest))
	if err != nil {
		return Scan{Raw: line}, err
	}
	return Scan{Msg: msg, Size: size, Raw: line}, nil
}

// ParseUID parses a unique-id listing, "msg id": a line of a UIDL listing
// or the text of a UIDL msg response. The id is 1 to 70 octets from 0x21
// to 0x7E (RFC 1939 §7); Raw is line, also on error. Errors match
// ErrResponse.
func ParseUID(line []byte) (UID, error) {
	msg, id, err := leadingMessage(line)
	if err != nil {
		return UID{Raw: line}, err
	}
	if !ValidUID(id) {
		return UID{Raw: line}, clientError(ErrResponse, len(line)-len(id), "a unique-id of 1 to 70 printable octets", false)
	}
	return UID{Msg: msg, ID: id, Raw: line}, nil
}

// ValidUID reports whether id is a unique-id: 1 to 70 octets from 0x21 to
// 0x7E.
func ValidUID[T ~string | ~[]byte](id T) bool {
	if len(id) == 0 || len(id) > MaxUIDLen {
		return false
	}
	for i := range len(id) {
		if id[i]-0x21 > 0x7e-0x21 {
			return false
		}
	}
	return true
}

// uidPrefix returns how many octets at the start of b are unique-id
// octets (0x21 to 0x7E), looking at eight at a time.
func uidPrefix(b []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	// p shrinks with i, so that the compiler sees every load in bounds.
	for p := b; len(p) >= 8; p = p[8:] {
		x := binary.LittleEndian.Uint64(p)
		// A high bit marks a byte below 0x21 (the subtraction borrows) or
		// above 0x7E (the addition carries into it); the lowest mark is
		// exact.
		if m := ((x - 0x21*ones) &^ x) | ((x + ones) | x); m&highs != 0 {
			return i + bits.TrailingZeros64(m&highs)/8
		}
		i += 8
	}
	for _, c := range b[i:] {
		if c-0x21 > 0x7e-0x21 {
			break
		}
		i++
	}
	return i
}

// leadingMessage parses the message number and the space that start a
// listing line, and returns the rest.
func leadingMessage(line []byte) (int, []byte, error) {
	n, rest, ok := leadingDecimal(line, MaxMessageNumber)
	if !ok || n == 0 || !startsWithSpace(rest) {
		return 0, nil, clientError(ErrResponse, 0, "a message number and a space", false)
	}
	return int(n), rest[1:], nil
}

func startsWithSpace(b []byte) bool { return len(b) > 0 && b[0] == ' ' }

// parseSize parses the size that starts b, followed by nothing or a
// space.
func parseSize(b []byte, off int) (int64, error) {
	n, rest, ok := leadingDecimal(b, math.MaxInt64)
	if !ok || len(rest) > 0 && rest[0] != ' ' {
		return 0, clientError(ErrResponse, off, "a size in octets", false)
	}
	return int64(n), nil
}
