package chunked

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReaderCyclesSizes(t *testing.T) {
	r := NewReader([]byte("abcdefghij"), 1, 3, 0)
	var got []string
	buf := make([]byte, 8)
	for {
		n, err := r.Read(buf)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, string(buf[:n]))
	}
	require.Equal(t, []string{"a", "bcd", "e", "f", "ghi", "j"}, got)
}

func TestReaderOneByteByDefault(t *testing.T) {
	all, err := io.ReadAll(NewReader([]byte("xyz")))
	require.NoError(t, err)
	require.Equal(t, "xyz", string(all))
	n, err := NewReader([]byte("a"), 5).Read(make([]byte, 1))
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestSizesFrom(t *testing.T) {
	require.Equal(t, []int{1, 256, 8}, SizesFrom([]byte{0, 255, 7}))
}

func TestLoopWrapsAround(t *testing.T) {
	l := NewLoop([]byte("abc"))
	p := make([]byte, 2)
	var got []byte
	for range 4 {
		n, err := l.Read(p)
		require.NoError(t, err)
		got = append(got, p[:n]...)
	}
	require.Equal(t, "abcabc", string(got), "a read stops at the end of the data")
}
