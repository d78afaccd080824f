package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncoderStringForms(t *testing.T) {
	long := strings.Repeat("x ", 2500)
	tests := []struct {
		name string
		enc  Encoder
		in   string
		want string
		err  error
	}{
		{"atom", Encoder{}, "INBOX", "INBOX", nil},
		{"astring keeps ]", Encoder{}, "a]b", "a]b", nil},
		{"space quoted", Encoder{}, "a b", `"a b"`, nil},
		{"escapes", Encoder{}, `a"b\`, `"a\"b\\"`, nil},
		{"empty quoted", Encoder{}, "", `""`, nil},
		{"NIL quoted", Encoder{}, "nil", `"nil"`, nil},
		{"CRLF literal", Encoder{}, "a\r\nb", "{4}\r\na\r\nb", nil},
		{"8-bit literal", Encoder{}, "café", "{5}\r\ncafé", nil},
		{"8-bit quoted under UTF8", Encoder{UTF8: true}, "café", `"café"`, nil},
		{"bad UTF-8 literal under UTF8", Encoder{UTF8: true}, "caf\xff", "{4}\r\ncaf\xff", nil},
		{"long literal", Encoder{}, long, "{5000}\r\n" + long, nil},
		{"client LITERAL+", Encoder{Side: ClientSide, NonSync: LiteralPlus}, long, "{5000+}\r\n" + long, nil},
		{"client LITERAL- small", Encoder{Side: ClientSide, NonSync: LiteralMinus}, "a\nb", "{3+}\r\na\nb", nil},
		{"client LITERAL- large", Encoder{Side: ClientSide, NonSync: LiteralMinus}, long, "", ErrSyncLiteral},
		{"client sync", Encoder{Side: ClientSide}, "a\nb", "", ErrSyncLiteral},
		{"NUL", Encoder{}, "a\x00b", "", ErrInjection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.enc.AppendAString([]byte("x "), []byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, "x ", string(got), "dst unchanged")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "x "+tt.want, string(got))
			// What the encoder writes reads back as the same value.
			reader := ClientSide
			if tt.enc.Side == ClientSide {
				reader = ServerSide
			}
			r := NewReader(strings.NewReader(string(got)+"\r\n"), reader, Options{Limits: Limits{MaxInlineLiteral: 8192, MaxNonSyncLiteral: 8192}, UTF8: tt.enc.UTF8})
			require.NoError(t, r.Begin())
			_, err = r.Atom()
			require.NoError(t, err)
			require.NoError(t, r.SP())
			tok, err := r.AString()
			require.NoError(t, err)
			if tok.Kind == KindLiteral {
				tok.Bytes, err = r.Inline()
				require.NoError(t, err)
			}
			assert.Equal(t, tt.in, string(tok.AppendValue(nil)))
		})
	}
}

func TestEncoderNStringAndMailbox(t *testing.T) {
	e := Encoder{}
	got, err := e.AppendNString(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "NIL", string(got))
	got, err = e.AppendNString(nil, []byte{})
	require.NoError(t, err)
	assert.Equal(t, `""`, string(got))
	got, err = e.AppendMailbox(nil, []byte("Entwürfe"))
	require.NoError(t, err)
	assert.Equal(t, "Entw&APw-rfe", string(got))
	got, err = Encoder{UTF8: true}.AppendMailbox(nil, []byte("R&D"))
	require.NoError(t, err)
	assert.Equal(t, "R&D", string(got))
	got, err = e.AppendMailbox(nil, []byte("a b&"))
	require.NoError(t, err)
	assert.Equal(t, `"a b&-"`, string(got))
	_, err = e.AppendMailbox(nil, []byte("\xff"))
	assert.ErrorIs(t, err, ErrUTF7)
	_, err = e.AppendQuoted(nil, []byte("a\rb"))
	assert.ErrorIs(t, err, ErrInjection)
}

func TestAppendAtomsAndFlags(t *testing.T) {
	got, err := AppendAtom(nil, []byte("FETCH"))
	require.NoError(t, err)
	assert.Equal(t, "FETCH", string(got))
	_, err = AppendAtom(nil, []byte("a b"))
	assert.ErrorIs(t, err, ErrInjection)
	for _, ok := range []string{`\Seen`, `\*`, `$Junk`} {
		got, err := AppendFlag(nil, []byte(ok))
		require.NoError(t, err, ok)
		assert.Equal(t, ok, string(got))
	}
	for _, bad := range []string{`\`, "", "a\r\nb", `\Seen)`} {
		_, err := AppendFlag(nil, []byte(bad))
		assert.ErrorIs(t, err, ErrInjection, bad)
	}
	assert.Equal(t, "42", string(AppendNumber(nil, 42)))
	assert.Equal(t, "~{7}\r\n", string(AppendLiteralHeader(nil, Literal{Size: 7, Binary: true})))
}

func TestAppendStatus(t *testing.T) {
	tests := []struct {
		tag        []byte
		cond, code string
		text, want string
		err        bool
	}{
		{[]byte("a1"), "OK", "", "done", "a1 OK done\r\n", false},
		{nil, "OK", "UIDNEXT 5", "predicted", "* OK [UIDNEXT 5] predicted\r\n", false},
		{nil, "BYE", "", "", "* BYE \r\n", false},
		{[]byte("a1"), "OK", "", "[fake] text", "", true},
		{[]byte("a1"), "OK", "X]Y", "t", "", true},
		{[]byte("a1"), "OK", "", "a\r\n* OK injected", "", true},
		{[]byte("a+"), "OK", "", "t", "", true},
		{[]byte("a1"), "MAYBE", "", "t", "", true},
	}
	for _, tt := range tests {
		got, err := AppendStatus([]byte("x"), tt.tag, tt.cond, []byte(tt.code), []byte(tt.text))
		if tt.err {
			require.ErrorIs(t, err, ErrInjection, tt.text)
			assert.Equal(t, "x", string(got))
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, "x"+tt.want, string(got))
	}
	got, err := AppendContinuation(nil, []byte("Ready"))
	require.NoError(t, err)
	assert.Equal(t, "+ Ready\r\n", string(got))
	_, err = AppendContinuation(nil, []byte("a\nb"))
	assert.ErrorIs(t, err, ErrInjection)
}

func TestEncoderAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	e := Encoder{}
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		buf, _ = e.AppendAString(buf[:0], []byte("a b"))
		buf, _ = e.AppendLiteral(buf, []byte("x\r\ny"))
		buf, _ = e.AppendMailbox(buf, []byte("Entwürfe"))
		buf, _ = AppendStatus(buf, []byte("a1"), "OK", []byte("READ-WRITE"), []byte("SELECT completed"))
	}))
}

func BenchmarkEncoder(b *testing.B) {
	buf := make([]byte, 0, 256)
	e := Encoder{}
	name, text := []byte("Sent Items"), []byte("a\r\nb")
	b.SetBytes(int64(len(name) + len(text)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = e.AppendAString(buf[:0], name)
		buf, _ = e.AppendString(buf, text)
	}
}
