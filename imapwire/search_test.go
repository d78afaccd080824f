package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSearchNesting(t *testing.T) {
	r := NewReaderString("a SEARCH OR (NOT SEEN DELETED) (OR ANSWERED 1:3) LARGER 5\r\n")
	_, err := r.ReadCommand()
	require.NoError(t, err)
	_, err = r.SearchOptions()
	require.NoError(t, err)
	var got []SearchKeyID
	var depths []int
	for {
		k, ok, err := r.NextSearchKey()
		require.NoError(t, err)
		if !ok {
			break
		}
		got = append(got, k.Key)
		depths = append(depths, k.Depth)
	}
	assert.Equal(t, []SearchKeyID{SearchOr, SearchOpen, SearchNot, SearchSeen, SearchDeleted, SearchOpen,
		SearchOr, SearchAnswered, SearchSeqSet, SearchLarger}, got)
	assert.Equal(t, []int{0, 1, 2, 3, 2, 1, 2, 3, 3, 0}, depths)
}

func TestSearchDates(t *testing.T) {
	for d, ok := range map[string]bool{"1-Feb-1994": true, "01-feb-1994": true, "1-Feb-94": false,
		"123-Feb-1994": false, "1-Fev-1994": false, "1-Feb-1994x": false, "31-Apr-2026": false} {
		assert.Equal(t, ok, validDate([]byte(d)), d)
	}
	for d, ok := range map[string]bool{" 7-Feb-1994 21:52:25 -0800": true, "17-Feb-1994 21:52:25 +0100": true,
		"7-Feb-1994 21:52:25 -0800": false, "17-Feb-1994 21:52:25 0100": false, "17-Feb-1994 21-52-25 +0100": false} {
		assert.Equal(t, ok, validDateTime([]byte(d)), d)
	}
}

// NewReaderString is a server Reader of s, for tests.
func NewReaderString(s string) *Reader {
	return NewReader(stringsReader(s), ServerSide, Options{})
}
