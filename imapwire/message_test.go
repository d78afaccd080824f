package imapwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func crlfMsg(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// forwarded is record.sh's message/rfc822 case (its structure matched
// Dovecot's in TestMessageDovecot).
var forwarded = crlfMsg(`From: Carol <carol@example.test>
To: alice@example.test
Subject: Fwd: the inner message
Date: Mon, 23 Nov 2026 10:06:00 +0000
Message-ID: <rfc822.7@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd"

--fwd
Content-Type: text/plain

See the forwarded message.
--fwd
Content-Type: message/rfc822
Content-Disposition: attachment; filename="inner.eml"

From: Dave <dave@example.test>
Subject: the inner message
Content-Type: multipart/mixed; boundary="inner-b"

--inner-b
Content-Type: text/plain

inner text
--inner-b
Content-Type: message/rfc822

From: Eve <eve@example.test>
Subject: innermost

innermost body
--inner-b--
--fwd--
`)

func TestMessageParse(t *testing.T) {
	m := NewMessage(MessageOptions{})
	_, err := AppendBodyStructure(nil, m, true)
	require.ErrorIs(t, err, ErrNotParsed)
	require.NoError(t, m.Parse(forwarded))
	assert.Equal(t, 7, m.Parts())
	assert.Equal(t, int64(len(forwarded)), m.Size())

	small := NewMessage(MessageOptions{MaxParts: 3})
	require.ErrorIs(t, small.Parse(forwarded), ErrTooManyParts)
	shallow := NewMessage(MessageOptions{MaxDepth: 2})
	require.ErrorIs(t, shallow.Parse(forwarded), ErrPartsTooDeep)
	_, err = AppendEnvelope(nil, shallow)
	require.ErrorIs(t, err, ErrNotParsed)
}

// TestMessageReaderAt: a Message read through a ReaderAt answers exactly
// what one over the bytes answers.
func TestMessageReaderAt(t *testing.T) {
	a, b := NewMessage(MessageOptions{}), NewMessage(MessageOptions{})
	require.NoError(t, a.Parse(forwarded))
	require.NoError(t, b.ParseReaderAt(bytes.NewReader(forwarded), int64(len(forwarded))))
	for _, ext := range []bool{false, true} {
		x, err := AppendBodyStructure(nil, a, ext)
		require.NoError(t, err)
		y, err := AppendBodyStructure(nil, b, ext)
		require.NoError(t, err)
		assert.Equal(t, string(x), string(y))
	}
	x, _ := AppendEnvelope(nil, a)
	y, _ := AppendEnvelope(nil, b)
	assert.Equal(t, string(x), string(y))
	var wa, wb bytes.Buffer
	r, err := b.Section(Section{Part: []byte("2.TEXT"[:1]), Text: SectionBodyText})
	require.NoError(t, err)
	require.NoError(t, a.WriteSection(&wa, r.Off, r.Len))
	require.NoError(t, b.WriteSection(&wb, r.Off, r.Len))
	assert.Equal(t, wa.String(), wb.String())
	assert.True(t, strings.HasPrefix(wa.String(), "--inner-b"))

	short := NewMessage(MessageOptions{})
	require.Error(t, short.ParseReaderAt(bytes.NewReader(forwarded[:100]), int64(len(forwarded))))
}

func TestMessageAllocs(t *testing.T) {
	m := NewMessage(MessageOptions{})
	ra := bytes.NewReader(forwarded)
	dst := make([]byte, 0, 8192)
	sec := Section{Part: []byte("2"), Text: SectionHeaderFields, Fields: ValuesOf([]byte("(FROM SUBJECT)"))}
	var out bytes.Buffer
	out.Grow(8192)
	for _, parse := range []func() error{
		func() error { return m.Parse(forwarded) },
		func() error { return m.ParseReaderAt(ra, int64(len(forwarded))) },
	} {
		allocs := testing.AllocsPerRun(50, func() {
			require.NoError(t, parse())
			var err error
			dst, err = AppendBodyStructure(dst[:0], m, true)
			require.NoError(t, err)
			dst, err = AppendEnvelope(dst[:0], m)
			require.NoError(t, err)
			r, err := m.Section(Section{Part: []byte("2.2")})
			require.NoError(t, err)
			dst, err = m.AppendHeaderFields(dst[:0], sec)
			require.NoError(t, err)
			out.Reset()
			require.NoError(t, m.WriteSection(&out, r.Off, r.Len))
		})
		assert.Zero(t, allocs)
	}
}

func BenchmarkMessageBodyStructure(b *testing.B) {
	m := NewMessage(MessageOptions{})
	dst := make([]byte, 0, 8192)
	b.ReportAllocs()
	b.SetBytes(int64(len(forwarded)))
	for b.Loop() {
		if err := m.Parse(forwarded); err != nil {
			b.Fatal(err)
		}
		var err error
		if dst, err = AppendBodyStructure(dst[:0], m, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessageBodyStructureReaderAt(b *testing.B) {
	m := NewMessage(MessageOptions{})
	ra := bytes.NewReader(forwarded)
	dst := make([]byte, 0, 8192)
	b.ReportAllocs()
	b.SetBytes(int64(len(forwarded)))
	for b.Loop() {
		if err := m.ParseReaderAt(ra, int64(len(forwarded))); err != nil {
			b.Fatal(err)
		}
		var err error
		if dst, err = AppendBodyStructure(dst[:0], m, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessageEnvelope(b *testing.B) {
	m := NewMessage(MessageOptions{})
	if err := m.Parse(forwarded); err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 8192)
	b.ReportAllocs()
	b.SetBytes(int64(len(forwarded)))
	for b.Loop() {
		var err error
		if dst, err = AppendEnvelope(dst[:0], m); err != nil {
			b.Fatal(err)
		}
	}
}

// large is a multipart with a 228 KB base64 attachment, as .ci/record.sh's
// "large attachment".
var large = func() []byte {
	var b strings.Builder
	b.WriteString("From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"big\"\n\n--big\nContent-Type: text/plain\n\nAbout 200 KB follow.\n--big\nContent-Type: text/plain; name=\"fox.txt\"\nContent-Transfer-Encoding: base64\n\n")
	for range 3000 {
		b.WriteString("MDAwMDAgdGhlIHF1aWNrIGJyb3duIGZveCA5ZTM3NzliMSBqdW1wcyBvdmVyIHRoZSBsYXp5IGRv\n")
	}
	b.WriteString("--big--\n")
	return crlfMsg(b.String())
}()

func BenchmarkMessageParseLarge(b *testing.B) {
	m := NewMessage(MessageOptions{})
	dst := make([]byte, 0, 8192)
	b.ReportAllocs()
	b.SetBytes(int64(len(large)))
	for b.Loop() {
		if err := m.Parse(large); err != nil {
			b.Fatal(err)
		}
		var err error
		if dst, err = AppendBodyStructure(dst[:0], m, true); err != nil {
			b.Fatal(err)
		}
	}
}
