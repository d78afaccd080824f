package store

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// Errors of the IMAP model; each names the reply a server sends.
var (
	// ErrNoFolder: no such folder (NO [NONEXISTENT]; [TRYCREATE] for
	// APPEND, COPY and MOVE).
	ErrNoFolder = errors.New("store: no such folder")
	// ErrFolderExists: CREATE or RENAME to a name in use (NO [ALREADYEXISTS]).
	ErrFolderExists = errors.New("store: folder exists")
	// ErrFolderName: a name the store cannot hold (NO [CANNOT]).
	ErrFolderName = errors.New("store: invalid folder name")
	// ErrInbox: INBOX cannot be deleted (NO [CANNOT]).
	ErrInbox = errors.New("store: INBOX cannot be deleted")
	// ErrHasChildren: DELETE of a \Noselect folder with children (NO [INUSE]).
	ErrHasChildren = errors.New("store: folder has children")
	// ErrSpecialUse: a CREATE USE attribute the store does not keep
	// (NO [USEATTR]).
	ErrSpecialUse = errors.New("store: unsupported special-use attribute")
	// ErrReadOnly: a change through a mailbox opened read-only (NO [READ-ONLY]).
	ErrReadOnly = errors.New("store: mailbox is read-only")
	// ErrKeywordLimit: the folder has MaxKeywords keywords (NO [LIMIT]).
	ErrKeywordLimit = errors.New("store: too many keywords in folder")
	// ErrExpunged: the message is gone (NO, RFC 2180 4.1.2).
	ErrExpunged = errors.New("store: message expunged")
	// ErrUIDValidity: the folder's UIDVALIDITY changed under an open
	// mailbox (its state was lost and rebuilt): the session must end
	// (BYE), since every UID it handed out is void.
	ErrUIDValidity = errors.New("store: UIDVALIDITY changed")
)

// pollInterval: how often a folder with open mailboxes looks at its
// directories and state file for changes made by other processes (POP3,
// delivery, another instance). Changes made through this Store are fanned
// out at once.
const pollInterval = 250 * time.Millisecond

// maxRecent bounds the \Recent UIDs a folder keeps for a session that has
// not selected it yet.
const maxRecent = 4096

// maxRecentFolders bounds the folders not open whose \Recent UIDs a Store
// keeps.
const maxRecentFolders = 4096

// recentSet is a closed folder's unclaimed \Recent UIDs.
type recentSet struct {
	validity uint32
	uids     []uint32
}

// MsgInfo is one message of a mailbox view.
type MsgInfo struct {
	UID      uint32
	Flags    Flags
	Keywords uint32 // bit i: keyword i of Mailbox.Keywords
	Recent   bool   // \Recent: this session was the first to see it
	Expunged bool   // gone; its EXPUNGE waits for Sync(true)
	ModSeq   uint64
	Size     int64     // octets, CRLF line ends
	Date     time.Time // the internal date (second precision)
}

// Changes is what Sync found since the previous Sync (or Select). Its
// slices are the Mailbox's own, valid until the next Sync.
type Changes struct {
	// Expunged: sequence numbers to send as EXPUNGE, in this order (each
	// valid after the ones before it: descending).
	Expunged []uint32
	// Vanished: the same messages' UIDs, ascending (VANISHED with QRESYNC).
	Vanished []uint32
	// Flags: sequence numbers (after the expunges) of messages whose
	// flags or modseq changed (FETCH FLAGS, with MODSEQ under CONDSTORE).
	Flags []uint32
	// New: messages added at the end; send EXISTS (and RECENT) when > 0
	// or when Expunged is not empty.
	New int
	// Exists: the message count now; Recent: the \Recent count now.
	Exists, Recent int
	// Keywords: the folder has new keywords (send FLAGS, PERMANENTFLAGS).
	Keywords bool
}

// Empty reports whether there is nothing to send.
func (c *Changes) Empty() bool {
	return len(c.Expunged) == 0 && len(c.Flags) == 0 && c.New == 0 && !c.Keywords
}

// Status is a folder's STATUS.
type Status struct {
	Messages, Recent, Unseen, Deleted uint32
	UIDNext, UIDValidity              uint32
	HighestModSeq                     uint64
	Size                              int64 // octets of all messages
}

