package store

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
	"github.com/mailwire/mailwire/imapwire"
)

// Folder names in this API are UTF-8, hierarchy delimiter "/", INBOX
// case-insensitive. On disk a folder "a/b" is the Maildir++ directory
// ".a.b" beside the inbox's tmp/new/cur: each level in modified UTF-7
// (as Dovecot stores them), a "." inside a level written "&AC4-" (the
// modified UTF-7 form of "."), so that "." only ever separates levels.
// Children of INBOX are ".INBOX.x".
const (
	Inbox     = "INBOX"
	Delimiter = '/'
	// maxFolderName bounds a name (UTF-8 octets); each level's directory
	// name stays within the 255 octets of a file name.
	maxFolderName = 200
	// SubscriptionsFile lists a user's subscribed names, one a line.
	SubscriptionsFile = "mailwire-subscriptions"
	// SpecialUseFile lists a user's special-use folders: lines
	// "<attribute bit> <name>".
	SpecialUseFile = "mailwire-specialuse"
	foldersLock    = "mailwire-folders.lock"
	deletedPrefix  = "..del-"
)

// Attr is a LIST attribute.
type Attr uint16

// LIST attributes (RFC 9051, 5258, 6154).
const (
	AttrNoselect      Attr = 1 << iota // \Noselect
	AttrNonExistent                    // \NonExistent (implies \Noselect)
	AttrHasChildren                    // \HasChildren
	AttrHasNoChildren                  // \HasNoChildren
	AttrSubscribed                     // \Subscribed
	AttrSent                           // \Sent
	AttrDrafts                         // \Drafts
	AttrTrash                          // \Trash
	AttrJunk                           // \Junk
	AttrArchive                        // \Archive
)

// SpecialUse lists the folders made for a new user and their attributes.
// A user's special-use folders are kept in SpecialUseFile (RENAME carries
// the attribute along, CREATE-SPECIAL-USE adds one); without that file the
// attributes go by these names.
var SpecialUse = [...]struct {
	Name string
	Attr Attr
}{{"Sent", AttrSent}, {"Drafts", AttrDrafts}, {"Trash", AttrTrash}, {"Junk", AttrJunk}, {"Archive", AttrArchive}}

// FolderInfo is one LIST entry.
type FolderInfo struct {
	Name  string
	Attrs Attr
}

// CanonicalName checks a folder name and returns it with INBOX (in any
// case, also as the first level) spelled "INBOX". Levels are non-empty
// UTF-8 without control characters, "*" or "%"; ErrFolderName otherwise.
func CanonicalName(name string) (string, error) {
	if name == "" || len(name) > maxFolderName || !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: %q", ErrFolderName, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '*' || c == '%' {
			return "", fmt.Errorf("%w: %q", ErrFolderName, name)
		}
	}
	if name[0] == Delimiter || name[len(name)-1] == Delimiter || strings.Contains(name, "//") {
		return "", fmt.Errorf("%w: %q", ErrFolderName, name)
	}
	first, rest, ok := strings.Cut(name, "/")
	if strings.EqualFold(first, Inbox) {
		if !ok {
			return Inbox, nil
		}
		return Inbox + "/" + rest, nil
	}
	return name, nil
}

