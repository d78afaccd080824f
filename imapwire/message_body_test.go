package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendBodyStructure(t *testing.T) {
	tests := []struct {
		name      string
		msg       []byte
		body, ext string
	}{
		{"forwarded", forwarded,
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 26 0)("message" "rfc822" NIL NIL NIL "7bit" 288 (NIL "the inner message" (("Dave" NIL "dave" "example.test")) (("Dave" NIL "dave" "example.test")) (("Dave" NIL "dave" "example.test")) NIL NIL NIL NIL NIL) (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0)("message" "rfc822" NIL NIL NIL "7bit" 66 (NIL "innermost" (("Eve" NIL "eve" "example.test")) (("Eve" NIL "eve" "example.test")) (("Eve" NIL "eve" "example.test")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 0) 3) "mixed") 16) "mixed")`,
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 26 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 288 (NIL "the inner message" (("Dave" NIL "dave" "example.test")) (("Dave" NIL "dave" "example.test")) (("Dave" NIL "dave" "example.test")) NIL NIL NIL NIL NIL) (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 66 (NIL "innermost" (("Eve" NIL "eve" "example.test")) (("Eve" NIL "eve" "example.test")) (("Eve" NIL "eve" "example.test")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) "mixed" ("boundary" "inner-b") NIL NIL NIL) 16 NIL ("attachment" ("filename" "inner.eml")) NIL NIL) "mixed" ("boundary" "fwd") NIL NIL NIL)`},
		{"extension fields", crlfMsg("MIME-Version: 1.0\nContent-Type: Text/HTML; CHARSET=utf-8; name*0=\"a\"; name*1=\"b\"\n" +
			"Content-ID: <i@x>\nContent-Description: two\n words\nContent-Transfer-Encoding: Base64\nContent-MD5: bWQ1\n" +
			"Content-Disposition: inline; filename=\"x \\\"y\\\".html\"\nContent-Language: en, de\nContent-Location: http://x/y\n\nPGI+\n"),
			`("Text" "HTML" ("CHARSET" "utf-8" "name" "ab") "<i@x>" "two words" "Base64" 6 1)`,
			`("Text" "HTML" ("CHARSET" "utf-8" "name" "ab") "<i@x>" "two words" "Base64" 6 1 "bWQ1" ("inline" ("filename" "x \"y\".html")) ("en" "de") "http://x/y")`},
		{"defaults", crlfMsg("Subject: x\n\nbody\n"),
			`("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1)`,
			`("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL)`},
		{"multipart without parts", crlfMsg("Content-Type: multipart/mixed\n\nx\n"),
			`(` + emptyBody + ` "mixed")`,
			`(` + emptyBodyStructure + ` "mixed" NIL NIL NIL NIL)`},
		{"8-bit parameter", crlfMsg("Content-Type: application/x; name=\"caf\xc3\xa9\"\n\nx"),
			"(\"application\" \"x\" (\"name\" {5}\r\ncaf\xc3\xa9) NIL NIL \"7bit\" 1)",
			"(\"application\" \"x\" (\"name\" {5}\r\ncaf\xc3\xa9) NIL NIL \"7bit\" 1 NIL NIL NIL NIL)"},
	}
	m := NewMessage(MessageOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, m.Parse(tt.msg))
			got, err := AppendBodyStructure(nil, m, false)
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(got))
			got, err = AppendBodyStructure([]byte("x"), m, true)
			require.NoError(t, err)
			assert.Equal(t, "x"+tt.ext, string(got))
			// What we write, the package's own client side reads.
			bs, err := ParseBodyStructure(got[1:], false)
			require.NoError(t, err)
			assert.Equal(t, m.parts[0].Kind == 2, bs.Multipart)
		})
	}
}

func TestMessageBodyStructureParsedBack(t *testing.T) {
	m := NewMessage(MessageOptions{})
	require.NoError(t, m.Parse(forwarded))
	out, err := AppendBodyStructure(nil, m, true)
	require.NoError(t, err)
	n, err := countBodies(out)
	require.NoError(t, err)
	assert.Equal(t, m.Parts(), n)
}

// countBodies counts the body structures in raw with the client-side
// cursor: each part, and the message inside each message/rfc822.
func countBodies(raw []byte) (int, error) {
	bs, err := ParseBodyStructure(raw, false)
	if err != nil {
		return 0, err
	}
	n := 1
	if bs.Multipart {
		parts := bs.Children()
		for {
			p, ok := parts.Next()
			if !ok {
				break
			}
			_ = p
		}
		if err := parts.Err(); err != nil {
			return 0, err
		}
		v := Values{b: bs.Parts} // parts stand side by side: "(…)(…)"
		for {
			t, ok := v.Next()
			if !ok {
				break
			}
			k, err := countBodies(t.Bytes)
			if err != nil {
				return 0, err
			}
			n += k
		}
		return n, nil
	}
	if len(bs.Body) > 0 {
		k, err := countBodies(bs.Body)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}
