package store

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"
)

// TestCrashLeftovers: files in tmp/ (a delivery that died) are never
// listed; old ones are removed when the maildrop is opened.
func TestCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, s.Deliver([]string{"alice"}, strings.NewReader("Subject: real\r\n\r\n")))
	tmp := filepath.Join(dir, "alice", "tmp")
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "1.half"), []byte("Subject: half"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "2.old"), []byte("Subject: old"), 0o600))
	old := time.Now().Add(-40 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(tmp, "2.old"), old, old))
	// A leftover temporary UID list from a crashed writer is ignored too.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alice", ".tmp-123"), []byte("garbage"), 0o600))

	m, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	defer m.Close()
	require.Len(t, m.Messages(), 1)
	assert.Equal(t, []string{"1.half"}, files(t, tmp), "young leftover kept (could be in progress), old one removed")
}

// TestUIDLStable: UIDs and UIDL survive reopening and a new Store (a
// restart); deleted messages' UIDs are never reused; a lost UID list
// changes UIDVALIDITY, and so every UIDL.
func TestUIDLStable(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, s.Deliver([]string{"alice"}, strings.NewReader("Subject: "+string(rune('a'+i))+"\r\n\r\n")))
	}
	uidls := func(s *Store) ([]string, []uint32) {
		m, err := s.OpenMaildrop("alice")
		require.NoError(t, err)
		defer m.Close()
		var ids []string
		var uids []uint32
		for i, msg := range m.Messages() {
			ids = append(ids, m.UIDL(i))
			uids = append(uids, msg.UID)
			assert.Len(t, m.UIDL(i), 16)
		}
		return ids, uids
	}
	first, uids := uidls(s)
	assert.Equal(t, []uint32{1, 2, 3}, uids)
	s2, err := Open(dir)
	require.NoError(t, err)
	again, _ := uidls(s2)
	assert.Equal(t, first, again)

	m, err := s2.OpenMaildrop("alice")
	require.NoError(t, err)
	require.NoError(t, m.Delete([]int{2}))
	m.Close()
	require.NoError(t, s2.Deliver([]string{"alice"}, strings.NewReader("Subject: d\r\n\r\n")))
	after, uids := uidls(s2)
	assert.Equal(t, first[:2], after[:2])
	assert.Equal(t, []uint32{1, 2, 4}, uids, "UID 3 not reused")

	require.NoError(t, os.Remove(filepath.Join(dir, "alice", UIDListFile)))
	time.Sleep(1100 * time.Millisecond) // UIDVALIDITY is a time in seconds
	lost, _ := uidls(s2)
	assert.NotEqual(t, after[0], lost[0])
}

func TestDelete(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	for range 2 {
		require.NoError(t, s.Deliver([]string{"bob"}, strings.NewReader("x\r\n")))
	}
	m, err := s.OpenMaildrop("bob")
	require.NoError(t, err)
	require.Len(t, m.Messages(), 2)
	assert.Empty(t, files(t, filepath.Join(dir, "bob", "new")), "moved to cur")
	f, err := m.Open(0)
	require.NoError(t, err)
	b, _ := io.ReadAll(f)
	f.Close()
	assert.Equal(t, "x\r\n", string(b))
	assert.Equal(t, int64(3), m.Messages()[0].Size)
	require.NoError(t, m.Delete([]int{0, 1}))
	require.NoError(t, m.Close())
	assert.Empty(t, files(t, filepath.Join(dir, "bob", "cur")))
}

// TestLockInProcess: two flock handles on one maildrop conflict, even in
// one process.
func TestLockInProcess(t *testing.T) {
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	a, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	_, err = s.OpenMaildrop("alice")
	require.ErrorIs(t, err, ErrLocked)
	b, err := s.OpenMaildrop("bob")
	require.NoError(t, err, "other users are independent")
	b.Close()
	require.NoError(t, a.Close())
	c, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	c.Close()
}

// TestLockAcrossProcesses: a child process holding the maildrop's lock
// makes OpenMaildrop fail with ErrLocked here, until it exits.
func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLockHolder$")
	cmd.Env = append(os.Environ(), "STORE_LOCK_HOLDER="+dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 6)
	_, err = io.ReadFull(stdout, buf)
	require.NoError(t, err)
	require.Equal(t, "LOCKED", string(buf))

	_, err = s.OpenMaildrop("alice")
	require.ErrorIs(t, err, ErrLocked)
	stdin.Close()
	require.NoError(t, cmd.Wait())
	m, err := s.OpenMaildrop("alice")
	require.NoError(t, err, "released when the child exits")
	m.Close()
}

// TestHelperLockHolder is the child of TestLockAcrossProcesses.
func TestHelperLockHolder(t *testing.T) {
	dir := os.Getenv("STORE_LOCK_HOLDER")
	if dir == "" {
		t.Skip("helper process of TestLockAcrossProcesses")
	}
	s, err := Open(dir)
	require.NoError(t, err)
	m, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	os.Stdout.WriteString("LOCKED")
	io.Copy(io.Discard, os.Stdin) // hold until the parent closes stdin
	m.Close()
}

