package smtpwire

import (
	"bytes"
	"encoding/binary"
	"iter"
)

// Ext is an SMTP service extension this package knows by name.
type Ext uint8

// Known extensions, as EHLO keywords.
const (
	ExtPipelining          Ext = iota // PIPELINING (RFC 2920)
	ExtSize                           // SIZE [n] (RFC 1870)
	Ext8BitMIME                       // 8BITMIME (RFC 6152)
	ExtBinaryMIME                     // BINARYMIME (RFC 3030)
	ExtChunking                       // CHUNKING (RFC 3030)
	ExtSMTPUTF8                       // SMTPUTF8 (RFC 6531)
	ExtDSN                            // DSN (RFC 3461)
	ExtEnhancedStatusCodes            // ENHANCEDSTATUSCODES (RFC 2034)
	ExtStartTLS                       // STARTTLS (RFC 3207)
	ExtAuth                           // AUTH mechanisms (RFC 4954)
	ExtRequireTLS                     // REQUIRETLS (RFC 8689)
	ExtXCLIENT                        // XCLIENT attributes (Postfix XCLIENT_README)
	numExts
)

var extNames = [numExts]string{
	"PIPELINING", "SIZE", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8", "DSN",
	"ENHANCEDSTATUSCODES", "STARTTLS", "AUTH", "REQUIRETLS", "XCLIENT",
}

// String returns the EHLO keyword.
func (e Ext) String() string {
	if e < numExts {
		return extNames[e]
	}
	return ""
}

// Limits of what ParseCapabilities indexes; a reply beyond them is
// ErrCapability. Real servers announce 10 to 20 keywords and a handful of
// mechanisms.
const (
	// MaxCapabilityLines bounds the keyword lines after the greeting.
	MaxCapabilityLines = 64
	// MaxAuthMechanisms bounds the SASL mechanisms of the AUTH keyword.
	MaxAuthMechanisms = 32
)

// capSlots is the size of the open-addressing table that finds keywords
// and mechanisms; a power of two above MaxCapabilityLines+MaxAuthMechanisms.
const capSlots = 128

// span is a run of the reply text: text[start:end].
type span struct{ start, end uint16 }

// capLine is one line of the EHLO reply: its keyword and its parameters.
type capLine struct {
	kw, params span
}

// Capabilities is what a server announced in its EHLO reply, indexed once
// by ParseCapabilities: Has, MaxSize, Lookup and HasAuth answer from fixed
// tables in the value, in constant time, without allocating.
//
// Has, MaxSize, XCLIENTAttrs and HasAuth of the common mechanisms are
// answered from the value alone and stay right for as long as it is kept.
// Everything that reads text (Greeting, Lookup, All, Keyword,
// AuthMechanisms, HasAuth of other mechanisms) uses views into the Reply it
// was parsed from, valid until the next call on that ReplyReader; Clone
// makes a copy that stays valid. After STARTTLS a client must replace it
// with the one from the new EHLO, never merge the two (RFC 3207 §4.2).
type Capabilities struct {
	text   []byte
	greet  span
	lines  [MaxCapabilityLines]capLine
	nlines uint8
	mechs  [MaxAuthMechanisms]span
	nmechs uint8
	has    uint16 // bit e set when Ext e was announced
	size   uint64 // SIZE value; 0 when absent or announced without a limit
	auth   uint32 // bit i set when saslNames[i] is among the mechanisms
	xattrs XCLIENTSet
	// slots holds 1+i for keyword line i, 1+MaxCapabilityLines+j for
	// mechanism j, 0 for an empty slot.
	slots [capSlots]uint8
}

// ParseCapabilities reads a 250 reply to EHLO (or LHLO). The first line is
// the server's domain and greeting; each further line is a keyword and its
// parameters. Keywords and mechanisms match case-insensitively; the first
// of a repeated keyword wins; unknown keywords are kept by name. A SIZE
// value that is not a number, more than MaxCapabilityLines keyword lines,
// more than MaxAuthMechanisms mechanisms, or a reply text over 65535
// octets gives ErrCapability. It does not allocate; the result refers to
// r's text (see Capabilities). Capabilities.Parse does the same into a
// value the caller keeps, without copying the result.
func ParseCapabilities(r *Reply) (Capabilities, error) {
	var c Capabilities
	if err := c.parse(r); err != nil {
		return Capabilities{}, err
	}
	return c, nil
}

// Parse is ParseCapabilities into c, replacing all that c held: for a
// client that keeps one Capabilities per connection (and replaces it after
// STARTTLS). On error c is left empty.
func (c *Capabilities) Parse(r *Reply) error {
	c.nlines, c.nmechs, c.has, c.size, c.auth, c.xattrs = 0, 0, 0, 0, 0, 0
	c.slots = [capSlots]uint8{}
	if err := c.parse(r); err != nil {
		*c = Capabilities{}
		return err
	}
	return nil
}

