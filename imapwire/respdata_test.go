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
