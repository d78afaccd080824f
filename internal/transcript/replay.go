package transcript

import (
	"bytes"
	"io"
	"testing/iotest"
)

// Replay returns a reader of the bytes sent in direction d that never
// returns more than one chunk per Read: each Read gets the rest of the
// current chunk, or as much of it as fits. A parser reading it sees its
// input split as the real peer's writes arrived.
func (t *Transcript) Replay(d Dir) io.Reader {
	return &chunkReplay{chunks: t.Chunks, dir: d}
}

type chunkReplay struct {
	chunks []Chunk
	dir    Dir
	rest   []byte // unread part of the current chunk
}

func (r *chunkReplay) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		if len(r.chunks) == 0 {
			return 0, io.EOF
		}
		if r.chunks[0].Dir == r.dir {
			r.rest = r.chunks[0].Data
		}
		r.chunks = r.chunks[1:]
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// Split is one way of handing a transcript's two streams to parsers.
type Split struct {
	Name           string
	Client, Server io.Reader
}

// Splits returns fresh readers of t's two streams, split the two ways replay
// tests read them: as the peers' writes arrived ("peer-chunks") and one
// octet at a time ("one-byte"). Neither reads past what a peer had sent
// when it stopped to wait, so nothing after a TLS go-ahead is read ahead.
func (t *Transcript) Splits() []Split {
	oneByte := func(d Dir) io.Reader { return iotest.OneByteReader(bytes.NewReader(t.Bytes(d))) }
	return []Split{
		{Name: "peer-chunks", Client: t.Replay(ClientToServer), Server: t.Replay(ServerToClient)},
		{Name: "one-byte", Client: oneByte(ClientToServer), Server: oneByte(ServerToClient)},
	}
}

// TLSHandshakeAt reports whether stream goes on at off with a TLS
// handshake record (content type 22, version major 3), as it must right
// after a STARTTLS go-ahead.
func TLSHandshakeAt(stream []byte, off int) bool {
	return off >= 0 && len(stream) > off+2 && stream[off] == 0x16 && stream[off+1] == 0x03
}
