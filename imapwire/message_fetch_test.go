package imapwire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFetchWriters(t *testing.T) {
	m := NewMessage(MessageOptions{})
	require.NoError(t, m.Parse(crlfMsg("Subject: hi\n\nbody\n")))
	dst := AppendFetchStart(nil, 12)
	dst = AppendFetchUID(dst, 4)
	dst, err := AppendFetchFlags(dst, [][]byte{[]byte(`\Seen`), []byte("$Label")})
	require.NoError(t, err)
	dst = AppendFetchInternalDate(dst, time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("", -7*3600)))
	dst = AppendFetchSize(dst, m.Size())
	dst = AppendFetchModSeq(dst, 9)
	dst, err = AppendFetchEnvelope(dst, m)
	require.NoError(t, err)
	dst, err = AppendFetchBodyStructure(dst, m, false)
	require.NoError(t, err)
	item := FetchItem{Att: FetchBodySection, Section: Section{Raw: []byte("TEXT")}, Partial: true, Offset: 0}
	r, err := m.Section(Section{Text: SectionBodyText})
	require.NoError(t, err)
	dst = AppendFetchSectionHeader(dst, item, r.Len)
	var out bytes.Buffer
	out.Write(dst)
	require.NoError(t, m.WriteSection(&out, r.Off, r.Len))
	dst = AppendFetchSectionHeader(nil, FetchItem{Att: FetchRFC822Header}, 0)
	dst = AppendFetchEnd(dst)
	out.Write(dst)
	want := "* 12 FETCH (UID 4 FLAGS (\\Seen $Label) INTERNALDATE \" 4-Mar-2026 05:06:07 -0700\" RFC822.SIZE 21 MODSEQ (9) " +
		"ENVELOPE (NIL \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL) BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1) " +
		"BODY[TEXT]<0> {6}\r\nbody\r\n RFC822.HEADER {0}\r\n)\r\n"
	assert.Equal(t, want, out.String())

	// The client side reads it back, item by item.
	rd := NewReader(strings.NewReader(want), ClientSide, Options{})
	resp, err := rd.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataFetch, resp.Data)
	items := rd.FetchItems()
	n := 0
	for items.Next() {
		n++
		switch items.Item().Att {
		case FetchBodySection, FetchRFC822Header:
			_, err := rd.SectionData()
			require.NoError(t, err)
			_, err = rd.Inline()
			require.NoError(t, err)
		default:
			_, err := rd.Capture()
			require.NoError(t, err)
		}
	}
	require.NoError(t, items.Err())
	assert.Equal(t, 9, n)

	_, err = AppendFetchFlags([]byte("x("), [][]byte{[]byte("bad flag")})
	require.ErrorIs(t, err, ErrInjection)
	bin := AppendFetchSectionHeader([]byte("("), FetchItem{Att: FetchBinary, Section: Section{Raw: []byte("1")}}, 3)
	assert.Equal(t, "(BINARY[1] ~{3}\r\n", string(bin))
}

func TestWriteLiteral(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteLiteral(&b, iotest.OneByteReader(strings.NewReader("hello world")), 5))
	assert.Equal(t, "hello", b.String())
	require.ErrorIs(t, WriteLiteral(io.Discard, strings.NewReader("abc"), 5), ErrShortLiteral)
	fire := errors.New("disk on fire")
	require.ErrorIs(t, WriteLiteral(io.Discard, iotest.ErrReader(fire), 5), fire)
	require.ErrorIs(t, WriteLiteral(io.Discard, zeroReader{}, 5), io.ErrNoProgress)
	require.ErrorIs(t, WriteLiteral(io.Discard, strings.NewReader(""), -1), ErrShortLiteral)
	b.Reset()
	require.NoError(t, WriteLiteral(&b, strings.NewReader("a\x00b"), 3))
	assert.Equal(t, "a\x80b", b.String(), "a {n} literal holds no NUL")
	b.Reset()
	require.NoError(t, WriteLiteral8(&b, strings.NewReader("a\x00b"), 3))
	assert.Equal(t, "a\x00b", b.String(), "a ~{n} literal holds any octet")
	require.ErrorIs(t, WriteLiteral8(io.Discard, strings.NewReader("ab"), 3), ErrShortLiteral)
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestFetchAllocs(t *testing.T) {
	m := NewMessage(MessageOptions{})
	require.NoError(t, m.Parse(forwarded))
	dst := make([]byte, 0, 8192)
	flags := [][]byte{[]byte(`\Seen`)}
	now := time.Now()
	item := FetchItem{Att: FetchBodySection, Section: Section{Raw: []byte("1")}}
	data := bytes.NewReader(forwarded)
	allocs := testing.AllocsPerRun(100, func() {
		dst = AppendFetchStart(dst[:0], 1)
		dst = AppendFetchUID(dst, 1)
		dst, _ = AppendFetchFlags(dst, flags)
		dst = AppendFetchInternalDate(dst, now)
		dst = AppendFetchSize(dst, m.Size())
		dst, _ = AppendFetchEnvelope(dst, m)
		dst, _ = AppendFetchBodyStructure(dst, m, true)
		dst = AppendFetchSectionHeader(dst, item, 10)
		data.Reset(forwarded)
		if err := WriteLiteral(io.Discard, data, int64(len(forwarded))); err != nil {
			t.Fatal(err)
		}
		dst = AppendFetchEnd(dst[:0])
	})
	assert.Zero(t, allocs)
}

func BenchmarkFetchResponse(b *testing.B) {
	m := NewMessage(MessageOptions{})
	dst := make([]byte, 0, 8192)
	flags := [][]byte{[]byte(`\Seen`)}
	now := time.Now()
	item := FetchItem{Att: FetchBodySection, Section: Section{Raw: []byte("1")}}
	b.ReportAllocs()
	b.SetBytes(int64(len(forwarded)))
	for b.Loop() {
		if err := m.Parse(forwarded); err != nil {
			b.Fatal(err)
		}
		dst = AppendFetchStart(dst[:0], 1)
		dst = AppendFetchUID(dst, 1)
		dst, _ = AppendFetchFlags(dst, flags)
		dst = AppendFetchInternalDate(dst, now)
		dst = AppendFetchSize(dst, m.Size())
		dst, _ = AppendFetchEnvelope(dst, m)
		dst, _ = AppendFetchBodyStructure(dst, m, true)
		r, _ := m.Section(Section{Part: []byte("1")})
		dst = AppendFetchSectionHeader(dst, item, r.Len)
		if err := m.WriteSection(io.Discard, r.Off, r.Len); err != nil {
			b.Fatal(err)
		}
		dst = AppendFetchEnd(dst[:0])
	}
}
