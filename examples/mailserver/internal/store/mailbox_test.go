package store

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

func TestStoreFlags(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 3)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	other, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer other.Close()
	hi := m.HighestModSeq()

	changed, modified, err := m.Store([]uint32{1, 2, 77}, StoreAdd, FlagSeen, []string{"$Label1"}, 0)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 2}, changed)
	assert.Empty(t, modified)
	assert.Equal(t, FlagSeen, m.Messages()[0].Flags, "own snapshot updated at once")
	assert.Equal(t, uint32(1), m.Messages()[0].Keywords)
	assert.Greater(t, m.Messages()[1].ModSeq, m.Messages()[0].ModSeq)
	assert.Greater(t, m.Messages()[0].ModSeq, hi)
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Empty(t, c.Flags, "own changes are not reported again")
	assert.Equal(t, m.Messages()[1].ModSeq, m.HighestModSeq())

	// The other session learns them from Sync, with the new keyword.
	c, err = other.Sync(false)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 2}, c.Flags)
	assert.True(t, c.Keywords)
	assert.Equal(t, []string{"$Label1"}, other.Keywords())

	// Unchanged flags: no new modseq.
	changed, _, err = m.Store([]uint32{1}, StoreAdd, FlagSeen, nil, 0)
	require.NoError(t, err)
	assert.Empty(t, changed)

	// UNCHANGEDSINCE: message 1 changed after ms0; message 3 not.
	ms0 := m.Messages()[0].ModSeq - 1
	changed, modified, err = m.Store([]uint32{1, 3}, StoreReplace, FlagDeleted, nil, ms0)
	require.NoError(t, err)
	assert.Equal(t, []uint32{3}, changed)
	assert.Equal(t, []uint32{1}, modified)

	changed, _, err = m.Store([]uint32{1, 2}, StoreRemove, FlagSeen, []string{"$label1", "unknown"}, 0)
	require.NoError(t, err)
	assert.Equal(t, []uint32{1, 2}, changed)
	assert.Zero(t, m.Messages()[0].Flags)
	assert.Zero(t, m.Messages()[0].Keywords)
	assert.Len(t, m.Keywords(), 1, "unknown keywords are not added by a removal")

	// On disk and after a restart.
	cur := files(t, filepath.Join(s.Dir(), "alice", "cur"))
	assert.Equal(t, 1, countSuffix(cur, ":2,T"))
	s2, err := Open(s.Dir())
	require.NoError(t, err)
	m2, err := s2.Select("alice", Inbox, true)
	require.NoError(t, err)
	defer m2.Close()
	assert.Equal(t, FlagDeleted, m2.Messages()[2].Flags)
	_, err = m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, m.HighestModSeq(), m2.HighestModSeq())
	assert.Equal(t, m.UIDValidity(), m2.UIDValidity())
	_, _, err = m2.Store([]uint32{1}, StoreAdd, FlagSeen, nil, 0)
	assert.ErrorIs(t, err, ErrReadOnly)
}

func countSuffix(names []string, suf string) int {
	n := 0
	for _, x := range names {
		if strings.HasSuffix(x, suf) {
			n++
		}
	}
	return n
}