// encodeLevel is a level's on-disk form.
func encodeLevel(dst []byte, level string) []byte {
	var tmp [256]byte
	enc := imapwire.AppendUTF7Encode(tmp[:0], []byte(level))
	for _, c := range enc {
		if c == '.' {
			dst = append(dst, "&AC4-"...)
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// decodeLevel undoes encodeLevel.
func decodeLevel(s string) (string, bool) {
	var out []byte
	for i, part := range strings.Split(s, "&AC4-") {
		if i > 0 {
			out = append(out, '.')
		}
		dec, err := imapwire.AppendUTF7Decode(out, []byte(part))
		if err != nil {
			return "", false
		}
		out = dec
	}
	if len(out) == 0 || bytes.IndexByte(out, Delimiter) >= 0 {
		return "", false
	}
	return string(out), true
}

// folderPath returns the directory of a canonical name.
func (s *Store) folderPath(user, name string) (string, error) {
	ud, err := s.userDir(user)
	if err != nil {
		return "", err
	}
	if name == Inbox {
		return ud, nil
	}
	b := []byte{'.'}
	for i, level := range strings.Split(name, "/") {
		if i > 0 {
			b = append(b, '.')
		}
		b = encodeLevel(b, level)
	}
	if len(b) > 255 {
		return "", fmt.Errorf("%w: %q too long", ErrFolderName, name)
	}
	return filepath.Join(ud, string(b)), nil
}

// nameOfDir returns the folder name of a directory entry of the user's
// directory, or false.
func nameOfDir(d string) (string, bool) {
	if len(d) < 2 || d[0] != '.' || d[1] == '.' {
		return "", false
	}
	levels := strings.Split(d[1:], ".")
	for i, l := range levels {
		n, ok := decodeLevel(l)
		if !ok {
			return "", false
		}
		levels[i] = n
	}
	name, err := CanonicalName(strings.Join(levels, "/"))
	if err != nil || name == Inbox {
		return "", false
	}
	return name, true
}

// lockUser takes the user's folder-list flock (CREATE, DELETE, RENAME,
// subscriptions).
func (s *Store) lockUser(user string) (*os.File, string, error) {
	ud, err := s.userDir(user)
	if err != nil {
		return nil, "", err
	}
	if err := ensureMaildir(ud); err != nil {
		return nil, "", err
	}
	lk, err := lockFolderFile(filepath.Join(ud, foldersLock))
	return lk, ud, err
}

// EnsureUser prepares a user for IMAP: the inbox, and, the first time
// (no subscriptions file yet), the special-use folders, all subscribed.
// It removes leftovers of interrupted DELETEs. Cheap when done before.
func (s *Store) EnsureUser(user string) error {
	lk, ud, err := s.lockUser(user)
	if err != nil {
		return err
	}
	defer lk.Close()
	if ents, err := os.ReadDir(ud); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), deletedPrefix) {
				os.RemoveAll(filepath.Join(ud, e.Name()))
			}
		}
	}
	if _, err := os.Stat(filepath.Join(ud, SubscriptionsFile)); err == nil {
		return nil
	}
	subs := []string{Inbox}
	for _, su := range SpecialUse {
		d, err := s.folderPath(user, su.Name)
		if err != nil {
			return err
		}
		if err := ensureMaildir(d); err != nil {
			return err
		}
		if err := durable.SyncDir(d); err != nil {
			return err
		}
		subs = append(subs, su.Name)
	}
	if err := durable.SyncDir(ud); err != nil {
		return err
	}
	uses := make([]FolderInfo, len(SpecialUse))
	for i, su := range SpecialUse {
		uses[i] = FolderInfo{Name: su.Name, Attrs: su.Attr}
	}
	if err := writeSpecialUse(ud, uses); err != nil {
		return err
	}
	return writeSubscriptions(ud, subs)
}

// specialUseAttrs are the attributes CREATE-SPECIAL-USE can give.
const specialUseAttrs = AttrSent | AttrDrafts | AttrTrash | AttrJunk | AttrArchive