// StoreOp is STORE's FLAGS, +FLAGS or -FLAGS.
type StoreOp uint8

// The STORE operations.
const (
	StoreReplace StoreOp = iota
	StoreAdd
	StoreRemove
)

// UIDRange is the UIDs First..Last (inclusive).
type UIDRange struct{ First, Last uint32 }

// folder is a folder open in this process: its cached state, its open
// mailboxes and its poller. Its mu orders everything done to it here; the
// folder flock orders it with other processes.
type folder struct {
	s     *Store
	name  string
	key   string
	mu    sync.Mutex
	d     disk
	w     watch
	fp    fingerprint
	fresh bool // the directories changed within the last second: look again
	refs  int
	views map[*Mailbox]struct{}
	stop  chan struct{}
}

// acquire returns the folder (ErrNoFolder when it does not exist).
func (s *Store) acquire(user, name string) (*folder, error) {
	name, err := CanonicalName(name)
	if err != nil {
		return nil, err
	}
	dir, err := s.folderPath(user, name)
	if err != nil {
		return nil, err
	}
	if name == Inbox {
		if err := ensureMaildir(dir); err != nil {
			return nil, err
		}
	} else if fi, err := os.Stat(filepath.Join(dir, "cur")); err != nil || !fi.IsDir() {
		return nil, ErrNoFolder
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.folders == nil {
		s.folders = map[string]*folder{}
	}
	f := s.folders[dir]
	if f == nil {
		f = &folder{s: s, name: name, key: dir, d: disk{s: s, user: user, dir: dir, inbox: name == Inbox}, views: map[*Mailbox]struct{}{}}
		ud, _ := s.userDir(user)
		f.w = openWatch(ud, dir)
		if r, ok := s.recent[dir]; ok {
			f.d.recent, f.d.recentV = r.uids, r.validity
			delete(s.recent, dir)
		}
		s.folders[dir] = f
	}
	f.refs++
	return f, nil
}

// release drops a reference; the last one forgets the folder.
func (s *Store) release(f *folder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.refs--
	if f.refs == 0 && s.folders[f.key] == f {
		delete(s.folders, f.key)
		f.w.close()
		if len(f.d.recent) > 0 && f.d.loaded {
			// Kept for the next session (bounded).
			if s.recent == nil {
				s.recent = map[string]recentSet{}
			}
			for k := range s.recent {
				if len(s.recent) < maxRecentFolders {
					break
				}
				delete(s.recent, k)
			}
			s.recent[f.key] = recentSet{f.d.st.validity, f.d.recent}
		}
	}
}

// withLock runs fn under the folder flock after a sync (f.mu held).
func (f *folder) withLock(cleanTmp bool, fn func() error) error {
	fp, fresh := f.w.stamp()
	lk, err := lockFolder(f.d.dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ErrNoFolder
		}
		return err
	}
	defer lk.Close()
	if err := f.d.sync(cleanTmp); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ErrNoFolder
		}
		return err
	}
	f.fp, f.fresh = fp, fresh
	if fn != nil {
		if err := fn(); err != nil {
			// The cached state may hold changes that were not saved:
			// read the file again next time.
			f.d.loaded = false
			return err
		}
	}
	return nil
}

// refresh syncs when the directories or the state file changed since the
// last look (or changed too recently to trust their times). f.mu held.
func (f *folder) refresh(force bool) (bool, error) {
	if !force && !f.fresh && f.d.loaded {
		if fp, _ := f.w.stamp(); fp == f.fp {
			return false, nil
		}
	}
	gen, v, nrec := f.d.st.gen, f.d.st.validity, len(f.d.recent)
	if err := f.withLock(false, nil); err != nil {
		return false, err
	}
	return gen != f.d.st.gen || v != f.d.st.validity || nrec != len(f.d.recent), nil
}

// notify wakes every open mailbox of the folder. f.mu held.
func (f *folder) notify() {
	for v := range f.views {
		select {
		case v.wake <- struct{}{}:
		default:
		}
	}
}

// poll runs while the folder has open mailboxes.
func (f *folder) poll(stop chan struct{}) {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		f.mu.Lock()
		// Close closes stop under f.mu before the last release closes the
		// watch: a tick that lost the race to it must not touch the watch.
		select {
		case <-stop:
			f.mu.Unlock()
			return
		default:
		}
		if changed, err := f.refresh(false); changed || err != nil {
			f.notify()
		}
		f.mu.Unlock()
	}
}

