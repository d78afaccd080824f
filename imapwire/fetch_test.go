package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFetchItemSections(t *testing.T) {
	tests := []struct {
		in      string
		att     FetchAtt
		peek    bool
		part    string
		text    SectionText
		fields  []string
		partial bool
		off, n  uint32
	}{
		{"BODY[]", FetchBodySection, false, "", SectionAll, nil, false, 0, 0},
		{"BODY.PEEK[HEADER]<0.1024>", FetchBodySection, true, "", SectionHeader, nil, true, 0, 1024},
		{"body[1.2.3.TEXT]<5>", FetchBodySection, false, "1.2.3", SectionBodyText, nil, true, 5, 0},
		{`BODY[4.2.HEADER.FIELDS.NOT (Received "X-A" {3}` + "\r\n" + `X-B)]`, FetchBodySection, false, "4.2", SectionHeaderFieldsNot, []string{"Received", "X-A", "X-B"}, false, 0, 0},
		{"BODY[2.MIME]", FetchBodySection, false, "2", SectionMIME, nil, false, 0, 0},
		{"BINARY[1.2]", FetchBinary, false, "1.2", SectionAll, nil, false, 0, 0},
		{"BINARY.SIZE[3]", FetchBinarySize, false, "3", SectionAll, nil, false, 0, 0},
		{"RFC822.SIZE", FetchRFC822Size, false, "", SectionAll, nil, false, 0, 0},
		{"X-GM-MSGID", FetchUnknown, false, "", SectionAll, nil, false, 0, 0},
	}
	for _, tt := range tests {
		r := line(t, ClientSide, tt.in+"\r\n", Quirks{})
		var it FetchItem
		err := r.fetchItem(&it)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.att, it.Att, tt.in)
		assert.Equal(t, tt.peek, it.Peek, tt.in)
		assert.Equal(t, tt.part, string(it.Section.Part), tt.in)
		assert.Equal(t, tt.text, it.Section.Text, tt.in)
		var fields []string
		for v := it.Section.Fields; v.More(); {
			f, _ := v.Next()
			fields = append(fields, string(f.Bytes))
		}
		assert.Equal(t, tt.fields, fields, tt.in)
		assert.Equal(t, tt.partial, it.Partial, tt.in)
		assert.Equal(t, [2]uint32{tt.off, tt.n}, [2]uint32{it.Offset, it.Count}, tt.in)
		require.NoError(t, r.End(), tt.in)
	}
}

func TestFetchAttsMacros(t *testing.T) {
	for in, want := range map[string]FetchAtt{"ALL": FetchAll, "fast": FetchFast, "FULL": FetchFull, "UID": FetchUID} {
		r := line(t, ServerSide, in+"\r\n", Quirks{})
		atts := r.FetchAtts()
		require.True(t, atts.Next(), in)
		assert.Equal(t, want, atts.Item().Att)
		assert.False(t, atts.Next())
		require.NoError(t, atts.Err())
	}
}

func TestModSeqAndSectionData(t *testing.T) {
	r := line(t, ClientSide, "(12345) NIL ~{2}\r\nab\r\n", Quirks{})
	m, err := r.ModSeq()
	require.NoError(t, err)
	assert.Equal(t, uint64(12345), m)
	require.NoError(t, r.SP())
	d, err := r.SectionData()
	require.NoError(t, err)
	assert.True(t, d.IsNil())
	require.NoError(t, r.SP())
	d, err = r.SectionData()
	require.NoError(t, err)
	assert.Equal(t, Literal{Size: 2, Binary: true}, d.Literal)
	got, err := r.Inline()
	require.NoError(t, err)
	assert.Equal(t, "ab", string(got))
	require.NoError(t, r.End())
	_, err = line(t, ClientSide, "(1 2)\r\n", Quirks{}).ModSeq()
	assert.ErrorIs(t, err, ErrSyntax)
}

