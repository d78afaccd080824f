package imapwire

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// section parses a section spec as a FETCH command carries it.
func section(t *testing.T, spec string) Section {
	t.Helper()
	r := NewReader(bytes.NewReader([]byte("a FETCH 1 BODY["+spec+"]\r\n")), ServerSide, Options{})
	_, err := r.ReadCommand()
	require.NoError(t, err)
	require.NoError(t, r.SP())
	_, err = r.SeqSet()
	require.NoError(t, err)
	require.NoError(t, r.SP())
	atts := r.FetchAtts()
	require.True(t, atts.Next(), "%s: %v", spec, atts.Err())
	return atts.Item().Section
}

func TestMessageSection(t *testing.T) {
	m := NewMessage(MessageOptions{})
	require.NoError(t, m.Parse(forwarded))
	tests := []struct {
		spec       string
		start, end string // the data starts and ends with
		err        error
	}{
		{"", "From: Carol", "--fwd--\r\n", nil},
		{"HEADER", "From: Carol", "\"fwd\"\r\n\r\n", nil},
		{"TEXT", "--fwd\r\n", "--fwd--\r\n", nil},
		{"1", "See the", "message.", nil},
		{"1.MIME", "Content-Type: text/plain", "\r\n\r\n", nil},
		{"2", "From: Dave", "--inner-b--\r\n", nil},
		{"2.MIME", "Content-Type: message/rfc822", "inner.eml\"\r\n\r\n", nil},
		{"2.HEADER", "From: Dave", "\"inner-b\"\r\n\r\n", nil},
		{"2.TEXT", "--inner-b\r\n", "--inner-b--\r\n", nil},
		{"2.1", "inner text", "inner text", nil},
		{"2.2", "From: Eve", "innermost body", nil},
		{"2.2.HEADER", "From: Eve", "innermost\r\n\r\n", nil},
		{"2.2.TEXT", "innermost body", "innermost body", nil},
		{"2.2.1", "innermost body", "innermost body", nil},
		{"2.2.1.MIME", "From: Eve", "\r\n\r\n", nil},
		{"3", "", "", ErrNoSection},
		{"1.1", "", "", ErrNoSection},
		{"1.HEADER", "", "", ErrNoSection},
		{"2.3", "", "", ErrNoSection},
	}
	for _, tt := range tests {
		r, err := m.Section(section(t, tt.spec))
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, tt.spec)
			continue
		}
		require.NoError(t, err, tt.spec)
		data := forwarded[r.Off : r.Off+r.Len]
		assert.True(t, bytes.HasPrefix(data, []byte(tt.start)) && bytes.HasSuffix(data, []byte(tt.end)), "%s: %q", tt.spec, data)
	}

	single := NewMessage(MessageOptions{})
	require.NoError(t, single.Parse(crlfMsg("Subject: s\n\nbody\n")))
	r, err := single.Section(section(t, "1"))
	require.NoError(t, err)
	assert.Equal(t, int64(len("Subject: s\r\n\r\n")), r.Off, "part 1 of a single-part message is its body")
	r, err = single.Section(section(t, "1.MIME"))
	require.NoError(t, err)
	assert.Equal(t, SectionRange{0, 14, false}, r)
}

func TestAppendHeaderFields(t *testing.T) {
	m := NewMessage(MessageOptions{})
	require.NoError(t, m.Parse(crlfMsg("From: a@x\nTo: b@y,\n c@z\nsubject: s\n\nbody\n")))
	for spec, want := range map[string]string{
		"HEADER.FIELDS (To SUBJECT)":     "To: b@y,\r\n c@z\r\nsubject: s\r\n\r\n",
		"HEADER.FIELDS.NOT (to subject)": "From: a@x\r\n\r\n",
		"HEADER.FIELDS (X-None)":         "\r\n",
	} {
		got, err := m.AppendHeaderFields(nil, section(t, spec))
		require.NoError(t, err)
		assert.Equal(t, want, string(got), spec)
	}
	_, err := m.AppendHeaderFields(nil, section(t, "HEADER"))
	require.ErrorIs(t, err, ErrNoSection)
}

func TestPartial(t *testing.T) {
	for _, tt := range []struct {
		item   FetchItem
		off, n int64
	}{
		{FetchItem{}, 10, 100},
		{FetchItem{Partial: true, Offset: 5, Count: 20}, 15, 20},
		{FetchItem{Partial: true, Offset: 90, Count: 20}, 100, 10},
		{FetchItem{Partial: true, Offset: 100, Count: 1}, 110, 0},
		{FetchItem{Partial: true, Offset: 1000}, 110, 0},
		{FetchItem{Partial: true, Offset: 1}, 11, 99},
	} {
		off, n := Partial(10, 100, tt.item)
		assert.Equal(t, [2]int64{tt.off, tt.n}, [2]int64{off, n}, "%+v", tt.item)
	}
}

type failingReaderAt struct{}

func (failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func TestWriteSection(t *testing.T) {
	m := NewMessage(MessageOptions{})
	require.NoError(t, m.ParseReaderAt(bytes.NewReader(forwarded), int64(len(forwarded))))
	var b bytes.Buffer
	require.NoError(t, m.WriteSection(&b, 0, int64(len(forwarded))))
	assert.Equal(t, forwarded, b.Bytes())
	require.Error(t, m.WriteSection(&b, 10, int64(len(forwarded))))
	// The store shrinking under us: never fewer octets than announced
	// without an error.
	require.NoError(t, m.ParseReaderAt(bytes.NewReader(forwarded), int64(len(forwarded))))
	m.src.ResetReaderAt(bytes.NewReader(forwarded[:50]), int64(len(forwarded)))
	m.ok = true
	err := m.WriteSection(io.Discard, 0, int64(len(forwarded)))
	require.Error(t, err)
	require.Error(t, NewMessage(MessageOptions{}).ParseReaderAt(failingReaderAt{}, 10))

	// A NUL goes out as 0x80, from memory and through a ReaderAt.
	nul := crlfMsg("Subject: a\x00b\n\nx\x00y\x00\n")
	for _, parse := range []func(*Message) error{
		func(m *Message) error { return m.Parse(nul) },
		func(m *Message) error { return m.ParseReaderAt(bytes.NewReader(nul), int64(len(nul))) },
	} {
		require.NoError(t, parse(m))
		b.Reset()
		require.NoError(t, m.WriteSection(&b, 0, int64(len(nul))))
		assert.Equal(t, string(bytes.ReplaceAll(nul, []byte{0}, []byte{0x80})), b.String())
		fields, err := m.AppendHeaderFields(nil, section(t, "HEADER.FIELDS (SUBJECT)"))
		require.NoError(t, err)
		assert.Equal(t, "Subject: a\x80b\r\n\r\n", string(fields))
	}
}
