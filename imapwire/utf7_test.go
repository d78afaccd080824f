package imapwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUTF7(t *testing.T) {
	tests := []struct{ utf8, wire string }{
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
		{"INBOX", "INBOX"},
		{"R&D", "R&-D"},
		{"Entwürfe", "Entw&APw-rfe"},
		{"😀", "&2D3eAA-"},
		{"a\tb", "a&AAk-b"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.wire, string(AppendUTF7Encode(nil, []byte(tt.utf8))), tt.utf8)
		got, err := AppendUTF7Decode(nil, []byte(tt.wire))
		require.NoError(t, err, tt.wire)
		assert.Equal(t, tt.utf8, string(got))
	}
}

func TestUTF7Rejects(t *testing.T) {
	for _, in := range []string{
		"&U,BTFw",     // unterminated
		"&AGE-",       // "a" must be written directly
		"&-&",         // unterminated after a valid &-
		"&APw-&APw-",  // adjacent encoded runs
		"&2D0-",       // lone high surrogate
		"&3gA-",       // lone low surrogate
		"&APx-",       // non-zero padding bits
		"&A-",         // too few bits for a character
		"&A*w-",       // not base64
		"caf\xc3\xa9", // 8-bit
		"a\x00b",      // control
		"&AP,-",       // "," is valid base64 here, but bits left over
	} {
		_, err := AppendUTF7Decode(nil, []byte(in))
		assert.ErrorIs(t, err, ErrUTF7, in)
	}
}

func TestMailboxName(t *testing.T) {
	got, err := AppendMailboxName(nil, []byte("R&D"), true)
	require.NoError(t, err)
	assert.Equal(t, "R&D", string(got), "UTF8=ACCEPT: no mUTF-7")
	_, err = AppendMailboxName(nil, []byte("R&D"), false)
	assert.ErrorIs(t, err, ErrUTF7)
	got, err = AppendMailboxName(nil, []byte("Entw&APw-rfe"), false)
	require.NoError(t, err)
	assert.Equal(t, "Entwürfe", string(got))
	_, err = AppendMailboxName(nil, []byte("\xff"), true)
	assert.ErrorIs(t, err, ErrInvalidUTF8)
	assert.True(t, IsInbox([]byte("iNbOx")))
}

// The Reader's mailbox methods obey its UTF-8 mode on both sides: modified
// UTF-7 checked and decoded when it is off, UTF-8 (and "&" as itself) when
// it is on (RFC 3501 §5.1.3, RFC 6855 §3, RFC 9051 §5.1).
func TestReaderMailboxMode(t *testing.T) {
	tests := []struct {
		wire string
		utf8 bool
		want string
		err  error
	}{
		{"Entw&APw-rfe", false, "Entwürfe", nil},
		{`"Sent &- \"x\""`, false, `Sent & "x"`, nil},
		{"R&D", false, "", ErrUTF7},
		{`"R&D"`, false, "", ErrUTF7},
		{"{3}\r\nR&D", false, "", ErrUTF7},
		{"{5}\r\nR&-D!", false, "R&D!", nil},
		{"{3}\r\nR\xc3\xa9", false, "", ErrUTF7},
		{"R&D", true, "R&D", nil},
		{"\"Entw\xc3\xbcrfe\"", true, "Entwürfe", nil},
		{"Entw&APw-rfe", true, "Entw&APw-rfe", nil},
		{"{3}\r\na\xffb", true, "", ErrInvalidUTF8},
		{"{3}\r\nR\xc3\xa9", true, "Ré", nil},
	}
	for _, tt := range tests {
		// A server reads SELECT, a client reads STATUS and LIST.
		srv := NewReader(strings.NewReader("a SELECT "+tt.wire+"\r\n"), ServerSide, Options{UTF8: tt.utf8})
		_, err := srv.ReadCommand()
		require.NoError(t, err)
		require.NoError(t, srv.SP())
		tok, err := srv.Mailbox()
		var got []byte
		if err == nil && tok.Kind == KindLiteral {
			require.NoError(t, srv.Accept())
			tok.Bytes, err = srv.Inline()
		}
		if err == nil {
			got, err = srv.AppendMailboxName(nil, tok)
		}
		check := func(side string, got []byte, err error) {
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err, "%s %q", side, tt.wire)
				assert.Equal(t, "BAD", ReplyFor(err).Cond)
				return
			}
			require.NoError(t, err, "%s %q", side, tt.wire)
			assert.Equal(t, tt.want, string(got), "%s %q", side, tt.wire)
		}
		check("server", got, err)

		cl := NewReader(strings.NewReader("* STATUS "+tt.wire+" (MESSAGES 1)\r\n* LIST () \"/\" "+tt.wire+"\r\n"), ClientSide, Options{})
		cl.SetUTF8(tt.utf8)
		_, err = cl.ReadResponse()
		require.NoError(t, err)
		tok, _, err = cl.ReadStatusData()
		if err == nil {
			got, err = cl.AppendMailboxName(nil, tok)
		}
		check("STATUS", got, err)
		_, err = cl.ReadResponse()
		require.NoError(t, err)
		d, err := cl.ReadListData()
		if err == nil {
			got, err = cl.AppendMailboxName(nil, d.Mailbox)
		}
		check("LIST", got, err)
	}
}

func TestReaderMailboxNameAllocs(t *testing.T) {
	r := NewReader(strings.NewReader(""), ServerSide, Options{})
	tok := Token{Kind: KindQuoted, Bytes: []byte(`~peter/&U,BTFw-/\"x\"`), Escaped: true}
	buf := make([]byte, 0, 64)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		out, err := r.AppendMailboxName(buf[:0], tok)
		if err != nil || string(out) != "~peter/台北/\"x\"" {
			t.Fatal(string(out), err)
		}
	}))
}

func TestUTF7Allocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	name := []byte("~peter/mail/台北/日本語")
	wire := []byte("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		buf = AppendUTF7Encode(buf[:0], name)
		buf, _ = AppendUTF7Decode(buf[:0], wire)
	}))
}

func BenchmarkUTF7(b *testing.B) {
	buf := make([]byte, 0, 64)
	wire := []byte("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendUTF7Decode(buf[:0], wire)
		buf = AppendUTF7Encode(buf[:0], buf)
	}
}

// A client reads a response whose one name a server got wrong (Yandex:
// "&" unencoded, modern-email/defects #46): the response reads whole, and
// only decoding that name fails.
func TestClientMailboxCheckedByName(t *testing.T) {
	r := NewReader(strings.NewReader("* LIST () \"/\" \"R&D\"\r\n* LIST () \"/\" \"R&-D\"\r\n"), ClientSide, Options{})
	for _, want := range []error{ErrUTF7, nil} {
		_, err := r.ReadResponse()
		require.NoError(t, err)
		d, err := r.ReadListData()
		require.NoError(t, err)
		name, err := r.AppendMailboxName(nil, d.Mailbox)
		if want != nil {
			require.ErrorIs(t, err, want)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, "R&D", string(name))
	}
}