// A section whose field list holds a literal that grows the buffer, in a
// command after another, has the same Raw as when it comes alone (Raw was
// once sliced from the new buffer with an index into the old one), on the
// server side (FETCH) and the client side (a FETCH response).
func TestSectionRawAcrossGrowth(t *testing.T) {
	field := strings.Repeat("X", 4000)
	want := "HEADER.FIELDS (FROM {4000+}\r\n" + field + ")"
	for _, lead := range []string{"", "a NOOP " + strings.Repeat("x", 1000) + "\r\n"} {
		r := NewReader(strings.NewReader(lead+"b FETCH 1 BODY.PEEK[HEADER.FIELDS (FROM {4000+}\r\n"+field+")]\r\n"), ServerSide, Options{})
		if lead != "" {
			_, err := r.ReadCommand()
			require.NoError(t, err)
		}
		_, err := r.ReadCommand()
		require.NoError(t, err)
		require.NoError(t, r.SP())
		_, err = r.SeqSet()
		require.NoError(t, err)
		require.NoError(t, r.SP())
		atts := r.FetchAtts()
		require.True(t, atts.Next(), "%v", atts.Err())
		sec := atts.Item().Section
		assert.Equal(t, want, string(sec.Raw), "lead %d", len(lead))
		assert.Equal(t, []string{"FROM", field}, sectionFields(sec))
	}
	want = "HEADER.FIELDS (FROM {4000}\r\n" + field + ")"
	for _, lead := range []string{"", "* OK " + strings.Repeat("x", 1000) + "\r\n"} {
		r := NewReader(strings.NewReader(lead+"* 1 FETCH (BODY[HEADER.FIELDS (FROM {4000}\r\n"+field+")] NIL)\r\n"), ClientSide, Options{})
		if lead != "" {
			_, err := r.ReadResponse()
			require.NoError(t, err)
		}
		resp, err := r.ReadResponse()
		require.NoError(t, err)
		require.Equal(t, DataFetch, resp.Data)
		items := r.FetchItems()
		require.True(t, items.Next(), "%v", items.Err())
		sec := items.Item().Section
		assert.Equal(t, want, string(sec.Raw), "lead %d", len(lead))
		assert.Equal(t, []string{"FROM", field}, sectionFields(sec))
	}
}

// sectionFields lists a section's header field names by value.
func sectionFields(s Section) []string {
	var out []string
	for v := s.Fields; v.More(); {
		t, _ := v.Next()
		out = append(out, string(t.AppendValue(nil)))
	}
	return out
}

// Header field lists on one line take the in-place path; what it refuses
// the general path refuses too.
func TestSectionHeaderListLine(t *testing.T) {
	for _, tc := range []struct {
		list  string
		names []string
	}{
		{`(FROM TO)`, []string{"FROM", "TO"}},
		{`("X-A" Subject)`, []string{"X-A", "Subject"}},
		{`()`, nil},
		{`(NIL)`, nil},
		{`("")`, nil},
		{`(FROM )`, nil},
		{`(FROM  TO)`, nil},
		{`(\Seen)`, nil},
		{`((FROM))`, nil},
	} {
		line := "* 1 FETCH (BODY[HEADER.FIELDS " + tc.list + "] NIL)\r\n"
		r := NewReader(strings.NewReader(line), ClientSide, Options{})
		_, err := r.ReadResponse()
		require.NoError(t, err)
		items := r.FetchItems()
		ok := items.Next()
		if tc.names == nil {
			assert.False(t, ok, tc.list)
			assert.ErrorIs(t, items.Err(), ErrSyntax, tc.list)
			continue
		}
		require.True(t, ok, tc.list)
		var got []string
		for v := items.Item().Section.Fields; v.More(); {
			x, _ := v.Next()
			got = append(got, string(x.Bytes))
		}
		assert.Equal(t, tc.names, got)
		assert.Equal(t, "HEADER.FIELDS "+tc.list, string(items.Item().Section.Raw))
	}
}
