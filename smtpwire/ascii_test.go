package smtpwire

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseUint(t *testing.T) {
	tests := []struct {
		in  string
		max int
		v   uint64
		ok  bool
	}{
		{"0", 20, 0, true},
		{"007", 20, 7, true},
		{"18446744073709551615", 20, 1<<64 - 1, true},
		{"18446744073709551616", 20, 0, false},
		{"99999999999999999999", 20, 0, false},
		{"1234", 3, 0, false},
		{"", 20, 0, false},
		{"1a", 20, 0, false},
		{"-1", 20, 0, false},
	}
	for _, tt := range tests {
		v, ok := parseUint([]byte(tt.in), tt.max)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.v, v, tt.in)
	}
}

func TestEqualFold(t *testing.T) {
	assert.True(t, equalFold([]byte("StartTls"), "STARTTLS"))
	assert.False(t, equalFold([]byte("STARTTLS"), "STARTTL"))
	assert.False(t, equalFold([]byte("ſTARTTLS"), "STARTTLS"))
	assert.True(t, hasPrefixFold([]byte("from:<>"), "FROM:"))
	assert.False(t, hasPrefixFold([]byte("fro"), "FROM:"))
}

// plainWord agrees with the byte classes on every word with one octet
// varied over all 256 values in each position, among plain and special
// neighbours.
func TestPlainWord(t *testing.T) {
	plain := func(c byte) bool {
		f := charClass[c]
		return f&cValue != 0 && f&(cPlus|cHigh|cBackslash) == 0
	}
	for _, fill := range []byte{'a', '!', '~', '<', '>'} {
		for pos := range 8 {
			for c := range 256 {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				w := uint64(0)
				for i := 7; i >= 0; i-- {
					w = w<<8 | uint64(b[i])
				}
				require.Equal(t, plain(byte(c)), plainWord(w), "octet %#x at %d among %q", c, pos, fill)
			}
		}
	}
}

// plainWord against the byte classes on random words drawn from the
// interesting octets, several specials at once included.
func TestPlainWordRandom(t *testing.T) {
	plain := func(c byte) bool {
		f := charClass[c]
		return f&cValue != 0 && f&(cPlus|cHigh|cBackslash) == 0
	}
	alphabet := []byte{0, 1, ' ', '!', '"', '+', ',', '<', '=', '>', '\\', 'a', '~', 0x7f, 0x80, 0xc3, 0xfe, 0xff}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var w uint64
		want := true
		for i := range 8 {
			c := alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(3) > 0 {
				c = 'a' + byte(rng.IntN(26))
			}
			want = want && plain(c)
			w |= uint64(c) << (8 * i)
		}
		require.Equal(t, want, plainWord(w), "%#016x", w)
	}
}

// plainHits flags exactly the first octet that is not plain, on random
// words with several specials at once.
func TestPlainHitsFirst(t *testing.T) {
	plain := func(c byte) bool {
		f := charClass[c]
		return f&cValue != 0 && f&(cPlus|cHigh|cBackslash) == 0
	}
	alphabet := []byte{0, 1, ' ', '!', '"', '+', ',', '<', '=', '>', '\\', 'a', '~', 0x7f, 0x80, 0xc3, 0xfe, 0xff}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var w uint64
		first := 8
		for i := range 8 {
			c := alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(2) > 0 {
				c = 'a' + byte(rng.IntN(26))
			}
			if first == 8 && !plain(c) {
				first = i
			}
			w |= uint64(c) << (8 * i)
		}
		h := plainHits(w)
		if first == 8 {
			require.Zero(t, h, "%#016x", w)
			continue
		}
		require.Equal(t, first, bits.TrailingZeros64(h)>>3, "%#016x", w)
	}
}

// ldhWord agrees with cLDH on every word with one octet varied over all
// 256 values in each position, and on random words.
func TestLDHWord(t *testing.T) {
	ldh := func(c byte) bool { return charClass[c]&cLDH != 0 }
	for _, fill := range []byte{'a', 'Z', '0', '9', '-'} {
		for pos := range 8 {
			for c := range 256 {
				var w uint64
				for i := range 8 {
					o := fill
					if i == pos {
						o = byte(c)
					}
					w |= uint64(o) << (8 * i)
				}
				require.Equal(t, ldh(byte(c)), ldhWord(w), "octet %#x at %d among %q", c, pos, fill)
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		var w uint64
		want := true
		for i := range 8 {
			c := byte(rng.IntN(256))
			if rng.IntN(4) > 0 {
				c = "az09AZ-.@_`{[/:"[rng.IntN(15)]
			}
			want = want && ldh(c)
			w |= uint64(c) << (8 * i)
		}
		require.Equal(t, want, ldhWord(w), "%#016x", w)
	}
}

// nonLDH flags exactly the first octet that is not cLDH, high octets
// included, and ldhEnd agrees with a per-octet scan at every start.
func TestNonLDHFirst(t *testing.T) {
	ldh := func(c byte) bool { return charClass[c]&cLDH != 0 }
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		var b [8]byte
		first := 8
		for i := range b {
			c := byte(rng.IntN(256))
			if rng.IntN(3) > 0 {
				c = "az09AZ-.@_`{[/:"[rng.IntN(15)]
			}
			b[i] = c
			if first == 8 && !ldh(c) {
				first = i
			}
		}
		w := binary.LittleEndian.Uint64(b[:])
		m := nonLDH(w)
		if first == 8 {
			require.Zero(t, m, "%q", b)
		} else {
			require.Equal(t, first, bits.TrailingZeros64(m)>>3, "%q", b)
		}
	}
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		const alphabet = "az09AZ-----xy.@_\x80\xff"
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		for start := 0; start <= len(b); start++ {
			want := start
			for want < len(b) && ldh(b[want]) {
				want++
			}
			require.Equal(t, want, ldhEnd(b, start), "%q from %d", b, start)
		}
	}
}