// Mailbox is a folder selected by one session: a snapshot of its messages
// (sequence number i+1 is Messages()[i]) that changes only when the session
// calls Sync, Store or Select. It is not safe for concurrent use; several
// Mailboxes (sessions, processes) may have one folder open.
type Mailbox struct {
	f        *folder
	readOnly bool
	validity uint32
	next     uint32
	highest  uint64
	lastUID  uint32
	gen      uint64 // the state generation the snapshot was compared with
	pending  int    // messages marked Expunged, waiting for Sync(true)
	recent   int
	keywords []string
	msgs     []MsgInfo
	wake     chan struct{}
	ch       Changes
	changed  []uint32
	modified []uint32
	closed   bool
}

// Select opens a folder for a session (EXAMINE when readOnly): it moves
// new mail to cur/, assigns UIDs, removes old tmp/ leftovers and takes the
// snapshot. The session's \Recent messages are those no session saw
// before. Close it.
func (s *Store) Select(user, name string, readOnly bool) (*Mailbox, error) {
	f, err := s.acquire(user, name)
	if err != nil {
		return nil, err
	}
	m := &Mailbox{f: f, readOnly: readOnly, wake: make(chan struct{}, 1)}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.withLock(true, nil); err != nil {
		s.release(f)
		return nil, err
	}
	m.validity, m.gen = f.d.st.validity, f.d.st.gen
	m.msgs = make([]MsgInfo, 0, len(f.d.st.msgs)+8)
	m.take(&m.ch)
	f.views[m] = struct{}{}
	if len(f.views) == 1 {
		f.stop = make(chan struct{})
		go f.poll(f.stop)
	}
	return m, nil
}

// take appends the folder's messages with UIDs above lastUID to the view,
// claiming \Recent ones, and takes the counters. f.mu held.
func (m *Mailbox) take(c *Changes) {
	st := &m.f.d.st
	i := sort.Search(len(st.msgs), func(i int) bool { return st.msgs[i].uid > m.lastUID })
	for ; i < len(st.msgs); i++ {
		e := &st.msgs[i]
		mi := MsgInfo{UID: e.uid, Flags: e.flags, Keywords: e.kw, ModSeq: e.modseq, Size: e.size, Date: time.Unix(e.date, 0)}
		rec := m.f.d.recent
		for j, u := range rec {
			if u == e.uid {
				mi.Recent = true
				if !m.readOnly {
					m.f.d.recent = append(rec[:j], rec[j+1:]...)
				}
				break
			}
		}
		if mi.Recent {
			m.recent++
		}
		m.msgs = append(m.msgs, mi)
		m.lastUID = e.uid
		c.New++
	}
	m.next, m.highest = st.next, st.highest
	if len(st.keywords) != len(m.keywords) {
		m.keywords = append(m.keywords[:0], st.keywords...)
		c.Keywords = true
	}
	c.Exists, c.Recent = len(m.msgs), m.recent
}

// Sync brings the snapshot up to date and says what changed. With
// allowExpunge false (during FETCH, STORE, SEARCH) expunged messages stay
// in the snapshot, marked Expunged, until a Sync(true). It returns
// ErrUIDValidity when the folder was rebuilt, ErrNoFolder when deleted.
func (m *Mailbox) Sync(allowExpunge bool) (*Changes, error) {
	f := m.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.refresh(false); err != nil {
		return nil, err
	}
	st := &f.d.st
	if st.validity != m.validity {
		return nil, ErrUIDValidity
	}
	c := &m.ch
	*c = Changes{Expunged: c.Expunged[:0], Vanished: c.Vanished[:0], Flags: c.Flags[:0]}
	if st.gen == m.gen && (m.pending == 0 || !allowExpunge) && len(f.d.recent) == 0 {
		c.Exists, c.Recent = len(m.msgs), m.recent
		return c, nil // nothing changed since the last look
	}
	m.gen, m.pending = st.gen, 0
	out := m.msgs[:0]
	j := 0
	for i := range m.msgs {
		mi := m.msgs[i]
		for j < len(st.msgs) && st.msgs[j].uid < mi.UID {
			j++
		}
		if j < len(st.msgs) && st.msgs[j].uid == mi.UID {
			e := &st.msgs[j]
			if e.modseq != mi.ModSeq {
				mi.Flags, mi.Keywords, mi.ModSeq = e.flags, e.kw, e.modseq
				c.Flags = append(c.Flags, uint32(len(out)+1))
			}
			out = append(out, mi)
			continue
		}
		if !allowExpunge {
			mi.Expunged = true
			m.pending++
			out = append(out, mi)
			continue
		}
		c.Expunged = append(c.Expunged, uint32(i+1))
		c.Vanished = append(c.Vanished, mi.UID)
		if mi.Recent {
			m.recent--
		}
	}
	m.msgs = out
	for a, b := 0, len(c.Expunged)-1; a < b; a, b = a+1, b-1 {
		c.Expunged[a], c.Expunged[b] = c.Expunged[b], c.Expunged[a]
	}
	m.take(c)
	return c, nil
}

