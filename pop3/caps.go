package pop3

import (
	"bytes"
	"iter"
)

// Cap is a capability of RFC 2449 §6, RFC 2595 (STLS), RFC 3206
// (AUTH-RESP-CODE) or RFC 6856 (UTF8, LANG).
type Cap uint8

// Capabilities this package knows by name; others are kept as lines.
const (
	CapTop Cap = iota
	CapUser
	CapSASL
	CapRespCodes
	CapLoginDelay
	CapPipelining
	CapExpire
	CapUIDL
	CapImplementation
	CapSTLS
	CapUTF8
	CapLang
	CapAuthRespCode
	numCaps
)

var capNames = [numCaps]string{"TOP", "USER", "SASL", "RESP-CODES", "LOGIN-DELAY",
	"PIPELINING", "EXPIRE", "UIDL", "IMPLEMENTATION", "STLS", "UTF8", "LANG", "AUTH-RESP-CODE"}

// String returns the capability's name as CAPA lists it.
func (c Cap) String() string {
	if c < numCaps {
		return capNames[c]
	}
	return ""
}

// Expire is the EXPIRE capability (RFC 2449 §6.7): how long the server
// keeps messages once retrieved.
type Expire struct {
	Days    int  // days; 0 means messages are deleted as soon as retrieved
	Never   bool // EXPIRE NEVER: messages are kept until deleted
	PerUser bool // "USER": the value may differ per user after login
}

// Capabilities is a parsed CAPA listing. It owns a copy of the lines, in
// one buffer reused by Reset, so that it outlives the reader's buffer;
// slices it returns are valid until the next Reset or Add.
type Capabilities struct {
	lines          []byte // every line, each followed by '\n'
	has            uint16
	expire         Expire
	loginDelay     int
	loginDelayUser bool
	utf8User       bool
	sasl, impl     [2]int // [start, end) of the parameters in lines
}

// Reset empties c, keeping its buffer.
func (c *Capabilities) Reset() {
	*c = Capabilities{lines: c.lines[:0]}
}

// Len reports how many octets c holds, to bound a listing.
func (c *Capabilities) Len() int { return len(c.lines) }

// Add parses one CAPA line (without CRLF; dot-unstuffed) and records it.
// Names are case-insensitive. A known capability with malformed
// parameters gives an error matching ErrCapability and is still kept as
// a line. It allocates only while its buffer grows.
func (c *Capabilities) Add(line []byte) error {
	if i := indexControl(line); i >= 0 {
		return clientError(ErrCapability, i, "no control characters", false)
	}
	start := len(c.lines)
	c.lines = append(append(c.lines, line...), '\n')
	line = c.lines[start : start+len(line)]
	name, params, _ := cut(line)
	kind := lookupCap(name)
	if kind == numCaps {
		return nil
	}
	c.has |= 1 << kind
	paramsAt := start + len(name) + 1
	var ok bool
	switch kind {
	case CapSASL:
		c.sasl, ok = [2]int{paramsAt, paramsAt + len(params)}, true
	case CapImplementation:
		c.impl, ok = [2]int{paramsAt, paramsAt + len(params)}, true
	case CapExpire:
		c.expire, ok = parseExpire(params)
	case CapLoginDelay:
		c.loginDelay, c.loginDelayUser, ok = parseLoginDelay(params)
	case CapUTF8:
		c.utf8User = equalFold(params, "USER")
		ok = len(params) == 0 || c.utf8User
	default:
		ok = true
	}
	if !ok {
		c.has &^= 1 << kind
		return clientError(ErrCapability, len(name)+1, "valid "+capNames[kind]+" parameters", false)
	}
	return nil
}

func lookupCap(name []byte) Cap {
	for k := range numCaps {
		if equalFold(name, capNames[k]) {
			return k
		}
	}
	return numCaps
}

// parseExpire parses `"NEVER" / 1*DIGIT [SP "USER"]`.
func parseExpire(p []byte) (Expire, bool) {
	v, user, hasUser := cut(p)
	if hasUser && !equalFold(user, "USER") {
		return Expire{}, false
	}
	if equalFold(v, "NEVER") {
		return Expire{Never: true, PerUser: hasUser}, true
	}
	n, ok := parseDecimal(v, MaxMessageNumber)
	return Expire{Days: int(n), PerUser: hasUser}, ok
}

// parseLoginDelay parses `1*DIGIT [SP "USER"]` (seconds).
func parseLoginDelay(p []byte) (int, bool, bool) {
	v, user, hasUser := cut(p)
	if hasUser && !equalFold(user, "USER") {
		return 0, false, false
	}
	n, ok := parseDecimal(v, MaxMessageNumber)
	return int(n), hasUser, ok
}

// Has reports whether the server listed capability k (with valid
// parameters).
func (c *Capabilities) Has(k Cap) bool { return k < numCaps && c.has&(1<<k) != 0 }

// Expire returns the EXPIRE policy, if listed.
func (c *Capabilities) Expire() (Expire, bool) { return c.expire, c.Has(CapExpire) }

// LoginDelay returns the LOGIN-DELAY seconds, and whether they may differ
// per user, if listed.
func (c *Capabilities) LoginDelay() (seconds int, perUser, ok bool) {
	return c.loginDelay, c.loginDelayUser, c.Has(CapLoginDelay)
}

// UTF8User reports "UTF8 USER": the server accepts UTF-8 user names and
// passwords (RFC 6856 §2).
func (c *Capabilities) UTF8User() bool { return c.Has(CapUTF8) && c.utf8User }

// Implementation returns the IMPLEMENTATION text, or nil.
func (c *Capabilities) Implementation() []byte {
	if !c.Has(CapImplementation) {
		return nil
	}
	return c.lines[c.impl[0]:c.impl[1]]
}

// Mechanisms yields the SASL mechanisms listed, as views.
func (c *Capabilities) Mechanisms() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if !c.Has(CapSASL) {
			return
		}
		for m := range bytes.FieldsSeq(c.lines[c.sasl[0]:c.sasl[1]]) {
			if !yield(m) {
				return
			}
		}
	}
}

// HasMechanism reports whether SASL lists mechanism m (case-insensitive).
func (c *Capabilities) HasMechanism(m string) bool {
	if !c.Has(CapSASL) {
		return false
	}
	for have := range bytes.FieldsSeq(c.lines[c.sasl[0]:c.sasl[1]]) {
		if equalFold(have, m) {
			return true
		}
	}
	return false
}

// Lines yields every line added, in order, known or not: the name and
// its parameters as the server sent them.
func (c *Capabilities) Lines() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for line := range bytes.Lines(c.lines) {
			if !yield(line[:len(line)-1]) {
				return
			}
		}
	}
}
