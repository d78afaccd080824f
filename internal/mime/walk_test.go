package mime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// nested is a multipart/mixed holding text, a message/rfc822 holding a
// multipart, and an attachment; the same shapes as .ci/record.sh's.
var nested = crlf(`From: a@example.test
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

preamble
--outer
Content-Type: text/plain; charset=utf-8

hello
world
--outer
Content-Type: message/rfc822

From: b@example.test
Content-Type: multipart/alternative; boundary=in

--in

inner one
--in--
--outer
Content-Type: application/pdf
Content-Transfer-Encoding: base64

JVBERi0=
--outer--
epilogue
`)

type wantPart struct {
	kind              Kind
	parent            int32
	header, body, end string // the header starts with, the body starts with, the body ends with
	lines             int64
}

func TestWalk(t *testing.T) {
	tests := []struct {
		name  string
		msg   []byte
		parts []wantPart
	}{
		{"single", crlf("Subject: x\n\nbody\nline\n"), []wantPart{{KindText, -1, "Subject", "body", "line\r\n", 2}}},
		{"no body", crlf("Subject: x\n"), []wantPart{{KindText, -1, "Subject", "", "", 0}}},
		{"empty", nil, []wantPart{{KindText, -1, "", "", "", 0}}},
		{"nested", nested, []wantPart{
			{KindMultipart, -1, "From", "preamble", "epilogue\r\n", 23},
			{KindText, 0, "Content-Type: text/plain", "hello", "world", 1},
			{KindMessage, 0, "Content-Type: message/rfc822", "From: b", "--in--\r\n", 7},
			{KindMultipart, 2, "From: b", "--in", "--in--\r\n", 4},
			{KindText, 3, "", "inner one", "inner one", 0},
			{KindSingle, 0, "Content-Type: application/pdf", "JVBERi0=", "JVBERi0=", 0},
		}},
		{"cut header", crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n--b--\n"), []wantPart{
			{KindMultipart, -1, "Content-Type", "--b", "--b--\r\n", 3},
			{KindText, 0, "Content-Type: text/html", "", "", 0},
		}},
		{"digest", crlf("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nx\n--d--\n"), []wantPart{
			{KindMultipart, -1, "Content-Type", "--d", "--d--\r\n", 6},
			{KindMessage, 0, "", "Subject", "x", 2},
			{KindText, 1, "Subject", "x", "x", 0},
		}},
		{"no boundary", crlf("Content-Type: multipart/mixed\n\n--x\n\nbody\n"), []wantPart{
			{KindMultipart, -1, "Content-Type", "--x", "body\r\n", 3},
		}},
		{"not mime", crlf("Content-Transfer-Encoding: base64\n\nx\n"), []wantPart{{KindText, -1, "Content", "x", "x\r\n", 1}}},
		{"bare LF", []byte("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n"), []wantPart{
			{KindMultipart, -1, "Content-Type", "--b", "--b--\n", 4},
			{KindText, 0, "", "x", "x", 0},
		}},
	}
	var w Walker
	var src Source
	parts := make([]Part, 16)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src.ResetBytes(tt.msg)
			n, err := w.Walk(&src, parts, Limits{})
			require.NoError(t, err)
			require.Len(t, tt.parts, n)
			for i, want := range tt.parts {
				p := parts[i]
				assert.Equal(t, want.kind, p.Kind, "part %d kind", i)
				assert.Equal(t, want.parent, p.Parent, "part %d parent", i)
				assert.True(t, bytes.HasPrefix(tt.msg[p.Start:p.BodyStart], []byte(want.header)), "part %d header %q", i, tt.msg[p.Start:p.BodyStart])
				body := tt.msg[p.BodyStart:p.End]
				assert.True(t, bytes.HasPrefix(body, []byte(want.body)), "part %d body %q", i, body)
				assert.True(t, bytes.HasSuffix(body, []byte(want.end)), "part %d body %q", i, body)
				assert.Equal(t, want.lines, p.Lines, "part %d lines", i)
				assert.Equal(t, int64(bytes.Count(body, []byte("\n"))), p.Lines, "part %d lines counted", i)
			}
		})
	}
}

