package users

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// maxFileLine bounds a line of a -users file.
const maxFileLine = 4096

// Load adds the users of a -users file: one "name:hash" a line (see
// Hash.String); empty lines and lines starting with '#' are skipped.
func (db *DB) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxFileLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, hash, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("users: line %d: want name:hash", n)
		}
		h, err := ParseHash(hash)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if err := db.AddHash(name, h); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// HashLine returns the "name:hash" line for a -users file (the
// -hash-password helper).
func HashLine(name, password string) (string, error) {
	if !ValidName(name) {
		return "", fmt.Errorf("%w: %q", ErrName, name)
	}
	h, err := NewHash(password, DefaultIterations)
	if err != nil {
		return "", err
	}
	return name + ":" + h.String(), nil
}

// DemoName is the user created when no -user or -users is given.
const DemoName = "demo"

// DemoFile is where the demo user's hash is kept, under the data directory.
const DemoFile = "demo-user"

// Demo adds the demo user, whose hash is kept in dir/DemoFile. At the first
// start it creates a random password, stores its hash (durable.WriteNew:
// tmp + fsync + link, never replacing a file) and returns the password; at
// later starts it returns "" and the stored hash is used.
func (db *DB) Demo(dir string) (password string, err error) {
	path := filepath.Join(dir, DemoFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return "", db.Load(strings.NewReader(string(b)))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	password = rand.Text()[:20]
	line, err := HashLine(DemoName, password)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// WriteNew never replaces a file: two instances starting at once keep
	// the first one's password.
	if err := durable.WriteNew(path, 0o600, durable.Bytes([]byte(line+"\n"))); err != nil {
		if errors.Is(err, os.ErrExist) {
			// Another instance on the same directory was first: its
			// password holds, and it printed it.
			b, rerr := os.ReadFile(path)
			if rerr != nil {
				return "", rerr
			}
			return "", db.Load(strings.NewReader(string(b)))
		}
		return "", err
	}
	if err := db.Load(strings.NewReader(line)); err != nil {
		return "", err
	}
	return password, nil
}
