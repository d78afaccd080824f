package smtpwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendReply(t *testing.T) {
	tests := []struct {
		code     int
		enhanced EnhancedCode
		text     []string
		want     string
	}{
		{250, EnhancedCode{}, nil, "250\r\n"},
		{250, EnhancedCode{2, 0, 0}, nil, "250 2.0.0\r\n"},
		{250, EnhancedCode{}, []string{"ok"}, "250 ok\r\n"},
		{550, EnhancedCode{5, 1, 1}, []string{"no such user"}, "550 5.1.1 no such user\r\n"},
		{250, EnhancedCode{}, []string{"mx.example", "PIPELINING", "SIZE 10"}, "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n"},
		{421, EnhancedCode{4, 3, 2}, []string{"a", "b"}, "421-4.3.2 a\r\n421 4.3.2 b\r\n"},
		{250, EnhancedCode{}, []string{"tab\there"}, "250 tab\there\r\n"},
	}
	for _, tt := range tests {
		got, err := AppendReply([]byte("x"), tt.code, tt.enhanced, tt.text...)
		require.NoError(t, err)
		assert.Equal(t, "x"+tt.want, string(got))
		// And it reads back.
		r := readOneReply(t, tt.want)
		assert.Equal(t, tt.code, r.Code)
	}
}

func TestAppendReplyRefuses(t *testing.T) {
	tests := []struct {
		name     string
		code     int
		enhanced EnhancedCode
		text     []string
	}{
		{"CRLF injection", 250, EnhancedCode{}, []string{"ok\r\n250 injected"}},
		{"bare LF", 250, EnhancedCode{}, []string{"a", "b\nc"}},
		{"bare CR", 250, EnhancedCode{}, []string{"a\rb"}},
		{"NUL", 250, EnhancedCode{}, []string{"a\x00"}},
		{"code 199", 199, EnhancedCode{}, nil},
		{"code 600", 600, EnhancedCode{}, nil},
		{"code 260", 260, EnhancedCode{}, nil},
		{"class mismatch", 550, EnhancedCode{2, 0, 0}, nil},
		{"bad enhanced", 550, EnhancedCode{5, 1000, 0}, nil},
		{"too long", 250, EnhancedCode{}, []string{strings.Repeat("x", 510)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendReply([]byte("keep"), tt.code, tt.enhanced, tt.text...)
			require.ErrorIs(t, err, ErrInjection)
			assert.Equal(t, "keep", string(got))
		})
	}
}

func TestAppendCommand(t *testing.T) {
	tests := []struct {
		verb Verb
		arg  string
		want string
		err  bool
	}{
		{VerbEHLO, "client.example", "EHLO client.example\r\n", false},
		{VerbHELO, "client.example", "HELO client.example\r\n", false},
		{VerbDATA, "", "DATA\r\n", false},
		{VerbRSET, "", "RSET\r\n", false},
		{VerbNOOP, "", "NOOP\r\n", false},
		{VerbQUIT, "", "QUIT\r\n", false},
		{VerbVRFY, "joe", "VRFY joe\r\n", false},
		{VerbEXPN, "list", "EXPN list\r\n", false},
		{VerbHELP, "MAIL", "HELP MAIL\r\n", false},
		{VerbSTARTTLS, "", "STARTTLS\r\n", false},
		{VerbSTARTTLS, "x", "", true},
		{VerbEHLO, "", "", true},
		{VerbEHLO, "x\r\nMAIL FROM:<evil>", "", true},
		{VerbNOOP, "a\nb", "", true},
		{VerbMAIL, "FROM:<a@b>", "", true},
		{VerbBDAT, "1", "", true},
		{VerbUnknown, "", "", true},
		{Verb(99), "", "", true},
		{VerbVRFY, strings.Repeat("x", 510), "", true},
	}
	for _, tt := range tests {
		got, err := AppendCommand(nil, tt.verb, tt.arg)
		if tt.err {
			require.ErrorIs(t, err, ErrInjection, "%v %q", tt.verb, tt.arg)
			assert.Empty(t, got)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(got))
	}
}

func TestAppendMailFrom(t *testing.T) {
	tests := []struct {
		mailbox string
		p       *MailParams
		want    string
	}{
		{"", nil, "MAIL FROM:<>\r\n"},
		{"a@b.example", nil, "MAIL FROM:<a@b.example>\r\n"},
		{`"a b"@c.example`, &MailParams{}, "MAIL FROM:<\"a b\"@c.example>\r\n"},
		{"a@b.example", &MailParams{Size: 100, Body: Body8BitMIME, SMTPUTF8: true, RequireTLS: true, Ret: RetHdrs,
			EnvID: "id+1", Auth: "e=mc2@b.example", HasMTPriority: true, MTPriority: -3, Extra: []ExtraParam{{"X-A", "1"}, {"X-B", ""}}},
			"MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME SMTPUTF8 REQUIRETLS RET=HDRS ENVID=id+2B1 AUTH=e+3Dmc2@b.example MT-PRIORITY=-3 X-A=1 X-B\r\n"},
		{"a@b.example", &MailParams{Body: Body7Bit, Ret: RetFull, NullAuth: true}, "MAIL FROM:<a@b.example> BODY=7BIT RET=FULL AUTH=<>\r\n"},
		{"a@b.example", &MailParams{Body: BodyBinaryMIME}, "MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n"},
		{"jörg@münchen.example", &MailParams{SMTPUTF8: true}, "MAIL FROM:<jörg@münchen.example> SMTPUTF8\r\n"},
	}
	for _, tt := range tests {
		got, err := AppendMailFrom(nil, tt.mailbox, tt.p)
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(got))
		cmd, err := ParseCommand(bytes.TrimSuffix(got, []byte("\r\n")))
		require.NoError(t, err)
		m, err := ParseMailFrom(cmd.Args, PathOptions{ExtensionParams: []string{"X-A", "X-B"}})
		require.NoError(t, err)
		assert.Equal(t, tt.mailbox, string(m.From.Mailbox))
	}
}

