package headers

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
)

var idEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// RewriteMessageID returns a rule for the Message-ID field. An ID whose
// domain (the part after the last "@") is domain or one of keep, ASCII case
// ignored, is kept byte for byte. Any other, such as mutt's
// <…@laptop.home.example> or Apple Mail's <…@Lenas-MacBook-Pro.local>,
// names the client's machine or provider and becomes
// <32 base32hex characters@domain>, the characters derived from a SHA-256
// of the secret and the old ID (its first 256 octets): the same ID always
// maps to the same one, and without the secret no one can check a guess of
// the old one. The field name keeps its case.
func RewriteMessageID(domain string, secret []byte, keep ...string) Rule {
	key := sha256.Sum256(secret)
	return Rule{Name: "Message-ID", Action: Rewrite, Rewrite: func(dst []byte, f Field) ([]byte, error) {
		id := messageID(f.Value)
		if at := bytes.LastIndexByte(id, '@'); at >= 0 {
			right := id[at+1:]
			if EqualFold(right, domain) || matchesAny(right, keep) {
				return append(dst, f.Raw...), nil
			}
		}
		var in [sha256.Size + 256]byte
		n := copy(in[:], key[:])
		n += copy(in[n:], id)
		sum := sha256.Sum256(in[:n])
		var buf [64 + 256]byte
		v := append(buf[:0], '<')
		v = idEncoding.AppendEncode(v, sum[:20])
		v = append(v, '@')
		v = append(v, domain...)
		v = append(v, '>')
		return AppendField(dst, f.Name, v)
	}}
}

// messageID returns what is between the first "<" and the next ">" of
// value, or the whole value when it has no angle brackets.
func messageID(value []byte) []byte {
	open := bytes.IndexByte(value, '<')
	if open < 0 {
		return value
	}
	id := value[open+1:]
	if end := bytes.IndexByte(id, '>'); end >= 0 {
		return id[:end]
	}
	return id
}
