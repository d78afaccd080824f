package imapwire

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendMultiAppend(t *testing.T) {
	r := NewReaderString("a APPEND INBOX {3}\r\none (\\Seen) {3}\r\ntwo\r\nb NOOP\r\n")
	c, err := r.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, CmdAppend, c.ID)
	require.NoError(t, r.SP())
	_, err = r.Mailbox()
	require.NoError(t, err)
	var bodies []string
	for !r.AtEnd() {
		m, err := r.AppendMessage()
		require.NoError(t, err)
		require.Equal(t, KindLiteral, m.Literal.Kind)
		require.NoError(t, r.Accept(), "the server answers + here")
		body, err := io.ReadAll(r.LiteralReader())
		require.NoError(t, err)
		bodies = append(bodies, string(body))
	}
	require.NoError(t, r.End())
	assert.Equal(t, []string{"one", "two"}, bodies)
	c, err = r.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, CmdNoop, c.ID)
}

func TestAppendRejectedMessage(t *testing.T) {
	r := NewReaderString("a APPEND INBOX {99999}\r\nb NOOP\r\n")
	_, err := r.ReadCommand()
	require.NoError(t, err)
	require.NoError(t, r.SP())
	_, err = r.Mailbox()
	require.NoError(t, err)
	m, err := r.AppendMessage()
	require.NoError(t, err)
	assert.Equal(t, uint64(99999), m.Literal.Literal.Size)
	require.NoError(t, r.Reject(), "too big for this mailbox: NO [TOOBIG], no continuation")
	c, err := r.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, CmdNoop, c.ID)
}
