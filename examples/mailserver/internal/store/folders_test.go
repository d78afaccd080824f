package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonicalName(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"INBOX", "INBOX"}, {"inbox", "INBOX"}, {"InBoX/Sub", "INBOX/Sub"}, {"Sent", "Sent"},
		{"a/b/c", "a/b/c"}, {"Ünïcødé/日本", "Ünïcødé/日本"}, {"a.b", "a.b"}, {"INBOXES", "INBOXES"},
	} {
		got, err := CanonicalName(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.out, got)
	}
	for _, bad := range []string{"", "/a", "a/", "a//b", "a*", "a%b", "a\x00", "a\tb", "\xff", strings.Repeat("x", 201)} {
		_, err := CanonicalName(bad)
		assert.ErrorIs(t, err, ErrFolderName, bad)
	}
}

func TestFolderDirs(t *testing.T) {
	s := newStore(t)
	for _, tc := range []struct{ name, dir string }{
		{"Sent", ".Sent"}, {"a/b", ".a.b"}, {"a.b", ".a&AC4-b"}, {"Entwürfe", ".Entw&APw-rfe"}, {"INBOX/x", ".INBOX.x"},
		{"..", ".&AC4-&AC4-"},
	} {
		d, err := s.folderPath("alice", tc.name)
		require.NoError(t, err)
		assert.Equal(t, tc.dir, filepath.Base(d))
		n, ok := nameOfDir(tc.dir)
		assert.True(t, ok, tc.dir)
		assert.Equal(t, tc.name, n)
	}
	for _, d := range []string{"..del-x", ".", ".a..b", ".&Jjo", "tmp", ".INBOX"} {
		_, ok := nameOfDir(d)
		assert.False(t, ok, d)
	}
}

// FuzzFolderName: every valid name maps to a directory name that maps
// back to it.
func FuzzFolderName(f *testing.F) {
	f.Add("a/b.c")
	f.Add("Entwürfe/&x")
	f.Add("inbox/x")
	s, err := Open(f.TempDir())
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, name string) {
		c, err := CanonicalName(name)
		if err != nil {
			return
		}
		d, err := s.folderPath("u", c)
		if err != nil || c == Inbox {
			return
		}
		base := filepath.Base(d)
		assert.NotContains(t, base, "/")
		assert.Equal(t, strings.Count(c, "/"), strings.Count(base, ".")-1, "a dot per level only")
		back, ok := nameOfDir(base)
		require.True(t, ok, base)
		assert.Equal(t, c, back)
	})
}

func names(fs []FolderInfo) map[string]Attr {
	out := map[string]Attr{}
	for _, f := range fs {
		out[f.Name] = f.Attrs
	}
	return out
}

func TestEnsureUser(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.EnsureUser("alice"))
	fs, err := s.Folders("alice")
	require.NoError(t, err)
	require.Len(t, fs, 6)
	assert.Equal(t, Inbox, fs[0].Name)
	want := map[string]Attr{
		Inbox: AttrSubscribed | AttrHasNoChildren, "Sent": AttrSubscribed | AttrHasNoChildren | AttrSent,
		"Drafts": AttrSubscribed | AttrHasNoChildren | AttrDrafts, "Trash": AttrSubscribed | AttrHasNoChildren | AttrTrash,
		"Junk": AttrSubscribed | AttrHasNoChildren | AttrJunk, "Archive": AttrSubscribed | AttrHasNoChildren | AttrArchive,
	}
	assert.Equal(t, want, names(fs))
	// Only the first time: a deleted Trash stays deleted.
	require.NoError(t, s.DeleteFolder("alice", "Trash"))
	require.NoError(t, s.EnsureUser("alice"))
	fs, err = s.Folders("alice")
	require.NoError(t, err)
	assert.NotContains(t, names(fs), "Trash")
	// A user from part 1 (only POP3 mail) gets them at the first login.
	deliver(t, s, "bob", 1)
	require.NoError(t, s.EnsureUser("bob"))
	fs, err = s.Folders("bob")
	require.NoError(t, err)
	assert.Len(t, fs, 6)
	assert.ErrorIs(t, s.EnsureUser("../x"), ErrUser)
}

