package imapd

import (
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
)

// StoreOf adapts *store.Store to Store.
func StoreOf(s *store.Store) Store { return storeAdapter{s} }

type storeAdapter struct{ s *store.Store }

func (a storeAdapter) OpenAccount(user string) (Account, error) {
	if err := a.s.EnsureUser(user); err != nil {
		return nil, err
	}
	return &account{s: a.s, user: user}, nil
}

// account is one user's folders in the store.
type account struct {
	s    *store.Store
	user string
}

// mapErr turns the store's errors into the session's.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNoFolder):
		return errors.Join(ErrNoFolder, err)
	case errors.Is(err, store.ErrSpecialUse):
		return errors.Join(ErrUseAttr, err)
	case errors.Is(err, store.ErrFolderExists):
		return errors.Join(ErrExists, err)
	case errors.Is(err, store.ErrFolderName), errors.Is(err, store.ErrInbox), errors.Is(err, store.ErrHasChildren),
		errors.Is(err, store.ErrReadOnly), errors.Is(err, store.ErrKeywordLimit):
		return errors.Join(ErrCannot, err)
	case errors.Is(err, store.ErrExpunged):
		return errors.Join(os.ErrNotExist, err)
	}
	return err
}

func (a *account) Folders() ([]FolderInfo, error) {
	fs, err := a.s.Folders(a.user)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]FolderInfo, 0, len(fs))
	for _, f := range fs {
		fi := FolderInfo{Name: f.Name, Subscribed: f.Attrs&store.AttrSubscribed != 0,
			Noselect: f.Attrs&store.AttrNoselect != 0, NonExistent: f.Attrs&store.AttrNonExistent != 0,
			HasChildren: f.Attrs&store.AttrHasChildren != 0}
		for _, u := range useAttrs {
			if f.Attrs&u.a != 0 {
				fi.Use = u.name
			}
		}
		out = append(out, fi)
	}
	return out, nil
}

var useAttrs = []struct {
	a    store.Attr
	name string
}{{store.AttrSent, `\Sent`}, {store.AttrDrafts, `\Drafts`}, {store.AttrTrash, `\Trash`}, {store.AttrJunk, `\Junk`}, {store.AttrArchive, `\Archive`}}

func (a *account) Create(name string, use []string) error {
	if len(use) == 0 {
		return mapErr(a.s.CreateFolder(a.user, name))
	}
	var attr store.Attr
	for _, u := range use {
		for _, ua := range useAttrs {
			if ua.name == u {
				attr |= ua.a
			}
		}
	}
	return mapErr(a.s.CreateFolderUse(a.user, name, attr))
}

func (a *account) Delete(name string) error     { return mapErr(a.s.DeleteFolder(a.user, name)) }
func (a *account) Rename(from, to string) error { return mapErr(a.s.RenameFolder(a.user, from, to)) }
func (a *account) Subscribe(name string, on bool) error {
	return mapErr(a.s.Subscribe(a.user, name, on))
}

func (a *account) NewAppender(name string) (Appender, error) {
	ap, err := a.s.NewAppender(a.user, name)
	if err != nil {
		return nil, mapErr(err)
	}
	return appender{ap}, nil
}

type appender struct{ a *store.Appender }

func (p appender) Add(r io.Reader, flags []string, date time.Time) error {
	sys, kws := splitFlags(flags)
	_, err := p.a.Add(r, sys, kws, date)
	return mapErr(err)
}

func (p appender) Commit() (uint32, []uint32, error) {
	v, uids, err := p.a.Commit()
	return v, uids, mapErr(err)
}

func (p appender) Abort() { p.a.Abort() }

func (a *account) Close() error { return nil }

func (a *account) Status(name string) (Status, error) {
	st, err := a.s.Status(a.user, name)
	if err != nil {
		return Status{}, mapErr(err)
	}
	return Status{Messages: st.Messages, Recent: st.Recent, Unseen: st.Unseen, Deleted: st.Deleted,
		UIDNext: st.UIDNext, UIDValidity: st.UIDValidity, HighestModSeq: st.HighestModSeq, Size: st.Size}, nil
}

func (a *account) Open(name string, readOnly bool) (Folder, error) {
	m, err := a.s.Select(a.user, name, readOnly)
	if err != nil {
		return nil, mapErr(err)
	}
	return &folder{m: m, first: true}, nil
}

