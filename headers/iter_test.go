package headers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFieldsIterator(t *testing.T) {
	var names []string
	for f, err := range Fields([]byte("A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), Options{}) {
		require.NoError(t, err)
		names = append(names, string(f.Name))
		if f.Is("b") {
			break
		}
	}
	assert.Equal(t, []string{"A", "B"}, names)

	var last error
	for _, err := range Fields([]byte("A: 1\r\nB\r\n"), Options{}) {
		last = err
	}
	assert.ErrorIs(t, last, ErrNoColon)
}

func TestFieldsAllocs(t *testing.T) {
	msg := readFixture(t, "outlook.eml")
	allocs := testing.AllocsPerRun(100, func() {
		for f, err := range Fields(msg, Options{}) {
			if err != nil || len(f.Raw) == 0 {
				t.Fail()
			}
		}
	})
	assert.Zero(t, allocs)
}
