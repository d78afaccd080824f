package imapwire

import (
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
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

// A literal that is not inside a list is a value too: Capture yields its
// header and data, ValuesOf its data, and the line goes on after it.
func TestCaptureBareLiteral(t *testing.T) {
	tests := []struct {
		in   string
		lim  Limits
		want string
		err  error
	}{
		{"* 1 FETCH (X-FOO {3}\r\nabc X-BAR 7)\r\n", Limits{}, "abc", nil},
		{"* 1 FETCH (X-FOO {0}\r\n X-BAR 7)\r\n", Limits{}, "", nil},
		{"* 1 FETCH (X-FOO {5}\r\n(a b) X-BAR 7)\r\n", Limits{}, "(a b)", nil},
		{"* 1 FETCH (X-FOO {3}\r\na\x00c X-BAR 7)\r\n", Limits{}, "", ErrLiteralNUL},
		{"* 1 FETCH (X-FOO {30}\r\n" + strings.Repeat("x", 30) + " X-BAR 7)\r\n", Limits{MaxInlineLiteral: 20}, "", ErrLiteralTooLarge},
	}
	for _, tt := range tests {
		r := NewReader(chunked.NewReader([]byte(tt.in+"z OK done\r\n"), 3, 4), ClientSide, Options{Limits: tt.lim})
		resp, err := r.ReadResponse()
		require.NoError(t, err)
		require.Equal(t, DataFetch, resp.Data)
		items := r.FetchItems()
		var got []string
		for items.Next() {
			it := items.Item()
			raw, err := r.Capture()
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err, tt.in)
				break
			}
			require.NoError(t, err, tt.in)
			v := ValuesOf(raw)
			tok, ok := v.Next()
			require.True(t, ok, "%q", raw)
			require.False(t, v.More())
			got = append(got, string(it.Name)+"="+string(tok.AppendValue(nil)))
		}
		if tt.err == nil {
			require.NoError(t, items.Err(), tt.in)
			assert.Equal(t, []string{"X-FOO=" + tt.want, "X-BAR=7"}, got, tt.in)
		}
		next, err := r.ReadResponse()
		require.NoError(t, err, tt.in)
		assert.Equal(t, "z", string(next.Tag), "%q: the next response starts after the literal", tt.in)
	}
}

func TestCaptureRefusesSyncLiteralOnServer(t *testing.T) {
	r := line(t, ServerSide, "(a {3}\r\n", Quirks{})
	_, err := r.Capture()
	require.ErrorIs(t, err, ErrSyntax)
	_, open := r.Literal()
	assert.True(t, open)
}