// specialUses reads the user's special-use folders.
func specialUses(ud string) ([]FolderInfo, error) {
	b, err := os.ReadFile(filepath.Join(ud, SpecialUseFile))
	if errors.Is(err, os.ErrNotExist) {
		out := make([]FolderInfo, len(SpecialUse))
		for i, su := range SpecialUse {
			out[i] = FolderInfo{Name: su.Name, Attrs: su.Attr}
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var out []FolderInfo
	for l := range strings.SplitSeq(string(b), "\n") {
		a, name, ok := strings.Cut(l, " ")
		v, err := strconv.ParseUint(a, 10, 16)
		if !ok || err != nil || Attr(v)&^specialUseAttrs != 0 {
			continue
		}
		if n, err := CanonicalName(name); err == nil {
			out = append(out, FolderInfo{Name: n, Attrs: Attr(v)})
		}
	}
	return out, nil
}

func writeSpecialUse(ud string, uses []FolderInfo) error {
	return durable.WriteFile(filepath.Join(ud, SpecialUseFile), 0o600, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for _, u := range uses {
			fmt.Fprintf(bw, "%d %s\n", u.Attrs, u.Name)
		}
		return bw.Flush()
	})
}

// editSpecialUse rewrites the special-use list through fn (user lock held).
func editSpecialUse(ud string, fn func([]FolderInfo) []FolderInfo) error {
	uses, err := specialUses(ud)
	if err != nil {
		return err
	}
	return writeSpecialUse(ud, fn(uses))
}

// CreateFolderUse is CreateFolder with special-use attributes (RFC 6154
// CREATE-SPECIAL-USE); use may hold only AttrSent, AttrDrafts, AttrTrash,
// AttrJunk and AttrArchive (ErrSpecialUse otherwise: NO [USEATTR]).
func (s *Store) CreateFolderUse(user, name string, use Attr) error {
	if use&^specialUseAttrs != 0 {
		return ErrSpecialUse
	}
	if err := s.CreateFolder(user, name); err != nil || use == 0 {
		return err
	}
	name, _ = CanonicalName(strings.TrimSuffix(name, "/"))
	lk, ud, err := s.lockUser(user)
	if err != nil {
		return err
	}
	defer lk.Close()
	return editSpecialUse(ud, func(u []FolderInfo) []FolderInfo { return append(u, FolderInfo{Name: name, Attrs: use}) })
}

// Folders lists the user's folders, INBOX first, then by name. Levels
// that exist only as parents of others are listed \Noselect \NonExistent;
// folders left by a DELETE with children are \Noselect.
func (s *Store) Folders(user string) ([]FolderInfo, error) {
	ud, err := s.userDir(user)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(ud)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	attrs := map[string]Attr{Inbox: 0}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		name, ok := nameOfDir(e.Name())
		if !ok {
			continue
		}
		var a Attr
		if fi, err := os.Stat(filepath.Join(ud, e.Name(), "cur")); err != nil || !fi.IsDir() {
			a = AttrNoselect
		}
		attrs[name] = a
	}
	// Parents that have no directory.
	for name := range attrs {
		for i := strings.LastIndexByte(name, Delimiter); i > 0; i = strings.LastIndexByte(name[:i], Delimiter) {
			if _, ok := attrs[name[:i]]; !ok {
				attrs[name[:i]] = AttrNoselect | AttrNonExistent
			}
		}
	}
	subs, err := s.Subscriptions(user)
	if err != nil {
		return nil, err
	}
	uses, err := specialUses(ud)
	if err != nil {
		return nil, err
	}
	out := make([]FolderInfo, 0, len(attrs))
	for name, a := range attrs {
		out = append(out, FolderInfo{Name: name, Attrs: a})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == Inbox) != (out[j].Name == Inbox) {
			return out[i].Name == Inbox
		}
		return out[i].Name < out[j].Name
	})
	sub := make(map[string]bool, len(subs))
	for _, n := range subs {
		sub[n] = true
	}
	parents := make(map[string]bool, len(out))
	for name := range attrs {
		if i := strings.LastIndexByte(name, Delimiter); i > 0 {
			parents[name[:i]] = true
		}
	}
	for i := range out {
		fi := &out[i]
		if parents[fi.Name] {
			fi.Attrs |= AttrHasChildren
		} else {
			fi.Attrs |= AttrHasNoChildren
		}
		if sub[fi.Name] {
			fi.Attrs |= AttrSubscribed
		}
		for _, su := range uses {
			if su.Name == fi.Name {
				fi.Attrs |= su.Attrs
			}
		}
	}
	return out, nil
}

