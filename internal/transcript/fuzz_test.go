package transcript

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitReader returns its data in reads of the sizes listed in splits (each
// byte is a size from 1 to 256), then in reads of the rest.
type splitReader struct {
	data   []byte
	splits []byte
}

func (r *splitReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := len(r.data)
	if len(r.splits) > 0 {
		n = min(n, int(r.splits[0])+1)
		r.splits = r.splits[1:]
	}
	n = copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// chunksFrom cuts data into chunks whose sizes and directions come from
// plan: each byte's low 7 bits plus one is a size, its high bit the side.
func chunksFrom(data, plan []byte) []Chunk {
	var chunks []Chunk
	for i := 0; len(data) > 0; i++ {
		n, d := len(data), ClientToServer
		if i < len(plan) {
			n = min(n, int(plan[i]&0x7f)+1)
			if plan[i]&0x80 != 0 {
				d = ServerToClient
			}
		}
		chunks = append(chunks, Chunk{Dir: d, Data: data[:n]})
		data = data[n:]
	}
	return chunks
}

// seedFiles returns the committed transcripts that are small enough to be
// useful fuzz seeds.
func seedFiles(f *testing.F) [][]byte {
	dir, err := CommittedDir()
	require.NoError(f, err)
	files, err := Files(dir)
	if err != nil {
		return nil
	}
	var seeds [][]byte
	for _, name := range files {
		tr, err := Load(name)
		require.NoError(f, err)
		file, err := tr.Append(nil)
		require.NoError(f, err)
		if len(file) <= 64<<10 {
			seeds = append(seeds, file)
		}
	}
	return seeds
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("smtp", "Postfix 3.7.11", "swaks", int64(1795456800), "n",
		[]byte("220 x\r\nEHLO a\r\n250 x\r\n"), []byte{0x86, 7, 0x86}, []byte{3, 0, 200})
	f.Add("imap", "", "", int64(0), "", []byte("\x00\n\r\n"), []byte{}, []byte{0})
	f.Add("pop3", "a\nb", "\xff", int64(-1), "x", []byte("+OK\r\n"), []byte{0x80}, []byte{})
	f.Fuzz(func(t *testing.T, protocol, server, client string, unix int64, note string, data, plan, splits []byte) {
		h := Header{Protocol: protocol, Server: server, Client: client,
			Date: time.Unix(unix%253402300799, 0).UTC(), Recorder: "fuzz", Note: note}
		want := &Transcript{Header: h, Chunks: chunksFrom(data, plan)}
		file, err := want.Append(nil)
		if err != nil {
			require.ErrorIs(t, err, ErrBadHeaderValue)
			return
		}
		got, err := Parse(&splitReader{data: file, splits: splits}, Options{})
		require.NoError(t, err)
		assert.True(t, h.Date.Equal(got.Date))
		got.Date = h.Date
		require.Equal(t, want.Header, got.Header)
		require.Equal(t, len(want.Chunks), len(got.Chunks))
		for i := range want.Chunks {
			require.Equal(t, want.Chunks[i], got.Chunks[i])
		}
		for _, d := range []Dir{ClientToServer, ServerToClient} {
			var stream []byte
			var sizes []int
			for _, c := range want.Chunks {
				if c.Dir == d {
					stream = append(stream, c.Data...)
					sizes = append(sizes, len(c.Data))
				}
			}
			require.Equal(t, stream, got.Bytes(d)[:len(stream):len(stream)])
			require.Len(t, got.Bytes(d), len(stream))
			require.Equal(t, sizes, got.Sizes(d))
		}
	})
}

func FuzzReader(f *testing.F) {
	sample, err := sampleTranscript().Append(nil)
	require.NoError(f, err)
	f.Add(sample, []byte{1, 2, 3})
	f.Add([]byte(sampleHeaderText+"C 3\nabc"), []byte{})
	f.Add([]byte(sampleHeaderText+"C 01\na\n"), []byte{})
	for _, seed := range seedFiles(f) {
		f.Add(seed, []byte{})
	}
	f.Fuzz(func(t *testing.T, file, splits []byte) {
		const limit = 4096
		whole, err := Parse(bytes.NewReader(file), Options{MaxChunk: limit})
		split, splitErr := Parse(&splitReader{data: file, splits: splits}, Options{MaxChunk: limit})
		require.Equal(t, err == nil, splitErr == nil, "the same bytes in other reads give the same outcome")
		if err != nil {
			return
		}
		require.Equal(t, whole, split)
		for _, c := range whole.Chunks {
			require.LessOrEqual(t, len(c.Data), limit)
		}
		again, err := whole.Append(nil)
		require.NoError(t, err)
		require.Equal(t, file, again, "the format has one spelling")
	})
}
