package imapwire

import "encoding/binary"

// foldIndex finds a keyword of at most 16 octets (a command name, a
// search key, a STATUS item, a FETCH item) with one table probe: the word
// is loaded as two little-endian uint64 words, folded eight octets at a
// time, and hashed into a table built without collisions. It never
// allocates and compares no bytes one by one.
//
// Folding sets bit 0x20 of every octet. For the names indexed (letters,
// digits, "." and "-") that is exact ASCII case folding for any word
// without control octets: x|0x20 equals a lower-case letter only for that
// letter in either case, and equals a digit, "." or "-" only for that
// octet or a control one. Every caller looks up an atom, which holds none.
type foldIndex struct {
	mult  uint64
	slots [256]foldSlot
}

type foldSlot struct {
	k1, k2 uint64
	n      uint8
	id     uint8 // 0: empty
}

// fold8 sets bit 0x20 of each of the eight octets in x.
const fold8 = 0x2020202020202020

// foldKey returns the folded key of b[i:i+n] (n ≤ 16), the octets past n
// zero. Octets of b past i+n are read but not used: callers pass the whole
// buffer, so the key is two loads.
func foldKey(b []byte, i, n int) (k1, k2 uint64) {
	if uint(n-1) < 16 && uint(i)+16 <= uint(len(b)) {
		k1 = binary.LittleEndian.Uint64(b[i:]) | fold8
		if n <= 8 {
			return k1 & (^uint64(0) >> (64 - 8*uint(n))), 0
		}
		k2 = (binary.LittleEndian.Uint64(b[i+8:]) | fold8) & (^uint64(0) >> (128 - 8*uint(n)))
		return k1, k2
	}
	for j := range min(n, 16) {
		c := uint64(b[i+j] | 0x20)
		if j < 8 {
			k1 |= c << (8 * uint(j))
		} else {
			k2 |= c << (8 * uint(j-8))
		}
	}
	return k1, k2
}

func (x *foldIndex) slot(k1, k2 uint64, n int) *foldSlot {
	h := (k1 ^ (k2 * 0x9e3779b97f4a7c15) ^ uint64(n)) * x.mult
	return &x.slots[h>>56]
}

// lookup returns the id of the word b[i:i+n], or 0; the word holds no
// control octets (see foldIndex).
func (x *foldIndex) lookup(b []byte, i, n int) uint8 {
	if uint(n-1) < 16 && uint(i)+16 <= uint(len(b)) {
		// foldKey's usual case, in place.
		k1 := binary.LittleEndian.Uint64(b[i:]) | fold8
		if n <= 8 {
			return x.lookupKey(k1&(^uint64(0)>>(64-8*uint(n))), 0, n)
		}
		k2 := (binary.LittleEndian.Uint64(b[i+8:]) | fold8) & (^uint64(0) >> (128 - 8*uint(n)))
		return x.lookupKey(k1, k2, n)
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
