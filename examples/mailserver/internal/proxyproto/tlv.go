package proxyproto

import (
	"encoding/binary"
	"hash/crc32"
)

// TLV types of the specification that this package interprets or names.
const (
	TLVALPN      = 0x01
	TLVAuthority = 0x02
	TLVCRC32C    = 0x03
	TLVNoop      = 0x04
	TLVUniqueID  = 0x05
	TLVSSL       = 0x20
	TLVNetNS     = 0x30
)

// castagnoli is the CRC32C table, built once at init.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// TLV is one type-length-value record; Value is a view.
type TLV struct {
	Type  byte
	Value []byte
}

// NextTLV decodes the record at the start of b and returns it with the
// bytes after it. A record whose length runs past b is ErrMalformed.
func NextTLV(b []byte) (t TLV, rest []byte, err error) {
	if len(b) < 3 {
		return t, nil, ErrMalformed
	}
	l := int(binary.BigEndian.Uint16(b[1:3]))
	if 3+l > len(b) {
		return t, nil, ErrMalformed
	}
	return TLV{Type: b[0], Value: b[3 : 3+l : 3+l]}, b[3+l:], nil
}

// TLV returns the value of the first record of type typ.
func (h *Header) TLV(typ byte) ([]byte, bool) {
	b := h.TLVs
	for len(b) > 0 {
		t, rest, err := NextTLV(b)
		if err != nil {
			return nil, false
		}
		if t.Type == typ {
			return t.Value, true
		}
		b = rest
	}
	return nil, false
}

// checkTLVs walks the records of a parsed header (hdr is the whole header,
// tlvs its TLV part): each must fit, and a CRC32C record must be 4 bytes
// and match the header with its value taken as zero. The walk is bounded
// by MaxLen (each record is at least 3 bytes).
func checkTLVs(hdr, tlvs []byte) error {
	b := tlvs
	for len(b) > 0 {
		t, rest, err := NextTLV(b)
		if err != nil {
			return err
		}
		if t.Type == TLVCRC32C {
			if len(t.Value) != 4 {
				return ErrMalformed
			}
			off := len(hdr) - len(b) + 3 // the value's offset in hdr
			if crcOf(hdr, off) != binary.BigEndian.Uint32(t.Value) {
				return ErrChecksum
			}
		}
		b = rest
	}
	return nil
}

// zero4 stands for the CRC value while the CRC is computed (a package
// variable: a local one escapes through crc32's dispatch).
var zero4 [4]byte

// crcOf is the CRC32C of hdr with the 4 bytes at off taken as zero.
func crcOf(hdr []byte, off int) uint32 {
	c := crc32.Update(0, castagnoli, hdr[:off])
	c = crc32.Update(c, castagnoli, zero4[:])
	return crc32.Update(c, castagnoli, hdr[off+4:])
}

// SetCRC32C fills the value of the CRC32C record of a v2 header written by
// AppendV2 (hdr is exactly that header). It is ErrMalformed when hdr has no
// such record.
func SetCRC32C(hdr []byte) error {
	h, n, err := Parse(hdr)
	if err != nil && err != ErrChecksum {
		if err == ErrIncomplete {
			return ErrMalformed
		}
		return err
	}
	if err == ErrChecksum {
		// Parse stops at the mismatch; find the record by walking.
		n = len(hdr)
		if n < 16 {
			return ErrMalformed
		}
		al := Family(hdr[13]).addrLen()
		if 16+al > n {
			return ErrMalformed
		}
		h.TLVs = hdr[16+al:]
	} else if n != len(hdr) || h.Version != 2 {
		return ErrMalformed
	}
	b := h.TLVs
	for len(b) > 0 {
		t, rest, err := NextTLV(b)
		if err != nil {
			return err
		}
		if t.Type == TLVCRC32C && len(t.Value) == 4 {
			off := len(hdr) - len(b) + 3
			binary.BigEndian.PutUint32(hdr[off:], crcOf(hdr, off))
			return nil
		}
		b = rest
	}
	return ErrMalformed
}
