package proxyproto

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exactReader fails the test when a Read asks for more than the header
// has left: proof that ReadHeader never consumes a session byte.
type exactReader struct {
	t      testing.TB
	data   []byte
	header int
	off    int
}

func (r *exactReader) Read(p []byte) (int, error) {
	if r.off < r.header && r.off+len(p) > r.header {
		r.t.Fatalf("Read of %d at %d reaches past the %d-byte header", len(p), r.off, r.header)
	}
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

func TestReadHeader(t *testing.T) {
	for _, in := range [][]byte{[]byte(capV1), unhex(t, capV2IPv4), unhex(t, capV2TLV), unhex(t, capV2IPv6), unhex(t, capV2Local), []byte("PROXY UNKNOWN\r\n"),
		[]byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n")} {
		want, _, err := Parse(in)
		require.NoError(t, err)
		data := append(append([]byte(nil), in...), "\x16\x03\x01 rest of the stream"...)
		for _, r := range []io.Reader{&exactReader{t: t, data: data, header: len(in)}, iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data))} {
			var buf [MaxLen]byte
			h, err := ReadHeader(r, &buf)
			require.NoError(t, err)
			assert.Equal(t, want, h)
			rest, _ := io.ReadAll(r)
			assert.Equal(t, "\x16\x03\x01 rest of the stream", string(rest))
		}
	}
}

func TestReadHeaderErrors(t *testing.T) {
	var buf [MaxLen]byte
	_, err := ReadHeader(bytes.NewReader(nil), &buf)
	assert.ErrorIs(t, err, io.EOF)
	_, err = ReadHeader(bytes.NewReader([]byte("PROXY TCP4 1.2")), &buf)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = ReadHeader(bytes.NewReader([]byte("220 hello\r\n")), &buf)
	assert.ErrorIs(t, err, ErrNoHeader)
	_, err = ReadHeader(iotest.ErrReader(io.ErrClosedPipe), &buf)
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	// A garbage byte is refused at once: a one-byte reader is asked once.
	r := &countReader{r: iotest.OneByteReader(bytes.NewReader([]byte("XXXXXXXXXXXXXXXXXXXX")))}
	_, err = ReadHeader(r, &buf)
	assert.ErrorIs(t, err, ErrNoHeader)
	assert.Equal(t, 1, r.n)
}

type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) { c.n++; return c.r.Read(p) }

func TestReadHeaderAllocs(t *testing.T) {
	in := unhex(t, capV2TLV)
	r := bytes.NewReader(in)
	var buf [MaxLen]byte
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(in)
		if _, err := ReadHeader(r, &buf); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkReadHeader(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{{"v1", []byte(capV1)}, {"v2", unhex(b, capV2IPv4)}, {"v2-tlv", unhex(b, capV2TLV)}} {
		b.Run(bc.name, func(b *testing.B) {
			r := bytes.NewReader(bc.in)
			var buf [MaxLen]byte
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				r.Reset(bc.in)
				if _, err := ReadHeader(r, &buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
