package transcript

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTally(t *testing.T) {
	type counts struct{ n int }
	tally := Tally[counts]{}
	tally.Of("swaks").n += 2
	tally.Of("curl").n++
	tally.Of("swaks").n += 3
	require.Equal(t, []string{"curl", "swaks"}, tally.Peers())
	require.Equal(t, 5, tally.Of("swaks").n)
	require.Equal(t, 1, tally.Of("curl").n)
}
