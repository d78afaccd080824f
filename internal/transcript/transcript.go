package transcript

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

// Transcript is a whole recorded session held in memory.
type Transcript struct {
	Header
	Path   string  // the file it was loaded from; empty when parsed from a reader
	Chunks []Chunk // in the order the relay read them; each Data is its own copy
}

// Load reads the transcript file at path, decompressing it when the name
// ends in ".gz". Chunks over DefaultMaxChunk are refused.
func Load(path string) (*Transcript, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var src io.Reader = bufio.NewReader(f)
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		src = zr
	}
	t, err := Parse(src, Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

// Parse reads a whole transcript from r.
func Parse(r io.Reader, opts Options) (*Transcript, error) {
	rd, err := NewReader(r, opts)
	if err != nil {
		return nil, err
	}
	t := &Transcript{Header: rd.Header()}
	for {
		d, data, err := rd.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		t.Chunks = append(t.Chunks, Chunk{Dir: d, Data: append([]byte(nil), data...)})
	}
}

// Bytes returns the concatenation of the chunks sent in direction d: the
// whole byte stream one side received. It is a new slice.
func (t *Transcript) Bytes(d Dir) []byte {
	var out []byte
	for _, c := range t.Chunks {
		if c.Dir == d {
			out = append(out, c.Data...)
		}
	}
	return out
}

// Sizes returns the sizes of the chunks sent in direction d, in order: the
// reads a replay needs to split Bytes(d) exactly as the peer's writes
// arrived.
func (t *Transcript) Sizes(d Dir) []int {
	var out []int
	for _, c := range t.Chunks {
		if c.Dir == d {
			out = append(out, len(c.Data))
		}
	}
	return out
}

// Append appends the file form of t to dst. It fails like AppendHeader.
// Empty chunks and chunks with an invalid Dir are not representable and are
// left out.
func (t *Transcript) Append(dst []byte) ([]byte, error) {
	dst, err := AppendHeader(dst, t.Header)
	if err != nil {
		return dst, err
	}
	for _, c := range t.Chunks {
		dst = AppendChunk(dst, c.Dir, c.Data)
	}
	return dst, nil
}

// String names the transcript for test logs: its path, or its peers.
func (t *Transcript) String() string {
	if t.Path != "" {
		return t.Path
	}
	return t.Protocol + " " + t.Client + " -> " + t.Server
}