func TestExpunge(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 5)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	other, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer other.Close()
	hi := m.HighestModSeq()
	_, _, err = m.Store([]uint32{2, 3, 5}, StoreAdd, FlagDeleted, nil, 0)
	require.NoError(t, err)

	require.NoError(t, m.Expunge([]uint32{1, 2}), "UID EXPUNGE: only \\Deleted ones in the set")
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, c.Expunged)
	assert.Equal(t, []uint32{1, 3, 4, 5}, uidsOf(m))

	require.NoError(t, m.Expunge(nil))
	c, err = m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{4, 2}, c.Expunged, "descending: each number valid when sent")
	assert.Equal(t, []uint32{3, 5}, c.Vanished)
	assert.Equal(t, 2, c.Exists)
	assert.Equal(t, []uint32{1, 4}, uidsOf(m))

	// Another session, during a FETCH: the expunges wait.
	c, err = other.Sync(false)
	require.NoError(t, err)
	assert.Empty(t, c.Expunged)
	assert.Len(t, other.Messages(), 5)
	assert.True(t, other.Messages()[1].Expunged)
	_, _, err = other.Open(2)
	assert.ErrorIs(t, err, ErrExpunged)
	c, err = other.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{5, 3, 2}, c.Expunged)
	assert.Equal(t, []uint32{1, 4}, uidsOf(other))

	assert.Equal(t, []UIDRange{{2, 3}, {5, 5}}, m.Vanished(hi, nil))
	assert.Empty(t, m.Vanished(m.HighestModSeq(), nil))
	st, err := s.Status("alice", Inbox)
	require.NoError(t, err)
	assert.Equal(t, Status{Messages: 2, Unseen: 2, UIDNext: 6, UIDValidity: m.UIDValidity(), HighestModSeq: m.HighestModSeq(),
		Size: m.Messages()[0].Size + m.Messages()[1].Size}, st)

	ro, err := s.Select("alice", Inbox, true)
	require.NoError(t, err)
	defer ro.Close()
	assert.ErrorIs(t, ro.Expunge(nil), ErrReadOnly)
}

// TestVanishedTruncated: once the bounded log no longer reaches back,
// every missing UID below UIDNEXT is reported.
func TestVanishedTruncated(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 4)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	_, _, err = m.Store([]uint32{2}, StoreAdd, FlagDeleted, nil, 0)
	require.NoError(t, err)
	require.NoError(t, m.Expunge(nil))
	m.f.mu.Lock()
	m.f.d.st.floor = m.f.d.st.highest // as if the log had overflowed
	m.f.mu.Unlock()
	deliver(t, s, "alice", 1)
	_, err = m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []UIDRange{{2, 2}}, m.Vanished(1, nil))
	m.f.mu.Lock()
	m.f.d.st.msgs = m.f.d.st.msgs[1:] // UID 1 gone as well, as seen by the complement
	m.f.mu.Unlock()
	assert.Equal(t, []UIDRange{{1, 2}}, m.Vanished(1, nil))
}

// TestNotify: a change by another session of this process wakes an
// idling one at once; mail delivered by another Store (as by another
// process) within a second, through the poll.
func TestNotify(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.EnsureUser("alice"))
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	_, _, err = s.Append("alice", Inbox, strings.NewReader("x\r\n"), 0, nil, time.Time{})
	require.NoError(t, err)
	select {
	case <-m.Changed():
	case <-time.After(100 * time.Millisecond):
		t.Fatal("no in-process notification")
	}
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, 1, c.New)
	assert.Equal(t, 1, c.Exists)

	other, err := Open(s.Dir())
	require.NoError(t, err)
	start := time.Now()
	deliver(t, other, "alice", 1)
	select {
	case <-m.Changed():
	case <-time.After(time.Second):
		t.Fatal("delivery not seen within a second")
	}
	c, err = m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, 1, c.New)
	assert.Equal(t, 2, c.Recent, "the append and the delivery this session moved from new/")
	assert.True(t, m.Messages()[1].Recent)
	t.Logf("delivery seen after %v", time.Since(start))
}

// TestPOP3DeleIsExpunge: a POP3 DELE+QUIT reaches an IMAP session as an
// expunge, and the expunge log.
func TestPOP3DeleIsExpunge(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 3)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	hi := m.HighestModSeq()
	pop, err := Open(s.Dir())
	require.NoError(t, err)
	md, err := pop.OpenMaildrop("alice")
	require.NoError(t, err)
	assert.Equal(t, m.UIDValidity(), md.UIDValidity(), "POP3 and IMAP agree")
	assert.Equal(t, uint32(2), md.Messages()[1].UID)
	require.NoError(t, md.Delete([]int{1}))
	require.NoError(t, md.Close())
	select {
	case <-m.Changed():
	case <-time.After(time.Second):
		t.Fatal("POP3 DELE not seen within a second")
	}
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, c.Expunged)
	assert.Equal(t, []uint32{2}, c.Vanished)
	assert.Equal(t, []UIDRange{{2, 2}}, m.Vanished(hi, nil))
	// And an IMAP flag change shows in POP3's view of the same message.
	_, _, err = m.Store([]uint32{1}, StoreAdd, FlagSeen, nil, 0)
	require.NoError(t, err)
	md, err = pop.OpenMaildrop("alice")
	require.NoError(t, err)
	defer md.Close()
	require.Len(t, md.Messages(), 2)
	f, err := md.Open(0)
	require.NoError(t, err, "the renamed file opens")
	f.Close()
}

