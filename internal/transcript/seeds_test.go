package transcript

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeedsComeFromRealSessions(t *testing.T) {
	for _, proto := range []string{"smtp", "pop3", "imap"} {
		seeds, err := Seeds(proto, ClientToServer, 512)
		require.NoError(t, err)
		require.NotEmpty(t, seeds, proto)
		for _, s := range seeds {
			require.LessOrEqual(t, len(s), 512)
			require.True(t, bytes.HasSuffix(s, []byte("\r\n")), "%s seed %q ends at a line end", proto, s)
		}
		lines, err := SeedLines(proto, ServerToClient, 4096)
		require.NoError(t, err)
		require.NotEmpty(t, lines, proto)
		seen := map[string]bool{}
		for _, l := range lines {
			require.False(t, seen[string(l)], "distinct")
			seen[string(l)] = true
			require.Equal(t, 1, bytes.Count(l, []byte("\r\n")), "%q is one line", l)
		}
	}
}
