package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeqSet(t *testing.T) {
	tests := []struct {
		in     string
		ok     bool
		ranges [][2]uint32
	}{
		{"1", true, [][2]uint32{{1, 1}}},
		{"1:*,3,9:5", true, [][2]uint32{{1, 0}, {3, 3}, {9, 5}}},
		{"*", true, [][2]uint32{{0, 0}}},
		{"$", true, nil},
		{"4294967295", true, [][2]uint32{{4294967295, 4294967295}}},
		{"4294967296", false, nil},
		{"0", false, nil},
		{"1:", false, nil},
		{"1,", false, nil},
		{",1", false, nil},
		{"1:2:3", false, nil},
		{"", false, nil},
		{"$,1", false, nil},
	}
	for _, tt := range tests {
		s, ok := ParseSeqSet([]byte(tt.in))
		require.Equal(t, tt.ok, ok, tt.in)
		if !ok {
			continue
		}
		assert.Equal(t, tt.in == "$", s.Saved())
		assert.Equal(t, tt.in, string(s.Bytes()))
		var got [][2]uint32
		it := s.Ranges()
		for it.Next() {
			got = append(got, [2]uint32{it.Lo, it.Hi})
		}
		assert.Equal(t, tt.ranges, got, tt.in)
	}
}

func TestReaderSeqSet(t *testing.T) {
	r := line(t, ServerSide, "2:4,7 x\r\n", Quirks{})
	s, err := r.SeqSet()
	require.NoError(t, err)
	assert.Equal(t, "2:4,7", string(s.Bytes()))
	require.NoError(t, r.SP())
	_, err = r.SeqSet()
	require.ErrorIs(t, err, ErrSyntax)
}
