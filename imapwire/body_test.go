package imapwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBodyStructure(t *testing.T) {
	raw := []byte(`(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "HTML" NIL NIL NIL "QP" 5 2) 12 NIL NIL ("EN" "DE") "http://x" X-EXT (1 2))` +
		` "MIXED" ("BOUNDARY" "b") ("inline" NIL) "en" NIL)`)
	b, err := ParseBodyStructure(raw, false)
	require.NoError(t, err)
	assert.True(t, b.Multipart)
	assert.Equal(t, "MIXED", string(b.Subtype.Bytes))
	assert.Equal(t, `("inline" NIL)`, string(b.Disposition))
	assert.Equal(t, "en", string(b.Language))
	kids := b.Children()
	text, ok := kids.Next()
	require.True(t, ok)
	assert.Equal(t, "PLAIN", string(text.Subtype.Bytes))
	assert.Equal(t, uint32(10), text.Size)
	assert.Equal(t, uint32(1), text.Lines)
	msg, ok := kids.Next()
	require.True(t, ok)
	assert.Equal(t, uint32(12), msg.Lines)
	assert.Equal(t, `("EN" "DE")`, string(msg.Language))
	assert.Equal(t, "http://x", string(msg.Location.Bytes))
	ext, _ := msg.Extension.Next()
	assert.Equal(t, "X-EXT", string(ext.Bytes))
	env, err := ParseEnvelope(msg.Envelope)
	require.NoError(t, err)
	assert.Equal(t, "inner", string(env.Subject.Bytes))
	inner, err := msg.Nested()
	require.NoError(t, err)
	assert.Equal(t, "HTML", string(inner.Subtype.Bytes))
	_, ok = kids.Next()
	assert.False(t, ok)
	require.NoError(t, kids.Err())

	for _, bad := range []string{
		`NIL`, `("TEXT")`, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" x 1)`, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1)`,
		`("TEXT" "PLAIN" ("A") NIL NIL "7BIT" 1 1)`, `("TEXT" "PLAIN" () NIL NIL "7BIT" 1 1)`,
		`("TEXT" "PLAIN" ("A" NIL) NIL NIL "7BIT" 1 1)`, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 x)`, `(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1))`,
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 1 NIL NIL 1)`, `(1 "PLAIN" NIL NIL NIL "7BIT" 1 1)`,
	} {
		_, err := ParseBodyStructure([]byte(bad), false)
		assert.ErrorIs(t, err, ErrSyntax, bad)
	}
	neg := []byte(`("APPLICATION" "PDF" NIL NIL NIL "BASE64" -1)`)
	_, err = ParseBodyStructure(neg, false)
	assert.ErrorIs(t, err, ErrSyntax)
	b, err = ParseBodyStructure(neg, true)
	require.NoError(t, err)
	assert.Zero(t, b.Size)
}

func TestBodyStructureDispositionLanguages(t *testing.T) {
	for _, tc := range []struct {
		raw          string
		typ          string
		params, lang []string
	}{
		{`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL ("attachment" ("filename" "a b.pdf" "size" "3")) ("en" "de") NIL)`,
			"attachment", []string{"filename", "a b.pdf", "size", "3"}, []string{"en", "de"}},
		{`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL ("inline" NIL) "en")`, "inline", nil, []string{"en"}},
		{`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL NIL)`, "", nil, nil},
		{`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)`, "", nil, nil},
		// Not of the RFC's shape: kept raw, not taken apart.
		{`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL ("inline"))`, "", nil, nil},
		{`(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1) "MIXED" ("BOUNDARY" "x") ("form-data" ("name" "f")) ("fr"))`,
			"form-data", []string{"name", "f"}, []string{"fr"}},
	} {
		b, err := ParseBodyStructure([]byte(tc.raw), false)
		require.NoError(t, err, tc.raw)
		assert.Equal(t, tc.typ, string(b.DispositionType.Bytes), tc.raw)
		if tc.typ != "" {
			assert.True(t, b.DispositionType.IsString())
		}
		var got []string
		for v := b.DispositionParams; v.More(); {
			x, ok := v.Next()
			require.True(t, ok)
			got = append(got, string(x.Bytes))
		}
		assert.Equal(t, tc.params, got, tc.raw)
		got = nil
		for v := b.Languages; v.More(); {
			x, ok := v.Next()
			require.True(t, ok)
			require.True(t, x.IsString())
			got = append(got, string(x.Bytes))
		}
		assert.Equal(t, tc.lang, got, tc.raw)
	}
	b, err := ParseBodyStructure([]byte(`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL ("inline"))`), false)
	require.NoError(t, err)
	assert.Equal(t, `("inline")`, string(b.Disposition))
}

