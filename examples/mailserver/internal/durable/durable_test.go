package durable

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writer writes s; with fail it writes half of s, then returns errBoom (a
// crash in the middle of the content).
func writer(s string, fail bool) func(io.Writer) error {
	return func(w io.Writer) error {
		if fail {
			_, _ = io.WriteString(w, s[:len(s)/2])
			return errBoom
		}
		_, err := io.WriteString(w, s)
		return err
	}
}

var errBoom = errors.New("boom")

// names lists dir's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

type writeFunc func(path string, mode fs.FileMode, write func(io.Writer) error) error

// via adapts WriteVia to writeFunc, with its tmp in dir/tmp.
func via(path string, mode fs.FileMode, write func(io.Writer) error) error {
	tmpDir := filepath.Join(filepath.Dir(filepath.Dir(path)), "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return err
	}
	return WriteVia(filepath.Join(tmpDir, filepath.Base(path)+".w"), path, mode, write)
}

var writers = []struct {
	name    string
	fn      writeFunc
	replace bool
}{
	{"WriteFile", WriteFile, true},
	{"WriteNew", WriteNew, false},
	{"WriteVia", via, true},
}

// destDir is where path goes: a subdirectory, so that WriteVia's tmp/ is
// apart from it.
func destDir(t *testing.T) string {
	d := filepath.Join(t.TempDir(), "d")
	require.NoError(t, os.Mkdir(d, 0o700))
	return d
}

func TestWriteCompleteAndMode(t *testing.T) {
	for _, w := range writers {
		for _, mode := range []fs.FileMode{0o600, 0o644, 0o640} {
			t.Run(w.name+mode.String(), func(t *testing.T) {
				d := destDir(t)
				p := filepath.Join(d, "f")
				require.NoError(t, w.fn(p, mode, writer("hello, world\n", false)))
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				assert.Equal(t, "hello, world\n", string(b))
				st, err := os.Stat(p)
				require.NoError(t, err)
				assert.Equal(t, mode, st.Mode().Perm())
				assert.Equal(t, []string{"f"}, names(t, d), "no temporary file left")
			})
		}
	}
}

func TestModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, WriteFile(p, 0o644, writer("x", false)))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), st.Mode().Perm())
}

// A failure in the middle of the content leaves the old file (or none)
// and no temporary file.
func TestWriteFailureLeavesOldOrNothing(t *testing.T) {
	for _, w := range writers {
		for _, existed := range []bool{false, true} {
			t.Run(w.name, func(t *testing.T) {
				d := destDir(t)
				p := filepath.Join(d, "f")
				want := []string(nil)
				if existed {
					require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
					want = []string{"f"}
				}
				err := w.fn(p, 0o600, writer("the new content", true))
				require.ErrorIs(t, err, errBoom)
				assert.Equal(t, want, names(t, d))
				if existed {
					b, rerr := os.ReadFile(p)
					require.NoError(t, rerr)
					assert.Equal(t, "old", string(b))
				}
				if w.name == "WriteVia" {
					assert.Empty(t, names(t, filepath.Join(filepath.Dir(d), "tmp")))
				}
			})
		}
	}
}

func TestReplaceOrRefuse(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			d := destDir(t)
			p := filepath.Join(d, "f")
			require.NoError(t, os.WriteFile(p, []byte("first"), 0o600))
			err := w.fn(p, 0o600, writer("second", false))
			b, rerr := os.ReadFile(p)
			require.NoError(t, rerr)
			if w.replace {
				require.NoError(t, err)
				assert.Equal(t, "second", string(b))
			} else {
				require.ErrorIs(t, err, fs.ErrExist)
				assert.Equal(t, "first", string(b))
			}
			assert.Equal(t, []string{"f"}, names(t, d))
		})
	}
}

// record replaces fsync for the test, logging the name of every file
// synced; failOn makes the sync of a name with that suffix fail.
func record(t *testing.T, failOn string) *[]string {
	var got []string
	fsync = func(f *os.File) error {
		got = append(got, f.Name())
		if failOn != "" && strings.HasSuffix(f.Name(), failOn) {
			return syscall.EIO
		}
		return (*os.File).Sync(f)
	}
	t.Cleanup(func() { fsync = (*os.File).Sync })
	return &got
}

// The file is synced under its temporary name, before it gets the final
// one, and the directory after.
func TestSyncOrder(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			got := record(t, "")
			d := destDir(t)
			p := filepath.Join(d, "f")
			require.NoError(t, w.fn(p, 0o600, writer("x", false)))
			require.Len(t, *got, 2)
			assert.NotEqual(t, p, (*got)[0], "synced under its temporary name")
			if w.name == "WriteVia" {
				assert.Equal(t, filepath.Join(filepath.Dir(d), "tmp", "f.w"), (*got)[0])
			} else {
				assert.True(t, strings.HasPrefix(filepath.Base((*got)[0]), TempPrefix), (*got)[0])
				assert.Equal(t, d, filepath.Dir((*got)[0]))
			}
			assert.Equal(t, d, (*got)[1], "directory synced last")
		})
	}
}

// A failing file fsync is an error and publishes nothing; a failing
// directory fsync is an error too (the caller must not report success).
func TestSyncFailure(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name+"/file", func(t *testing.T) {
			d := destDir(t)
			record(t, "f.w")
			if w.name != "WriteVia" {
				fsync = func(f *os.File) error {
					if strings.HasPrefix(filepath.Base(f.Name()), TempPrefix) {
						return syscall.EIO
					}
					return (*os.File).Sync(f)
				}
			}
			p := filepath.Join(d, "f")
			require.ErrorIs(t, w.fn(p, 0o600, writer("x", false)), syscall.EIO)
			assert.Empty(t, names(t, d))
		})
		t.Run(w.name+"/dir", func(t *testing.T) {
			d := destDir(t)
			record(t, "/d")
			p := filepath.Join(d, "f")
			require.ErrorIs(t, w.fn(p, 0o600, writer("x", false)), syscall.EIO)
			assert.Equal(t, []string{"f"}, names(t, d))
		})
	}
}

func TestWriteViaRefusesExistingTmp(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "t")
	require.NoError(t, os.WriteFile(tmp, []byte("other writer"), 0o600))
	err := WriteVia(tmp, filepath.Join(dir, "f"), 0o600, writer("x", false))
	require.ErrorIs(t, err, fs.ErrExist)
	b, rerr := os.ReadFile(tmp)
	require.NoError(t, rerr)
	assert.Equal(t, "other writer", string(b), "another writer's tmp untouched")
	assert.NoFileExists(t, filepath.Join(dir, "f"))
}

func TestMissingDirectory(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "f")
	for _, w := range []writeFunc{WriteFile, WriteNew} {
		require.ErrorIs(t, w(p, 0o600, writer("x", false)), fs.ErrNotExist)
	}
	require.ErrorIs(t, SyncDir(filepath.Join(t.TempDir(), "no")), fs.ErrNotExist)
}

func TestSyncDir(t *testing.T) {
	got := record(t, "")
	d := t.TempDir()
	require.NoError(t, SyncDir(d))
	assert.Equal(t, []string{d}, *got)
}

func TestBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, WriteFile(p, 0o600, Bytes([]byte("a\x00b\n"))))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "a\x00b\n", string(b))
	require.ErrorIs(t, Bytes([]byte("x"))(failWriter{}), errBoom)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errBoom }
