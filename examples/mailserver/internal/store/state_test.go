package store

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseState(t *testing.T) {
	good := "2 V7 N5 M9 F0 G3\nK $Forwarded\nK Work\nX 2 8\n1 4 10 1700000000 :2,Sa k1\n4 9 20 1700000001 :2, k4\n"
	st, err := parseState([]byte(good))
	require.NoError(t, err)
	assert.Equal(t, uint32(7), st.validity)
	assert.Equal(t, uint32(5), st.next)
	assert.Equal(t, uint64(9), st.highest)
	assert.Equal(t, []string{"$Forwarded", "Work"}, st.keywords)
	assert.Equal(t, []gone{{2, 8}}, st.log)
	require.Len(t, st.msgs, 2)
	assert.Equal(t, entry{uid: 1, modseq: 4, size: 10, date: 1700000000, key: "k1", name: "k1:2,Sa", flags: FlagSeen, kw: 1}, st.msgs[0])
	assert.Equal(t, good, string(appendState(nil, &st)), "writes back the same")

	for _, bad := range []string{
		"garbage\n",
		"2 V0 N5 M9 F0 G3\n",                               // no UIDVALIDITY
		"2 V7 N5 M9 F0 G3\n5 1 1 1 :2, k\n",                // UID not below UIDNEXT
		"2 V7 N5 M9 F0 G3\n1 10 1 1 :2, k\n",               // modseq above HIGHESTMODSEQ
		"2 V7 N5 M9 F0 G3\n1 1 1 1 :2, k\n1 1 1 1 :2, j\n", // UID twice
		"2 V7 N5 M9 F0 G3\n1 1 1 1 :2, k\n2 1 1 1 :2, k\n", // key twice
		"2 V7 N5 M9 F0 G3\n1 1 1 1 :2, a/b\n",              // not a key
		"2 V7 N5 M9 F0 G3\n1 1 -2 1 :2, k\n",               // negative size
		"1 V5 N3\n3 k\n",
	} {
		_, err := parseState([]byte(bad))
		assert.ErrorIs(t, err, errState, bad)
	}
}

// TestUpgradeV1: a version 1 UID list (part 1's POP3) keeps its UIDs and
// UIDVALIDITY, gains sizes, dates and modseqs.
func TestUpgradeV1(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 2)
	md, err := s.OpenMaildrop("alice")
	require.NoError(t, err)
	keys := []string{md.Messages()[0].Key, md.Messages()[1].Key}
	md.Close()
	p := filepath.Join(s.Dir(), "alice", UIDListFile)
	require.NoError(t, os.WriteFile(p, []byte("1 V1234 N8\n5 "+keys[0]+"\n7 "+keys[1]+"\n"), 0o600))
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	assert.Equal(t, uint32(1234), m.UIDValidity())
	assert.Equal(t, []uint32{5, 7}, uidsOf(m))
	assert.Equal(t, uint32(8), m.UIDNext())
	assert.NotZero(t, m.Messages()[0].Size)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "2 V1234 N8 "), string(b))
}

// TestDamagedState: a state file that does not parse is rebuilt under a
// UIDVALIDITY above every one the user had; the mail stays.
func TestDamagedState(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 3)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	v := m.UIDValidity()
	m.Close()
	p := filepath.Join(s.Dir(), "alice", UIDListFile)
	for _, bad := range []string{"\x00\x01garbage", "2 V1 N2 M1 F0 G1\n1 1 1 1 :2, x\n1 1 1 1 :2, y\n"} {
		require.NoError(t, os.WriteFile(p, []byte(bad), 0o600))
		m, err := s.Select("alice", Inbox, false)
		require.NoError(t, err)
		assert.Greater(t, m.UIDValidity(), v, "never an old UIDVALIDITY, even within the second")
		v = m.UIDValidity()
		assert.Equal(t, []uint32{1, 2, 3}, uidsOf(m))
		m.Close()
	}
	// A truncated file (a crash can not make one: writes are renamed in
	// whole; a disk can) counts as damaged too.
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b[:len(b)-5], 0o600))
	m, err = s.Select("alice", Inbox, false)
	require.NoError(t, err)
	assert.Len(t, m.Messages(), 3)
	m.Close()
}