// FuzzUIDList: a UID list that reads back is written and read again to the
// same UIDs, UIDVALIDITY and next UID.
func FuzzUIDList(f *testing.F) {
	f.Add("1 V1733333333 N4\n1 a.key\n2 b.key\n3 c.key\n")
	f.Add("1 V1 N1\n")
	f.Add("")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		p := filepath.Join(dir, "list")
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		v, uids, next, err := readUIDList(p)
		if err != nil || v == 0 {
			return
		}
		var msgs []Message
		for k, u := range uids {
			if strings.ContainsAny(k, "\n") {
				return
			}
			assert.Less(t, u, next)
			msgs = append(msgs, Message{Key: k, UID: u})
		}
		require.NoError(t, writeUIDList(p, v, next, msgs))
		v2, uids2, next2, err := readUIDList(p)
		require.NoError(t, err)
		assert.Equal(t, []any{v, uids, next}, []any{v2, uids2, next2})
	})
}

// TestDamagedUIDList: a list that does not parse (or lists a UID twice)
// is rebuilt under a new UIDVALIDITY; the mail stays readable.
func TestDamagedUIDList(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, s.Deliver([]string{"alice"}, strings.NewReader("a\r\n")))
	require.NoError(t, s.Deliver([]string{"alice"}, strings.NewReader("b\r\n")))
	m, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	keys := []string{m.Messages()[0].Key, m.Messages()[1].Key}
	m.Close()
	for _, bad := range []string{"garbage\n", "1 V5 N9\n1 " + keys[0] + "\n1 " + keys[1] + "\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "alice", UIDListFile), []byte(bad), 0o600))
		m, err := s.OpenMaildrop("alice")
		require.NoError(t, err)
		require.Len(t, m.Messages(), 2)
		assert.NotEqual(t, m.Messages()[0].UID, m.Messages()[1].UID)
		assert.NotEqual(t, uint32(5), m.UIDValidity())
		m.Close()
	}
}

// TestKeyLess: keys order by delivery time and sequence as numbers, not
// as text (M100001 after M99999, Q10 after Q9).
func TestKeyLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		less bool
	}{
		{"99.M1P1Q1R0.h", "100.M0P1Q1R0.h", true},
		{"100.M99999P1Q1R0.h", "100.M100001P1Q2R0.h", true},
		{"100.M100001P1Q2R0.h", "100.M99999P1Q1R0.h", false},
		{"100.M5P7Q9R0.h", "100.M5P7Q10R0.h", true},
		{"100.M5P7Q10R0.h", "100.M5P7Q9R0.h", false},
		{"100.foreign", "100.other", true}, // other programs' keys: as text
		{"100.M5P7Q9R0.h", "100.M5P7Q9R0.h", false},
	} {
		assert.Equal(t, tc.less, keyLess(tc.a, tc.b), "%s < %s", tc.a, tc.b)
	}
	// Same-second deliveries get UIDs in delivery order.
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	for i := range 30 {
		require.NoError(t, s.Deliver([]string{"alice"}, strings.NewReader(fmt.Sprintf("n %02d\r\n", i))))
	}
	m, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	defer m.Close()
	for i := range m.Messages() {
		f, err := m.Open(i)
		require.NoError(t, err)
		b, _ := io.ReadAll(f)
		f.Close()
		assert.Equal(t, fmt.Sprintf("n %02d\r\n", i), string(b))
	}
}

// TestDeleteAfterIMAPFlags: a POP3 DELE of a message whose flags an IMAP
// session changed meanwhile (its file renamed) still removes it.
func TestDeleteAfterIMAPFlags(t *testing.T) {
	s, err := Open(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.Deliver([]string{"alice"}, strings.NewReader("x\r\n")))
	md, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	_, _, err = m.Store([]uint32{1}, StoreAdd, FlagSeen, nil, 0)
	require.NoError(t, err)
	require.NoError(t, md.Delete([]int{0}))
	require.NoError(t, md.Close())
	assert.Empty(t, files(t, filepath.Join(s.Dir(), "alice", "cur")))
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1}, c.Expunged)
}

// FuzzKeyLess: keyLess is a strict weak order (irreflexive, asymmetric,
// transitive), whatever the keys, so sorting by it is well defined.
func FuzzKeyLess(f *testing.F) {
	f.Add("1.M9P1Q1R0.h", "1.M10P1Q1R0.h", "1.M10x")
	f.Add("100.M5P7Q9R0.h", "100.M5P2Q1R0.h", "100.M5P7Q10R0.h")
	f.Add("99.x", "100.y", "1000")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		assert.False(t, keyLess(a, a))
		if keyLess(a, b) {
			assert.False(t, keyLess(b, a))
		}
		if keyLess(a, b) && keyLess(b, c) {
			assert.True(t, keyLess(a, c), "%q < %q < %q", a, b, c)
		}
	})
}