// CreateFolder creates a folder and its missing parents. A trailing "/"
// is allowed (RFC 9051). ErrFolderExists when it exists; a \Noselect
// folder becomes selectable.
func (s *Store) CreateFolder(user, name string) error {
	name = strings.TrimSuffix(name, "/")
	name, err := CanonicalName(name)
	if err != nil {
		return err
	}
	if name == Inbox {
		return ErrFolderExists
	}
	lk, ud, err := s.lockUser(user)
	if err != nil {
		return err
	}
	defer lk.Close()
	d, err := s.folderPath(user, name)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(filepath.Join(d, "cur")); err == nil && fi.IsDir() {
		return ErrFolderExists
	}
	for i := strings.IndexByte(name, Delimiter); i > 0; {
		parent := name[:i]
		if parent != Inbox {
			pd, err := s.folderPath(user, parent)
			if err != nil {
				return err
			}
			if _, err := os.Stat(pd); errors.Is(err, os.ErrNotExist) {
				if err := ensureMaildir(pd); err != nil {
					return err
				}
			}
		}
		j := strings.IndexByte(name[i+1:], Delimiter)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if err := ensureMaildir(d); err != nil {
		return err
	}
	if err := durable.SyncDir(d); err != nil { // its tmp, new, cur
		return err
	}
	return durable.SyncDir(ud)
}

// children returns the directory names of a folder's descendants.
func (s *Store) children(ud, user, name string) ([]string, error) {
	ents, err := os.ReadDir(ud)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if n, ok := nameOfDir(e.Name()); ok && e.IsDir() && strings.HasPrefix(n, name+"/") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// DeleteFolder deletes a folder and its messages. A folder with children
// keeps its name as \Noselect (RFC 9051 6.3.4); deleting a \Noselect one
// with children is ErrHasChildren; INBOX is ErrInbox. Sessions that have
// it selected get ErrNoFolder from their next Sync.
func (s *Store) DeleteFolder(user, name string) error {
	name, err := CanonicalName(name)
	if err != nil {
		return err
	}
	if name == Inbox {
		return ErrInbox
	}
	lk, ud, err := s.lockUser(user)
	if err != nil {
		return err
	}
	defer lk.Close()
	d, err := s.folderPath(user, name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(d); err != nil {
		return ErrNoFolder
	}
	kids, err := s.children(ud, user, name)
	if err != nil {
		return err
	}
	_, curErr := os.Stat(filepath.Join(d, "cur"))
	if len(kids) > 0 {
		if curErr != nil {
			return ErrHasChildren
		}
		// Keep the directory, drop the Maildir: \Noselect.
		for _, sub := range [...]string{"cur", "new", "tmp", UIDListFile} {
			if err := os.RemoveAll(filepath.Join(d, sub)); err != nil {
				return err
			}
		}
		return durable.SyncDir(d)
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	gone := filepath.Join(ud, deletedPrefix+hex.EncodeToString(r[:]))
	if err := os.Rename(d, gone); err != nil {
		return err
	}
	if err := durable.SyncDir(ud); err != nil {
		return err
	}
	if err := editSpecialUse(ud, func(u []FolderInfo) []FolderInfo {
		out := u[:0]
		for _, x := range u {
			if x.Name != name {
				out = append(out, x)
			}
		}
		return out
	}); err != nil {
		return err
	}
	return os.RemoveAll(gone)
}

// RenameFolder renames a folder and its children, keeping UIDVALIDITY
// and UIDs. Renaming INBOX moves its messages into a new folder and leaves
// INBOX empty (RFC 9051 6.3.6). ErrFolderExists when the new name (or a
// child's) is in use, ErrFolderName when to is inside from.
func (s *Store) RenameFolder(user, from, to string) error {
	from, err := CanonicalName(from)
	if err != nil {
		return err
	}
	to, err = CanonicalName(strings.TrimSuffix(to, "/"))
	if err != nil {
		return err
	}
	if to == Inbox || to == from {
		return ErrFolderExists
	}
	if strings.HasPrefix(to, from+"/") {
		return fmt.Errorf("%w: %q into itself", ErrFolderName, to)
	}
	if from == Inbox {
		return s.renameInbox(user, to)
	}
	lk, ud, err := s.lockUser(user)
	if err != nil {
		return err
	}
	defer lk.Close()
	fd, err := s.folderPath(user, from)
	if err != nil {
		return err
	}
	td, err := s.folderPath(user, to)
	if err != nil {
		return err
	}
	if _, err := os.Stat(fd); err != nil {
		return ErrNoFolder
	}
	kids, err := s.children(ud, user, from)
	if err != nil {
		return err
	}
	type move struct{ from, to string }
	moves := []move{{fd, td}}
	for _, k := range kids {
		n, _ := nameOfDir(k)
		nd, err := s.folderPath(user, to+n[len(from):])
		if err != nil {
			return err
		}
		moves = append(moves, move{filepath.Join(ud, k), nd})
	}
	for _, m := range moves {
		if _, err := os.Stat(m.to); err == nil {
			return ErrFolderExists
		}
	}
	for _, m := range moves {
		if err := os.Rename(m.from, m.to); err != nil {
			return err
		}
	}
	if err := s.makeParents(user, to); err != nil {
		return err
	}
	if err := durable.SyncDir(ud); err != nil {
		return err
	}
	// The special use goes with the folder.
	return editSpecialUse(ud, func(u []FolderInfo) []FolderInfo {
		for i := range u {
			if u[i].Name == from {
				u[i].Name = to
			} else if strings.HasPrefix(u[i].Name, from+"/") {
				u[i].Name = to + u[i].Name[len(from):]
			}
		}
		return u
	})
}

// makeParents creates missing parent folders of name.
func (s *Store) makeParents(user, name string) error {
	for i := strings.LastIndexByte(name, Delimiter); i > 0; i = strings.LastIndexByte(name[:i], Delimiter) {
		if name[:i] == Inbox {
			continue
		}
		pd, err := s.folderPath(user, name[:i])
		if err != nil {
			return err
		}
		if _, err := os.Stat(pd); errors.Is(err, os.ErrNotExist) {
			if err := ensureMaildir(pd); err != nil {
				return err
			}
		}
	}
	return nil
}

// renameInbox moves every inbox message into a new folder to.
func (s *Store) renameInbox(user, to string) error {
	if err := s.CreateFolder(user, to); err != nil {
		return err
	}
	src, err := s.acquire(user, Inbox)
	if err != nil {
		return err
	}
	defer s.release(src)
	td, err := s.folderPath(user, to)
	if err != nil {
		return err
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	n := 0
	err = src.withLock(false, func() error {
		st := &src.d.st
		cur := filepath.Join(src.d.dir, "cur")
		kept := st.msgs[:0]
		for _, e := range st.msgs {
			if err := os.Rename(filepath.Join(cur, e.name), filepath.Join(td, "cur", e.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				kept = append(kept, e)
				continue
			}
			src.d.expunged(e.uid, src.d.bump())
			n++
		}
		st.msgs = kept
		if n == 0 {
			return nil
		}
		if err := durable.SyncDir(filepath.Join(td, "cur")); err != nil {
			return err
		}
		if err := durable.SyncDir(cur); err != nil {
			return err
		}
		return src.d.save()
	})
	if n > 0 {
		src.notify()
	}
	return err
}

// Subscriptions returns the user's subscribed names (which need not
// exist).
func (s *Store) Subscriptions(user string) ([]string, error) {
	ud, err := s.userDir(user)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(ud, SubscriptionsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for l := range strings.SplitSeq(string(b), "\n") {
		if n, err := CanonicalName(l); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// Subscribe adds (on) or removes a name from the subscriptions.
func (s *Store) Subscribe(user, name string, on bool) error {
	name, err := CanonicalName(name)
	if err != nil {
		return err
	}
	lk, ud, err := s.lockUser(user)
	if err != nil {
		return err
	}
	defer lk.Close()
	subs, err := s.Subscriptions(user)
	if err != nil {
		return err
	}
	out := subs[:0]
	for _, n := range subs {
		if n != name {
			out = append(out, n)
		}
	}
	if on {
		out = append(out, name)
	}
	return writeSubscriptions(ud, out)
}

func writeSubscriptions(ud string, names []string) error {
	return durable.WriteFile(filepath.Join(ud, SubscriptionsFile), 0o600, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for _, n := range names {
			bw.WriteString(n)
			bw.WriteByte('\n')
		}
		return bw.Flush()
	})
}