// folder is a selected store.Mailbox; its snapshot feeds the session's
// view, which does its own diffing.
type folder struct {
	m     *store.Mailbox
	first bool
}

// flagNames are the IMAP names of the store's system flags, in the order
// a FLAGS list shows them.
var flagNames = []struct {
	f    store.Flags
	name string
}{
	{store.FlagAnswered, `\Answered`}, {store.FlagDeleted, `\Deleted`}, {store.FlagDraft, `\Draft`},
	{store.FlagFlagged, `\Flagged`}, {store.FlagSeen, `\Seen`},
}

func (f *folder) Snapshot() (FolderState, []Msg, error) {
	if !f.first {
		if _, err := f.m.Sync(true); err != nil {
			return FolderState{}, nil, mapErr(err)
		}
	}
	f.first = false
	kws := f.m.Keywords()
	all := f.m.Messages()
	msgs := make([]Msg, 0, len(all)) // not kept: an idle session holds only its view
	for _, mi := range all {
		if mi.Expunged {
			continue
		}
		msgs = append(msgs, Msg{UID: mi.UID, Flags: flagList(mi.Flags, mi.Keywords, kws), ModSeq: mi.ModSeq,
			Size: mi.Size, Date: mi.Date.Unix(), Recent: mi.Recent})
	}
	return FolderState{UIDValidity: f.m.UIDValidity(), UIDNext: f.m.UIDNext(), HighestModSeq: f.m.HighestModSeq()}, msgs, nil
}

// flagList names a message's flags; the common lists are shared.
func flagList(fl store.Flags, kw uint32, kws []string) []string {
	if kw == 0 {
		if l := commonFlags[fl&0x1f]; l != nil {
			return l
		}
	}
	var out []string
	for _, n := range flagNames {
		if fl&n.f != 0 {
			out = append(out, n.name)
		}
	}
	for i, k := range kws {
		if i < 32 && kw&(1<<i) != 0 {
			out = append(out, k)
		}
	}
	return out
}

// commonFlags are the flag lists of every system-flag combination.
var commonFlags = func() [32][]string {
	var t [32][]string
	for i := range t {
		l := []string{}
		for _, n := range flagNames {
			if store.Flags(i)&n.f != 0 {
				l = append(l, n.name)
			}
		}
		t[i] = l
	}
	return t
}()

func (f *folder) OpenMessage(uid uint32) (*os.File, error) {
	file, _, err := f.m.Open(uid)
	return file, mapErr(err)
}

// splitFlags separates system flags from keywords.
func splitFlags(flags []string) (sys store.Flags, kws []string) {
	for _, fl := range flags {
		if strings.HasPrefix(fl, `\`) {
			for _, n := range flagNames {
				if strings.EqualFold(n.name, fl) {
					sys |= n.f
				}
			}
			continue
		}
		kws = append(kws, fl)
	}
	return sys, kws
}

func (f *folder) Store(uids []uint32, op byte, flags []string, unchangedSince uint64) ([]uint32, error) {
	sys, kws := splitFlags(flags)
	sop := store.StoreReplace
	switch op {
	case '+':
		sop = store.StoreAdd
	case '-':
		sop = store.StoreRemove
	}
	_, modified, err := f.m.Store(uids, sop, sys, kws, unchangedSince)
	return append([]uint32(nil), modified...), mapErr(err)
}

func (f *folder) Expunge(uids []uint32) error { return mapErr(f.m.Expunge(uids)) }

func (f *folder) Copy(uids []uint32, dest string) (uint32, []uint32, []uint32, error) {
	r, err := f.m.Copy(dest, uids)
	return r.UIDValidity, r.Src, r.Dst, mapErr(err)
}

func (f *folder) Move(uids []uint32, dest string) (uint32, []uint32, []uint32, error) {
	r, err := f.m.Move(dest, uids)
	return r.UIDValidity, r.Src, r.Dst, mapErr(err)
}

// maxVanished bounds the UIDs one VANISHED lists from the store's ranges.
const maxVanished = 1 << 20

func (f *folder) Vanished(since uint64) ([]uint32, bool, error) {
	var out []uint32
	for _, r := range f.m.Vanished(since, nil) {
		for u := r.First; u <= r.Last && len(out) < maxVanished; u++ {
			out = append(out, u)
			if u == ^uint32(0) {
				break
			}
		}
	}
	return out, true, nil
}

func (f *folder) Changed() <-chan struct{} { return f.m.Changed() }
func (f *folder) Close() error             { return f.m.Close() }