func TestWalkFields(t *testing.T) {
	msg := crlf("Content-Type: text/plain;\n charset=utf-8\nContent-ID:   <x@y>\nContent-Description: first\nContent-Description: second\nContent-Language:\n\nbody")
	var w Walker
	var src Source
	src.ResetBytes(msg)
	parts := make([]Part, 2)
	n, err := w.Walk(&src, parts, Limits{})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	p := parts[0]
	val := func(f Field) string { s := p.Fields[f]; return string(msg[s.Off:s.End]) }
	assert.Equal(t, "text/plain;\r\n charset=utf-8", val(FieldType))
	assert.Equal(t, "<x@y>", val(FieldID))
	assert.Equal(t, "first", val(FieldDescription))
	assert.True(t, p.Fields[FieldLanguage].Present())
	assert.Equal(t, "", val(FieldLanguage))
	assert.False(t, p.Fields[FieldMD5].Present())
	assert.Equal(t, "text", string(msg[p.Type.Off:p.Type.End]))
	assert.Equal(t, "plain", string(msg[p.Subtype.Off:p.Subtype.End]))
}

func TestWalkLimits(t *testing.T) {
	var deep strings.Builder
	for i := range 70 {
		deep.WriteString("Content-Type: multipart/mixed; boundary=b" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + "\n\n--b" + string(rune('A'+i%26)) + string(rune('a'+i/26)) + "\n")
	}
	var w Walker
	var src Source
	src.ResetBytes(crlf(deep.String()))
	_, err := w.Walk(&src, make([]Part, 200), Limits{})
	require.ErrorIs(t, err, ErrTooDeep)
	src.ResetBytes(crlf(deep.String()))
	_, err = w.Walk(&src, make([]Part, 200), Limits{MaxDepth: 5})
	require.ErrorIs(t, err, ErrTooDeep)

	src.ResetBytes(nested)
	_, err = w.Walk(&src, make([]Part, 5), Limits{})
	require.ErrorIs(t, err, ErrTooManyParts)
	src.ResetBytes(nested)
	n, err := w.Walk(&src, make([]Part, 6), Limits{})
	require.NoError(t, err)
	require.Equal(t, 6, n)
}

func TestWalkAllocs(t *testing.T) {
	var w Walker
	var src Source
	parts := make([]Part, 16)
	ra := bytes.NewReader(nested)
	allocs := testing.AllocsPerRun(100, func() {
		src.ResetBytes(nested)
		if _, err := w.Walk(&src, parts, Limits{}); err != nil {
			t.Fatal(err)
		}
		src.ResetReaderAt(ra, int64(len(nested)))
		if _, err := w.Walk(&src, parts, Limits{}); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

func BenchmarkWalk(b *testing.B) {
	var w Walker
	var src Source
	parts := make([]Part, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(nested)))
	for b.Loop() {
		src.ResetBytes(nested)
		if _, err := w.Walk(&src, parts, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWalkReaderAt(b *testing.B) {
	var w Walker
	var src Source
	parts := make([]Part, 16)
	ra := bytes.NewReader(nested)
	b.ReportAllocs()
	b.SetBytes(int64(len(nested)))
	for b.Loop() {
		src.ResetReaderAt(ra, int64(len(nested)))
		if _, err := w.Walk(&src, parts, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWalkManyParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b\n\n")
	for range 5000 {
		b.WriteString("--b\n\nx\n")
	}
	b.WriteString("--b--\n")
	msg := crlf(b.String())
	var w Walker
	var src Source
	src.ResetBytes(msg)
	parts := make([]Part, 5001)
	n, err := w.Walk(&src, parts, Limits{})
	require.NoError(t, err)
	require.Equal(t, 5001, n)
	require.Equal(t, int32(5000), parts[0].Children)
	checkTree(t, msg, parts[:n])
}
