package users

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// DefaultIterations is OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
const DefaultIterations = 600000

// MaxIterations bounds the cost a hash line may ask for, so that a bad
// -users file cannot stall every login.
const MaxIterations = 10000000

const (
	saltLen = 16
	keyLen  = 32
	scheme  = "pbkdf2-sha256"
)

// ErrHash: a hash that is not "pbkdf2-sha256$ITER$SALT$KEY" (SALT and KEY in
// unpadded standard base64, ITER from 1000 to MaxIterations).
var ErrHash = errors.New("users: malformed password hash")

// Hash is a PBKDF2-SHA256 password hash.
type Hash struct {
	Iter int
	Salt []byte
	Key  []byte
}

// NewHash hashes password with a fresh random salt.
func NewHash(password string, iter int) (Hash, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return Hash{}, err
	}
	key, err := pbkdf2.Key(sha256.New, password, salt, iter, keyLen)
	if err != nil {
		return Hash{}, err
	}
	return Hash{Iter: iter, Salt: salt, Key: key}, nil
}

// String formats h as "pbkdf2-sha256$ITER$SALT$KEY".
func (h Hash) String() string {
	enc := base64.RawStdEncoding
	return scheme + "$" + strconv.Itoa(h.Iter) + "$" + enc.EncodeToString(h.Salt) + "$" + enc.EncodeToString(h.Key)
}

// ParseHash parses the String form.
func ParseHash(s string) (Hash, error) {
	parts := strings.Split(s, "$")
	// encoding/base64 skips CR and LF even in Strict mode: refuse them, so a
	// hash has one spelling (and a users file line cannot hide a line break).
	if len(parts) != 4 || parts[0] != scheme || strings.ContainsAny(s, "\r\n") {
		return Hash{}, ErrHash
	}
	iter, err := strconv.Atoi(parts[1])
	// Digits only, the first not 0: Atoi also takes a sign ("+1000"),
	// which String would not write back.
	if err != nil || iter < 1000 || iter > MaxIterations || parts[1][0] < '1' || parts[1][0] > '9' {
		return Hash{}, ErrHash
	}
	enc := base64.RawStdEncoding.Strict()
	salt, err := enc.DecodeString(parts[2])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return Hash{}, ErrHash
	}
	key, err := enc.DecodeString(parts[3])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return Hash{}, ErrHash
	}
	return Hash{Iter: iter, Salt: salt, Key: key}, nil
}

// Verify reports whether password hashes to h; the final comparison takes
// constant time.
func (h Hash) Verify(password string) bool {
	if len(h.Key) == 0 {
		return false
	}
	key, err := pbkdf2.Key(sha256.New, password, h.Salt, h.Iter, len(h.Key))
	if err != nil {
		return false
	}
	return equal(key, h.Key)
}
