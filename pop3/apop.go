package pop3

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
)

// maxTimestamp bounds the APOP timestamp, well within a 512-octet greeting.
const maxTimestamp = 255

// APOPTimestamp finds the APOP timestamp in a greeting's text (RFC 1939
// §7): the first "<...>", brackets included, as a view into text. It
// returns nil unless the timestamp looks like a msg-id: printable ASCII
// with no space, "<" or ">" inside, an "@", and at most 255 octets. A
// client should not use APOP without one (CVE-2007-1558), and should
// prefer SASL in any case.
func APOPTimestamp(text []byte) []byte {
	start := -1
	for i, c := range text {
		if c == '<' {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	at := false
	for i := start + 1; i < len(text) && i-start < maxTimestamp; i++ {
		switch c := text[i]; {
		case c == '>':
			if !at {
				return nil
			}
			return text[start : i+1]
		case c == '@':
			at = true
		case c <= 0x20 || c >= 0x7f || c == '<':
			return nil
		}
	}
	return nil
}

// AppendAPOPDigest appends the APOP digest of timestamp and the shared
// secret: the MD5 of their concatenation in 32 lower-case hexadecimal
// digits (RFC 1939 §7). The space after len(dst) serves as scratch and is
// cleared, so the secret does not linger there.
func AppendAPOPDigest[T ~string | ~[]byte](dst, timestamp []byte, secret T) []byte {
	sum := apopSum(dst[len(dst):], timestamp, secret)
	return hex.AppendEncode(dst, sum[:])
}

// CheckAPOP reports whether digest (as sent in the APOP command, either
// case) is the APOP digest of timestamp and secret. The comparison takes
// the same time wherever the digests differ. It does not allocate when
// timestamp and secret together fit in 512 octets.
func CheckAPOP[T ~string | ~[]byte](timestamp []byte, secret T, digest []byte) bool {
	var got [md5.Size]byte
	if len(digest) != hex.EncodedLen(md5.Size) {
		return false
	}
	if _, err := hex.Decode(got[:], digest); err != nil {
		return false
	}
	var scratch [512]byte
	want := apopSum(scratch[:0], timestamp, secret)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// apopSum hashes timestamp and secret concatenated in scratch (which it
// grows if needed), then clears what it wrote.
func apopSum[T ~string | ~[]byte](scratch, timestamp []byte, secret T) [md5.Size]byte {
	buf := append(append(scratch[:0], timestamp...), secret...)
	sum := md5.Sum(buf)
	clear(buf)
	return sum
}