// parse indexes r into c, which must be empty.
func (c *Capabilities) parse(r *Reply) error {
	if r.Code != 250 {
		return syntaxError(ErrCapability, 0, "a 250 reply", stClient)
	}
	if r.Len()-1 > MaxCapabilityLines {
		return syntaxError(ErrCapability, 0, "at most "+itoa(MaxCapabilityLines)+" keywords", stClient)
	}
	if len(r.text) > 1<<16-1 {
		return syntaxError(ErrCapability, 0, "a reply of at most 65535 octets", stClient)
	}
	text, ends := r.text, r.ends
	c.text = text
	c.greet = span{0, uint16(ends[0])}
	for i := 1; i < len(ends); i++ {
		start, end := ends[i-1], ends[i]
		if start > end || end > len(text) {
			break // not a Reply that ReadReply made
		}
		// The keyword and its hash in one pass.
		h := kwSeed
		k := start
		for ; k < end; k++ {
			b := text[k]
			if b == ' ' {
				break
			}
			h = hashStep(h, b)
		}
		l := capLine{kw: span{uint16(start), uint16(k)}, params: span{uint16(end), uint16(end)}}
		if k < end {
			l.params.start = uint16(k + 1)
		}
		c.lines[c.nlines] = l
		c.nlines++
		kw := text[start:k]
		if !c.insert(kwSeed, hashFinal(h), kw, c.nlines) {
			continue // a repeated keyword: the first one counts
		}
		e := extBySlot[hashFinal(h)%capSlots]
		if e == 0 || !matchExt(text, start, k, e-1) {
			continue
		}
		c.has |= 1 << (e - 1)
		switch Ext(e - 1) {
		case ExtSize:
			if params := c.at(l.params); len(params) > 0 {
				v, ok := parseUint(params, 20)
				if !ok {
					return syntaxError(ErrCapability, len(kw)+1, "a SIZE number", stClient)
				}
				c.size = v
			}
		case ExtAuth:
			if err := c.indexMechanisms(l.params); err != nil {
				return err
			}
		case ExtXCLIENT:
			for name := range bytes.FieldsSeq(c.at(l.params)) {
				if a := lookupXCLIENTAttr(name); a != XCLIENTUnknown {
					c.xattrs |= 1 << a
				}
			}
		}
	}
	return nil
}

// extBySlot maps the hash slot of each known keyword to 1+its Ext (0: none);
// the known keywords' slots differ (TestExtSlots).
var extBySlot = func() (t [capSlots]Ext) {
	for e := range numExts {
		t[foldHash(kwSeed, extNames[e])%capSlots] = e + 1
	}
	return t
}()

// extWords holds each known keyword's first 16 octets as two little-endian
// words, and the bits that must match: all of each octet within the
// keyword but bit 5 of its letters (ASCII case), none beyond it.
var extWords = func() (t [numExts][4]uint64) {
	for e := range numExts {
		name := extNames[e]
		for i := 0; i < len(name) && i < 16; i++ {
			c, keep := uint64(name[i]), uint64(0xff)
			if isAlpha(name[i]) {
				keep = 0xdf
			}
			t[e][i/8] |= c << (8 * (i % 8))
			t[e][2+i/8] |= keep << (8 * (i % 8))
		}
	}
	return t
}()

// matchExt reports whether text[start:end] is the keyword of e, ignoring
// ASCII case: two word comparisons when 16 octets can be read at start.
func matchExt(text []byte, start, end int, e Ext) bool {
	name := extNames[e]
	if end-start != len(name) {
		return false
	}
	if len(name) > 16 || start+16 > len(text) {
		return equalFold(text[start:end], name)
	}
	w := &extWords[e]
	w0 := binary.LittleEndian.Uint64(text[start:])
	w1 := binary.LittleEndian.Uint64(text[start+8:])
	return (w0^w[0])&w[2]|(w1^w[1])&w[3] == 0
}

// indexMechanisms records the words of the AUTH parameters.
func (c *Capabilities) indexMechanisms(params span) error {
	p := params.start
	for p < params.end {
		q := p
		for q < params.end && c.text[q] != ' ' {
			q++
		}
		if q > p {
			if c.nmechs == MaxAuthMechanisms {
				return syntaxError(ErrCapability, 0, "at most "+itoa(MaxAuthMechanisms)+" SASL mechanisms", stClient)
			}
			s := span{p, q}
			if c.insert(mechSeed, foldHash(mechSeed, c.at(s)), c.at(s), uint8(1+MaxCapabilityLines)+c.nmechs) {
				c.mechs[c.nmechs] = s
				c.nmechs++
				if i := lookupSASLName(c.at(s)); i >= 0 {
					c.auth |= 1 << i
				}
			}
		}
		p = q + 1
	}
	return nil
}

func (c *Capabilities) at(s span) []byte { return c.text[s.start:s.end] }

// Seeds keep keywords and mechanisms apart in the one table.
const (
	kwSeed   uint32 = 2166136261
	mechSeed uint32 = 2166136261 ^ 0x5a5a5a5a
)

// hashStep adds octet b, case folded, to a keyword hash: a rotate and an
// exclusive or, so that the octets do not wait on a multiplication each.
// Clearing bit 5 is consistent with equalFoldASCII: words equal ignoring
// ASCII case give equal hashes.
func hashStep(h uint32, b byte) uint32 { return (h<<5 | h>>27) ^ uint32(b&^0x20) }

