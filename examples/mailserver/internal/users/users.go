// Package users holds the accounts of the mail service: names, their
// addresses (NAME@hostname) and PBKDF2-SHA256 password hashes. A DB is
// read-only once built and safe for concurrent use.
package users

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
)

// User is one account. Address is Name@hostname.
type User struct{ Name, Address string }

// DB is the set of accounts of one hostname.
type DB struct {
	hostname string
	byName   map[string]Hash
	order    []string
	dummy    Hash // verified for unknown names, so that they cost the same time
}

// ErrName: a user name that cannot name a Maildir folder or an address.
var ErrName = errors.New("users: invalid user name")

// New returns an empty DB for hostname.
func New(hostname string) *DB {
	return &DB{
		hostname: strings.ToLower(hostname),
		byName:   map[string]Hash{},
		dummy:    Hash{Iter: DefaultIterations, Salt: make([]byte, saltLen), Key: make([]byte, keyLen)},
	}
}

// ValidName reports whether name can be a user: 1 to 64 octets of lower-case
// letters, digits, '.', '-' and '_', not starting with '.' (it names a
// folder under the data directory and the local part of an address).
func ValidName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '.' || name == "tls" || name == "queue" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// Add adds name with a password given in clear: it is hashed here.
func (db *DB) Add(name, password string) error {
	h, err := NewHash(password, DefaultIterations)
	if err != nil {
		return err
	}
	return db.AddHash(name, h)
}

// AddHash adds name with a hash. A name added twice is an error.
func (db *DB) AddHash(name string, h Hash) error {
	if !ValidName(name) {
		return fmt.Errorf("%w: %q", ErrName, name)
	}
	if _, dup := db.byName[name]; dup {
		return fmt.Errorf("users: %q given twice", name)
	}
	db.byName[name] = h
	if len(db.order) == 0 {
		// Unknown names cost what the first user's login costs.
		db.dummy = Hash{Iter: h.Iter, Salt: make([]byte, len(h.Salt)), Key: make([]byte, len(h.Key))}
	}
	db.order = append(db.order, name)
	return nil
}

// Names returns the user names in the order they were added.
func (db *DB) Names() []string { return append([]string(nil), db.order...) }

// Len is the number of users.
func (db *DB) Len() int { return len(db.order) }

// Hostname returns the domain of every address.
func (db *DB) Hostname() string { return db.hostname }

// local returns the user name of NAME or NAME@hostname (domain compared
// case-insensitively), or "" when the domain is another one.
func (db *DB) local(name string) string {
	if at := strings.LastIndexByte(name, '@'); at >= 0 {
		if !strings.EqualFold(name[at+1:], db.hostname) {
			return ""
		}
		name = name[:at]
	}
	return strings.ToLower(name)
}

// Authenticate checks a login: name is NAME or NAME@hostname. Unknown names
// cost one PBKDF2 derivation as known ones do, and the key comparison takes
// constant time.
func (db *DB) Authenticate(name, password string) (User, bool) {
	n := db.local(name)
	h, ok := db.byName[n]
	if !ok {
		h = db.dummy
	}
	match := h.Verify(password)
	if !ok || !match {
		return User{}, false
	}
	return db.user(n), true
}

// Lookup reports whether address (NAME@hostname, the local part
// case-insensitive) is a local user.
func (db *DB) Lookup(address string) (User, bool) {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return User{}, false
	}
	n := db.local(address)
	if _, ok := db.byName[n]; !ok || n == "" {
		return User{}, false
	}
	return db.user(n), true
}

func (db *DB) user(n string) User { return User{Name: n, Address: n + "@" + db.hostname} }

// equal compares in constant time.
func equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