func TestCreateDeleteRename(t *testing.T) {
	s := newStore(t)
	u := "alice"
	require.NoError(t, s.CreateFolder(u, "a/b/c"))
	fs, err := s.Folders(u)
	require.NoError(t, err)
	assert.Equal(t, map[string]Attr{Inbox: AttrHasNoChildren, "a": AttrHasChildren, "a/b": AttrHasChildren, "a/b/c": AttrHasNoChildren}, names(fs),
		"parents are made")
	assert.ErrorIs(t, s.CreateFolder(u, "a/b"), ErrFolderExists)
	assert.ErrorIs(t, s.CreateFolder(u, "inbox"), ErrFolderExists)
	require.NoError(t, s.CreateFolder(u, "x/"), "trailing delimiter")
	require.NoError(t, s.CreateFolder(u, "a-x"))
	fs, _ = s.Folders(u)
	assert.Equal(t, AttrHasChildren, names(fs)["a"], "a-x sorts between a and a/b")
	assert.Equal(t, AttrHasNoChildren, names(fs)["a-x"])
	require.NoError(t, s.CreateFolder(u, "INBOX/child"))

	// DELETE with children: \Noselect, then an error; without: gone.
	require.NoError(t, s.DeleteFolder(u, "a"))
	fs, _ = s.Folders(u)
	assert.Equal(t, AttrNoselect|AttrHasChildren, names(fs)["a"])
	assert.ErrorIs(t, s.DeleteFolder(u, "a"), ErrHasChildren)
	_, err = s.Select(u, "a", false)
	assert.ErrorIs(t, err, ErrNoFolder)
	require.NoError(t, s.CreateFolder(u, "a"), "a \\Noselect folder can be made again")
	assert.ErrorIs(t, s.DeleteFolder(u, "INBOX"), ErrInbox)
	assert.ErrorIs(t, s.DeleteFolder(u, "nope"), ErrNoFolder)
	require.NoError(t, s.DeleteFolder(u, "x"))
	fs, _ = s.Folders(u)
	assert.NotContains(t, names(fs), "x")

	// RENAME moves children and keeps UIDVALIDITY and the mail.
	_, uid, err := s.Append(u, "a/b", strings.NewReader("m\r\n"), FlagSeen, nil, time.Time{})
	require.NoError(t, err)
	st, err := s.Status(u, "a/b")
	require.NoError(t, err)
	require.NoError(t, s.RenameFolder(u, "a", "z/y"))
	fs, _ = s.Folders(u)
	n := names(fs)
	assert.NotContains(t, n, "a")
	assert.NotContains(t, n, "a/b")
	assert.Contains(t, n, "z/y/b/c")
	assert.Equal(t, AttrHasChildren, n["z"])
	st2, err := s.Status(u, "z/y/b")
	require.NoError(t, err)
	assert.Equal(t, st.UIDValidity, st2.UIDValidity)
	assert.Equal(t, uint32(1), st2.Messages)
	assert.Equal(t, uint32(1), uid)
	assert.ErrorIs(t, s.RenameFolder(u, "z", "INBOX/child"), ErrFolderExists)
	assert.ErrorIs(t, s.RenameFolder(u, "z", "z/q"), ErrFolderName)
	assert.ErrorIs(t, s.RenameFolder(u, "nope", "q"), ErrNoFolder)

	// A folder made again under an old name gets a new UIDVALIDITY.
	require.NoError(t, s.CreateFolder(u, "a/b"))
	st3, err := s.Status(u, "a/b")
	require.NoError(t, err)
	assert.Greater(t, st3.UIDValidity, st.UIDValidity)
}

