package transcript

import "strconv"

// Dir is the direction of a chunk.
type Dir byte

// The two directions, spelled as in the file.
const (
	ClientToServer Dir = 'C'
	ServerToClient Dir = 'S'
)

// String returns "C>S" or "S>C", or "Dir(n)" for an invalid direction.
func (d Dir) String() string {
	switch d {
	case ClientToServer:
		return "C>S"
	case ServerToClient:
		return "S>C"
	}
	return "Dir(" + strconv.Itoa(int(d)) + ")"
}

// Valid reports whether d is one of the two directions.
func (d Dir) Valid() bool { return d == ClientToServer || d == ServerToClient }

// Chunk is the bytes of one read on one side of the relay.
type Chunk struct {
	Dir  Dir
	Data []byte
}

// AppendChunk appends the file form of one chunk to dst. It returns dst
// unchanged when data is empty or d is not Valid, since the format holds
// neither.
func AppendChunk(dst []byte, d Dir, data []byte) []byte {
	if len(data) == 0 || !d.Valid() {
		return dst
	}
	dst = append(dst, byte(d), ' ')
	dst = strconv.AppendInt(dst, int64(len(data)), 10)
	dst = append(dst, '\n')
	dst = append(dst, data...)
	return append(dst, '\n')
}
