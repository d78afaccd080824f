package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestStatusItemsAndNamespace(t *testing.T) {
	r := NewReader(stringsReader("* STATUS {5}\r\nINBOX (MESSAGES 2 HIGHESTMODSEQ 9007199254740993)\r\n"+
		"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"), ClientSide, Options{})
	resp, err := r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataStatus, resp.Data)
	mbox, items, err := r.ReadStatusData()
	require.NoError(t, err)
	assert.Equal(t, "INBOX", string(mbox.Bytes))
	n, v, ok := items.Next()
	assert.True(t, ok)
	assert.Equal(t, "MESSAGES", string(n))
	assert.Equal(t, uint64(2), v)
	_, v, _ = items.Next()
	assert.Equal(t, uint64(9007199254740993), v)
	_, _, ok = items.Next()
	assert.False(t, ok)

	resp, err = r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataNamespace, resp.Data)
	personal, other, shared, err := r.ReadNamespaceData()
	require.NoError(t, err)
	assert.Nil(t, other)
	assert.Nil(t, shared)
	ns := ValuesOf(personal)
	entry, _ := ns.Next()
	fields := ValuesOf(entry.Bytes)
	prefix, _ := fields.Next()
	delim, _ := fields.Next()
	assert.Equal(t, "", string(prefix.Bytes))
	assert.Equal(t, "/", string(delim.Bytes))
}

// An ESEARCH item whose value is a literal that grows the buffer, in a
// response after another, reads as it does when the response is read alone
// (the items were once sliced from the new buffer with an index into the
// old one: wrong bytes, or a panic). The items end at the literal's header:
// ReadESearchData does not take a literal's data into them.
func TestESearchItemsAcrossGrowth(t *testing.T) {
	esearch := "* ESEARCH (TAG \"a\") UID MIN 3 X-BIG {5000}\r\n" + strings.Repeat("7", 5000) + "\r\n"
	for _, lead := range []string{"", "* OK " + strings.Repeat("x", 1000) + "\r\n"} {
		r := NewReader(stringsReader(lead+esearch+"a OK done\r\n"), ClientSide, Options{})
		if lead != "" {
			_, err := r.ReadResponse()
			require.NoError(t, err)
		}
		resp, err := r.ReadResponse()
		require.NoError(t, err)
		require.Equal(t, DataESearch, resp.Data)
		d, err := r.ReadESearchData()
		require.NoError(t, err, "lead %d", len(lead))
		assert.True(t, d.UID)
		assert.Equal(t, "a", string(d.Tag.Bytes))
		assert.Equal(t, "MIN 3 X-BIG {5000}", string(d.Items.b), "lead %d", len(lead))
		resp, err = r.ReadResponse()
		require.NoError(t, err)
		assert.Equal(t, "a", string(resp.Tag))
	}
}
