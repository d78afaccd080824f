package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReaderHolds asserts the bytes a Reader holds: nothing before the
// first read, 4096 for an ordinary session, and no more than the bound for
// a long line, which grows it by doubling only.
func TestReaderHolds(t *testing.T) {
	session := "a1 NOOP\r\na2 SELECT INBOX\r\na3 UID FETCH 1:* (FLAGS)\r\n"
	r := NewReader(strings.NewReader(session), ServerSide, Options{})
	require.Zero(t, r.Size())
	d := NewDecoder(r)
	for range 3 {
		_, err := d.Decode()
		require.NoError(t, err)
	}
	require.Equal(t, 4096, r.Size(), "an idle session after small commands")

	lim := ServerLimits()
	long := "a4 SEARCH " + strings.Repeat("1,", 3000) + "2\r\n"
	r = NewReader(strings.NewReader(session+long), ServerSide, Options{})
	d = NewDecoder(r)
	for range 4 {
		_, err := d.Decode()
		require.NoError(t, err)
	}
	require.Equal(t, 8192, r.Size(), "doubled once, for the 6 KB line")
	require.LessOrEqual(t, r.Size(), 2*(lim.MaxMessage+lim.MaxLine+4))
}
