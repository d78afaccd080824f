package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextTokens(t *testing.T) {
	r := line(t, ServerSide, `a1 UID FETCH 1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (DATE)]<0.10> \Seen NIL "q")`+"\r\n", Quirks{})
	var got []string
	for {
		tok, err := r.Next()
		require.NoError(t, err)
		if tok.Kind == KindEnd {
			break
		}
		if tok.Kind != KindSP {
			got = append(got, tok.Kind.String()+":"+string(tok.Bytes))
		}
	}
	assert.Equal(t, []string{"atom:a1", "atom:UID", "atom:FETCH", "atom:1:*,3", "(:(", "atom:FLAGS",
		"atom:BODY.PEEK", "[:[", "atom:HEADER.FIELDS", "(:(", "atom:DATE", "):)", "]:]", "atom:<0.10>",
		`flag:\Seen`, "NIL:NIL", "quoted:q", "):)"}, got)
}

func TestNextRejectsControlBytes(t *testing.T) {
	r := line(t, ServerSide, "a\x01b\r\n", Quirks{})
	_, err := r.Next()
	require.NoError(t, err)
	_, err = r.Next()
	require.ErrorIs(t, err, ErrSyntax)
}

func TestCapture(t *testing.T) {
	tests := []struct {
		in, want string
		q        Quirks
		err      error
	}{
		{"(a (b \"c\") NIL {3}\r\nxyz) rest", "(a (b \"c\") NIL {3}\r\nxyz)", Quirks{}, nil},
		{"() x", "()", Quirks{}, nil},
		{"atom x", "atom", Quirks{}, nil},
		{`\Seen x`, `\Seen`, Quirks{}, nil},
		{"(a )", "", Quirks{}, ErrSyntax},
		{"(a )", "(a )", Quirks{TrailingSpace: true}, nil},
		{"(a  b)", "", Quirks{}, ErrSyntax},
		{"(a", "", Quirks{}, ErrSyntax},
		{")", "", Quirks{}, ErrSyntax},
		{strings.Repeat("(", 200) + strings.Repeat(")", 200), "", Quirks{}, ErrTooDeep},
	}
	for _, tt := range tests {
		r := line(t, ClientSide, tt.in+"\r\n", tt.q)
		got, err := r.Capture()
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, string(got))
	}
}

func TestCaptureRefusesSyncLiteralOnServer(t *testing.T) {
	r := line(t, ServerSide, "(a {3}\r\n", Quirks{})
	_, err := r.Capture()
	require.ErrorIs(t, err, ErrSyntax)
	_, open := r.Literal()
	assert.True(t, open)
}