// TestTwoStores: two Store handles (as two processes) appending to and
// storing flags in one folder at once: UIDs unique, nothing lost, modseqs
// unique.
func TestTwoStores(t *testing.T) {
	dir := t.TempDir()
	const per = 25
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				errs <- err
				return
			}
			m, err := s.Select("alice", Inbox, false)
			if err != nil {
				errs <- err
				return
			}
			defer m.Close()
			for i := range per {
				if _, _, err := s.Append("alice", Inbox, strings.NewReader("w"+strconv.Itoa(w)+" "+strconv.Itoa(i)+"\r\n"), 0, nil, time.Time{}); err != nil {
					errs <- err
					return
				}
				if i%5 == 0 {
					if _, err := m.Sync(true); err != nil {
						errs <- err
						return
					}
					if ms := m.Messages(); len(ms) > 0 {
						if _, _, err := m.Store([]uint32{ms[len(ms)-1].UID}, StoreAdd, FlagSeen, nil, 0); err != nil {
							errs <- err
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	checkFolder(t, dir, 2*per)
}

// checkFolder: n messages, UIDs 1..n, unique modseqs, every body distinct.
func checkFolder(t *testing.T, dir string, n int) {
	s, err := Open(dir)
	require.NoError(t, err)
	m, err := s.Select("alice", Inbox, true)
	require.NoError(t, err)
	defer m.Close()
	require.Len(t, m.Messages(), n)
	bodies := map[string]bool{}
	mods := map[uint64]bool{}
	for i, mi := range m.Messages() {
		assert.Equal(t, uint32(i+1), mi.UID)
		assert.False(t, mods[mi.ModSeq], "modseq %d twice", mi.ModSeq)
		mods[mi.ModSeq] = true
		f, size, err := m.Open(mi.UID)
		require.NoError(t, err)
		b, _ := io.ReadAll(io.NewSectionReader(f, 0, size))
		f.Close()
		bodies[string(b)] = true
	}
	assert.Len(t, bodies, n, "nothing lost or doubled")
	assert.Equal(t, uint32(n+1), m.UIDNext())
}

// TestTwoProcesses: child processes append to one folder at once while
// the parent expunges and POP3-deletes nothing: UIDs unique, no message
// lost, UIDVALIDITY unchanged.
func TestTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	st0, err := s.Status("alice", Inbox)
	require.NoError(t, err)
	const procs, per = 3, 20
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$")
		cmd.Env = append(os.Environ(), "STORE_APPENDER="+dir, "STORE_APPENDER_ID="+strconv.Itoa(p), "STORE_APPENDER_N="+strconv.Itoa(per))
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	// Meanwhile the parent's session follows along.
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	for _, c := range cmds {
		require.NoError(t, c.Wait())
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(m.Messages()) < procs*per && time.Now().Before(deadline) {
		select {
		case <-m.Changed():
		case <-time.After(time.Second):
		}
		_, err := m.Sync(true)
		require.NoError(t, err)
	}
	assert.Len(t, m.Messages(), procs*per, "the session saw every message")
	assert.Equal(t, st0.UIDValidity, m.UIDValidity())
	m.Close()
	checkFolder(t, dir, procs*per)
}

// TestHelperAppender is a child of TestTwoProcesses.
func TestHelperAppender(t *testing.T) {
	dir := os.Getenv("STORE_APPENDER")
	if dir == "" {
		t.Skip("helper process of TestTwoProcesses")
	}
	s, err := Open(dir)
	require.NoError(t, err)
	id := os.Getenv("STORE_APPENDER_ID")
	n, _ := strconv.Atoi(os.Getenv("STORE_APPENDER_N"))
	if os.Getenv("STORE_APPENDER_MIXED") != "" {
		m, err := s.Select("alice", Inbox, false)
		require.NoError(t, err)
		defer m.Close()
		for i := range n {
			_, uid, err := s.Append("alice", Inbox, strings.NewReader("p"+id+" "+strconv.Itoa(i)+"\r\n"), 0, nil, time.Time{})
			require.NoError(t, err)
			if i%3 == 2 {
				_, _, err = m.Store([]uint32{uid}, StoreAdd, FlagDeleted|FlagSeen, nil, 0)
				require.NoError(t, err)
				require.NoError(t, m.Expunge([]uint32{uid}))
			} else {
				_, _, err = m.Store([]uint32{uid}, StoreAdd, FlagFlagged, nil, 0)
				require.NoError(t, err)
			}
			_, err = m.Sync(i%2 == 0)
			require.NoError(t, err)
		}
		return
	}
	for i := range n {
		if i%2 == 0 {
			_, _, err = s.Append("alice", Inbox, strings.NewReader("p"+id+" "+strconv.Itoa(i)+"\r\n"), FlagSeen, nil, time.Time{})
		} else {
			err = s.Deliver([]string{"alice"}, strings.NewReader("p"+id+" "+strconv.Itoa(i)+"\r\n"))
		}
		require.NoError(t, err)
	}
}

// TestSyncAllocs: a Sync that finds nothing changed allocates nothing.
func TestSyncAllocs(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 50)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	time.Sleep(1100 * time.Millisecond) // directory times older than the "fresh" second
	_, err = m.Sync(true)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if _, err := m.Sync(true); err != nil {
			t.Fatal(err)
		}
	}))
}

