package headers

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadBlock(t *testing.T) {
	tests := []struct {
		name, in, block, extra string
	}{
		{"message", "A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n\r\n", "body\r\n"},
		{"empty header", "\r\nbody", "\r\n", "body"},
		{"bare LF blank", "A: 1\n\nbody", "A: 1\n\n", "body"},
		{"header only", "A: 1\r\n", "A: 1\r\n", ""},
		{"empty input", "", "", ""},
		{"CR CR LF is not blank", "A: 1\r\n\r\r\n\r\nx", "A: 1\r\n\r\r\n\r\n", "x"},
		{"folded", "A: 1\r\n 2\r\n\r\n", "A: 1\r\n 2\r\n\r\n", ""},
	}
	for _, tt := range tests {
		for _, sizes := range [][]int{nil, {1}, {2, 3}, {1000}} {
			t.Run(tt.name, func(t *testing.T) {
				buf := make([]byte, 64)
				block, extra, err := ReadBlock(chunked.NewReader([]byte(tt.in), sizes...), buf)
				require.NoError(t, err)
				assert.Equal(t, tt.block, string(block))
				assert.True(t, strings.HasPrefix(tt.in[len(block):], string(extra)))
				if len(sizes) == 1 && sizes[0] == 1000 {
					assert.Equal(t, tt.extra, string(extra), "one read holds it all")
				}
			})
		}
	}
}

func TestReadBlockErrors(t *testing.T) {
	_, _, err := ReadBlock(strings.NewReader("A: 1\r\nB: 2\r\n\r\n"), make([]byte, 10))
	assert.ErrorIs(t, err, ErrHeaderTooLarge)
	_, _, err = ReadBlock(strings.NewReader("A: 1\r\nB: 2"), make([]byte, 64))
	assert.ErrorIs(t, err, ErrTruncated)
	_, _, err = ReadBlock(io.MultiReader(strings.NewReader("A: 1\r\n"), errReader{}), make([]byte, 64))
	assert.ErrorIs(t, err, errBroken)
	_, _, err = ReadBlock(emptyReader{}, make([]byte, 64))
	assert.ErrorIs(t, err, io.ErrNoProgress)
}

var errBroken = errors.New("broken")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReadBlockAgreesWithScanner(t *testing.T) {
	for _, name := range fixtureNames(t) {
		msg := readFixture(t, name)
		block, _, err := ReadBlock(chunked.NewReader(msg, 7), make([]byte, 8192))
		require.NoError(t, err)
		s := NewScanner(msg, Options{})
		for s.Next() {
		}
		require.NoError(t, s.Err())
		assert.Equal(t, s.HeaderLen(), len(block), name)
	}
}

func TestReadBlockAllocs(t *testing.T) {
	msg := readFixture(t, "outlook.eml")
	buf := make([]byte, 4096)
	r := bytes.NewReader(msg)
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(msg)
		if _, _, err := ReadBlock(r, buf); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
