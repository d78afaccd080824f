package store

import (
	"bufio"
	"bytes"
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

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
)

// The folder state file (UIDListFile), version 2, written whole with
// tmp+fsync+rename under the folder lock (UIDListFile+".lock", a flock):
//
//	2 V<uidvalidity> N<uidnext> M<highestmodseq> F<logfloor> G<generation>
//	K <keyword>                        one per keyword, in letter order a, b, ...
//	X <uid> <modseq>                   the expunge log, oldest first
//	<uid> <modseq> <size> <unix date> :<info> <key>
//
// Version 1 lists ("1 V.. N..", then "<uid> <key>") are read and upgraded.
// The expunge log keeps the last maxExpungeLog expunges; F is the highest
// modseq dropped from it (0: complete).
const (
	maxExpungeLog = 1024
	maxStateLine  = 1024
	// maxStateFile bounds what a folder state file may hold (about 60
	// octets a message): a larger file is damage.
	maxStateFile = 64 << 20
)

// entry is one message of a folder's state.
type entry struct {
	uid    uint32
	modseq uint64
	size   int64 // -1: not known yet (version 1 list)
	date   int64 // internal date, Unix seconds (the file's mtime when first seen)
	key    string
	name   string // the file name in cur/
	flags  Flags
	kw     uint32
}

type gone struct {
	uid    uint32
	modseq uint64
}

// state is a folder's state as in its state file.
type state struct {
	validity uint32
	next     uint32
	highest  uint64
	floor    uint64
	gen      uint64
	keywords []string
	msgs     []entry // sorted by UID
	log      []gone  // oldest first
}

// errState: the state file does not parse; the folder is rebuilt under a
// new UIDVALIDITY.
var errState = errors.New("store: damaged folder state")

// parseState reads a state file's content.
func parseState(b []byte) (state, error) {
	var st state
	if len(b) == 0 {
		return st, nil
	}
	line, rest, _ := bytes.Cut(b, []byte{'\n'})
	h := string(line)
	switch {
	case strings.HasPrefix(h, "1 "):
		var v, n uint64
		if _, err := fmt.Sscanf(h, "1 V%d N%d", &v, &n); err != nil || v == 0 || v > 1<<32-1 || n == 0 || n > 1<<32-1 {
			return st, errState
		}
		st.validity, st.next, st.highest = uint32(v), uint32(n), 1
	case strings.HasPrefix(h, "2 "):
		var v, n uint64
		if _, err := fmt.Sscanf(h, "2 V%d N%d M%d F%d G%d", &v, &n, &st.highest, &st.floor, &st.gen); err != nil ||
			v == 0 || v > 1<<32-1 || n == 0 || n > 1<<32-1 || st.highest == 0 {
			return st, errState
		}
		st.validity, st.next = uint32(v), uint32(n)
	default:
		return st, errState
	}
	v1 := h[0] == '1'
	st.msgs = make([]entry, 0, bytes.Count(rest, []byte{'\n'}))
	used := make(map[string]struct{}, cap(st.msgs))
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		if len(line) > maxStateLine {
			return st, errState
		}
		l := string(line)
		switch {
		case v1:
			u, key, ok := strings.Cut(l, " ")
			uid, err := strconv.ParseUint(u, 10, 32)
			if !ok || err != nil || uid == 0 || uid >= uint64(st.next) || !validKey(key) {
				return st, errState
			}
			st.msgs = append(st.msgs, entry{uid: uint32(uid), modseq: 1, size: -1, key: key})
		case strings.HasPrefix(l, "K "):
			if len(st.keywords) == MaxKeywords || l[2:] == "" {
				return st, errState
			}
			st.keywords = append(st.keywords, l[2:])
		case strings.HasPrefix(l, "X "):
			var uid uint32
			var ms uint64
			if _, err := fmt.Sscanf(l, "X %d %d", &uid, &ms); err != nil || uid == 0 || ms > st.highest {
				return st, errState
			}
			st.log = append(st.log, gone{uid, ms})
		default:
			e, ok := parseEntry(l)
			if !ok || e.uid >= st.next || e.modseq > st.highest {
				return st, errState
			}
			st.msgs = append(st.msgs, e)
		}
	}
	sort.Slice(st.msgs, func(i, j int) bool { return st.msgs[i].uid < st.msgs[j].uid })
	for i := range st.msgs {
		if i > 0 && st.msgs[i].uid == st.msgs[i-1].uid {
			return st, errState
		}
		if _, dup := used[st.msgs[i].key]; dup {
			return st, errState
		}
		used[st.msgs[i].key] = struct{}{}
	}
	return st, nil
}

