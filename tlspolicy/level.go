package tlspolicy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Level is how much TLS a connection needs. Levels are ordered as Postfix
// orders its smtp_tls_security_level values (src/tls/tls.h), so a larger
// Level never asks for less than a smaller one. Postfix's output-only
// "halfdane" level has no value here.
type Level int

// The levels, weakest first.
const (
	// LevelNone: no TLS.
	LevelNone Level = iota
	// LevelMay: opportunistic TLS, no authentication; plaintext when the
	// peer offers no TLS.
	LevelMay
	// LevelEncrypt: TLS is mandatory, the certificate is not checked.
	LevelEncrypt
	// LevelFingerprint: TLS is mandatory and the peer certificate must match
	// a configured SHA-256 fingerprint; no CA is involved.
	LevelFingerprint
	// LevelDANE: DANE (RFC 7672) authentication against TLSA records. The
	// caller lowers it to LevelMay or LevelEncrypt when there are no usable
	// records (see Resolve); as a connection level it authenticates.
	LevelDANE
	// LevelDANEOnly: like LevelDANE, with no fallback when records are
	// missing or unusable.
	LevelDANEOnly
	// LevelVerify: PKIX validation against the MX host name.
	LevelVerify
	// LevelSecure: PKIX validation against the next-hop domain.
	LevelSecure
)

// ErrUnknownLevel is returned by ParseLevel for a name that is not a level.
var ErrUnknownLevel = errors.New("tlspolicy: unknown security level")

var levelNames = [...]string{
	LevelNone:        "none",
	LevelMay:         "may",
	LevelEncrypt:     "encrypt",
	LevelFingerprint: "fingerprint",
	LevelDANE:        "dane",
	LevelDANEOnly:    "dane-only",
	LevelVerify:      "verify",
	LevelSecure:      "secure",
}

// valid reports whether l is one of the defined levels.
func (l Level) valid() bool { return l >= LevelNone && l <= LevelSecure }

// String returns the Postfix name of the level ("none", "may", "encrypt",
// "fingerprint", "dane", "dane-only", "verify", "secure"), or "Level(n)" for
// an undefined value.
func (l Level) String() string {
	if !l.valid() {
		return "Level(" + strconv.Itoa(int(l)) + ")"
	}
	return levelNames[l]
}

// ParseLevel returns the level with the Postfix name s, matched without
// regard to ASCII case. An unknown name yields an error wrapping
// ErrUnknownLevel.
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if strings.EqualFold(s, name) {
			return Level(l), nil
		}
	}
	return LevelNone, fmt.Errorf("%w: %q", ErrUnknownLevel, s)
}

// Required reports whether TLS is mandatory: the connection must not carry
// mail in plaintext (LevelEncrypt and above).
func (l Level) Required() bool { return l >= LevelEncrypt && l.valid() }

// Opportunistic reports whether TLS is used when offered and plaintext is
// accepted otherwise (LevelMay).
func (l Level) Opportunistic() bool { return l == LevelMay }

// MustVerify reports whether the peer's certificate must be authenticated:
// by fingerprint, by DANE, or by PKIX and name. As in Postfix
// (TLS_MUST_MATCH), this holds for every level above LevelEncrypt,
// LevelDANE included: DANE without usable records is resolved to a lower
// level before a connection is made.
func (l Level) MustVerify() bool { return l > LevelEncrypt && l.valid() }

// DANEBased reports whether authentication comes from TLSA records
// (LevelDANE and LevelDANEOnly).
func (l Level) DANEBased() bool { return l == LevelDANE || l == LevelDANEOnly }
