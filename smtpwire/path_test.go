package smtpwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMailFrom(t *testing.T) {
	tests := []struct {
		args, mailbox, local, domain string
		opt                          PathOptions
		err                          error
	}{
		{args: "FROM:<a@b.example>", mailbox: "a@b.example", local: "a", domain: "b.example"},
		{args: "from:<a@b.example>", mailbox: "a@b.example", local: "a", domain: "b.example"},
		{args: "FROM:<>"},
		{args: "FROM:<> BODY=8BITMIME"},
		{args: "FROM:<first.last+tag@sub.example.org>", mailbox: "first.last+tag@sub.example.org", local: "first.last+tag", domain: "sub.example.org"},
		{args: `FROM:<"a b"@c.example>`, mailbox: `"a b"@c.example`, local: `"a b"`, domain: "c.example"},
		{args: `FROM:<"a>b"@c.example>`, mailbox: `"a>b"@c.example`, local: `"a>b"`, domain: "c.example"},
		{args: `FROM:<"a\"b"@c.example>`, mailbox: `"a\"b"@c.example`, local: `"a\"b"`, domain: "c.example"},
		{args: "FROM:<@relay.example,@r2.example:a@b.example>", mailbox: "a@b.example", local: "a", domain: "b.example"},
		{args: "FROM:<a@[192.0.2.1]>", mailbox: "a@[192.0.2.1]", local: "a", domain: "[192.0.2.1]"},
		{args: "FROM:<a@[IPv6:2001:db8::1]>", mailbox: "a@[IPv6:2001:db8::1]", local: "a", domain: "[IPv6:2001:db8::1]"},
		{args: "FROM:<a@[x-tag:stuff]>", mailbox: "a@[x-tag:stuff]", local: "a", domain: "[x-tag:stuff]"},
		{args: `FROM:<a@[x-tag:b"c]>`, mailbox: `a@[x-tag:b"c]`, local: "a", domain: `[x-tag:b"c]`},
		{args: `FROM:<@r.example:"a>b"@[x:"]> SIZE=1`, mailbox: `"a>b"@[x:"]`, local: `"a>b"`, domain: `[x:"]`},
		{args: "FROM:<a@xn--mnchen-3ya.example>", mailbox: "a@xn--mnchen-3ya.example", local: "a", domain: "xn--mnchen-3ya.example"},
		{args: "FROM:<jörg@münchen.example> SMTPUTF8", mailbox: "jörg@münchen.example", local: "jörg", domain: "münchen.example"},
		{args: "FROM: <a@b.example>", opt: PathOptions{AllowSpaceAfterColon: true}, mailbox: "a@b.example", local: "a", domain: "b.example"},
		{args: "FROM: <a@b.example>", err: ErrAddress},
		{args: "FROM:a@b.example", err: ErrAddress},
		{args: "FROM:<a@b.example", err: ErrAddress},
		{args: "TO:<a@b.example>", err: ErrArguments},
		{args: "FROM:<jörg@b.example>", err: ErrAddress},
		{args: "FROM:<a@münchen.example>", err: ErrAddress},
		{args: "FROM:<a@xn--zz.example>", err: ErrAddress},
		{args: "FROM:<a..b@c.example>", err: ErrAddress},
		{args: "FROM:<.a@c.example>", err: ErrAddress},
		{args: "FROM:<a.@c.example>", err: ErrAddress},
		{args: "FROM:<a b@c.example>", err: ErrAddress},
		{args: "FROM:<a@-c.example>", err: ErrAddress},
		{args: "FROM:<a@c-.example>", err: ErrAddress},
		{args: "FROM:<a@c..example>", err: ErrAddress},
		{args: "FROM:<a@c_d.example>", err: ErrAddress},
		{args: "FROM:<a@[300.1.1.1]>", err: ErrAddress},
		{args: "FROM:<a@[1.1.1]>", err: ErrAddress},
		{args: "FROM:<a@[IPv6:zz]>", err: ErrAddress},
		{args: "FROM:<a>", err: ErrAddress},
		{args: "FROM:<Postmaster>", err: ErrAddress},
		{args: "FROM:<@x.example>", err: ErrAddress},
		{args: "FROM:<@x.example:>", err: ErrAddress},
		{args: "FROM:<@:a@b.example>", err: ErrAddress},
		{args: "FROM:<\"a\x01\"@b.example>", err: ErrAddress},
		{args: "FROM:<" + strings.Repeat("a", 65) + "@b.example>", err: ErrAddress},
		{args: "FROM:<" + strings.Repeat("a", 65) + "@b.example>", opt: PathOptions{MaxLocalPart: 70}, mailbox: strings.Repeat("a", 65) + "@b.example", local: strings.Repeat("a", 65), domain: "b.example"},
		{args: "FROM:<a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 62) + ">", err: ErrAddress},
		{args: "FROM:<a@" + strings.Repeat("b", 64) + ".example>", err: ErrAddress},
		{args: "FROM:<a@b.example> ", err: ErrParameter},
		{args: "FROM:<a@b.example>SIZE=1", err: ErrParameter},
		{args: "FROM:<a@b.example> SIZE=1 SIZE=2", err: ErrDuplicateParameter},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			m, err := ParseMailFrom([]byte(tt.args), tt.opt)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mailbox, string(m.From.Mailbox))
			assert.Equal(t, tt.local, string(m.From.LocalPart))
			assert.Equal(t, tt.domain, string(m.From.Domain))
			assert.Equal(t, tt.mailbox == "", m.From.IsNull())
		})
	}
}

