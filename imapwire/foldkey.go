package imapwire

import "encoding/binary"

// foldIndex finds a keyword of at most 16 octets (a command name, a
// search key, a STATUS item) with one table probe: the word is loaded as
// two little-endian uint64 words, upper-cased eight octets at a time, and
// hashed into a table built without collisions. It never allocates and
// compares no bytes one by one.
type foldIndex struct {
	mult  uint64
	slots [256]foldSlot
}

type foldSlot struct {
	k1, k2 uint64
	n      uint8
	id     uint8 // 0: empty
}

// upper8 upper-cases the ASCII letters of the eight octets in x and leaves
// every other octet as it is.
func upper8(x uint64) uint64 {
	const hi = 0x8080808080808080
	h := x &^ hi                  // each octet's low seven bits
	ge := h + 0x1f1f1f1f1f1f1f1f  // high bit set where octet >= 'a' (0x61)
	gt := h + 0x0505050505050505  // high bit set where octet > 'z' (0x7a)
	lower := (ge &^ gt) &^ x & hi // 'a'..'z', ASCII only
	return x &^ (lower >> 2)      // clear 0x20 in those octets
}

// foldKey returns the upper-cased key of b[i:i+n] (n ≤ 16), the octets
// past n zero. Octets of b past i+n are read but not used: callers pass
// the whole buffer, so the key is two loads.
func foldKey(b []byte, i, n int) (k1, k2 uint64) {
	if i+16 <= len(b) && n <= 16 {
		k1 = binary.LittleEndian.Uint64(b[i:])
		if n <= 8 {
			return upper8(k1 & (1<<(8*uint(n)) - 1)), 0
		}
		k2 = binary.LittleEndian.Uint64(b[i+8:])
		if n < 16 {
			k2 &= 1<<(8*uint(n-8)) - 1
		}
		return upper8(k1), upper8(k2)
	}
	return foldKeySlow(b, i, n)
}

func foldKeySlow(b []byte, i, n int) (k1, k2 uint64) {
	for j := range min(n, 16) {
		c := uint64(b[i+j])
		if j < 8 {
			k1 |= c << (8 * uint(j))
		} else {
			k2 |= c << (8 * uint(j-8))
		}
	}
	return upper8(k1), upper8(k2)
}

func (x *foldIndex) slot(k1, k2 uint64, n int) *foldSlot {
	h := (k1 ^ (k2 * 0x9e3779b97f4a7c15) ^ uint64(n)) * x.mult
	return &x.slots[h>>56]
}

// lookup returns the id of the word b[i:i+n], or 0. With sixteen octets
// to read at i (the usual case: callers pass the whole buffer) the key is
// made in place.
func (x *foldIndex) lookup(b []byte, i, n int) uint8 {
	if uint(n-1) < 16 && uint(i)+16 <= uint(len(b)) {
		k1 := binary.LittleEndian.Uint64(b[i:])
		if n <= 8 {
			return x.lookupKey(upper8(k1&(^uint64(0)>>(64-8*uint(n)))), 0, n)
		}
		k2 := binary.LittleEndian.Uint64(b[i+8:]) & (^uint64(0) >> (128 - 8*uint(n)))
		return x.lookupKey(upper8(k1), upper8(k2), n)
	}
	if n == 0 || n > 16 {
		return 0
	}
	k1, k2 := foldKey(b, i, n)
	return x.lookupKey(k1, k2, n)
}

// lookupKey returns the id of the word of n octets whose key is k1, k2.
func (x *foldIndex) lookupKey(k1, k2 uint64, n int) uint8 {
	s := x.slot(k1, k2, n)
	if s.k1 == k1 && s.k2 == k2 && int(s.n) == n {
		return s.id
	}
	return 0
}

// newFoldIndex indexes the upper-case names (at most 16 octets, ids from
// 1) that name gives for the ids first to last, skipping empty names. It
// tries multipliers until none collide; the table is built once, at
// package initialization.
func newFoldIndex(first, last uint8, name func(uint8) string) *foldIndex {
	x := &foldIndex{}
	mult := uint64(0x9e3779b97f4a7c15)
	for range 1 << 16 {
		mult = mult*6364136223846793005 + 1442695040888963407
		x.mult = mult | 1
		x.slots = [256]foldSlot{}
		ok := true
		for id := int(first); id <= int(last) && ok; id++ {
			w := name(uint8(id))
			if w == "" {
				continue
			}
			k1, k2 := foldKey([]byte(w), 0, len(w))
			s := x.slot(k1, k2, len(w))
			if s.id != 0 {
				ok = false
				break
			}
			*s = foldSlot{k1, k2, uint8(len(w)), uint8(id)}
		}
		if ok {
			return x
		}
	}
	return nil // unreachable for the tables of this package: a test builds each
}

// wordKey is foldKey with the load of a word of up to eight octets
// in place.
func wordKey(b []byte, i, n int) (k1, k2 uint64) {
	if uint(n-1) < 8 && uint(i)+8 <= uint(len(b)) {
		return upper8(binary.LittleEndian.Uint64(b[i:]) & (^uint64(0) >> (64 - 8*uint(n)))), 0
	}
	return foldKey(b, i, n)
}
