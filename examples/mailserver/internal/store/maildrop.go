package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// ErrLocked: another session, in this process or another, holds the
// maildrop (POP3 -ERR [IN-USE]).
var ErrLocked = errors.New("store: maildrop locked by another session")

// tmpMaxAge: tmp/ files older than this are crash leftovers (the Maildir
// specification's 36 hours) and are removed when a maildrop is opened.
const tmpMaxAge = 36 * time.Hour

// Message is one message of a maildrop.
type Message struct {
	Key  string // the Maildir key: the file name before ":2,"
	UID  uint32 // the folder's UID for the key (IMAP's UID)
	Size int64  // octets, CRLF line ends (what RETR sends before dot-stuffing)
	name string // file name in cur/
}

// Maildrop is a user's inbox opened exclusively, for a POP3 session: its
// messages as they were when it was opened, sorted by UID. Close releases
// the lock. It is not safe for concurrent use.
type Maildrop struct {
	dir      string
	lock     *os.File
	validity uint32
	msgs     []Message
	uidls    []string // UIDL(i), made once at open
}

// OpenMaildrop locks the user's inbox (flock, exclusive, not waiting: a lock
// that another process holds gives ErrLocked too), moves new/ into cur/,
// removes tmp/ leftovers older than 36 hours, assigns UIDs to messages that
// have none and records them in the UID list.
func (s *Store) OpenMaildrop(user string) (*Maildrop, error) {
	d, err := s.folderDir(user, "")
	if err != nil {
		return nil, err
	}
	if err := ensureMaildir(d); err != nil {
		return nil, err
	}
	lk, err := Lock(filepath.Join(d, LockFile))
	if err != nil {
		return nil, err
	}
	m := &Maildrop{dir: d, lock: lk}
	if err := m.scan(s, user); err != nil {
		lk.Close()
		return nil, err
	}
	return m, nil
}

// Lock takes an exclusive flock on path, created if missing, without
// waiting. Two handles conflict even in one process (flock locks belong to
// the open file), so a lock held by a goroutine or another process gives
// ErrLocked alike. Closing the file releases it.
func Lock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return f, nil
}

// scan builds the message list: the folder sync IMAP uses (new/ into
// cur/, UIDs for new messages, removed files logged as expunges), under
// the folder lock.
func (m *Maildrop) scan(s *Store, user string) error {
	d := disk{s: s, user: user, dir: m.dir, inbox: true}
	lk, err := lockFolder(m.dir)
	if err != nil {
		return err
	}
	defer lk.Close()
	if err := d.sync(true); err != nil {
		return err
	}
	m.validity = d.st.validity
	m.msgs = make([]Message, len(d.st.msgs))
	m.uidls = make([]string, len(d.st.msgs))
	for i, e := range d.st.msgs {
		m.msgs[i] = Message{Key: e.key, UID: e.uid, Size: e.size, name: e.name}
		m.uidls[i] = fmt.Sprintf("%08X%08X", e.uid, m.validity)
	}
	return nil
}

// keyLess orders keys by delivery: the leading seconds, then, for keys
// of this store's form ("SECS.M<usec>P<pid>Q<seq>R..."), the microseconds,
// pid and sequence as numbers (they are not zero-padded), then as strings.
// Keys of other forms sort after this store's within a second. It is a
// strict weak order (a lexicographic one over those parts).
func keyLess(a, b string) bool {
	sa, ra, _ := strings.Cut(a, ".")
	sb, rb, _ := strings.Cut(b, ".")
	if len(sa) != len(sb) {
		return len(sa) < len(sb)
	}
	if sa != sb {
		return sa < sb
	}
	ka, oka := keyParts(ra)
	kb, okb := keyParts(rb)
	if oka != okb {
		return oka
	}
	if oka {
		if ka.usec != kb.usec {
			return ka.usec < kb.usec
		}
		if ka.pid != kb.pid {
			return ka.pid < kb.pid
		}
		if ka.seq != kb.seq {
			return ka.seq < kb.seq
		}
	}
	return a < b
}

type keyNums struct{ usec, pid, seq uint64 }

