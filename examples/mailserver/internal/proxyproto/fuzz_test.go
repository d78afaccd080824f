package proxyproto

import (
	"bytes"
	"io"
	"net/netip"
	"testing"
)

// chunkReader delivers data in chunks whose sizes come from sizes (cycled;
// a zero means 1).
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = max(1, int(c.sizes[c.i%len(c.sizes)]))
		c.i++
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func sameHeader(a, b Header) bool {
	return a.Version == b.Version && a.Command == b.Command && a.Family == b.Family &&
		a.Source == b.Source && a.Dest == b.Dest && bytes.Equal(a.Unix, b.Unix) && bytes.Equal(a.TLVs, b.TLVs)
}

// FuzzParse: on any input Parse is bounded (n ≤ MaxLen), split-invariant
// (ReadHeader over any chunking gives the same header or error and leaves
// exactly the bytes after the header), every prefix of a header is
// ErrIncomplete with a need that stays within the header, and a header
// round-trips: v2 re-encodes to the same bytes, v1 to a line that parses
// to the same header and re-encodes to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{capV1, "PROXY UNKNOWN\r\n", "PROXY TCP6 ::1 ::ffff:1.2.3.4 1 2\r\n", "EHLO x\r\n"} {
		f.Add([]byte(s), []byte{3})
	}
	for _, s := range []string{capV2IPv4, capV2TLV, capV2IPv6, capV2Local} {
		f.Add(unhex(f, s), []byte{1, 7})
	}
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		h, n, err := Parse(data)
		if err == nil && (n <= 0 || n > MaxLen || n > len(data)) {
			t.Fatalf("n = %d of %d bytes", n, len(data))
		}
		if err == ErrIncomplete && (n <= 0 || len(data)+n > MaxLen) {
			t.Fatalf("incomplete with need %d after %d bytes", n, len(data))
		}
		// Split invariance through ReadHeader.
		cr := &chunkReader{data: data, sizes: sizes}
		var buf [MaxLen]byte
		rh, rerr := ReadHeader(cr, &buf)
		switch {
		case err == nil:
			if rerr != nil || !sameHeader(h, rh) {
				t.Fatalf("ReadHeader = %+v, %v; Parse = %+v", rh, rerr, h)
			}
			if !bytes.Equal(cr.data, data[n:]) {
				t.Fatalf("ReadHeader left %q, want %q", cr.data, data[n:])
			}
		case err == ErrIncomplete:
			if rerr != io.ErrUnexpectedEOF && rerr != io.EOF {
				t.Fatalf("incomplete input: ReadHeader error %v", rerr)
			}
		default:
			if rerr != err {
				t.Fatalf("ReadHeader error %v, Parse error %v", rerr, err)
			}
		}
		if err != nil {
			return
		}
		for i := range n {
			_, m, perr := Parse(data[:i])
			if perr != ErrIncomplete || i+m > n {
				t.Fatalf("prefix %d of %d: need %d, %v", i, n, m, perr)
			}
		}
		if h.Version == 2 {
			out, werr := AppendV2(nil, h)
			if werr != nil || !bytes.Equal(out, data[:n]) {
				t.Fatalf("v2 round trip: %x, %v; want %x", out, werr, data[:n])
			}
			return
		}
		out, werr := AppendV1(nil, h)
		if werr != nil {
			t.Fatalf("AppendV1(%+v): %v", h, werr)
		}
		h2, n2, perr := Parse(out)
		if perr != nil || n2 != len(out) || !sameHeader(h, h2) {
			t.Fatalf("v1 round trip: %q -> %+v %v", out, h2, perr)
		}
		out2, _ := AppendV1(nil, h2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("v1 not idempotent: %q then %q", out, out2)
		}
	})
}

// FuzzWrite builds headers from fuzzed fields (addresses, ports, TLV
// values) and checks that what AppendV1/AppendV2 write parses back to the
// same header, with TLV walking bounded by the header.
func FuzzWrite(f *testing.F) {
	f.Add(byte(0), []byte{127, 0, 0, 1, 10, 0, 0, 1}, uint16(1), uint16(2), []byte("uid"), byte(5), false)
	f.Add(byte(1), make([]byte, 32), uint16(65535), uint16(0), []byte{}, byte(3), true)
	f.Fuzz(func(t *testing.T, famSel byte, addrs []byte, sp, dp uint16, val []byte, typ byte, local bool) {
		fams := []Family{TCP4, TCP6, UDP4, UDP6, Unspec, UnixStr}
		fam := fams[int(famSel)%len(fams)]
		var a [32]byte
		copy(a[:], addrs)
		h := Header{Version: 2, Command: Proxy, Family: fam}
		if local {
			h.Command = Local
		}
		switch fam >> 4 {
		case 1:
			h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[0:4])), sp)
			h.Dest = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[4:8])), dp)
		case 2:
			h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[0:16])), sp)
			h.Dest = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[16:32])), dp)
		case 3:
			h.Unix = make([]byte, 216)
			copy(h.Unix, addrs)
		}
		tlvs, err := AppendTLV(nil, typ, val)
		if err != nil {
			return
		}
		if typ == TLVCRC32C {
			tlvs, _ = AppendTLV(nil, TLVCRC32C, make([]byte, 4))
		}
		h.TLVs = tlvs
		out, err := AppendV2(nil, h)
		if err == ErrTooLong {
			if 16+fam.addrLen()+len(tlvs) <= MaxLen {
				t.Fatalf("ErrTooLong for %d bytes", 16+fam.addrLen()+len(tlvs))
			}
			return
		}
		if err != nil {
			t.Fatalf("AppendV2(%+v): %v", h, err)
		}
		if typ == TLVCRC32C {
			if err := SetCRC32C(out); err != nil {
				t.Fatal(err)
			}
			h.TLVs = out[len(out)-7:]
		}
		got, n, err := Parse(out)
		if err != nil || n != len(out) || !sameHeader(h, got) {
			t.Fatalf("v2: %+v -> %x -> %+v, %v", h, out, got, err)
		}
		if local || (fam != TCP4 && fam != TCP6 && fam != Unspec) {
			return
		}
		h.Version, h.TLVs, h.Unix = 1, nil, nil
		out, err = AppendV1(nil, h)
		if err != nil {
			t.Fatalf("AppendV1(%+v): %v", h, err)
		}
		got, n, err = Parse(out)
		if err != nil || n != len(out) || !sameHeader(h, got) {
			t.Fatalf("v1: %+v -> %q -> %+v, %v", h, out, got, err)
		}
	})
}