func TestAppendMailFromRefuses(t *testing.T) {
	tests := []struct {
		name    string
		mailbox string
		p       *MailParams
	}{
		{"space", "a b@c.example", nil},
		{"path too long", "a@" + strings.Repeat("b.", 126) + "example", nil},
		{"bracket injection", "a@b.example> SIZE=1", nil},
		{"CRLF", "a@b.example>\r\nRCPT TO:<x@y.example", nil},
		{"UTF-8 without SMTPUTF8", "jörg@b.example", nil},
		{"ENVID control", "a@b.example", &MailParams{EnvID: "a\r\nb"}},
		{"ENVID too long", "a@b.example", &MailParams{EnvID: strings.Repeat("+", 40)}},
		{"priority", "a@b.example", &MailParams{HasMTPriority: true, MTPriority: 10}},
		{"extra keyword", "a@b.example", &MailParams{Extra: []ExtraParam{{"X Y", "1"}}}},
		{"extra value", "a@b.example", &MailParams{Extra: []ExtraParam{{"X", "a b"}}}},
		{"extra CRLF", "a@b.example", &MailParams{Extra: []ExtraParam{{"X", "a\r\nQUIT"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendMailFrom([]byte("keep"), tt.mailbox, tt.p)
			require.ErrorIs(t, err, ErrInjection)
			assert.Equal(t, "keep", string(got))
		})
	}
}

func TestAppendRcptTo(t *testing.T) {
	tests := []struct {
		mailbox string
		utf8    bool
		p       *RcptParams
		want    string
		err     bool
	}{
		{mailbox: "a@b.example", want: "RCPT TO:<a@b.example>\r\n"},
		{mailbox: "Postmaster", want: "RCPT TO:<Postmaster>\r\n"},
		{mailbox: "a@b.example", p: &RcptParams{Notify: NotifyNever}, want: "RCPT TO:<a@b.example> NOTIFY=NEVER\r\n"},
		{mailbox: "a@b.example", p: &RcptParams{Notify: NotifySuccess | NotifyDelay, ORCPT: "a+b@b.example"},
			want: "RCPT TO:<a@b.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+2Bb@b.example\r\n"},
		{mailbox: "jörg@b.example", utf8: true, p: &RcptParams{ORCPTType: "utf-8", ORCPT: "x@b.example", Extra: []ExtraParam{{"RRVS", "2030-01-01T00:00:00Z"}}},
			want: "RCPT TO:<jörg@b.example> ORCPT=utf-8;x@b.example RRVS=2030-01-01T00:00:00Z\r\n"},
		{mailbox: "", err: true},
		{mailbox: "a@" + strings.Repeat("b.", 126) + "example", err: true},
		{mailbox: "jörg@b.example", err: true},
		{mailbox: "a@b.example", p: &RcptParams{Notify: NotifyNever | NotifyDelay}, err: true},
		{mailbox: "a@b.example", p: &RcptParams{Notify: 16}, err: true},
		{mailbox: "a@b.example", p: &RcptParams{ORCPTType: "rfc 822", ORCPT: "x"}, err: true},
		{mailbox: "a@b.example", p: &RcptParams{ORCPT: strings.Repeat("+", 200)}, err: true},
		{mailbox: "a@b.example", p: &RcptParams{Extra: []ExtraParam{{"", "x"}}}, err: true},
	}
	for _, tt := range tests {
		got, err := AppendRcptTo([]byte("k"), tt.mailbox, tt.utf8, tt.p)
		if tt.err {
			require.ErrorIs(t, err, ErrInjection, tt.mailbox)
			assert.Equal(t, "k", string(got))
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, "k"+tt.want, string(got))
		cmd, err := ParseCommand(bytes.TrimSuffix(got[1:], []byte("\r\n")))
		require.NoError(t, err)
		r, err := ParseRcptTo(cmd.Args, PathOptions{SMTPUTF8: tt.utf8, ExtensionParams: []string{"RRVS"}})
		require.NoError(t, err)
		assert.Equal(t, tt.mailbox, string(r.To.Mailbox))
	}
}

func TestAppendBDATAndAuth(t *testing.T) {
	assert.Equal(t, "BDAT 0 LAST\r\n", string(AppendBDAT(nil, 0, true)))
	assert.Equal(t, "BDAT 18446744073709551615\r\n", string(AppendBDAT(nil, 1<<64-1, false)))

	got, err := AppendAuth(nil, "PLAIN", []byte("\x00user\x00pass"), true)
	require.NoError(t, err)
	assert.Equal(t, "AUTH PLAIN AHVzZXIAcGFzcw==\r\n", string(got))
	got, err = AppendAuth(nil, "EXTERNAL", nil, true)
	require.NoError(t, err)
	assert.Equal(t, "AUTH EXTERNAL =\r\n", string(got))
	got, err = AppendAuth(nil, "LOGIN", nil, false)
	require.NoError(t, err)
	assert.Equal(t, "AUTH LOGIN\r\n", string(got))
	for _, bad := range []string{"", "PLAIN X", "PL\r\nAIN", strings.Repeat("A", 21)} {
		_, err = AppendAuth(nil, bad, nil, false)
		require.ErrorIs(t, err, ErrInjection, bad)
	}
	assert.Equal(t, "dXNlcg==\r\n", string(AppendAuthResponse(nil, []byte("user"))))
	assert.Equal(t, "\r\n", string(AppendAuthResponse(nil, nil)))
	assert.Equal(t, "334 VXNlcm5hbWU6\r\n", string(AppendAuthChallenge(nil, []byte("Username:"))))
	assert.Equal(t, "334 \r\n", string(AppendAuthChallenge(nil, nil)))
	r := readOneReply(t, string(AppendAuthChallenge(nil, []byte("Password:"))))
	assert.Equal(t, 334, r.Code)
}

func TestAppendData(t *testing.T) {
	tests := []struct {
		body, want string
		err        error
	}{
		{"", ".\r\n", nil},
		{"a\r\n", "a\r\n.\r\n", nil},
		{"a", "a\r\n.\r\n", nil},
		{".\r\n..x\r\n", "..\r\n...x\r\n.\r\n", nil},
		{"a\n.\nb", "", ErrBareLF},
		{"a\r.\rb", "", ErrBareCR},
		{"a\r\n.\r\r\n", "", ErrBareCR},
	}
	for _, tt := range tests {
		got, err := AppendData([]byte("k"), []byte(tt.body))
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err)
			assert.Equal(t, "k", string(got))
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, "k"+tt.want, string(got))
	}
	var buf bytes.Buffer
	w := NewDataWriter(&buf)
	_, err := w.Write([]byte("a\r"))
	require.NoError(t, err)
	_, err = w.Write([]byte("\n.b\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, "a\r\n..b\r\n.\r\n", buf.String())
	buf.Reset()
	w.Reset(&buf)
	_, err = w.Write([]byte("a\n"))
	require.ErrorIs(t, err, ErrBareLF)
	require.Error(t, w.Close())
	assert.NotContains(t, buf.String(), ".\r\n", "no terminator after a refused body")
}

func TestWriterAllocs(t *testing.T) {
	dst := make([]byte, 0, 4096)
	body := []byte("Subject: x\r\n\r\n.dot\r\nbody\r\n")
	mp := &MailParams{Size: 100, Body: Body8BitMIME, EnvID: "abc", Extra: []ExtraParam{{"X-A", "1"}}}
	rp := &RcptParams{Notify: NotifyFailure, ORCPT: "a@b.example"}
	var sink bytes.Buffer
	sink.Grow(4096)
	w := NewDataWriter(&sink)
	n := testing.AllocsPerRun(100, func() {
		var err error
		b := dst[:0]
		b, err = AppendReply(b, 250, EnhancedCode{2, 0, 0}, "mx.example", "PIPELINING")
		if err != nil {
			t.Fatal(err)
		}
		if b, err = AppendCommand(b, VerbEHLO, "client.example"); err != nil {
			t.Fatal(err)
		}
		if b, err = AppendMailFrom(b, "a@b.example", mp); err != nil {
			t.Fatal(err)
		}
		if b, err = AppendRcptTo(b, "c@d.example", false, rp); err != nil {
			t.Fatal(err)
		}
		b = AppendBDAT(b, 100, true)
		if b, err = AppendAuth(b, "PLAIN", []byte("\x00u\x00p"), true); err != nil {
			t.Fatal(err)
		}
		b = AppendAuthResponse(b, []byte("resp"))
		b = AppendAuthChallenge(b, []byte("Username:"))
		if _, err = AppendData(b, body); err != nil {
			t.Fatal(err)
		}
		sink.Reset()
		w.Reset(&sink)
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

func BenchmarkAppendData(b *testing.B) {
	body := bytes.Repeat([]byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n"), 1000)
	dst := make([]byte, 0, len(body)+1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := AppendData(dst[:0], body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendReply(b *testing.B) {
	dst := make([]byte, 0, 1024)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		out, err := AppendReply(dst[:0], 250, EnhancedCode{}, "mx.example greets you", "PIPELINING", "SIZE 100", "8BITMIME")
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.SetBytes(int64(n))
}
