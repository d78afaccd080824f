package mime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSource(t *testing.T) {
	msg := []byte(strings.Repeat("0123456789", 1000) + "\r\nend")
	var s Source
	s.ResetReaderAt(bytes.NewReader(msg), int64(len(msg)))
	assert.Equal(t, int64(len(msg)), s.Size())
	assert.Nil(t, s.Bytes())
	end, next, lf := s.line(0)
	assert.Equal(t, [3]any{int64(10000), int64(10002), true}, [3]any{end, next, lf}, "a line longer than the window")
	assert.Equal(t, byte('e'), s.at(next))
	end, next, lf = s.line(next)
	assert.Equal(t, [3]any{int64(len(msg)), int64(len(msg)), false}, [3]any{end, next, lf})
	var scratch []byte
	b, err := s.Read(10002, int64(len(msg)), &scratch, 10)
	require.NoError(t, err)
	assert.Equal(t, "end", string(b))
	_, err = s.Read(0, 100, &scratch, 10)
	require.ErrorIs(t, err, ErrFieldTooLong)
	_, err = s.Read(0, int64(len(msg))+1, &scratch, 1<<20)
	require.ErrorIs(t, err, ErrRange)

	s.ResetReaderAt(bytes.NewReader(msg[:100]), int64(len(msg)))
	s.line(0)
	require.ErrorIs(t, s.Err(), ErrShortSource)
	_, err = s.Read(50, 200, &scratch, 1<<20)
	require.ErrorIs(t, err, ErrShortSource)

	s.ResetBytes(msg)
	assert.Equal(t, msg, s.Bytes())
	b, err = s.Read(0, 10, &scratch, 1)
	require.NoError(t, err, "in memory nothing is copied, so no limit applies")
	assert.Equal(t, "0123456789", string(b))
}