// Changed is signalled (capacity 1, never closed) when the folder may have
// changed: by this process at once, by others within pollInterval. Call
// Sync then (IDLE).
func (m *Mailbox) Changed() <-chan struct{} { return m.wake }

// Name returns the folder's canonical name.
func (m *Mailbox) Name() string { return m.f.name }

// ReadOnly reports whether the mailbox was opened read-only.
func (m *Mailbox) ReadOnly() bool { return m.readOnly }

// UIDValidity, UIDNext and HighestModSeq are as of the last Sync.
func (m *Mailbox) UIDValidity() uint32 { return m.validity }

// UIDNext is the folder's next UID as of the last Sync.
func (m *Mailbox) UIDNext() uint32 { return m.next }

// HighestModSeq is the folder's HIGHESTMODSEQ as of the last Sync.
func (m *Mailbox) HighestModSeq() uint64 { return m.highest }

// Messages returns the snapshot, sorted by UID: sequence number i+1 is
// element i. The slice is the Mailbox's own, valid until the next Sync,
// Store or Close; do not modify it.
func (m *Mailbox) Messages() []MsgInfo { return m.msgs }

// Keywords returns the folder's keywords: bit i of MsgInfo.Keywords is
// element i. Valid until the next Sync.
func (m *Mailbox) Keywords() []string { return m.keywords }

// Recent returns the number of \Recent messages in the snapshot.
func (m *Mailbox) Recent() int { return m.recent }

// SeqOf returns the sequence number of uid (1-based), or 0.
func (m *Mailbox) SeqOf(uid uint32) int {
	i := sort.Search(len(m.msgs), func(i int) bool { return m.msgs[i].UID >= uid })
	if i < len(m.msgs) && m.msgs[i].UID == uid {
		return i + 1
	}
	return 0
}

// Open opens message uid for reading (FETCH): an *os.File, which is an
// io.ReaderAt, and its size. ErrExpunged when it is gone. Close the file.
func (m *Mailbox) Open(uid uint32) (*os.File, int64, error) {
	f := m.f
	for attempt := 0; ; attempt++ {
		f.mu.Lock()
		if attempt > 0 {
			if _, err := f.refresh(true); err != nil {
				f.mu.Unlock()
				return nil, 0, err
			}
		}
		i := f.d.st.find(uid)
		if i < 0 {
			f.mu.Unlock()
			return nil, 0, ErrExpunged
		}
		path, size := filepath.Join(f.d.dir, "cur", f.d.st.msgs[i].name), f.d.st.msgs[i].size
		f.mu.Unlock()
		fh, err := os.Open(path)
		if err == nil {
			return fh, size, nil
		}
		if !errors.Is(err, os.ErrNotExist) || attempt > 0 {
			return nil, 0, err
		}
		// Renamed (flags) or removed by someone else: look again.
	}
}

