package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppend(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.EnsureUser("alice"))
	date := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	v, uid, err := s.Append("alice", "Sent", strings.NewReader("Subject: x\n\nlf only\n"), FlagSeen|FlagDraft, []string{"$Forwarded"}, date)
	require.NoError(t, err)
	assert.Equal(t, uint32(1), uid)
	m, err := s.Select("alice", "Sent", false)
	require.NoError(t, err)
	defer m.Close()
	assert.Equal(t, v, m.UIDValidity())
	mi := m.Messages()[0]
	assert.Equal(t, FlagSeen|FlagDraft, mi.Flags)
	assert.Equal(t, []string{"$Forwarded"}, m.Keywords())
	assert.Equal(t, uint32(1), mi.Keywords)
	assert.True(t, date.Equal(mi.Date), mi.Date)
	assert.True(t, mi.Recent, "appended mail is \\Recent for the next session")
	f, size, err := m.Open(uid)
	require.NoError(t, err)
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, size))
	f.Close()
	assert.Equal(t, "Subject: x\r\n\r\nlf only\r\n", string(b), "stored with CRLF, as POP3 sends it")
	assert.Equal(t, int64(len(b)), mi.Size)
	cur := files(t, filepath.Join(s.Dir(), "alice", ".Sent", "cur"))
	require.Len(t, cur, 1)
	assert.True(t, strings.HasSuffix(cur[0], ":2,DSa"), cur[0])

	_, _, err = s.Append("alice", "Nope", strings.NewReader("x"), 0, nil, time.Time{})
	assert.ErrorIs(t, err, ErrNoFolder)
}

// TestMultiAppend: all messages of a MULTIAPPEND get UIDs at once, in
// order; an aborted one leaves nothing, not even in tmp/.
func TestMultiAppend(t *testing.T) {
	s := newStore(t)
	a, err := s.NewAppender("alice", Inbox)
	require.NoError(t, err)
	for i := range 3 {
		n, err := a.Add(strings.NewReader("m"+strconv.Itoa(i)+"\r\n"), 0, nil, time.Time{})
		require.NoError(t, err)
		assert.Equal(t, int64(4), n)
	}
	tmp := filepath.Join(s.Dir(), "alice", "tmp")
	assert.Len(t, files(t, tmp), 3, "streamed to tmp/ files")
	st, _ := s.Status("alice", Inbox)
	assert.Zero(t, st.Messages, "nothing visible before Commit")
	v, uids, err := a.Commit()
	require.NoError(t, err)
	assert.NotZero(t, v)
	assert.Equal(t, []uint32{1, 2, 3}, uids)
	assert.Empty(t, files(t, tmp))

	a, err = s.NewAppender("alice", Inbox)
	require.NoError(t, err)
	_, err = a.Add(strings.NewReader("x\r\n"), 0, nil, time.Time{})
	require.NoError(t, err)
	_, err = a.Add(&failReader{}, 0, nil, time.Time{})
	require.Error(t, err)
	a.Abort()
	assert.Empty(t, files(t, tmp))
	st, _ = s.Status("alice", Inbox)
	assert.Equal(t, uint32(3), st.Messages)
	assert.Equal(t, uint32(4), st.UIDNext)
}

type failReader struct{ n int }

func (f *failReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		return 0, errors.New("connection lost")
	}
	f.n++
	return copy(p, "half"), nil
}

func TestKeywordLimit(t *testing.T) {
	s := newStore(t)
	var kws []string
	for i := range MaxKeywords {
		kws = append(kws, "k"+strconv.Itoa(i))
	}
	_, _, err := s.Append("alice", Inbox, strings.NewReader("x\r\n"), 0, kws, time.Time{})
	require.NoError(t, err)
	_, _, err = s.Append("alice", Inbox, strings.NewReader("x\r\n"), 0, []string{"K0", "one-more"}, time.Time{})
	assert.ErrorIs(t, err, ErrKeywordLimit)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	assert.Len(t, m.Messages(), 1)
	assert.Len(t, m.Keywords(), MaxKeywords)
	assert.Equal(t, uint32(1<<MaxKeywords-1), m.Messages()[0].Keywords)
}

func TestCopyMove(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.EnsureUser("alice"))
	deliver(t, s, "alice", 3)
	_, _, err := s.Append("alice", "Archive", strings.NewReader("old\r\n"), 0, nil, time.Time{})
	require.NoError(t, err)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	_, _, err = m.Store([]uint32{2}, StoreAdd, FlagFlagged, []string{"Work"}, 0)
	require.NoError(t, err)

	res, err := m.Copy("Archive", []uint32{2, 3, 99})
	require.NoError(t, err)
	st, _ := s.Status("alice", "Archive")
	assert.Equal(t, CopyResult{UIDValidity: st.UIDValidity, Src: []uint32{2, 3}, Dst: []uint32{2, 3}}, res)
	a, err := s.Select("alice", "Archive", true)
	require.NoError(t, err)
	defer a.Close()
	require.Len(t, a.Messages(), 3)
	assert.Equal(t, FlagFlagged, a.Messages()[1].Flags)
	assert.Equal(t, []string{"Work"}, a.Keywords())
	assert.Equal(t, uint32(1), a.Messages()[1].Keywords)
	assert.Equal(t, m.Messages()[1].Date, a.Messages()[1].Date, "internal date kept")
	assert.Len(t, m.Messages(), 3, "COPY leaves the source")

	_, err = m.Copy("Nope", []uint32{1})
	assert.ErrorIs(t, err, ErrNoFolder)

	res, err = m.Move("Trash", []uint32{1, 3})
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 3}, res.Src)
	assert.Equal(t, []uint32{1, 2}, res.Dst)
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{3, 1}, c.Expunged)
	assert.Equal(t, []uint32{1, 3}, c.Vanished)
	assert.Equal(t, []uint32{2}, uidsOf(m))
	tr, _ := s.Status("alice", "Trash")
	assert.Equal(t, uint32(2), tr.Messages)

	ro, err := s.Select("alice", Inbox, true)
	require.NoError(t, err)
	defer ro.Close()
	_, err = ro.Move("Trash", []uint32{2})
	assert.ErrorIs(t, err, ErrReadOnly)
	_, err = ro.Copy("Trash", []uint32{2})
	assert.NoError(t, err, "COPY from a read-only mailbox")

	// Copy within the same folder.
	res, err = m.Copy(Inbox, []uint32{2})
	require.NoError(t, err)
	assert.Equal(t, []uint32{4}, res.Dst)
	_, err = os.Stat(filepath.Join(s.Dir(), "alice", "tmp"))
	require.NoError(t, err)
	assert.Empty(t, files(t, filepath.Join(s.Dir(), "alice", "tmp")))
}

// BenchmarkAppend: one APPEND of a 4 KiB message (two fsyncs of the file
// and directory, the state file rewritten) into a 100-message folder.
func BenchmarkAppend(b *testing.B) {
	s := newStore(b)
	deliver(b, s, "alice", 100)
	msg := strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, _, err := s.Append("alice", Inbox, strings.NewReader(msg), FlagSeen, nil, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}