func BenchmarkSyncIdle(b *testing.B) {
	s := newStore(b)
	deliver(b, s, "alice", 1000)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(b, err)
	defer m.Close()
	time.Sleep(1100 * time.Millisecond)
	b.ReportAllocs()
	b.SetBytes(1000)
	for b.Loop() {
		if _, err := m.Sync(true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSelect1000 opens a 1,000-message folder: warm (the state is
// cached in the process: lock, readdir, check) and cold (a new Store: the
// state file parsed too). SetBytes counts messages.
func BenchmarkSelect1000(b *testing.B) {
	s := newStore(b)
	deliver(b, s, "alice", 1000)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(b, err)
	m.Close()
	b.Run("warm", func(b *testing.B) {
		hold, err := s.Select("alice", Inbox, true)
		require.NoError(b, err)
		defer hold.Close()
		b.ReportAllocs()
		b.SetBytes(1000)
		for b.Loop() {
			m, err := s.Select("alice", Inbox, false)
			if err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(1000)
		for b.Loop() {
			s2, _ := Open(s.Dir())
			m, err := s2.Select("alice", Inbox, false)
			if err != nil {
				b.Fatal(err)
			}
			m.Close()
		}
	})
}

// TestSelectedFolderDeleted: a session whose folder is deleted (or
// deleted and made again) learns it from its next Sync.
func TestSelectedFolderDeleted(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.CreateFolder("alice", "Work"))
	_, _, err := s.Append("alice", "Work", strings.NewReader("x\r\n"), 0, nil, time.Time{})
	require.NoError(t, err)
	_, err = s.Select("alice", "work", false)
	assert.ErrorIs(t, err, ErrNoFolder, "names other than INBOX are case-sensitive")
	m, err := s.Select("alice", "Work", false)
	require.NoError(t, err)
	defer m.Close()
	other, err := Open(s.Dir()) // another process
	require.NoError(t, err)
	require.NoError(t, other.DeleteFolder("alice", "Work"))
	_, err = m.Sync(true)
	assert.ErrorIs(t, err, ErrNoFolder)
	require.NoError(t, other.CreateFolder("alice", "Work"))
	_, err = m.Sync(true)
	assert.ErrorIs(t, err, ErrUIDValidity)
}

func TestSnapshotHelpers(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 3)
	ro, err := s.Select("alice", Inbox, true)
	require.NoError(t, err)
	defer ro.Close()
	assert.True(t, ro.ReadOnly())
	assert.Equal(t, Inbox, ro.Name())
	assert.Equal(t, 3, ro.Recent(), "EXAMINE sees \\Recent ...")
	rw, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer rw.Close()
	assert.Equal(t, 3, rw.Recent(), "... without taking it")
	assert.Equal(t, 2, rw.SeqOf(2))
	assert.Zero(t, rw.SeqOf(9))
	c, err := rw.Sync(true)
	require.NoError(t, err)
	assert.True(t, c.Empty())
	assert.Equal(t, 3, c.Exists)
	assert.Equal(t, 3, c.Recent)
	require.NoError(t, rw.Close())
	require.NoError(t, rw.Close(), "twice is fine")
}

// TestOtherProcessFlags: a flag change made by another Store (process)
// reaches an idling session through the poll as a FETCH with a new modseq.
func TestOtherProcessFlags(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 2)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	other, err := Open(s.Dir())
	require.NoError(t, err)
	om, err := other.Select("alice", Inbox, false)
	require.NoError(t, err)
	_, _, err = om.Store([]uint32{2}, StoreAdd, FlagAnswered, []string{"$Forwarded"}, 0)
	require.NoError(t, err)
	om.Close()
	select {
	case <-m.Changed():
	case <-time.After(time.Second):
		t.Fatal("flag change not seen within a second")
	}
	c, err := m.Sync(false)
	require.NoError(t, err)
	assert.Equal(t, []uint32{2}, c.Flags)
	assert.True(t, c.Keywords)
	assert.Equal(t, FlagAnswered, m.Messages()[1].Flags)
	assert.Equal(t, uint32(1), m.Messages()[1].Keywords)
	assert.Equal(t, m.Messages()[1].ModSeq, m.HighestModSeq())
}

// TestProcessesMixed: processes append, flag and expunge in one folder
// while this one POP3-deletes: UIDVALIDITY never changes, every UID below
// UIDNEXT is either in the folder or in the expunge log (never both,
// never reused), and nothing appended is missing.
func TestProcessesMixed(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	st0, err := s.Status("alice", Inbox)
	require.NoError(t, err)
	const procs, per = 3, 24
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$")
		cmd.Env = append(os.Environ(), "STORE_APPENDER="+dir, "STORE_APPENDER_ID="+strconv.Itoa(p),
			"STORE_APPENDER_N="+strconv.Itoa(per), "STORE_APPENDER_MIXED=1")
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	popDeleted := 0
	for range 5 {
		md, err := s.OpenMaildrop("alice")
		require.NoError(t, err)
		if len(md.Messages()) > 0 {
			require.NoError(t, md.Delete([]int{0}))
			popDeleted++
		}
		md.Close()
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range cmds {
		require.NoError(t, c.Wait())
	}
	m, err := s.Select("alice", Inbox, true)
	require.NoError(t, err)
	defer m.Close()
	assert.Equal(t, st0.UIDValidity, m.UIDValidity(), "UIDVALIDITY unchanged")
	total := procs * per
	assert.Equal(t, uint32(total+1), m.UIDNext())
	gone := map[uint32]bool{}
	for _, r := range m.Vanished(0, nil) {
		for u := r.First; u <= r.Last; u++ {
			gone[u] = true
		}
	}
	for _, mi := range m.Messages() {
		assert.False(t, gone[mi.UID], "UID %d both present and expunged", mi.UID)
	}
	assert.Equal(t, total, len(m.Messages())+len(gone), "every UID accounted for")
	assert.GreaterOrEqual(t, len(gone), popDeleted)
	t.Logf("%d messages, %d expunged (%d by POP3)", len(m.Messages()), len(gone), popDeleted)
}

// BenchmarkStore: STORE +FLAGS on one message of a 1,000-message folder
// (a rename, an fsync of cur/, the state file rewritten). SetBytes counts
// messages in the folder.
func BenchmarkStore(b *testing.B) {
	s := newStore(b)
	deliver(b, s, "alice", 1000)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(b, err)
	defer m.Close()
	uids := []uint32{500}
	b.ReportAllocs()
	b.SetBytes(1000)
	i := 0
	for b.Loop() {
		op := StoreAdd
		if i%2 == 1 {
			op = StoreRemove
		}
		i++
		if _, _, err := m.Store(uids, op, FlagSeen, nil, 0); err != nil {
			b.Fatal(err)
		}
	}
}