// Store changes the flags and keywords of the messages uids (UIDs not in
// the folder any more are skipped). With unchangedSince > 0 (CONDSTORE
// UNCHANGEDSINCE) a message whose modseq is higher is left alone and
// listed in modified (the MODIFIED response code). changed lists the UIDs
// whose flags changed; each got a new modseq; the snapshot has them
// already (Sync does not report them again). Keywords are matched without
// regard to case and added to the folder as needed (ErrKeywordLimit).
// Both slices are the Mailbox's own, valid until the next Store.
// unchangedSince 0 means no UNCHANGEDSINCE; "UNCHANGEDSINCE 0" fails for
// every message (all modseqs are at least 1), which the session answers
// without calling Store.
func (m *Mailbox) Store(uids []uint32, op StoreOp, flags Flags, keywords []string, unchangedSince uint64) (changed, modified []uint32, err error) {
	if m.readOnly {
		return nil, nil, ErrReadOnly
	}
	m.changed, m.modified = m.changed[:0], m.modified[:0]
	f := m.f
	f.mu.Lock()
	defer f.mu.Unlock()
	err = f.withLock(false, func() error {
		st := &f.d.st
		var mask uint32
		for _, k := range keywords {
			i, err := st.keywordIndex(k, op != StoreRemove)
			if err != nil {
				return err
			}
			if i >= 0 {
				mask |= 1 << i
			}
		}
		cur := filepath.Join(f.d.dir, "cur")
		for _, uid := range uids {
			i := st.find(uid)
			if i < 0 {
				continue
			}
			e := &st.msgs[i]
			if unchangedSince > 0 && e.modseq > unchangedSince {
				m.modified = append(m.modified, uid)
				continue
			}
			nf, nk := flags, mask
			switch op {
			case StoreAdd:
				nf, nk = e.flags|flags, e.kw|mask
			case StoreRemove:
				nf, nk = e.flags&^flags, e.kw&^mask
			default:
				nf |= e.flags & FlagPassed
			}
			if nf == e.flags && nk == e.kw {
				continue
			}
			name := fileName(e.key, nf, nk)
			if err := os.Rename(filepath.Join(cur, e.name), filepath.Join(cur, name)); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // removed by a program that does not lock
				}
				return err
			}
			e.name, e.flags, e.kw, e.modseq = name, nf, nk, f.d.bump()
			m.changed = append(m.changed, uid)
		}
		if len(m.changed) == 0 && len(st.keywords) == len(m.keywords) {
			return nil
		}
		if err := durable.SyncDir(cur); err != nil {
			return err
		}
		return f.d.save()
	})
	// The snapshot takes this session's own changes now.
	st := &f.d.st
	for _, uid := range m.changed {
		if s, i := m.SeqOf(uid), st.find(uid); s > 0 && i >= 0 {
			e := &st.msgs[i]
			mi := &m.msgs[s-1]
			mi.Flags, mi.Keywords, mi.ModSeq = e.flags, e.kw, e.modseq
		}
	}
	if len(st.keywords) != len(m.keywords) {
		m.keywords = append(m.keywords[:0], st.keywords...)
	}
	if len(m.changed) > 0 {
		f.notify()
	}
	return m.changed, m.modified, err
}

// Expunge removes the messages among uids (nil: all) that have \Deleted
// now. The session learns the sequence numbers from the next Sync(true).
func (m *Mailbox) Expunge(uids []uint32) error {
	if m.readOnly {
		return ErrReadOnly
	}
	return m.expunge(uids, true)
}

