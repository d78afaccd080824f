package transcript

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDir(t *testing.T) {
	tests := []struct {
		dir   Dir
		name  string
		valid bool
	}{
		{ClientToServer, "C>S", true},
		{ServerToClient, "S>C", true},
		{Dir('X'), "Dir(88)", false},
		{Dir(0), "Dir(0)", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, tt.dir.String())
		assert.Equal(t, tt.valid, tt.dir.Valid(), tt.name)
	}
}

func TestAppendChunk(t *testing.T) {
	tests := []struct {
		name string
		dir  Dir
		data string
		want string
	}{
		{"client line", ClientToServer, "EHLO x\r\n", "C 8\nEHLO x\r\n\n"},
		{"server binary", ServerToClient, "\x00\n\xff", "S 3\n\x00\n\xff\n"},
		{"empty is not written", ClientToServer, "", ""},
		{"invalid dir is not written", Dir('X'), "abc", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendChunk([]byte("pre"), tt.dir, []byte(tt.data))
			assert.Equal(t, "pre"+tt.want, string(got))
		})
	}
}

func TestAppendChunkAllocs(t *testing.T) {
	data := []byte("A1 FETCH 1:* (FLAGS)\r\n")
	dst := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		dst = AppendChunk(dst[:0], ClientToServer, data)
	})
	require.Zero(t, allocs)
}

func BenchmarkAppendChunk(b *testing.B) {
	data := make([]byte, 4096)
	dst := make([]byte, 0, 8192)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		dst = AppendChunk(dst[:0], ServerToClient, data)
	}
}