func TestRenameInbox(t *testing.T) {
	s := newStore(t)
	deliver(t, s, "alice", 3)
	m, err := s.Select("alice", Inbox, false)
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, s.RenameFolder("alice", "INBOX", "Old"))
	st, err := s.Status("alice", "Old")
	require.NoError(t, err)
	assert.Equal(t, uint32(3), st.Messages)
	c, err := m.Sync(true)
	require.NoError(t, err)
	assert.Equal(t, []uint32{3, 2, 1}, c.Expunged)
	assert.Zero(t, c.Exists)
	in, err := s.Status("alice", Inbox)
	require.NoError(t, err)
	assert.Zero(t, in.Messages)
	assert.Equal(t, uint32(4), in.UIDNext, "INBOX keeps its UIDs going")
}

func TestSubscriptions(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Subscribe("alice", "inbox", true))
	require.NoError(t, s.Subscribe("alice", "Nowhere", true))
	require.NoError(t, s.Subscribe("alice", "Nowhere", true))
	subs, err := s.Subscriptions("alice")
	require.NoError(t, err)
	assert.Equal(t, []string{Inbox, "Nowhere"}, subs, "no duplicates; need not exist")
	require.NoError(t, s.Subscribe("alice", "Nowhere", false))
	subs, err = s.Subscriptions("alice")
	require.NoError(t, err)
	assert.Equal(t, []string{Inbox}, subs)
	assert.ErrorIs(t, s.Subscribe("alice", "a*", true), ErrFolderName)
	_, err = os.Stat(filepath.Join(s.Dir(), "alice", SubscriptionsFile))
	require.NoError(t, err)
}

// TestSpecialUse: CREATE-SPECIAL-USE adds one, RENAME carries it along,
// DELETE drops it; names alone do not make one once the list exists.
func TestSpecialUse(t *testing.T) {
	s := newStore(t)
	u := "alice"
	require.NoError(t, s.EnsureUser(u))
	require.NoError(t, s.CreateFolderUse(u, "Old mail", AttrArchive|AttrJunk))
	assert.ErrorIs(t, s.CreateFolderUse(u, "x", AttrSubscribed), ErrSpecialUse)
	require.NoError(t, s.RenameFolder(u, "Trash", "Bin"))
	require.NoError(t, s.CreateFolder(u, "Trash"))
	require.NoError(t, s.DeleteFolder(u, "Sent"))
	require.NoError(t, s.CreateFolder(u, "Sent"))
	fs, err := s.Folders(u)
	require.NoError(t, err)
	n := names(fs)
	assert.Equal(t, AttrArchive|AttrJunk, n["Old mail"]&specialUseAttrs)
	assert.Equal(t, AttrTrash, n["Bin"]&specialUseAttrs)
	assert.Zero(t, n["Trash"]&specialUseAttrs, "the new Trash is a plain folder")
	assert.Zero(t, n["Sent"]&specialUseAttrs, "deleting Sent dropped its use")
	assert.Equal(t, AttrDrafts, n["Drafts"]&specialUseAttrs)
}

// TestRecreatedFolderRecent: a folder deleted and made again does not
// inherit the old one's unclaimed \Recent UIDs.
func TestRecreatedFolderRecent(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.CreateFolder("alice", "Work"))
	for range 2 {
		_, _, err := s.Append("alice", "Work", strings.NewReader("x\r\n"), 0, nil, time.Time{})
		require.NoError(t, err)
	}
	require.NoError(t, s.DeleteFolder("alice", "Work"))
	require.NoError(t, s.CreateFolder("alice", "Work"))
	cur := filepath.Join(s.Dir(), "alice", ".Work", "cur")
	for _, n := range []string{"1.a.h:2,S", "2.b.h:2,"} {
		require.NoError(t, os.WriteFile(filepath.Join(cur, n), []byte("y\r\n"), 0o600))
	}
	m, err := s.Select("alice", "Work", false)
	require.NoError(t, err)
	defer m.Close()
	assert.Equal(t, []uint32{1, 2}, uidsOf(m))
	assert.Zero(t, m.Recent(), "found in cur/, not new/: not \\Recent")
}
