package store

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// Appender adds messages to a folder all at once (APPEND, MULTIAPPEND,
// and COPY/MOVE into it): Add streams each message into the folder's tmp/
// (never into memory), Commit moves them all into cur/ and gives them
// UIDs under one lock. Abort (or a failed Commit) removes what Add wrote.
// It is not safe for concurrent use.
type Appender struct {
	s     *Store
	f     *folder
	items []pending
	done  bool
}

type pending struct {
	tmp, key string
	size     int64
	date     int64
	flags    Flags
	keywords []string
}

// NewAppender opens a folder for adding messages; ErrNoFolder when it
// does not exist (NO [TRYCREATE]).
func (s *Store) NewAppender(user, folder string) (*Appender, error) {
	f, err := s.acquire(user, folder)
	if err != nil {
		return nil, err
	}
	return &Appender{s: s, f: f}, nil
}

// Add streams a message from r into tmp/ (line ends normalized to CRLF,
// fsynced), with its flags, keywords and internal date (zero: now). It
// returns the stored size. The caller bounds r (APPEND's literal size).
func (a *Appender) Add(r io.Reader, flags Flags, keywords []string, date time.Time) (int64, error) {
	if a.done {
		return 0, errors.New("store: appender finished")
	}
	now := time.Now()
	key := a.s.newKey(now)
	tmp := filepath.Join(a.f.d.dir, "tmp", key)
	if err := writeMessage(tmp, r); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	if date.IsZero() {
		date = now
	}
	if err := os.Chtimes(tmp, date, date); err != nil {
		os.Remove(tmp)
		return 0, err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	a.items = append(a.items, pending{tmp: tmp, key: key, size: fi.Size(), date: date.Unix(), flags: flags, keywords: keywords})
	return fi.Size(), nil
}

// addLink adds an existing message file (COPY): hard-linked into tmp/ (or
// copied when the link fails), keeping its internal date.
func (a *Appender) addLink(src string, size, date int64, flags Flags, keywords []string) error {
	key := a.s.newKey(time.Now())
	tmp := filepath.Join(a.f.d.dir, "tmp", key)
	if err := os.Link(src, tmp); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := copyFile(src, tmp); err != nil {
			os.Remove(tmp)
			return err
		}
		t := time.Unix(date, 0)
		if err := os.Chtimes(tmp, t, t); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	a.items = append(a.items, pending{tmp: tmp, key: key, size: size, date: date, flags: flags, keywords: keywords})
	return nil
}

// Len is the number of messages added so far.
func (a *Appender) Len() int { return len(a.items) }

// Commit stores every added message and returns the folder's UIDVALIDITY
// and their UIDs in order (APPENDUID, COPYUID). A crash during Commit
// leaves the messages that reached cur/ there; they get UIDs at the next
// sync.
func (a *Appender) Commit() (validity uint32, uids []uint32, err error) {
	if a.done {
		return 0, nil, errors.New("store: appender finished")
	}
	defer a.Abort()
	f := a.f
	f.mu.Lock()
	defer f.mu.Unlock()
	err = f.withLock(false, func() error {
		st := &f.d.st
		masks := make([]uint32, len(a.items))
		nkw := len(st.keywords)
		for i, it := range a.items {
			for _, k := range it.keywords {
				j, err := st.keywordIndex(k, true)
				if err != nil {
					st.keywords = st.keywords[:nkw]
					return err
				}
				masks[i] |= 1 << j
			}
		}
		if uint64(st.next)+uint64(len(a.items)) >= 1<<32-1 {
			return errors.New("store: UIDs exhausted")
		}
		cur := filepath.Join(f.d.dir, "cur")
		names := make([]string, len(a.items))
		for i, it := range a.items {
			names[i] = fileName(it.key, it.flags, masks[i])
			if err := os.Rename(it.tmp, filepath.Join(cur, names[i])); err != nil {
				for _, n := range names[:i] {
					os.Remove(filepath.Join(cur, n))
				}
				st.keywords = st.keywords[:nkw]
				return err
			}
		}
		if err := durable.SyncDir(cur); err != nil {
			return err
		}
		validity = st.validity
		for i, it := range a.items {
			e := entry{uid: st.next, modseq: f.d.bump(), size: it.size, date: it.date, key: it.key,
				name: names[i], flags: it.flags, kw: masks[i]}
			st.next++
			st.msgs = append(st.msgs, e)
			f.d.addRecent(e.uid)
			uids = append(uids, e.uid)
		}
		return f.d.save()
	})
	if len(uids) > 0 {
		f.notify()
	}
	if err != nil {
		return 0, nil, err
	}
	return validity, uids, nil
}

// Abort removes the added messages' tmp/ files and releases the folder.
func (a *Appender) Abort() {
	if a.done {
		return
	}
	a.done = true
	for _, it := range a.items {
		os.Remove(it.tmp) // gone already after a Commit
	}
	a.items = nil
	a.s.release(a.f)
}

// Append stores one message (APPEND) and returns the folder's UIDVALIDITY
// and its UID (APPENDUID).
func (s *Store) Append(user, folder string, r io.Reader, flags Flags, keywords []string, date time.Time) (validity, uid uint32, err error) {
	a, err := s.NewAppender(user, folder)
	if err != nil {
		return 0, 0, err
	}
	defer a.Abort()
	if _, err := a.Add(r, flags, keywords, date); err != nil {
		return 0, 0, err
	}
	v, uids, err := a.Commit()
	if err != nil {
		return 0, 0, err
	}
	return v, uids[0], nil
}

// CopyResult is COPYUID: the destination's UIDVALIDITY and, in order, the
// source UIDs copied and the UIDs they got.
type CopyResult struct {
	UIDValidity uint32
	Src, Dst    []uint32
}

// Copy copies the messages uids (those still there) into the folder dest
// of the same user, with flags and keywords (COPY; ErrNoFolder means NO
// [TRYCREATE]). Files are hard-linked.
func (m *Mailbox) Copy(dest string, uids []uint32) (CopyResult, error) {
	var res CopyResult
	a, err := m.f.s.NewAppender(m.f.d.user, dest)
	if err != nil {
		return res, err
	}
	defer a.Abort()
	f := m.f
	f.mu.Lock()
	err = f.withLock(false, func() error {
		st := &f.d.st
		for _, uid := range uids {
			i := st.find(uid)
			if i < 0 {
				continue
			}
			e := &st.msgs[i]
			var kws []string
			for b := 0; b < len(st.keywords); b++ {
				if e.kw&(1<<b) != 0 {
					kws = append(kws, st.keywords[b])
				}
			}
			if err := a.addLink(filepath.Join(f.d.dir, "cur", e.name), e.size, e.date, e.flags, kws); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				return err
			}
			res.Src = append(res.Src, uid)
		}
		return nil
	})
	f.mu.Unlock()
	if err != nil {
		return CopyResult{}, err
	}
	if a.Len() == 0 {
		return res, nil
	}
	res.UIDValidity, res.Dst, err = a.Commit()
	if err != nil {
		return CopyResult{}, err
	}
	return res, nil
}

// Move is Copy, then the expunge of the copied messages from this
// folder (MOVE, RFC 6851); the session learns the expunges from the next
// Sync(true).
func (m *Mailbox) Move(dest string, uids []uint32) (CopyResult, error) {
	if m.readOnly {
		return CopyResult{}, ErrReadOnly
	}
	res, err := m.Copy(dest, uids)
	if err != nil || len(res.Src) == 0 {
		return res, err
	}
	return res, m.expunge(res.Src, false)
}