// TestReaderBodyStructureFastPath reads the same structures from a line
// (the in-place path) and split by literals (the general path): the
// results agree, and what one refuses the other refuses.
func TestReaderBodyStructureFastPath(t *testing.T) {
	for _, raw := range []string{
		`(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 4554 NIL ("attachment" ("filename" "r.pdf")) NIL NIL) "MIXED" ("BOUNDARY" "xyz") NIL NIL NIL)`,
		`("TEXT" "HTML" ("CHARSET" "UTF-8") "<id>" "d" "QUOTED-PRINTABLE" 2310 41 "md5" ("inline" NIL) ("en" "de") "http://x" X (1 2))`,
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 (NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "HTML" NIL NIL NIL "QP" 5 2) 12)`,
		`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL ("inline"))`,
		`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 )`,
		`("TEXT" "PLAIN" NIL NIL NIL "7BIT"  1 1)`,
		`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1)`,
		`(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)  "MIXED")`,
		`("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL ("inline" ("a" "\` + "\x01" + `")))`,
	} {
		line := "* 1 FETCH (BODYSTRUCTURE " + raw + ")\r\n"
		r := NewReader(strings.NewReader(line), ClientSide, Options{})
		_, err := r.ReadResponse()
		require.NoError(t, err)
		items := r.FetchItems()
		require.True(t, items.Next())
		fast, ferr := r.BodyStructure()
		want, werr := ParseBodyStructure([]byte(raw), false)
		if werr != nil || bytes.ContainsAny([]byte(raw), "\x01") || strings.Contains(raw, "  ") || strings.Contains(raw, " )") {
			assert.Error(t, ferr, raw)
			continue
		}
		require.NoError(t, ferr, raw)
		assert.Equal(t, want, fast, raw)
	}
}

func TestBodyPartsNextInto(t *testing.T) {
	raw := []byte(`(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "7BIT" 10 1 NIL ("inline" NIL) "en" NIL)("IMAGE" "PNG" NIL NIL NIL "BASE64" 20) "MIXED")`)
	b, err := ParseBodyStructure(raw, false)
	require.NoError(t, err)
	byValue, into := b.Children(), b.Children()
	var got BodyStructure
	for {
		want, ok := byValue.Next()
		require.Equal(t, ok, into.NextInto(&got))
		if !ok {
			break
		}
		assert.Equal(t, want, got)
	}
	require.NoError(t, into.Err())
	bad, err := ParseBodyStructure([]byte(`(("TEXT" "PLAIN" NIL NIL NIL "7BIT" x 1) "MIXED")`), false)
	require.NoError(t, err)
	kids := bad.Children()
	assert.False(t, kids.NextInto(&got))
	assert.ErrorIs(t, kids.Err(), ErrSyntax)
	assert.Equal(t, BodyStructure{}, got)
}

