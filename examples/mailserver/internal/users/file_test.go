package users

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoad(t *testing.T) {
	h, err := NewHash("pw", 1000)
	require.NoError(t, err)
	db := New("localhost")
	require.NoError(t, db.Load(strings.NewReader("# comment\n\nalice:"+h.String()+"\n  bob:"+h.String()+"  \n")))
	assert.Equal(t, []string{"alice", "bob"}, db.Names())
	_, ok := db.Authenticate("bob@localhost", "pw")
	assert.True(t, ok)

	for _, bad := range []string{"alice", "alice:nohash", ":" + h.String(), "x:" + h.String() + "\nx:" + h.String(), strings.Repeat("a", 5000)} {
		assert.Error(t, New("localhost").Load(strings.NewReader(bad)), bad[:min(len(bad), 20)])
	}
}

func TestHashLine(t *testing.T) {
	line, err := HashLine("carol", "pw")
	require.NoError(t, err)
	db := New("localhost")
	require.NoError(t, db.Load(strings.NewReader(line)))
	_, ok := db.Authenticate("carol", "pw")
	assert.True(t, ok)
	_, err = HashLine("Bad Name", "pw")
	assert.ErrorIs(t, err, ErrName)
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	db := New("localhost")
	pw, err := db.Demo(dir)
	require.NoError(t, err)
	require.Len(t, pw, 20)
	_, ok := db.Authenticate("demo", pw)
	assert.True(t, ok)
	st, err := os.Stat(filepath.Join(dir, DemoFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// A later start: no password printed, the stored hash works.
	db2 := New("localhost")
	pw2, err := db2.Demo(dir)
	require.NoError(t, err)
	assert.Empty(t, pw2)
	_, ok = db2.Authenticate("demo@localhost", pw)
	assert.True(t, ok)
	left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	assert.Empty(t, left, "no temporary files left")
}

// TestDemoRace: instances starting at once on one directory agree on one
// demo password, printed by exactly one of them.
func TestDemoRace(t *testing.T) {
	dir := t.TempDir()
	const n = 4
	pws := make([]string, n)
	dbs := make([]*DB, n)
	errs := make([]error, n)
	done := make(chan int)
	for i := range n {
		go func() {
			dbs[i] = New("localhost")
			pws[i], errs[i] = dbs[i].Demo(dir)
			done <- i
		}()
	}
	for range n {
		<-done
	}
	printed := ""
	for i := range n {
		require.NoError(t, errs[i])
		if pws[i] != "" {
			require.Empty(t, printed, "printed twice")
			printed = pws[i]
		}
	}
	require.NotEmpty(t, printed)
	for i := range n {
		_, ok := dbs[i].Authenticate("demo", printed)
		assert.True(t, ok, "instance %d", i)
	}
}
