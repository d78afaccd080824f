package headers_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/headers"
)

var mimeMsg = []byte(strings.ReplaceAll(`From: a@example.test
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

hello
--b
Content-Type: message/rfc822

Subject: inner
Content-Type: image/png; name="x.png"

PNG
--b--
`, "\n", "\r\n"))

func TestMIMEWalker(t *testing.T) {
	var w headers.MIMEWalker
	table := make([]headers.MIMEPart, 8)
	parts, err := w.Walk(mimeMsg, table, 0)
	require.NoError(t, err)
	require.Len(t, parts, 4)
	kinds := []headers.MIMEKind{headers.MIMEMultipart, headers.MIMEText, headers.MIMEMessage, headers.MIMESingle}
	for i, p := range parts {
		assert.Equal(t, kinds[i], p.Kind, "part %d", i)
	}
	assert.Equal(t, "hello", string(mimeMsg[parts[1].BodyStart:parts[1].End]))
	// The message inside the message/rfc822 part has its own header.
	inner := parts[3]
	assert.Equal(t, int32(2), inner.Parent)
	assert.True(t, bytes.HasPrefix(mimeMsg[inner.Start:], []byte("Subject: inner")))
	ct := inner.Fields[headers.MIMEContentType]
	typ, sub, params, ok := headers.ParseMediaType(mimeMsg[ct.Off:ct.End])
	require.True(t, ok)
	assert.Equal(t, "image/png", string(typ)+"/"+string(sub))
	for name, raw := range headers.MIMEParams(params) {
		assert.Equal(t, "name", string(name))
		assert.Equal(t, "x.png", string(headers.AppendParamValue(nil, raw)))
	}

	again, err := w.WalkReaderAt(bytes.NewReader(mimeMsg), int64(len(mimeMsg)), make([]headers.MIMEPart, 8), 0)
	require.NoError(t, err)
	assert.Equal(t, parts, again)

	_, err = w.Walk(mimeMsg, make([]headers.MIMEPart, 3), 0)
	require.ErrorIs(t, err, headers.ErrMIMETooManyParts)
	_, err = w.Walk(mimeMsg, table, 1)
	require.ErrorIs(t, err, headers.ErrMIMETooDeep)
	_, _, _, ok = headers.ParseMediaType([]byte("nonsense"))
	assert.False(t, ok)
}

func TestMIMEWalkerAllocs(t *testing.T) {
	var w headers.MIMEWalker
	table := make([]headers.MIMEPart, 8)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		if _, err := w.Walk(mimeMsg, table, 0); err != nil {
			t.Fatal(err)
		}
	}))
}

func BenchmarkMIMEWalk(b *testing.B) {
	var w headers.MIMEWalker
	table := make([]headers.MIMEPart, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(mimeMsg)))
	for b.Loop() {
		if _, err := w.Walk(mimeMsg, table, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// A message's MIME parts with their media types, found without
// allocating into a table the caller keeps.
func ExampleMIMEWalker() {
	var w headers.MIMEWalker
	parts, err := w.Walk(mimeMsg, make([]headers.MIMEPart, 16), 0)
	if err != nil {
		panic(err)
	}
	for _, p := range parts {
		typ := "text/plain (default)"
		if p.Type.Present() {
			typ = string(mimeMsg[p.Type.Off:p.Type.End]) + "/" + string(mimeMsg[p.Subtype.Off:p.Subtype.End])
		}
		fmt.Printf("depth %d %s, body %d octets\n", p.Depth, typ, p.End-p.BodyStart)
	}
	// Output:
	// depth 0 multipart/mixed, body 161 octets
	// depth 1 text/plain, body 5 octets
	// depth 1 message/rfc822, body 60 octets
	// depth 2 image/png, body 3 octets
}
