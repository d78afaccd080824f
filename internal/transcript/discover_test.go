package transcript

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeModule makes a module root with transcripts of the given protocols,
// changes into a package directory below it and returns the root.
func fakeModule(t *testing.T, protocols ...string) string {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644))
	writeTranscripts(t, filepath.Join(root, "testdata", "transcripts"), protocols...)
	pkg := filepath.Join(root, "some", "pkg")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	t.Chdir(pkg)
	return root
}

func writeTranscripts(t *testing.T, dir string, protocols ...string) {
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i, p := range protocols {
		tr := sampleTranscript()
		tr.Protocol = p
		file, err := tr.Append(nil)
		require.NoError(t, err)
		name := filepath.Join(dir, p+"-"+string(rune('a'+i))+".txn")
		require.NoError(t, os.WriteFile(name, file, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("not a transcript"), 0o644))
}

func TestCommittedDir(t *testing.T) {
	root := fakeModule(t)
	dir, err := CommittedDir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "testdata", "transcripts"), dir)

	t.Chdir(t.TempDir())
	_, err = CommittedDir()
	require.Error(t, err, "no go.mod above a fresh temp dir")
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	writeTranscripts(t, dir, "smtp", "imap")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "z.txn.gz"), nil, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.txn"), 0o755))
	files, err := Files(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{
		filepath.Join(dir, "imap-b.txn"),
		filepath.Join(dir, "smtp-a.txn"),
		filepath.Join(dir, "z.txn.gz"),
	}, files)
}

func TestDiscover(t *testing.T) {
	fresh := t.TempDir()
	writeTranscripts(t, fresh, "pop3", "smtp")
	tests := []struct {
		name     string
		env      string
		protocol string
		want     int
		wantErr  bool
	}{
		{"committed only", "", "smtp", 2, false},
		{"committed and fresh", fresh, "smtp", 3, false},
		{"fresh lacks the protocol", fresh, "imap", 0, true},
		{"nothing committed", "", "pop3", 0, true},
		{"fresh dir missing", filepath.Join(fresh, "missing"), "smtp", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fakeModule(t, "smtp", "imap", "smtp")
			t.Setenv(EnvDir, tt.env)
			ts, err := Discover(tt.protocol)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Len(t, ts, tt.want)
			for _, tr := range ts {
				assert.Equal(t, tt.protocol, tr.Protocol)
				assert.NotEmpty(t, tr.Path)
			}
		})
	}
}

func TestDiscoverRefusesBadFile(t *testing.T) {
	root := fakeModule(t, "smtp")
	bad := filepath.Join(root, "testdata", "transcripts", "broken.txn")
	require.NoError(t, os.WriteFile(bad, []byte("junk"), 0o644))
	t.Setenv(EnvDir, "")
	_, err := Discover("smtp")
	require.ErrorContains(t, err, "broken.txn")
}