// parseEntry reads "<uid> <modseq> <size> <date> :<info> <key>".
func parseEntry(l string) (entry, bool) {
	var e entry
	var f [5]string
	for i := range f {
		var ok bool
		f[i], l, ok = strings.Cut(l, " ")
		if !ok {
			return e, false
		}
	}
	uid, err1 := strconv.ParseUint(f[0], 10, 32)
	ms, err2 := strconv.ParseUint(f[1], 10, 64)
	size, err3 := strconv.ParseInt(f[2], 10, 64)
	date, err4 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || uid == 0 || ms == 0 || size < -1 ||
		!strings.HasPrefix(f[4], ":") || !validKey(l) || strings.ContainsAny(f[4], " /") {
		return e, false
	}
	e = entry{uid: uint32(uid), modseq: ms, size: size, date: date, key: l, name: l + f[4]}
	e.flags, e.kw = parseInfo(f[4][1:])
	return e, true
}

// validKey: a Maildir key this store can list: no '/', ':', newline or NUL.
func validKey(k string) bool {
	return k != "" && len(k) <= 255 && k[0] != '.' && !strings.ContainsAny(k, "/:\n\r\x00")
}

// appendState writes st in the file format.
func appendState(b []byte, st *state) []byte {
	b = fmt.Appendf(b, "2 V%d N%d M%d F%d G%d\n", st.validity, st.next, st.highest, st.floor, st.gen)
	for _, k := range st.keywords {
		b = append(b, "K "...)
		b = append(b, k...)
		b = append(b, '\n')
	}
	for _, g := range st.log {
		b = fmt.Appendf(b, "X %d %d\n", g.uid, g.modseq)
	}
	for _, e := range st.msgs {
		b = strconv.AppendUint(b, uint64(e.uid), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, e.modseq, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.size, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.date, 10)
		b = append(b, ' ', ':')
		b = appendInfo(b, e.flags, e.kw)
		b = append(b, ' ')
		b = append(b, e.key...)
		b = append(b, '\n')
	}
	return b
}

// disk is one folder's directory and its lock; the in-process cache of
// its state (cached, header) lets a sync skip parsing an unchanged file.
type disk struct {
	s      *Store
	user   string
	dir    string
	inbox  bool // the inbox is made when missing; other folders are not
	st     state
	header []byte // the first line of the state file as last read or written
	buf    []byte
	loaded bool
	// recent: UIDs this process moved from new/ or appended and no
	// session claimed yet (\Recent goes to the first session).
	recent  []uint32
	recentV uint32 // the UIDVALIDITY recent belongs to
}

// lockFolder takes the folder's flock (exclusive, waiting). Every change
// to the folder's state file or cur/ names happens under it.
func lockFolder(dir string) (*os.File, error) {
	return lockFolderFile(filepath.Join(dir, UIDListFile+".lock"))
}

