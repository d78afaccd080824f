package transcript

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplay(t *testing.T) {
	tr := sampleTranscript()
	tests := []struct {
		name  string
		dir   Dir
		size  int // of each Read's buffer
		reads []string
	}{
		{"server chunks", ServerToClient, 64, []string{"220 localhost ESMTP\r\n", "250-localhost\r\n", "250 8BITMIME\r\n"}},
		{"client chunks", ClientToServer, 64, []string{"EHLO a\r\n", "QUIT\r\n"}},
		{"a small buffer splits a chunk, never joins two", ClientToServer, 5, []string{"EHLO ", "a\r\n", "QUIT\r", "\n"}},
		{"no chunk", Dir('X'), 64, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tr.Replay(tt.dir)
			n, err := r.Read(nil)
			require.Zero(t, n)
			if tt.reads == nil {
				require.ErrorIs(t, err, io.EOF)
			} else {
				require.NoError(t, err)
			}
			var reads []string
			buf := make([]byte, tt.size)
			for {
				n, err := r.Read(buf)
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				reads = append(reads, string(buf[:n]))
			}
			assert.Equal(t, tt.reads, reads)
		})
	}
}

func TestSplitsGiveBothStreams(t *testing.T) {
	tr := &Transcript{Chunks: []Chunk{
		{Dir: ServerToClient, Data: []byte("220 hi\r\n")},
		{Dir: ClientToServer, Data: []byte("EHLO a\r\n")},
		{Dir: ServerToClient, Data: []byte("250 ok\r\n")},
	}}
	splits := tr.Splits()
	require.Len(t, splits, 2)
	for _, s := range splits {
		c, err := io.ReadAll(s.Client)
		require.NoError(t, err)
		srv, err := io.ReadAll(s.Server)
		require.NoError(t, err)
		require.Equal(t, "EHLO a\r\n", string(c), s.Name)
		require.Equal(t, "220 hi\r\n250 ok\r\n", string(srv), s.Name)
	}
}

func TestTLSHandshakeAt(t *testing.T) {
	stream := []byte("220 go\r\n\x16\x03\x01\x02")
	require.True(t, TLSHandshakeAt(stream, 8))
	require.False(t, TLSHandshakeAt(stream, 0))
	require.False(t, TLSHandshakeAt(stream, 10), "too short")
	require.False(t, TLSHandshakeAt(stream, -1))
}
