package users

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testDB(t *testing.T) *DB {
	t.Helper()
	db := New("Mail.Example.Test")
	for _, u := range []struct{ n, p string }{{"alice", "alice pw"}, {"bob", "b:o:b"}} {
		h, err := NewHash(u.p, 1000)
		require.NoError(t, err)
		require.NoError(t, db.AddHash(u.n, h))
	}
	return db
}

func TestAuthenticate(t *testing.T) {
	db := testDB(t)
	for _, tc := range []struct {
		name, pw string
		ok       bool
		user     string
	}{
		{"alice", "alice pw", true, "alice"},
		{"alice@mail.example.test", "alice pw", true, "alice"},
		{"ALICE@MAIL.EXAMPLE.TEST", "alice pw", true, "alice"},
		{"bob", "b:o:b", true, "bob"},
		{"alice", "alice pw ", false, ""},
		{"alice", "", false, ""},
		{"alice@other.test", "alice pw", false, ""},
		{"carol", "alice pw", false, ""},
		{"", "", false, ""},
	} {
		u, ok := db.Authenticate(tc.name, tc.pw)
		assert.Equal(t, tc.ok, ok, "%q %q", tc.name, tc.pw)
		if tc.ok {
			assert.Equal(t, User{Name: tc.user, Address: tc.user + "@mail.example.test"}, u)
		}
	}
}

func TestLookup(t *testing.T) {
	db := testDB(t)
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"alice@mail.example.test", true},
		{"Alice@MAIL.example.test", true},
		{"alice", false}, // an address needs its domain
		{"alice@example.test", false},
		{"carol@mail.example.test", false},
		{"@mail.example.test", false},
	} {
		u, ok := db.Lookup(tc.addr)
		assert.Equal(t, tc.ok, ok, tc.addr)
		if ok {
			assert.Equal(t, "alice", u.Name)
		}
	}
}

func TestAddRejects(t *testing.T) {
	db := New("localhost")
	for _, n := range []string{"", ".hidden", "a/b", "A", "tls", "queue", "a b", "x@y"} {
		assert.ErrorIs(t, db.AddHash(n, Hash{}), ErrName, n)
	}
	require.NoError(t, db.Add("ok.name-1_x", "pw"))
	assert.Error(t, db.Add("ok.name-1_x", "pw"), "duplicate")
	assert.Equal(t, []string{"ok.name-1_x"}, db.Names())
}

// TestUnknownCostsTheSame: an unknown name is checked against a dummy hash
// with the first user's iteration count.
func TestUnknownCostsTheSame(t *testing.T) {
	db := testDB(t)
	assert.Equal(t, 1000, db.dummy.Iter)
	assert.Len(t, db.dummy.Key, keyLen)
	_, ok := db.Authenticate("nobody", "")
	assert.False(t, ok, "the dummy never matches, not even an empty password")
}