// hashFinal mixes the hash once at the end; its top bits pick the slot.
func hashFinal(h uint32) uint32 { return (h * 0x9E3779B1) >> (32 - 7) }

// foldHash is the final hash of s from seed.
func foldHash[T string | []byte](seed uint32, s T) uint32 {
	h := seed
	for i := range len(s) {
		h = hashStep(h, s[i])
	}
	return hashFinal(h)
}

// insert puts v in the slot of word (of hash h) unless an equal word (same
// seed) is there already; it reports whether v went in.
func (c *Capabilities) insert(seed, h uint32, word []byte, v uint8) bool {
	for i := h; ; i++ {
		s := &c.slots[i%capSlots]
		if *s == 0 {
			*s = v
			return true
		}
		if other, ok := c.word(seed, *s); ok && equalFoldASCII(other, word) {
			return false
		}
	}
}

// find returns the slot value of word, 0 if it is absent.
func (c *Capabilities) find(seed uint32, word string) uint8 {
	for i := foldHash(seed, word); ; i++ {
		v := c.slots[i%capSlots]
		if v == 0 {
			return 0
		}
		if other, ok := c.word(seed, v); ok && equalFoldASCII(other, word) {
			return v
		}
	}
}

// word returns the keyword or mechanism a slot value stands for, if it is
// of the seed's kind.
func (c *Capabilities) word(seed uint32, v uint8) ([]byte, bool) {
	if v <= MaxCapabilityLines {
		return c.at(c.lines[v-1].kw), seed == kwSeed
	}
	return c.at(c.mechs[v-1-MaxCapabilityLines]), seed == mechSeed
}

// Has reports whether the server announced e.
func (c *Capabilities) Has(e Ext) bool { return e < numExts && c.has&(1<<e) != 0 }

// MaxSize returns the SIZE limit; ok is false when SIZE was not announced
// or was announced without a limit (or as 0).
func (c *Capabilities) MaxSize() (n uint64, ok bool) { return c.size, c.size > 0 }

// Greeting returns the first line of the EHLO reply: the server's domain
// and any greeting text.
func (c *Capabilities) Greeting() []byte { return c.at(c.greet) }

// Len returns the number of keyword lines.
func (c *Capabilities) Len() int { return int(c.nlines) }

// Keyword returns keyword line i (0 to Len()-1) as sent: the keyword and
// its parameters, nil when it has none.
func (c *Capabilities) Keyword(i int) (keyword, params []byte) {
	l := c.lines[i]
	if l.params.start < l.params.end {
		params = c.at(l.params)
	}
	return c.at(l.kw), params
}

// All yields every announced keyword (as sent) with its parameters, in
// order. The index loop over Len and Keyword does the same.
func (c *Capabilities) All() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for i := range c.Len() {
			if !yield(c.Keyword(i)) {
				return
			}
		}
	}
}

// Lookup returns the parameters of keyword (case-insensitive); params is
// nil when the keyword has none.
func (c *Capabilities) Lookup(keyword string) (params []byte, ok bool) {
	v := c.find(kwSeed, keyword)
	if v == 0 {
		return nil, false
	}
	_, params = c.Keyword(int(v) - 1)
	return params, true
}

// AuthMechanisms yields the SASL mechanisms of the AUTH keyword, as sent,
// each once.
func (c *Capabilities) AuthMechanisms() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range c.nmechs {
			if !yield(c.at(c.mechs[i])) {
				return
			}
		}
	}
}

// HasAuth reports whether mechanism (case-insensitive) is announced. For
// the mechanisms of the IANA SASL registry that mail uses (PLAIN, LOGIN,
// CRAM-MD5, SCRAM-*, XOAUTH2, OAUTHBEARER, EXTERNAL, GSSAPI, NTLM…) the
// answer is kept in the value, like Has and MaxSize, and stays right after
// the reply reader moves on; other names are looked up in the reply's text.
func (c *Capabilities) HasAuth(mechanism string) bool {
	if i := lookupSASLName(mechanism); i >= 0 {
		return c.auth&(1<<i) != 0
	}
	return c.find(mechSeed, mechanism) != 0
}

// saslNames are the mechanisms whose presence the value itself records.
var saslNames = [...]string{
	"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "XOAUTH2", "OAUTHBEARER", "EXTERNAL", "ANONYMOUS",
	"GSSAPI", "GS2-KRB5", "NTLM", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
	"SCRAM-SHA-512", "SCRAM-SHA-512-PLUS",
}

func lookupSASLName[T string | []byte](m T) int {
next:
	for i, n := range saslNames {
		if len(m) != len(n) {
			continue
		}
		for j := range len(n) {
			if upper(m[j]) != n[j] {
				continue next
			}
		}
		return i
	}
	return -1
}

// Clone returns a copy of c whose text lives in buf's storage (buf[:0],
// grown only when it lacks room), so that it stays valid after the reply
// reader moves on. Reusing buf across connections keeps it allocation-free.
func (c *Capabilities) Clone(buf []byte) Capabilities {
	out := *c
	out.text = append(buf[:0], c.text...)
	return out
}
