package transcript

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EnvDir is the environment variable naming a directory of freshly recorded
// transcripts (the live re-recording in CI puts them there). When it is set,
// Discover also reads that directory and requires it to hold transcripts of
// the protocol asked for.
const EnvDir = "MAILWIRE_TRANSCRIPTS"

// committedPath is where the repository keeps its transcripts, relative to
// the module root.
const committedPath = "testdata/transcripts"

// CommittedDir returns the directory of the committed transcripts, found by
// walking up from the working directory to the module's go.mod. Tests run in
// their package directory, so this works from any package of the module.
func CommittedDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, filepath.FromSlash(committedPath)), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("transcript: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Files returns the transcript files (*.txn and *.txn.gz) directly in dir,
// sorted by name.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && (strings.HasSuffix(name, ".txn") || strings.HasSuffix(name, ".txn.gz")) {
			files = append(files, filepath.Join(dir, name))
		}
	}
	sort.Strings(files)
	return files, nil
}

// Discover loads every transcript of the given protocol: the committed ones,
// then those in $MAILWIRE_TRANSCRIPTS when it is set. It fails when a file
// does not load, when no committed transcript has the protocol, or when
// $MAILWIRE_TRANSCRIPTS is set and holds none of it.
func Discover(protocol string) ([]*Transcript, error) {
	committed, err := CommittedDir()
	if err != nil {
		return nil, err
	}
	dirs := []string{committed}
	if fresh := os.Getenv(EnvDir); fresh != "" {
		dirs = append(dirs, fresh)
	}
	var all []*Transcript
	for _, dir := range dirs {
		ts, err := loadProtocol(dir, protocol)
		if err != nil {
			return nil, err
		}
		if len(ts) == 0 {
			return nil, fmt.Errorf("transcript: no %s transcript in %s", protocol, dir)
		}
		all = append(all, ts...)
	}
	return all, nil
}

// DiscoverBeside is Discover or, when it finds no module (a test binary run
// outside the tree, as OSS-Fuzz runs a libFuzzer build in its output
// directory), the transcripts of the protocol in a directory "transcripts"
// beside the executable, where .clusterfuzzlite/build.sh copies them. It
// returns Discover's error when that directory holds none.
func DiscoverBeside(protocol string) ([]*Transcript, error) {
	ts, err := Discover(protocol)
	if err == nil {
		return ts, nil
	}
	exe, xerr := os.Executable()
	if xerr != nil {
		return nil, err
	}
	ts, lerr := loadProtocol(filepath.Join(filepath.Dir(exe), "transcripts"), protocol)
	if lerr != nil || len(ts) == 0 {
		return nil, err
	}
	return ts, nil
}

func loadProtocol(dir, protocol string) ([]*Transcript, error) {
	files, err := Files(dir)
	if err != nil {
		return nil, err
	}
	var ts []*Transcript
	for _, f := range files {
		t, err := Load(f)
		if err != nil {
			return nil, err
		}
		if t.Protocol == protocol {
			ts = append(ts, t)
		}
	}
	return ts, nil
}