// TestCrashLeftoversIMAP: what a crash can leave behind is repaired by the
// next sync: a message in cur/ that the state does not list (an APPEND
// that died after the rename) gets a UID; a flag rename not yet in the
// state gets a new modseq; a file listed but gone is an expunge; old
// tmp/ files go, young ones stay; a temporary state file is ignored.
func TestCrashLeftoversIMAP(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 2)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	hi := m.HighestModSeq()
	names := []string{m.f.d.st.msgs[0].name, m.f.d.st.msgs[1].name} // UIDs 1 and 2
	m.Close()
	ud := filepath.Join(s.Dir(), "alice")
	cur := filepath.Join(ud, "cur")
	require.Len(t, files(t, cur), 2)
	require.NoError(t, os.WriteFile(filepath.Join(cur, "1.crash.host:2,S"), []byte("x\r\n"), 0o600))
	key, _, _ := strings.Cut(names[0], ":")
	require.NoError(t, os.Rename(filepath.Join(cur, names[0]), filepath.Join(cur, key+":2,F")))
	require.NoError(t, os.Remove(filepath.Join(cur, names[1])))
	require.NoError(t, os.WriteFile(filepath.Join(ud, ".tmp-999"), []byte("half a state"), 0o600))

	m, err = s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	msgs := m.Messages()
	require.Len(t, msgs, 2)
	assert.Equal(t, uint32(1), msgs[0].UID)
	assert.Equal(t, FlagFlagged, msgs[0].Flags)
	assert.Greater(t, msgs[0].ModSeq, hi)
	assert.Equal(t, uint32(3), msgs[1].UID, "the unlisted file got the next UID")
	assert.Equal(t, FlagSeen, msgs[1].Flags)
	assert.Equal(t, []UIDRange{{2, 2}}, m.Vanished(hi, nil), "the vanished file is logged")
}

func TestExpungeLogBounded(t *testing.T) {
	d := disk{st: state{validity: 1, next: 1, highest: 1}}
	for i := range maxExpungeLog + 10 {
		d.expunged(uint32(i+1), d.bump())
	}
	assert.Len(t, d.st.log, maxExpungeLog)
	assert.Equal(t, uint64(11), d.st.floor, "modseqs 2..11 dropped")
	assert.Equal(t, uint32(11), d.st.log[0].uid)
}

// FuzzState: a state file that parses writes back to one that parses to
// the same state, and writing is canonical.
func FuzzState(f *testing.F) {
	f.Add("2 V7 N5 M9 F0 G3\nK $Forwarded\nX 2 8\n1 4 10 1700000000 :2,Sa k1\n4 9 20 1700000001 :2, k4\n")
	f.Add("1 V1733333333 N4\n1 a.key\n2 b.key\n3 c.key\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, content string) {
		st, err := parseState([]byte(content))
		if err != nil || st.validity == 0 {
			return
		}
		out := appendState(nil, &st)
		st2, err := parseState(out)
		require.NoError(t, err, string(out))
		assert.Equal(t, string(out), string(appendState(nil, &st2)))
		assert.Equal(t, len(st.msgs), len(st2.msgs))
		for i := range st.msgs {
			assert.Equal(t, st.msgs[i].uid, st2.msgs[i].uid)
			assert.Equal(t, st.msgs[i].key, st2.msgs[i].key)
			assert.Equal(t, st.msgs[i].flags, st2.msgs[i].flags)
		}
	})
}

// TestKilledWriter: a process killed (SIGKILL) in the middle of appends
// and flag changes leaves a folder whose every message has a UID, with
// UIDVALIDITY unchanged and UIDs unique and below UIDNEXT.
func TestKilledWriter(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	st0, err := s.Status("alice", Inbox)
	require.NoError(t, err)
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$")
		cmd.Env = append(os.Environ(), "STORE_APPENDER="+dir, "STORE_APPENDER_ID=k"+strconv.Itoa(round),
			"STORE_APPENDER_N=100000", "STORE_APPENDER_MIXED=1")
		require.NoError(t, cmd.Start())
		time.Sleep(time.Duration(150+100*round) * time.Millisecond)
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()

		s2, err := Open(dir) // a restart
		require.NoError(t, err)
		m, err := s2.Select("alice", Inbox, true)
		require.NoError(t, err)
		assert.Equal(t, st0.UIDValidity, m.UIDValidity(), "round %d", round)
		seen := map[uint32]bool{}
		for _, mi := range m.Messages() {
			assert.False(t, seen[mi.UID])
			seen[mi.UID] = true
			assert.Less(t, mi.UID, m.UIDNext())
		}
		assert.Len(t, files(t, filepath.Join(dir, "alice", "cur")), len(m.Messages()), "every file in cur/ listed")
		t.Logf("round %d: %d messages, UIDNEXT %d", round, len(m.Messages()), m.UIDNext())
		m.Close()
	}
}
