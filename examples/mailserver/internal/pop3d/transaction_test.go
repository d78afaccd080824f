package pop3d

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/pop3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCopyTop(t *testing.T) {
	msg := "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n"
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{msg, 0, "A: 1\r\nB: 2\r\n\r\n"},
		{msg, 2, "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n"},
		{msg, 10, msg},
		{"A: 1\r\n", 3, "A: 1\r\n"},
		{"A: 1\r\n\r\n" + strings.Repeat("x", 100) + "\r\nnext\r\n", 1, "A: 1\r\n\r\n" + strings.Repeat("x", 100) + "\r\n"},
	} {
		for _, size := range []int{16, 4096} { // lines longer than the buffer too
			var out bytes.Buffer
			require.NoError(t, copyTop(&out, bufio.NewReaderSize(strings.NewReader(tc.in), size), tc.n))
			assert.Equal(t, tc.want, out.String(), "n=%d size=%d", tc.n, size)
		}
	}
}

// BenchmarkRETR measures one RETR of a 64 KiB message through the session
// to a discarding writer; its allocations are opening the file.
func BenchmarkRETR(b *testing.B) {
	msg := bytes.Repeat([]byte("0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n"), 64<<10/78)
	ss, done := transactionSession(b, 1, msg)
	defer done()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		ss.send(0, -1)
		_ = ss.flush(true)
	}
}

// transactionSession is a logged-in session writing to nowhere, over a
// real maildrop of n messages.
func transactionSession(tb testing.TB, n int, msg []byte) (*session, func()) {
	st, err := store.Open(tb.TempDir())
	require.NoError(tb, err)
	for range n {
		require.NoError(tb, st.Deliver([]string{"alice"}, bytes.NewReader(msg)))
	}
	drop, err := st.OpenMaildrop("alice")
	require.NoError(tb, err)
	ss := &session{srv: New(Config{}), w: bufio.NewWriter(io.Discard), drop: drop, msgs: drop.Messages(),
		deleted: make([]bool, n), r: pop3.NewCommandReader(strings.NewReader(""), pop3.CommandReaderOptions{}),
		out: make([]byte, 0, 512), tmp: make([]byte, 0, 128)}
	ss.log = ss.srv.cfg.Log
	return ss, func() { drop.Close() }
}

// TestTransactionAllocs: STAT, LIST, UIDL, DELE, RSET and NOOP answer
// without allocating.
func TestTransactionAllocs(t *testing.T) {
	ss, done := transactionSession(t, 3, []byte("Subject: x\r\n\r\nbody\r\n"))
	defer done()
	var cmds []pop3.Command
	for _, l := range []string{"STAT", "LIST", "LIST 2", "UIDL", "UIDL 3", "DELE 1", "LIST 1", "RSET", "NOOP"} {
		c, err := pop3.ParseCommand([]byte(l))
		require.NoError(t, err)
		cmds = append(cmds, c)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range cmds {
			ss.transaction(c)
		}
		_ = ss.flush(true)
	})
	assert.Zero(t, allocs)
}

// BenchmarkTransaction: the commands of TestTransactionAllocs.
func BenchmarkTransaction(b *testing.B) {
	ss, done := transactionSession(b, 3, []byte("Subject: x\r\n\r\nbody\r\n"))
	defer done()
	c, err := pop3.ParseCommand([]byte("UIDL"))
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len("UIDL\r\n")))
	for b.Loop() {
		ss.transaction(c)
		_ = ss.flush(true)
	}
}
