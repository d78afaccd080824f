package smtpwire

import (
	"iter"
	"strings"
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
	numExts
)

var extNames = [numExts]string{
	"PIPELINING", "SIZE", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8", "DSN",
	"ENHANCEDSTATUSCODES", "STARTTLS", "AUTH", "REQUIRETLS",
}

// String returns the EHLO keyword.
func (e Ext) String() string {
	if e < numExts {
		return extNames[e]
	}
	return ""
}

// Capabilities is what a server announced in its EHLO reply. It is an
// immutable value that owns its text: keep it, compare it, share it. After
// STARTTLS a client must replace it with the one from the new EHLO, never
// merge the two (RFC 3207 §4.2).
type Capabilities struct {
	text string // greeting line, then one line per keyword, "\n"-separated
	has  uint16 // bit e set when Ext e was announced
	size uint64 // SIZE value; 0 when absent or announced without a limit
}

// ParseCapabilities reads a 250 reply to EHLO. The first line is the
// server's domain and greeting; each further line is a keyword and its
// parameters. Keywords match case-insensitively; unknown ones are kept by
// name. A SIZE value that is not a number gives ErrCapability. It allocates
// once, for the value's own copy of the text.
func ParseCapabilities(r *Reply) (Capabilities, error) {
	if r.Code != 250 {
		return Capabilities{}, syntaxError(ErrCapability, 0, "a 250 reply", stClient)
	}
	var c Capabilities
	size := r.Len() - 1
	for line := range r.Lines() {
		size += len(line)
	}
	var b strings.Builder
	b.Grow(size)
	for i := range r.Len() {
		line := r.Line(i)
		if i > 0 {
			b.WriteByte('\n')
			kw, params, _ := cutSpace(line)
			for e := range numExts {
				if !equalFold(kw, extNames[e]) {
					continue
				}
				c.has |= 1 << e
				if e == ExtSize && len(params) > 0 {
					v, ok := parseUint(params, 20)
					if !ok {
						return Capabilities{}, syntaxError(ErrCapability, len(kw)+1, "a SIZE number", stClient)
					}
					c.size = v
				}
			}
		}
		b.Write(line)
	}
	c.text = b.String()
	return c, nil
}

func cutSpace(line []byte) (kw, rest []byte, ok bool) {
	for i, ch := range line {
		if ch == ' ' {
			return line[:i], line[i+1:], true
		}
	}
	return line, nil, false
}

// Has reports whether the server announced e.
func (c Capabilities) Has(e Ext) bool { return e < numExts && c.has&(1<<e) != 0 }

// MaxSize returns the SIZE limit; ok is false when SIZE was not announced
// or was announced without a limit (or as 0).
func (c Capabilities) MaxSize() (n uint64, ok bool) { return c.size, c.size > 0 }

// Greeting returns the first line of the EHLO reply: the server's domain
// and any greeting text.
func (c Capabilities) Greeting() string {
	g, _, _ := strings.Cut(c.text, "\n")
	return g
}

// All yields every announced keyword (as sent) with its parameters, in
// order, without allocating.
func (c Capabilities) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		_, rest, _ := strings.Cut(c.text, "\n")
		for rest != "" {
			var line string
			line, rest, _ = strings.Cut(rest, "\n")
			kw, params, _ := strings.Cut(line, " ")
			if !yield(kw, params) {
				return
			}
		}
	}
}

// Lookup returns the parameters of keyword (case-insensitive).
func (c Capabilities) Lookup(keyword string) (params string, ok bool) {
	for kw, p := range c.All() {
		if strings.EqualFold(kw, keyword) {
			return p, true
		}
	}
	return "", false
}

// AuthMechanisms yields the SASL mechanisms of the AUTH keyword.
func (c Capabilities) AuthMechanisms() iter.Seq[string] {
	return func(yield func(string) bool) {
		params, _ := c.Lookup("AUTH")
		for m := range strings.FieldsSeq(params) {
			if !yield(m) {
				return
			}
		}
	}
}

// HasAuth reports whether mechanism (case-insensitive) is announced.
func (c Capabilities) HasAuth(mechanism string) bool {
	for m := range c.AuthMechanisms() {
		if strings.EqualFold(m, mechanism) {
			return true
		}
	}
	return false
}
