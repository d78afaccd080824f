// Package store keeps the mail: one Maildir per user under the data
// directory (DIR/NAME/{tmp,new,cur}), written so that nothing is lost or
// half-written on a crash: every file is written in tmp/, fsynced, renamed
// into new/, and the directory fsynced. The store is the only state the
// service's processes share; its locks (flock on a lock file) hold across
// processes, so several instances can share one data directory.
//
// Layout: the inbox is DIR/NAME itself; Maildir++ subfolders (".Sent",
// ".a.b" for "a/b", see CanonicalName) sit beside its tmp/new/cur. Flags go
// in the file name info ":2,DFPRST" plus keyword letters a-z; each folder
// has a state file (UIDListFile) with its UIDVALIDITY, UIDNEXT,
// HIGHESTMODSEQ, keywords, a bounded expunge log and per message the UID,
// modseq, size and internal date. POP3's UIDL is the UID and UIDVALIDITY,
// the identity IMAP uses for the same message.
//
// For IMAP: folders (Folders, CreateFolder, DeleteFolder, RenameFolder,
// Subscribe, Status, EnsureUser), a session's view of a selected folder
// (Select, Mailbox: Sync, Store, Expunge, Copy, Move, Open, Vanished,
// Changed) and appends (Append, NewAppender). Every change is made under
// the folder's flock and written tmp+fsync+rename, so processes sharing
// the directory agree; changes by other processes (delivery, POP3, other
// instances) are seen by a poll every 250 ms.
package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Names inside a user's folder.
const (
	LockFile    = "mailwire.lock"
	UIDListFile = "mailwire-uidlist"
)

// ErrUser: a user name that cannot be a folder name.
var ErrUser = errors.New("store: invalid user name")

// Store is the mail of every user under one directory. It is safe for
// concurrent use, by goroutines and by processes.
type Store struct {
	dir  string
	host string // the Maildir name's host part, with '/' and ':' escaped
	pid  int
	seq  atomic.Uint64

	mu      sync.Mutex
	folders map[string]*folder   // open in this process, by directory
	recent  map[string]recentSet // \Recent not claimed yet, of folders not open
}

// Open returns the store rooted at dir, creating dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return &Store{dir: dir, host: escapeHost(h), pid: os.Getpid()}, nil
}

// Dir returns the root directory.
func (s *Store) Dir() string { return s.dir }

// escapeHost makes the host safe in a Maildir name (as qmail does: '/'
// and ':' would break it) and keeps the name within POP3's printable range.
func escapeHost(h string) string {
	out := make([]byte, 0, len(h))
	for i := 0; i < len(h) && len(out) < 32; i++ {
		c := h[i]
		if c <= 0x20 || c >= 0x7f || c == '/' || c == ':' || c == '\\' {
			out = append(out, '_')
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// validUser keeps user names to a single, non-hidden path element.
func validUser(u string) bool {
	if u == "" || len(u) > 64 || u[0] == '.' {
		return false
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c == '/' || c == '\\' || c == 0 || c == ':' {
			return false
		}
	}
	return true
}

// userDir is the user's inbox folder.
func (s *Store) userDir(user string) (string, error) {
	if !validUser(user) {
		return "", fmt.Errorf("%w: %q", ErrUser, user)
	}
	return filepath.Join(s.dir, user), nil
}

// folderDir is a Maildir++ folder of the user: "" is the inbox, "Sent"
// is DIR/NAME/.Sent (for IMAP; POP3 sees only the inbox).
func (s *Store) folderDir(user, folder string) (string, error) {
	d, err := s.userDir(user)
	if err != nil || folder == "" {
		return d, err
	}
	if folder[0] == '.' || !validUser(folder) {
		return "", fmt.Errorf("store: invalid folder %q", folder)
	}
	return filepath.Join(d, "."+folder), nil
}

// ensureMaildir creates tmp, new and cur under d.
func ensureMaildir(d string) error {
	for _, sub := range [...]string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o700); err != nil {
			return err
		}
	}
	return nil
}

// newKey returns a unique Maildir key: seconds, then M(microseconds),
// P(pid), Q(sequence), R(random) and the host, as the Maildir
// specification suggests. It holds only 0x21-0x7E octets.
func (s *Store) newKey(now time.Time) string {
	var r [8]byte
	_, _ = rand.Read(r[:])
	return strconv.FormatInt(now.Unix(), 10) +
		".M" + strconv.Itoa(now.Nanosecond()/1000) +
		"P" + strconv.Itoa(s.pid) +
		"Q" + strconv.FormatUint(s.seq.Add(1), 10) +
		"R" + hex.EncodeToString(r[:]) +
		"." + s.host
}
