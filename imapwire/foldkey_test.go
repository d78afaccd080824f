package imapwire

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFoldIndexes(t *testing.T) {
	tables := []struct {
		x     *foldIndex
		first uint8
		names func(uint8) string
		last  uint8
	}{
		{commandIndex, uint8(CmdAppend), func(i uint8) string { return commandNames[i] }, uint8(len(commandNames) - 1)},
		{searchKeyIndex, uint8(SearchAll), func(i uint8) string { return searchKeys[i].name }, uint8(SearchOpen - 1)},
		{fetchNameIndex, uint8(FetchAll), func(i uint8) string {
			switch {
			case i == fetchBodyPeek:
				return "BODY.PEEK"
			case i == fetchBinaryPeek:
				return "BINARY.PEEK"
			case FetchAtt(i) == FetchBodySection:
				return ""
			}
			return fetchNames[i]
		}, fetchBinaryPeek},
		{statusIndex, uint8(StatusMessages), func(i uint8) string { return statusNames[i] }, uint8(StatusDeletedStorage)},
	}
	for _, tt := range tables {
		require.NotNil(t, tt.x)
		for id := tt.first; id <= tt.last; id++ {
			name := tt.names(id)
			if name == "" {
				continue
			}
			// The word alone, at the end of a buffer (the short load)
			// and inside a longer one (the 16-octet load), in any case.
			for _, w := range []string{name, string(bytes.ToLower([]byte(name)))} {
				b := []byte(w)
				assert.Equal(t, id, tt.x.lookup(b, 0, len(b)), "%q", w)
				long := append([]byte("xx"+w), "AAAAAAAAAAAAAAAAAAAA"...)
				assert.Equal(t, id, tt.x.lookup(long, 2, len(w)), "%q inside", w)
				assert.Zero(t, tt.x.lookup(long, 2, len(w)+1), "%q and one more octet", w)
				assert.Zero(t, tt.x.lookup(b, 0, len(b)-1), "%q less one octet", w)
				for i := range b {
					c := append([]byte(nil), b...)
					c[i] ^= 0x01
					assert.Zero(t, tt.x.lookup(c, 0, len(c)), "%q", c)
					c[i] = b[i] ^ 0x20 ^ 0x80 // never the same letter
					assert.Zero(t, tt.x.lookup(c, 0, len(c)), "%q", c)
				}
			}
		}
		// Folding is exact on atoms: in every place of every name, an
		// ATOM-CHAR matches only the name's own octet in either case.
		for id := tt.first; id <= tt.last; id++ {
			name := tt.names(id)
			for i := range len(name) {
				for c := range 256 {
					if class[c]&clAtom == 0 {
						continue
					}
					w := []byte(name)
					w[i] = byte(c)
					same := bytes.EqualFold([]byte{byte(c)}, []byte{name[i]})
					assert.Equal(t, same, tt.x.lookup(w, 0, len(w)) == id, "%q for %q", w, name)
				}
			}
		}
		assert.Zero(t, tt.x.lookup(nil, 0, 0))
		assert.Zero(t, tt.x.lookup([]byte("ABCDEFGHIJKLMNOPQ"), 0, 17))
	}
	b := []byte("xx fetch yy")
	require.Zero(t, testing.AllocsPerRun(100, func() { commandIndex.lookup(b, 3, 5) }))
}