// keyParts reads "M<usec>P<pid>Q<seq>" at the start of r.
func keyParts(r string) (keyNums, bool) {
	var k keyNums
	for _, f := range [...]struct {
		c byte
		v *uint64
	}{{'M', &k.usec}, {'P', &k.pid}, {'Q', &k.seq}} {
		if len(r) < 2 || r[0] != f.c {
			return k, false
		}
		i := 1
		for ; i < len(r) && i < 20 && r[i] >= '0' && r[i] <= '9'; i++ {
			*f.v = *f.v*10 + uint64(r[i]-'0')
		}
		if i == 1 {
			return k, false
		}
		r = r[i:]
	}
	return k, true
}

// cleanTmp removes tmp/ files older than tmpMaxAge: deliveries that never
// finished. Younger ones may be deliveries in progress and are left alone;
// they are never listed, since only new/ and cur/ are read.
func cleanTmp(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	cut := time.Now().Add(-tmpMaxAge)
	for _, e := range ents {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cut) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// readUIDList reads a folder state file's UIDVALIDITY, UIDs by key and
// next UID (validity 0: no usable list).
func readUIDList(path string) (validity uint32, uids map[string]uint32, next uint32, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, map[string]uint32{}, 0, nil
	}
	if err != nil {
		return 0, nil, 0, err
	}
	st, err := parseState(b)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("store: %s: %w", path, err)
	}
	uids = make(map[string]uint32, len(st.msgs))
	for _, e := range st.msgs {
		uids[e.key] = e.uid
	}
	return st.validity, uids, st.next, nil
}

// writeUIDList writes a folder state file for msgs (modseq 1 each).
func writeUIDList(path string, validity, next uint32, msgs []Message) error {
	st := state{validity: validity, next: next, highest: 1}
	for _, m := range msgs {
		st.msgs = append(st.msgs, entry{uid: m.UID, modseq: 1, size: m.Size, key: m.Key})
	}
	b := appendState(nil, &st)
	return durable.WriteFile(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Messages returns the messages as they were when the maildrop was opened.
// The slice is the maildrop's own; do not modify it.
func (m *Maildrop) Messages() []Message { return m.msgs }

// UIDValidity is the folder's UIDVALIDITY.
func (m *Maildrop) UIDValidity() uint32 { return m.validity }

// UIDL returns the POP3 unique-id of message i (0-based): the UID and the
// UIDVALIDITY in 8 hexadecimal digits each, as Dovecot's default
// pop3_uidl_format "%08Xu%08Xv". It changes only if the UID list is lost.
func (m *Maildrop) UIDL(i int) string { return m.uidls[i] }

// Open opens message i (0-based) for reading.
func (m *Maildrop) Open(i int) (*os.File, error) {
	return os.Open(filepath.Join(m.dir, "cur", m.msgs[i].name))
}

// Delete removes messages (0-based indices) and makes the removal durable
// (fsync of cur/). It is POP3's UPDATE state; a message already gone counts
// as removed. It runs under the folder lock, and a message whose file an
// IMAP session renamed since (a flag change) is found by its key; IMAP
// sessions see the removal as an expunge.
func (m *Maildrop) Delete(idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	lk, err := lockFolder(m.dir)
	if err != nil {
		return err
	}
	defer lk.Close()
	curDir := filepath.Join(m.dir, "cur")
	var byKey map[string]string
	var first error
	for _, i := range idx {
		err := os.Remove(filepath.Join(curDir, m.msgs[i].name))
		if errors.Is(err, os.ErrNotExist) {
			if byKey == nil {
				byKey = map[string]string{}
				names, _ := readNames(curDir)
				for _, n := range names {
					k, _, _ := strings.Cut(n, ":")
					byKey[k] = n
				}
			}
			if n, ok := byKey[m.msgs[i].Key]; ok {
				err = os.Remove(filepath.Join(curDir, n))
			}
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = err
		}
	}
	if err := durable.SyncDir(curDir); err != nil && first == nil {
		first = err
	}
	return first
}

// Close releases the lock.
func (m *Maildrop) Close() error {
	if m.lock == nil {
		return nil
	}
	err := m.lock.Close()
	m.lock = nil
	return err
}
