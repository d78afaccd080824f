package transcript

import "io"

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
