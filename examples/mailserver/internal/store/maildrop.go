package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
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
	if err := m.scan(); err != nil {
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

// scan builds the message list.
func (m *Maildrop) scan() error {
	newDir, curDir := filepath.Join(m.dir, "new"), filepath.Join(m.dir, "cur")
	cleanTmp(filepath.Join(m.dir, "tmp"))
	news, err := os.ReadDir(newDir)
	if err != nil {
		return err
	}
	moved := false
	for _, e := range news {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !e.Type().IsRegular() {
			continue
		}
		key, _, _ := strings.Cut(n, ":")
		if err := os.Rename(filepath.Join(newDir, n), filepath.Join(curDir, key+":2,")); err != nil {
			return err
		}
		moved = true
	}
	if moved {
		if err := syncDir(curDir); err != nil {
			return err
		}
		if err := syncDir(newDir); err != nil {
			return err
		}
	}
	curs, err := os.ReadDir(curDir)
	if err != nil {
		return err
	}
	validity, uids, next, err := readUIDList(filepath.Join(m.dir, UIDListFile))
	if err != nil {
		// A damaged list is rebuilt under a new UIDVALIDITY, as IMAP
		// requires when UIDs cannot be trusted; mail stays readable.
		validity, uids = 0, map[string]uint32{}
	}
	changed := false
	if validity == 0 {
		validity, next, changed = uint32(time.Now().Unix()), 1, true
	}
	present := make(map[string]bool, len(curs))
	var fresh []Message
	for _, e := range curs {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		key, _, _ := strings.Cut(n, ":")
		msg := Message{Key: key, Size: info.Size(), name: n}
		present[key] = true
		if uid, ok := uids[key]; ok {
			msg.UID = uid
			m.msgs = append(m.msgs, msg)
		} else {
			fresh = append(fresh, msg)
		}
	}
	// New messages get UIDs in delivery order: keys start with the time.
	sort.Slice(fresh, func(i, j int) bool { return keyLess(fresh[i].Key, fresh[j].Key) })
	for i := range fresh {
		fresh[i].UID = next
		next++
		uids[fresh[i].Key] = fresh[i].UID
		changed = true
	}
	m.msgs = append(m.msgs, fresh...)
	for k := range uids {
		if !present[k] {
			delete(uids, k)
			changed = true
		}
	}
	sort.Slice(m.msgs, func(i, j int) bool { return m.msgs[i].UID < m.msgs[j].UID })
	m.validity = validity
	m.uidls = make([]string, len(m.msgs))
	for i, msg := range m.msgs {
		m.uidls[i] = fmt.Sprintf("%08X%08X", msg.UID, validity)
	}
	if changed {
		return writeUIDList(filepath.Join(m.dir, UIDListFile), validity, next, m.msgs)
	}
	return nil
}

// keyLess orders keys by their leading seconds, then as strings.
func keyLess(a, b string) bool {
	sa, _, _ := strings.Cut(a, ".")
	sb, _, _ := strings.Cut(b, ".")
	if len(sa) != len(sb) {
		return len(sa) < len(sb)
	}
	if sa != sb {
		return sa < sb
	}
	return a < b
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

// The UID list: a first line "1 V<uidvalidity> N<nextuid>", then
// "<uid> <key>" per message, written atomically under the folder lock.
const maxUIDListLine = 1024

func readUIDList(path string) (validity uint32, uids map[string]uint32, next uint32, err error) {
	uids = map[string]uint32{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, uids, 0, nil
	}
	if err != nil {
		return 0, nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 256), maxUIDListLine)
	if !sc.Scan() {
		return 0, uids, 0, sc.Err() // empty: start over
	}
	var v, n uint64
	if _, err := fmt.Sscanf(sc.Text(), "1 V%d N%d", &v, &n); err != nil || v == 0 || v > 1<<32-1 || n == 0 || n > 1<<32-1 {
		return 0, nil, 0, fmt.Errorf("store: %s: bad header", path)
	}
	used := map[uint32]bool{}
	for sc.Scan() {
		u, key, ok := strings.Cut(sc.Text(), " ")
		uid, err := strconv.ParseUint(u, 10, 32)
		if !ok || err != nil || uid == 0 || uid >= n || key == "" {
			return 0, nil, 0, fmt.Errorf("store: %s: bad line %q", path, sc.Text())
		}
		if _, dup := uids[key]; dup || used[uint32(uid)] {
			return 0, nil, 0, fmt.Errorf("store: %s: UID or key listed twice", path)
		}
		used[uint32(uid)] = true
		uids[key] = uint32(uid)
	}
	if err := sc.Err(); err != nil {
		return 0, nil, 0, err
	}
	return uint32(v), uids, uint32(n), nil
}

func writeUIDList(path string, validity, next uint32, msgs []Message) error {
	return writeAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "1 V%d N%d\n", validity, next)
		for _, m := range msgs {
			fmt.Fprintf(bw, "%d %s\n", m.UID, m.Key)
		}
		return bw.Flush()
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
// as removed.
func (m *Maildrop) Delete(idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	curDir := filepath.Join(m.dir, "cur")
	var first error
	for _, i := range idx {
		if err := os.Remove(filepath.Join(curDir, m.msgs[i].name)); err != nil && !errors.Is(err, os.ErrNotExist) && first == nil {
			first = err
		}
	}
	if err := syncDir(curDir); err != nil && first == nil {
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
