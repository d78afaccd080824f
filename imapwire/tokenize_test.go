package imapwire

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// line starts a Reader on one message.
func line(t *testing.T, side Side, in string, q Quirks) *Reader {
	t.Helper()
	r := NewReader(strings.NewReader(in), side, Options{Quirks: q})
	require.NoError(t, r.Begin())
	return r
}

func TestTypedTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		read func(r *Reader) (string, error)
		want string
		err  bool
	}{
		{"atom", "FETCH ", func(r *Reader) (string, error) { b, err := r.Atom(); return string(b), err }, "FETCH", false},
		{"atom stops at ]", "A]", func(r *Reader) (string, error) { b, err := r.Atom(); return string(b), err }, "A", false},
		{"no atom", "(x)", func(r *Reader) (string, error) { b, err := r.Atom(); return string(b), err }, "", true},
		{"8-bit is no atom", "caf\xc3\xa9", func(r *Reader) (string, error) { b, err := r.Atom(); return string(b), err }, "caf", false},
		{"number", "4294967295", func(r *Reader) (string, error) { n, err := r.Number(); return u(uint64(n)), err }, "4294967295", false},
		{"number overflow", "4294967296", func(r *Reader) (string, error) { n, err := r.Number(); return u(uint64(n)), err }, "0", true},
		{"number64", "9223372036854775807", func(r *Reader) (string, error) { n, err := r.Number64(); return u(n), err }, "9223372036854775807", false},
		{"number64 overflow", "9223372036854775808", func(r *Reader) (string, error) { n, err := r.Number64(); return u(n), err }, "0", true},
		{"quoted", `"a\"b\\c"`, str, `a"b\c`, false},
		{"quoted bad escape", `"a\zb"`, str, "", true},
		{"quoted NUL", "\"a\x00b\"", str, "", true},
		{"quoted CR", "\"a\rb\"", str, "", true},
		{"quoted unterminated", `"abc`, str, "", true},
		{"astring atom with ]", "foo]bar", astr, "foo]bar", false},
		{"astring quoted", `"a b"`, astr, "a b", false},
		{"nstring NIL", "nil", nstr, "<nil>", false},
		{"nstring NILS is no NIL", "NILS", nstr, "", true},
		{"flag system", `\Seen`, flag, `\Seen`, false},
		{"flag wildcard", `\*`, flag, `\*`, false},
		{"flag keyword", `$Junk`, flag, `$Junk`, false},
		{"flag empty", `\ `, flag, "", true},
		{"text keeps {5}", "see {5}", func(r *Reader) (string, error) { b, err := r.Text(); return string(b), err }, "see {5}", false},
		{"text refuses NUL", "a\x00b", func(r *Reader) (string, error) { b, err := r.Text(); return string(b), err }, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read(line(t, ClientSide, tt.in+"\r\n", Quirks{}))
			if tt.err {
				require.ErrorIs(t, err, ErrSyntax)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func str(r *Reader) (string, error) {
	t, err := r.String()
	return string(t.AppendValue(nil)), err
}

func astr(r *Reader) (string, error) {
	t, err := r.AString()
	return string(t.AppendValue(nil)), err
}

func nstr(r *Reader) (string, error) {
	t, err := r.NString()
	if t.IsNil() {
		return "<nil>", err
	}
	return string(t.AppendValue(nil)), err
}

func flag(r *Reader) (string, error) {
	t, err := r.Flag()
	return string(t.Bytes), err
}

func TestListCursor(t *testing.T) {
	tests := []struct {
		in    string
		q     Quirks
		flags []string
		err   bool
	}{
		{`(\Seen $Junk)`, Quirks{}, []string{`\Seen`, `$Junk`}, false},
		{`()`, Quirks{}, nil, false},
		{`(\Seen )`, Quirks{}, []string{`\Seen`}, true},
		{`(\Seen )`, Quirks{TrailingSpace: true}, []string{`\Seen`}, false},
		{`(\Seen  \Draft)`, Quirks{}, []string{`\Seen`}, true},
		{`(\Seen\Draft)`, Quirks{}, []string{`\Seen`}, true},
		{`\Seen`, Quirks{}, nil, true},
		{`(\Seen`, Quirks{}, []string{`\Seen`}, true},
	}
	for _, tt := range tests {
		r := line(t, ClientSide, tt.in+"\r\n", tt.q)
		var got []string
		l := r.List()
		var err error
		for l.Next() {
			var f Token
			if f, err = r.Flag(); err != nil {
				break
			}
			got = append(got, string(f.Bytes))
		}
		if err == nil {
			err = l.Err()
		}
		assert.Equal(t, tt.flags, got, tt.in)
		if tt.err {
			assert.ErrorIs(t, err, ErrSyntax, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.NoError(t, r.End(), tt.in)
		assert.Equal(t, len(tt.flags), l.Len())
	}
}

func TestListDepth(t *testing.T) {
	r := NewReader(strings.NewReader(strings.Repeat("(", 40)+"\r\n"), ServerSide, Options{})
	require.NoError(t, r.Begin())
	var err error
	for range 40 {
		l := r.List()
		if !l.Next() {
			err = l.Err()
			break
		}
	}
	require.ErrorIs(t, err, ErrTooDeep)
	assert.Equal(t, "BAD", ReplyFor(err).Cond)
}

func TestKeywordAndPeek(t *testing.T) {
	r := line(t, ServerSide, "uid FETCH\r\n", Quirks{})
	assert.False(t, r.Keyword("UIDS"))
	assert.Equal(t, byte('u'), r.Peek())
	assert.True(t, r.Keyword("UID"))
	require.NoError(t, r.SP())
	assert.False(t, r.Keyword("FETC"))
	assert.True(t, r.Keyword("FETCH"))
	assert.True(t, r.AtEnd())
	assert.Equal(t, byte(0), r.Peek())
	require.NoError(t, r.End())
	require.ErrorIs(t, r.SP(), ErrNoMessage)
}

// UTF-8 mode decides what 8-bit octets may do outside literals (RFC 3501
// §9, RFC 6855 §3, RFC 9051 §4.3), on both sides, and ENABLE turns it on
// mid-session.
func TestUTF8Mode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		utf8 bool
		want string
		err  error
	}{
		{"7-bit quoted", `"cafe"`, false, "cafe", nil},
		{"8-bit quoted without UTF-8", "\"caf\xc3\xa9\"", false, "", ErrEightBit},
		{"UTF-8 quoted", "\"caf\xc3\xa9\"", true, "caf\xc3\xa9", nil},
		{"invalid UTF-8 quoted", "\"caf\xe9\"", true, "", ErrInvalidUTF8},
		{"overlong UTF-8 quoted", "\"\xc0\xaf\"", true, "", ErrInvalidUTF8},
		{"8-bit atom", "caf\xc3\xa9", false, "", ErrEightBit},
		{"8-bit atom under UTF-8", "caf\xc3\xa9", true, "", ErrEightBit},
		{"8-bit literal", "{5}\r\ncaf\xc3\xa9", false, "caf\xc3\xa9", nil},
	}
	for _, tt := range tests {
		for _, side := range []Side{ServerSide, ClientSide} {
			in := "a x " + tt.in + "\r\n"
			r := NewReader(strings.NewReader(in), side, Options{UTF8: tt.utf8})
			require.NoError(t, r.Begin())
			_, err := r.Atom()
			require.NoError(t, err)
			require.NoError(t, r.SP())
			tok, err := r.Flag()
			require.NoError(t, err)
			require.NoError(t, r.SP())
			if err == nil {
				tok, err = r.AString()
			}
			if err == nil && tok.Kind == KindLiteral {
				require.NoError(t, r.Accept())
				tok.Bytes, err = r.Inline()
			}
			if err == nil {
				err = r.End()
			}
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err, "%s side %d", tt.name, side)
				assert.Equal(t, "BAD", ReplyFor(err).Cond)
				assert.False(t, ReplyFor(err).Fatal)
				continue
			}
			require.NoError(t, err, tt.name)
			assert.Equal(t, tt.want, string(tok.AppendValue(nil)), tt.name)
		}
	}
	// ENABLE UTF8=ACCEPT mid-session: the next command may quote UTF-8.
	r := NewReader(strings.NewReader("a SELECT \"Entw\xc3\xbcrfe\"\r\nb SELECT \"Entw\xc3\xbcrfe\"\r\n"), ServerSide, Options{})
	for _, on := range []bool{false, true} {
		r.SetUTF8(on)
		assert.Equal(t, on, r.UTF8())
		_, err := r.ReadCommand()
		require.NoError(t, err)
		require.NoError(t, r.SP())
		_, err = r.Mailbox()
		if !on {
			require.ErrorIs(t, err, ErrEightBit)
			continue
		}
		require.NoError(t, err)
		require.NoError(t, r.End())
	}
}