// expunge removes uids (nil: all), only \Deleted ones when deletedOnly.
func (m *Mailbox) expunge(uids []uint32, deletedOnly bool) error {
	var set map[uint32]bool
	if uids != nil {
		set = make(map[uint32]bool, len(uids))
		for _, u := range uids {
			set[u] = true
		}
	}
	f := m.f
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	err := f.withLock(false, func() error {
		st := &f.d.st
		cur := filepath.Join(f.d.dir, "cur")
		kept := st.msgs[:0]
		var first error
		for _, e := range st.msgs {
			if (set != nil && !set[e.uid]) || (deletedOnly && e.flags&FlagDeleted == 0) {
				kept = append(kept, e)
				continue
			}
			if err := os.Remove(filepath.Join(cur, e.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				if first == nil {
					first = err
				}
				kept = append(kept, e)
				continue
			}
			f.d.expunged(e.uid, f.d.bump())
			n++
		}
		st.msgs = kept
		if n == 0 {
			return first
		}
		if err := durable.SyncDir(cur); err != nil {
			return err
		}
		if err := f.d.save(); err != nil {
			return err
		}
		return first
	})
	if n > 0 {
		f.notify()
	}
	return err
}

// Vanished appends to dst the UIDs expunged with a modseq above since
// (QRESYNC VANISHED (EARLIER)), as ascending ranges. When the bounded log
// no longer reaches back to since, it gives every UID below UIDNEXT that
// is not in the folder, a superset RFC 7162 allows.
func (m *Mailbox) Vanished(since uint64, dst []UIDRange) []UIDRange {
	f := m.f
	f.mu.Lock()
	defer f.mu.Unlock()
	st := &f.d.st
	add := func(u uint32) {
		if n := len(dst); n > 0 && dst[n-1].Last+1 == u {
			dst[n-1].Last = u
			return
		}
		dst = append(dst, UIDRange{u, u})
	}
	if since >= st.floor {
		start := len(dst)
		for _, g := range st.log {
			if g.modseq > since {
				dst = append(dst, UIDRange{g.uid, g.uid})
			}
		}
		got := dst[start:]
		sort.Slice(got, func(i, j int) bool { return got[i].First < got[j].First })
		dst = dst[:start]
		for _, r := range got {
			add(r.First)
		}
		return dst
	}
	prev := uint32(0)
	for _, e := range st.msgs {
		if e.uid > prev+1 {
			dst = append(dst, UIDRange{prev + 1, e.uid - 1})
		}
		prev = e.uid
	}
	if st.next > prev+1 {
		dst = append(dst, UIDRange{prev + 1, st.next - 1})
	}
	return dst
}

// Close ends the session's use of the mailbox (no expunge: CLOSE calls
// Expunge(nil) first).
func (m *Mailbox) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	f := m.f
	f.mu.Lock()
	delete(f.views, m)
	if len(f.views) == 0 && f.stop != nil {
		close(f.stop)
		f.stop = nil
	}
	f.mu.Unlock()
	f.s.release(f)
	return nil
}

// Status returns a folder's STATUS (after moving new mail into it).
func (s *Store) Status(user, name string) (Status, error) {
	f, err := s.acquire(user, name)
	if err != nil {
		return Status{}, err
	}
	defer s.release(f)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.refresh(true); err != nil {
		return Status{}, err
	}
	st := &f.d.st
	out := Status{Messages: uint32(len(st.msgs)), Recent: uint32(len(f.d.recent)), UIDNext: st.next,
		UIDValidity: st.validity, HighestModSeq: st.highest}
	for _, e := range st.msgs {
		if e.flags&FlagSeen == 0 {
			out.Unseen++
		}
		if e.flags&FlagDeleted != 0 {
			out.Deleted++
		}
		out.Size += e.size
	}
	return out, nil
}

// fingerprint identifies the versions of a folder's directories: the
// user's directory (folders made, renamed, deleted), the folder's own (its
// state file is renamed into it at every write), new/ and cur/.
type fingerprint [4][2]int64 // inode, mtime (ns)

// watch holds the directories open, so that stamp is four fstat(2) calls
// without allocations.
type watch struct {
	fds [4]int
	ok  bool
}

func openWatch(userDir, dir string) watch {
	w := watch{ok: true}
	for i, p := range [...]string{userDir, dir, filepath.Join(dir, "new"), filepath.Join(dir, "cur")} {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			w.ok = false
			fd = -1
		}
		w.fds[i] = fd
	}
	return w
}

func (w *watch) close() {
	for i, fd := range w.fds {
		if fd >= 0 {
			syscall.Close(fd)
		}
		w.fds[i] = -1
	}
	w.ok = false
}

// stamp takes the fingerprint; fresh when a time is within the last
// second (file system times are coarse: a change in the same tick would
// not show, so such a folder is looked at again), or when the directories
// could not be watched.
func (w *watch) stamp() (fingerprint, bool) {
	var fp fingerprint
	if !w.ok {
		return fp, true
	}
	fresh := false
	now := time.Now().UnixNano()
	for i, fd := range w.fds {
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return fp, true
		}
		fp[i] = [2]int64{int64(st.Ino), st.Mtim.Nano()}
		if now-fp[i][1] < int64(time.Second) {
			fresh = true
		}
	}
	return fp, fresh
}