// BodyStructureInto and EnvelopeInto decode what BodyStructure and
// Envelope return, fast path and general path alike, and reuse the value.
func TestReaderInto(t *testing.T) {
	for _, body := range []string{
		`(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)("TEXT" "HTML" NIL NIL NIL "QP" 5 2) "ALTERNATIVE" ("BOUNDARY" "b") ("inline" NIL) "en" NIL)`,
		`("TEXT" "PLAIN" ("NAME" {3}` + "\r\n" + `a.b) NIL NIL "7BIT" 1 1)`,
	} {
		env := `("d" "s" (("n" NIL "m" "h")) NIL NIL NIL NIL NIL NIL "<i>")`
		line := "* 1 FETCH (ENVELOPE " + env + " BODYSTRUCTURE " + body + ")\r\n"
		read := func(into bool) (Envelope, BodyStructure) {
			r := NewReader(strings.NewReader(line+line), ClientSide, Options{})
			var e Envelope
			var b BodyStructure
			for range 2 {
				_, err := r.ReadResponse()
				require.NoError(t, err)
				items := r.FetchItems()
				require.True(t, items.Next())
				if into {
					require.NoError(t, r.EnvelopeInto(&e))
				} else {
					e, err = r.Envelope()
					require.NoError(t, err)
				}
				require.True(t, items.Next())
				if into {
					require.NoError(t, r.BodyStructureInto(&b))
				} else {
					b, err = r.BodyStructure()
					require.NoError(t, err)
				}
				require.False(t, items.Next())
				require.NoError(t, items.Err())
			}
			return e, b
		}
		e1, b1 := read(false)
		e2, b2 := read(true)
		assert.Equal(t, e1, e2)
		assert.Equal(t, b1, b2)
	}
}

// fetchWalkLine is a FETCH response with an envelope and a structure of
// every kind of field, on one line: the in-place paths.
const fetchWalkLine = `* 7 FETCH (UID 9 ENVELOPE ("Wed, 17 Jul 1996" "s \"q\"" (("T G" NIL "g" "x.edu")) ((NIL NIL "g" "x.edu")) NIL ((NIL NIL "i" "y.org")) ` +
	`((NIL NIL "m" "z.us")("J K" NIL "k" "mit.edu")) NIL NIL "<id@x>") BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)` +
	`("APPLICATION" "PDF" ("NAME" "r.pdf") NIL NIL "BASE64" 4554 NIL ("attachment" ("filename" "r.pdf")) ("en" "de") "http://x") "MIXED" ("BOUNDARY" "xyz") NIL NIL NIL))` + "\r\n"

// walkFetchInto reads fetchWalkLine's items with the Into methods and
// returns how many strings it saw.
func walkFetchInto(r *Reader, env *Envelope, b, part *BodyStructure, a *Address) (int, error) {
	if _, err := r.ReadResponse(); err != nil {
		return 0, err
	}
	n := 0
	items := r.FetchItems()
	for items.Next() {
		switch items.Item().Att {
		case FetchUID:
			if _, err := r.Number(); err != nil {
				return n, err
			}
		case FetchEnvelope:
			if err := r.EnvelopeInto(env); err != nil {
				return n, err
			}
			for _, l := range [...]*Addresses{&env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc} {
				for l.NextInto(a) {
					n++
				}
			}
		case FetchBodyStructure:
			if err := r.BodyStructureInto(b); err != nil {
				return n, err
			}
			kids := b.Children()
			for kids.NextInto(part) {
				for v := part.Params; v.More(); n++ {
					v.Next()
				}
				for v := part.DispositionParams; v.More(); n++ {
					v.Next()
				}
				for v := part.Languages; v.More(); n++ {
					v.Next()
				}
			}
			if err := kids.Err(); err != nil {
				return n, err
			}
		}
	}
	return n, items.Err()
}

func TestFetchIntoAllocs(t *testing.T) {
	r := NewReader(chunked.NewLoop([]byte(fetchWalkLine)), ClientSide, Options{})
	var env Envelope
	var b, part BodyStructure
	var a Address
	allocs := testing.AllocsPerRun(50, func() {
		n, err := walkFetchInto(r, &env, &b, &part, &a)
		if err != nil || n != 5+8 {
			t.Fatal(n, err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkFetchInto(b *testing.B) {
	r := NewReader(chunked.NewLoop([]byte(fetchWalkLine)), ClientSide, Options{})
	var env Envelope
	var bs, part BodyStructure
	var a Address
	b.SetBytes(int64(len(fetchWalkLine)))
	b.ReportAllocs()
	for b.Loop() {
		if n, err := walkFetchInto(r, &env, &bs, &part, &a); err != nil || n != 13 {
			b.Fatal(n, err)
		}
	}
}
