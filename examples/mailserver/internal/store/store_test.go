package store

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestDeliverDurableAndIdentical(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	msg := []byte("Subject: x\r\n\r\nbody\r\n.\r\n")
	require.NoError(t, s.Deliver([]string{"alice", "bob", "alice"}, bytes.NewReader(msg)))
	for _, u := range []string{"alice", "bob"} {
		n := files(t, filepath.Join(dir, u, "new"))
		require.Len(t, n, 1, u)
		assert.Empty(t, files(t, filepath.Join(dir, u, "tmp")))
		got, err := os.ReadFile(filepath.Join(dir, u, "new", n[0]))
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		for _, c := range n[0] {
			assert.True(t, c > 0x20 && c < 0x7f, "key %q printable", n[0])
		}
	}
}

func TestDeliverNormalizesLineEnds(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\r\nb\r\n", "a\r\nb\r\n"},
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\rb\r", "a\r\nb\r\n"},
		{"a\r\r\nb", "a\r\n\r\nb"},
		{"\n\n", "\r\n\r\n"},
		{"", ""},
	} {
		var out bytes.Buffer
		w := bufioWriter(&out)
		c := &crlfWriter{w: w}
		// One octet at a time and whole: the same result.
		for i := range len(tc.in) {
			_, err := c.Write([]byte{tc.in[i]})
			require.NoError(t, err)
		}
		require.NoError(t, c.Close())
		require.NoError(t, w.Flush())
		assert.Equal(t, tc.want, out.String(), "%q", tc.in)
	}
}

func FuzzCRLFWriter(f *testing.F) {
	f.Add([]byte("a\r\nb\nc\rd"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		run := func(chunk int) string {
			var out bytes.Buffer
			w := bufioWriter(&out)
			c := &crlfWriter{w: w}
			for p := in; len(p) > 0; {
				n := min(chunk, len(p))
				_, _ = c.Write(p[:n])
				p = p[n:]
			}
			_ = c.Close()
			_ = w.Flush()
			return out.String()
		}
		whole := run(len(in) + 1)
		assert.Equal(t, whole, run(int(split)%7+1), "chunk-split invariance")
		// Every CR is followed by LF and every LF preceded by CR.
		for i := 0; i < len(whole); i++ {
			switch whole[i] {
			case '\r':
				require.True(t, i+1 < len(whole) && whole[i+1] == '\n')
			case '\n':
				require.True(t, i > 0 && whole[i-1] == '\r')
			}
		}
		// Only line ends change.
		strip := func(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }
		assert.Equal(t, strip(string(in)), strip(whole))
	})
}

// TestDeliverAllOrNothing: a reader that fails, or a rename that fails for
// the second user, leaves nothing in any new/ and nothing in tmp/.
func TestDeliverAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	err = s.Deliver([]string{"alice", "bob"}, io.MultiReader(strings.NewReader("Subject: x\r\n"), iotest.ErrReader(errors.New("client went away"))))
	require.Error(t, err)

	calls := 0
	rename = func(a, b string) error {
		calls++
		if calls == 2 {
			return errors.New("disk full")
		}
		return os.Rename(a, b)
	}
	t.Cleanup(func() { rename = os.Rename })
	err = s.Deliver([]string{"alice", "bob", "carol"}, strings.NewReader("Subject: y\r\n\r\n"))
	require.Error(t, err)
	for _, u := range []string{"alice", "bob", "carol"} {
		assert.Empty(t, files(t, filepath.Join(dir, u, "new")), u)
		assert.Empty(t, files(t, filepath.Join(dir, u, "tmp")), u)
	}
	require.ErrorIs(t, s.Deliver([]string{"../x"}, strings.NewReader("")), ErrUser)
	require.Error(t, s.Deliver(nil, strings.NewReader("")))
}

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

func TestSecret(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	k, err := s.Secret()
	require.NoError(t, err)
	require.Len(t, k, 32)
	s2, err := Open(dir)
	require.NoError(t, err)
	k2, err := s2.Secret()
	require.NoError(t, err)
	assert.Equal(t, k, k2)
}

func BenchmarkDeliver(b *testing.B) {
	s, err := Open(b.TempDir())
	require.NoError(b, err)
	msg := bytes.Repeat([]byte("0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n"), 64<<10/78)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := s.Deliver([]string{"alice"}, bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}