// load reads the state file under the lock; an unchanged header
// (generation) keeps the cached state.
func (d *disk) load() error {
	f, err := os.Open(filepath.Join(d.dir, UIDListFile))
	if errors.Is(err, os.ErrNotExist) {
		d.st, d.loaded, d.header = state{}, true, d.header[:0]
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	d.buf = d.buf[:0]
	for {
		if len(d.buf) == cap(d.buf) {
			d.buf = append(d.buf, 0)[:len(d.buf)]
		}
		n, err := f.Read(d.buf[len(d.buf):cap(d.buf)])
		d.buf = d.buf[:len(d.buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(d.buf) > maxStateFile {
			d.buf = d.buf[:0]
			break // damaged: rebuilt below
		}
	}
	line, _, _ := bytes.Cut(d.buf, []byte{'\n'})
	if d.loaded && len(line) > 0 && bytes.Equal(line, d.header) {
		return nil
	}
	st, err := parseState(d.buf)
	if err != nil || (len(d.buf) > 0 && st.validity == 0) {
		// A damaged list is rebuilt under a new UIDVALIDITY, as IMAP
		// requires when UIDs cannot be trusted; mail stays readable.
		st = state{}
	}
	d.st, d.loaded = st, true
	d.header = append(d.header[:0], line...)
	return nil
}

// save writes the state file (tmp+fsync+rename) with the next generation.
func (d *disk) save() error {
	d.st.gen++
	d.buf = appendState(d.buf[:0], &d.st)
	err := durable.WriteFile(filepath.Join(d.dir, UIDListFile), 0o600, func(w io.Writer) error {
		_, err := w.Write(d.buf)
		return err
	})
	if err != nil {
		d.loaded = false // the file may or may not be the new one
		return err
	}
	line, _, _ := bytes.Cut(d.buf, []byte{'\n'})
	d.header = append(d.header[:0], line...)
	return nil
}

// bump returns the next modseq.
func (d *disk) bump() uint64 {
	d.st.highest++
	return d.st.highest
}

// expunged records uid in the log, keeping it bounded.
func (d *disk) expunged(uid uint32, ms uint64) {
	d.st.log = append(d.st.log, gone{uid, ms})
	if n := len(d.st.log) - maxExpungeLog; n > 0 {
		d.st.floor = d.st.log[n-1].modseq
		d.st.log = append(d.st.log[:0], d.st.log[n:]...)
	}
}

// sync brings the state in line with new/ and cur/ under the folder lock
// (the caller holds it): messages in new/ move to cur/ (and become this
// process's recent ones), files gone from cur/ are expunges, changed name
// info is a flag change by another program, unknown files get UIDs in
// delivery order. It saves the state file when anything changed.
func (d *disk) sync(cleanTmpDir bool) error {
	if d.inbox {
		if err := ensureMaildir(d.dir); err != nil {
			return err
		}
	}
	if err := d.load(); err != nil {
		return err
	}
	changed := false
	if d.st.validity == 0 {
		v, err := d.s.newValidity(d.user)
		if err != nil {
			return err
		}
		d.st = state{validity: v, next: 1, highest: 1}
		changed = true
	}
	if d.recentV != d.st.validity {
		d.recent, d.recentV = d.recent[:0], d.st.validity
	}
	if cleanTmpDir {
		cleanTmp(filepath.Join(d.dir, "tmp"))
	}
	newDir, curDir := filepath.Join(d.dir, "new"), filepath.Join(d.dir, "cur")
	news, err := os.ReadDir(newDir)
	if err != nil {
		return err
	}
	var fromNew map[string]bool
	for _, e := range news {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !e.Type().IsRegular() {
			continue
		}
		key, info, _ := strings.Cut(n, ":")
		if !validKey(key) {
			continue
		}
		if info == "" {
			info = "2,"
		}
		if err := os.Rename(filepath.Join(newDir, n), filepath.Join(curDir, key+":"+info)); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // another process moved it
			}
			return err
		}
		if fromNew == nil {
			fromNew = map[string]bool{}
		}
		fromNew[key] = true
	}
	if fromNew != nil {
		if err := durable.SyncDir(curDir); err != nil {
			return err
		}
		if err := durable.SyncDir(newDir); err != nil {
			return err
		}
	}
	curs, err := readNames(curDir)
	if err != nil {
		return err
	}
	onDisk := make(map[string]string, len(curs))
	for _, n := range curs {
		if strings.HasPrefix(n, ".") {
			continue
		}
		key, _, _ := strings.Cut(n, ":")
		if validKey(key) {
			onDisk[key] = n
		}
	}
	kept := d.st.msgs[:0]
	for _, e := range d.st.msgs {
		n, ok := onDisk[e.key]
		if !ok {
			d.expunged(e.uid, d.bump())
			changed = true
			continue
		}
		delete(onDisk, e.key)
		if e.size < 0 {
			info, err := os.Stat(filepath.Join(curDir, n))
			if err != nil {
				continue // gone meanwhile; the next sync expunges it
			}
			e.size, e.date = info.Size(), info.ModTime().Unix()
			changed = true
		}
		if n != e.name {
			_, inf, _ := strings.Cut(n, ":")
			f, kw := parseInfo(inf)
			kw &= 1<<len(d.st.keywords) - 1
			if f != e.flags || kw != e.kw {
				// Changed by another program (or a crash after the
				// rename, before the state was saved).
				e.modseq = d.bump()
				changed = true
			}
			e.name, e.flags, e.kw = n, f, kw
		}
		kept = append(kept, e)
	}
	d.st.msgs = kept
	if len(onDisk) > 0 {
		fresh := make([]entry, 0, len(onDisk))
		for key, n := range onDisk {
			info, err := os.Stat(filepath.Join(curDir, n))
			if err != nil {
				continue
			}
			_, inf, _ := strings.Cut(n, ":")
			f, kw := parseInfo(inf)
			fresh = append(fresh, entry{key: key, name: n, size: info.Size(), date: info.ModTime().Unix(),
				flags: f, kw: kw & (1<<len(d.st.keywords) - 1)})
		}
		sort.Slice(fresh, func(i, j int) bool { return keyLess(fresh[i].key, fresh[j].key) })
		for _, e := range fresh {
			if d.st.next == 1<<32-1 {
				return fmt.Errorf("store: %s: UIDs exhausted", d.dir)
			}
			e.uid = d.st.next
			d.st.next++
			e.modseq = d.bump()
			d.st.msgs = append(d.st.msgs, e)
			if fromNew[e.key] {
				d.addRecent(e.uid)
			}
		}
		changed = true
	}
	if changed {
		return d.save()
	}
	return nil
}

// addRecent remembers uid as \Recent for the next session, keeping the
// newest maxRecent.
func (d *disk) addRecent(uid uint32) {
	if len(d.recent) >= maxRecent {
		d.recent = append(d.recent[:0], d.recent[len(d.recent)-maxRecent+1:]...)
	}
	d.recent = append(d.recent, uid)
}

// readNames lists a directory's regular entries' names.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// find returns the index of uid in the state, or -1.
func (st *state) find(uid uint32) int {
	i := sort.Search(len(st.msgs), func(i int) bool { return st.msgs[i].uid >= uid })
	if i < len(st.msgs) && st.msgs[i].uid == uid {
		return i
	}
	return -1
}

// keywordIndex returns the index of keyword k (case-insensitive), adding it
// when add is set; -1 when absent, or when full (ErrKeywordLimit).
func (st *state) keywordIndex(k string, add bool) (int, error) {
	for i, have := range st.keywords {
		if strings.EqualFold(have, k) {
			return i, nil
		}
	}
	if !add {
		return -1, nil
	}
	if len(st.keywords) == MaxKeywords {
		return -1, ErrKeywordLimit
	}
	st.keywords = append(st.keywords, k)
	return len(st.keywords) - 1, nil
}

// ValidityFile holds, per user, the last UIDVALIDITY given out, so that a
// folder made again (deleted and created, or a damaged state rebuilt)
// never gets a UIDVALIDITY it had before, even within one second.
const ValidityFile = "mailwire-uidvalidity"

// newValidity returns a UIDVALIDITY greater than any the user had: the
// time in seconds, or the last one plus one. Its lock is a leaf: nothing
// else is locked while it is held.
func (s *Store) newValidity(user string) (uint32, error) {
	ud, err := s.userDir(user)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(ud, 0o700); err != nil {
		return 0, err
	}
	path := filepath.Join(ud, ValidityFile)
	lk, err := lockFolderFile(path + ".lock")
	if err != nil {
		return 0, err
	}
	defer lk.Close()
	var last uint64
	if b, err := os.ReadFile(path); err == nil {
		last, _ = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	}
	v := uint64(time.Now().Unix())
	if v <= last {
		v = last + 1
	}
	if v > 1<<32-1 {
		v = 1
	}
	err = durable.WriteFile(path, 0o600, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "%d\n", v)
		return bw.Flush()
	})
	return uint32(v), err
}

// lockFolderFile takes a waiting exclusive flock on path.
func lockFolderFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