func TestParseRcptTo(t *testing.T) {
	tests := []struct {
		args, mailbox, domain string
		opt                   PathOptions
		err                   error
	}{
		{args: "TO:<a@b.example>", mailbox: "a@b.example", domain: "b.example"},
		{args: "To:<Postmaster>", mailbox: "Postmaster"},
		{args: "TO:<postmaster@b.example>", mailbox: "postmaster@b.example", domain: "b.example"},
		{args: "TO:<jörg@b.example>", opt: PathOptions{SMTPUTF8: true}, mailbox: "jörg@b.example", domain: "b.example"},
		{args: "TO:<a@b.example> NOTIFY=NEVER ORCPT=rfc822;a@b.example", mailbox: "a@b.example", domain: "b.example"},
		{args: "TO:<jörg@b.example>", err: ErrAddress},
		{args: "TO:<>", err: ErrAddress},
		{args: "TO:<a>", err: ErrAddress},
		{args: "FROM:<a@b.example>", err: ErrArguments},
		{args: "TO:<a@b.example> SIZE=10", err: ErrParameterNotAllowed},
		{args: "TO:<a@b.example> NOTIFY=NEVER,DELAY", err: ErrParameter},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			r, err := ParseRcptTo([]byte(tt.args), tt.opt)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mailbox, string(r.To.Mailbox))
			assert.Equal(t, tt.domain, string(r.To.Domain))
		})
	}
}

func TestPathErrorStatus(t *testing.T) {
	_, err := ParseMailFrom([]byte("FROM:<a b@c>"), PathOptions{})
	assert.Equal(t, 501, StatusOf(err).Code)
	assert.Equal(t, EnhancedCode{5, 1, 7}, StatusOf(err).Enhanced)
	_, err = ParseRcptTo([]byte("TO:<a b@c>"), PathOptions{})
	assert.Equal(t, EnhancedCode{5, 1, 3}, StatusOf(err).Enhanced)
	_, err = ParseRcptTo([]byte("TO:<a@c> SIZE=1"), PathOptions{})
	assert.Equal(t, 555, StatusOf(err).Code)
}

func TestParsePathAllocs(t *testing.T) {
	mail := []byte("FROM:<first.last@mail.example.org> SIZE=12345 BODY=8BITMIME")
	rcpt := []byte("TO:<\"quoted local\"@[192.0.2.7]> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;x+2By@example.org")
	n := testing.AllocsPerRun(100, func() {
		if _, err := ParseMailFrom(mail, PathOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseRcptTo(rcpt, PathOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

// Parse into a kept value reads as the Parse functions do, keeps nothing
// of the command before (a parameter it had is absent now), leaves the
// value zero on an error, and allocates nothing.
func TestParseIntoKeptValue(t *testing.T) {
	var r RcptTo
	require.NoError(t, r.Parse([]byte("TO:<a@example.org> NOTIFY=NEVER ORCPT=rfc822;a@example.org"), PathOptions{}))
	require.NoError(t, r.Parse([]byte("TO:<b@example.org>"), PathOptions{}))
	want, err := ParseRcptTo([]byte("TO:<b@example.org>"), PathOptions{})
	require.NoError(t, err)
	assert.Equal(t, want.To, r.To)
	assert.False(t, r.Params.Has(ParamNotify))
	assert.Equal(t, Notify(0), r.Params.Notify())
	_, _, ok := r.Params.ORCPT(nil)
	assert.False(t, ok, "ORCPT of the command before")
	require.Error(t, r.Parse([]byte("TO:<b@example.org> SIZE=1"), PathOptions{}))
	assert.Equal(t, RcptTo{}, r)

	var m MailFrom
	require.NoError(t, m.Parse([]byte("FROM:<a@example.org> SIZE=10 BODY=8BITMIME RET=HDRS"), PathOptions{}))
	require.NoError(t, m.Parse([]byte("FROM:<>"), PathOptions{}))
	assert.True(t, m.From.IsNull())
	_, ok = m.Params.Size()
	assert.False(t, ok)
	assert.Equal(t, BodyNone, m.Params.Body())
	assert.Equal(t, RetNone, m.Params.Ret())
	require.Error(t, m.Parse([]byte("FROM:<a@b> NOTIFY=NEVER"), PathOptions{}))
	assert.Equal(t, MailFrom{}, m)

	mail := []byte("FROM:<first.last@mail.example.org> SIZE=12345 BODY=8BITMIME")
	rcpt := []byte("TO:<\"quoted local\"@[192.0.2.7]> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;x+2By@example.org")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if m.Parse(mail, PathOptions{}) != nil || r.Parse(rcpt, PathOptions{}) != nil {
			t.Fatal("refused")
		}
	}))
}

func BenchmarkParseMailFrom(b *testing.B) {
	args := []byte("FROM:<first.last@mail.example.org> SIZE=12345 BODY=8BITMIME SMTPUTF8")
	b.ReportAllocs()
	b.SetBytes(int64(len(args)))
	for b.Loop() {
		if _, err := ParseMailFrom(args, PathOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A DSN client's RCPT: the path, NOTIFY and ORCPT checked and read back.
func BenchmarkParseRcptToDSN(b *testing.B) {
	args := []byte("TO:<rcpt-12-3@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;rcpt-12-3@example.net")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(args)))
	for b.Loop() {
		r, err := ParseRcptTo(args, PathOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, a, ok := r.Params.ORCPT(buf[:0]); !ok || len(a) != 21 || r.Params.Notify() != NotifySuccess|NotifyFailure {
			b.Fatal("parameters lost")
		}
	}
}
