package store

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newStore(t testing.TB) *Store {
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	return s
}

func deliver(t testing.TB, s *Store, user string, n int) {
	for i := range n {
		require.NoError(t, s.Deliver([]string{user}, strings.NewReader("Subject: "+string(rune('a'+i%26))+"\r\n\r\nbody\r\n")))
	}
}

func uidsOf(m *Mailbox) []uint32 {
	var out []uint32
	for _, mi := range m.Messages() {
		out = append(out, mi.UID)
	}
	return out
}

func TestSelectBasics(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 3)
	m, err := s.Select("alice", "inbox", false)
	require.NoError(t, err)
	defer m.Close()
	assert.Equal(t, []uint32{1, 2, 3}, uidsOf(m))
	assert.Equal(t, 3, m.Recent())
	assert.Equal(t, uint32(4), m.UIDNext())
	assert.NotZero(t, m.UIDValidity())
	f, size, err := m.Open(2)
	require.NoError(t, err)
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, size))
	f.Close()
	assert.Equal(t, "Subject: b\r\n\r\nbody\r\n", string(b))
	assert.Equal(t, int64(len(b)), m.Messages()[1].Size)
	assert.WithinDuration(t, time.Now(), m.Messages()[1].Date, 5*time.Second)

	m2, err := s.Select("alice", "INBOX", false)
	require.NoError(t, err)
	defer m2.Close()
	assert.Zero(t, m2.Recent(), "the first session got \\Recent")
}
