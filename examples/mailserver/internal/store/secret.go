package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// SecretFile holds the service's random key (32 octets) under the data
// directory, so that every instance sharing the directory, and every
// restart, keys its hashes (rewritten Message-IDs) alike.
const SecretFile = "secret"

const secretLen = 32

// Secret returns the service key, creating it at the first call under a
// lock that holds across processes.
func (s *Store) Secret() ([]byte, error) {
	path := filepath.Join(s.dir, SecretFile)
	if b, err := os.ReadFile(path); err == nil && len(b) == secretLen {
		return b, nil
	}
	lk, err := os.OpenFile(filepath.Join(s.dir, SecretFile+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	defer lk.Close()
	if err := syscall.Flock(int(lk.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil && len(b) == secretLen:
		return b, nil
	case err == nil:
		return nil, fmt.Errorf("store: %s: want %d octets, have %d", path, secretLen, len(b))
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	key := make([]byte, secretLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	err = durable.WriteFile(path, 0o600, func(w io.Writer) error {
		if f, ok := w.(*os.File); ok {
			if err := f.Chmod(0o600); err != nil {
				return err
			}
		}
		_, err := w.Write(key)
		return err
	})
	return key, err
}
