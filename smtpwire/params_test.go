package smtpwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testExtensions are the unknown keywords the table tests accept.
var testExtensions = []string{"X-FOO", "x-flag", "X-A", "X", "X_Y", "-X"}

func mailParams(t *testing.T, params string) (Params, error) {
	t.Helper()
	m, err := ParseMailFrom([]byte("FROM:<a@b.example> "+params), PathOptions{ExtensionParams: testExtensions})
	return m.Params, err
}

func rcptParams(t *testing.T, params string) (Params, error) {
	t.Helper()
	r, err := ParseRcptTo([]byte("TO:<a@b.example> "+params), PathOptions{ExtensionParams: testExtensions})
	return r.Params, err
}

func TestMailParams(t *testing.T) {
	tests := []struct {
		params string
		check  func(t *testing.T, ps Params)
		err    error
	}{
		{params: "SIZE=1000000", check: func(t *testing.T, ps Params) {
			p, ok := ps.Get(ParamSize)
			require.True(t, ok)
			assert.Equal(t, uint64(1000000), p.Size())
		}},
		{params: "SIZE=18446744073709551615", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamSize)
			assert.Equal(t, uint64(18446744073709551615), p.Size())
		}},
		{params: "body=8bitmime", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamBody)
			assert.Equal(t, Body8BitMIME, p.Body())
		}},
		{params: "BODY=7BIT", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamBody)
			assert.Equal(t, Body7Bit, p.Body())
		}},
		{params: "BODY=BINARYMIME SMTPUTF8 REQUIRETLS", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamBody)
			assert.Equal(t, BodyBinaryMIME, p.Body())
			assert.True(t, ps.Has(ParamSMTPUTF8))
			assert.True(t, ps.Has(ParamRequireTLS))
			assert.False(t, ps.Has(ParamSize))
			assert.False(t, ps.Has(ParamUnknown))
		}},
		{params: "RET=HDRS ENVID=QQ+2B314", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamRet)
			assert.Equal(t, RetHdrs, p.Ret())
			p, _ = ps.Get(ParamEnvID)
			v, err := p.DecodeXtext(nil)
			require.NoError(t, err)
			assert.Equal(t, "QQ+314", string(v))
		}},
		{params: "RET=FULL", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamRet)
			assert.Equal(t, RetFull, p.Ret())
		}},
		{params: "AUTH=<>", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamAuth)
			assert.True(t, p.IsNullAuth())
		}},
		{params: "AUTH=e+3Dmc2@example.com", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamAuth)
			assert.False(t, p.IsNullAuth())
			v, err := p.DecodeXtext(make([]byte, 0, 64))
			require.NoError(t, err)
			assert.Equal(t, "e=mc2@example.com", string(v))
		}},
		{params: "MT-PRIORITY=-9", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamMTPriority)
			assert.Equal(t, -9, p.Priority())
		}},
		{params: "MT-PRIORITY=+3", check: func(t *testing.T, ps Params) {
			p, _ := ps.Get(ParamMTPriority)
			assert.Equal(t, 3, p.Priority())
		}},
		{params: "X-FOO=bar X-FLAG", check: func(t *testing.T, ps Params) {
			var got []string
			for p := range ps.All() {
				assert.Equal(t, ParamUnknown, p.Kind)
				got = append(got, string(p.Keyword)+"|"+string(p.Value))
			}
			assert.Equal(t, []string{"X-FOO|bar", "X-FLAG|"}, got)
			assert.Equal(t, "X-FOO=bar X-FLAG", string(ps.Raw()))
		}},
		{params: "SIZE=", err: ErrParameter},
		{params: "SIZE=x", err: ErrParameter},
		{params: "SIZE", err: ErrParameter},
		{params: "SIZE=123456789012345678901", err: ErrParameter},
		{params: "SIZE=18446744073709551616", err: ErrParameter},
		{params: "BODY=9BIT", err: ErrParameter},
		{params: "SMTPUTF8=yes", err: ErrParameter},
		{params: "REQUIRETLS=1", err: ErrParameter},
		{params: "RET=ALL", err: ErrParameter},
		{params: "ENVID=" + strings.Repeat("a", 101), err: ErrParameter},
		{params: "ENVID=a+0Ab", err: ErrParameter},
		{params: "ENVID=a+zz", err: ErrParameter},
		{params: "AUTH=a+2", err: ErrParameter},
		{params: "MT-PRIORITY=10", err: ErrParameter},
		{params: "MT-PRIORITY=-", err: ErrParameter},
		{params: "NOTIFY=NEVER", err: ErrParameterNotAllowed},
		{params: "ORCPT=rfc822;a@b", err: ErrParameterNotAllowed},
		{params: "-X=1", err: ErrParameter},
		{params: "X_Y=1", err: ErrParameter},
		{params: "X=a=b", err: ErrParameter},
		{params: "X=a\x01", err: ErrParameter},
		{params: "SIZE=1  BODY=7BIT", err: ErrParameter},
		{params: "size=1 SIZE=2", err: ErrDuplicateParameter},
		{params: "X-A=1 x-a=2", err: ErrDuplicateParameter},
		{params: "SMTPUTF8 SMTPUTF8", err: ErrDuplicateParameter},
	}
	for _, tt := range tests {
		t.Run(tt.params, func(t *testing.T) {
			ps, err := mailParams(t, tt.params)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			tt.check(t, ps)
		})
	}
}

func TestRcptParams(t *testing.T) {
	tests := []struct {
		params string
		notify Notify
		orcpt  string // type|decoded
		err    error
	}{
		{params: "NOTIFY=NEVER", notify: NotifyNever},
		{params: "NOTIFY=success,FAILURE,Delay", notify: NotifySuccess | NotifyFailure | NotifyDelay},
		{params: "ORCPT=rfc822;joe+2Bx@example.org", orcpt: "rfc822|joe+x@example.org"},
		{params: `ORCPT=utf-8;j\x{F6}rg@example.org`, orcpt: "utf-8|jörg@example.org"},
		{params: "ORCPT=utf-8;jörg@example.org", orcpt: "utf-8|jörg@example.org"},
		{params: "NOTIFY=NEVER,SUCCESS", err: ErrParameter},
		{params: "NOTIFY=SUCCESS,SUCCESS", err: ErrParameter},
		{params: "NOTIFY=", err: ErrParameter},
		{params: "NOTIFY=SUCCESS,", err: ErrParameter},
		{params: "ORCPT=rfc822", err: ErrParameter},
		{params: "ORCPT=rfc822;", err: ErrParameter},
		{params: "ORCPT=;a@b", err: ErrParameter},
		{params: `ORCPT=rfc822;j\x{F6}rg`, orcpt: `rfc822|j\x{F6}rg`},
		{params: "ORCPT=rfc822;jörg", err: ErrParameter},
		{params: `ORCPT=utf-8;j\x{D800}rg`, err: ErrParameter},
		{params: `ORCPT=utf-8;j\x{F}rg`, err: ErrParameter},
		{params: "ORCPT=rfc822;" + strings.Repeat("a", 500), err: ErrParameter},
		{params: "BODY=8BITMIME", err: ErrParameterNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.params, func(t *testing.T) {
			ps, err := rcptParams(t, tt.params)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.notify != 0 {
				p, ok := ps.Get(ParamNotify)
				require.True(t, ok)
				assert.Equal(t, tt.notify, p.Notify())
			}
			if tt.orcpt != "" {
				p, ok := ps.Get(ParamORCPT)
				require.True(t, ok)
				typ, _ := p.ORCPT()
				v, err := p.DecodeXtext(nil)
				require.NoError(t, err)
				assert.Equal(t, tt.orcpt, string(typ)+"|"+string(v))
			}
		})
	}
}

// Unknown parameters are refused unless the server names them (RFC 5321
// §4.1.1.11: 555 5.5.4).
func TestUnknownParams(t *testing.T) {
	tests := []struct {
		args string
		rcpt bool
		ext  []string
		err  error
	}{
		{args: "FROM:<a@b.example> X-FOO=bar", err: ErrUnknownParameter},
		{args: "FROM:<a@b.example> SIZE=10 XCLIENT", err: ErrUnknownParameter},
		{args: "TO:<a@b.example> RRVS=2014-04-03T23:01:00Z", rcpt: true, err: ErrUnknownParameter},
		{args: "FROM:<a@b.example> X-FOO=bar", ext: []string{"x-foo"}},
		{args: "TO:<a@b.example> X-FOO", rcpt: true, ext: []string{"X-FOO"}},
		{args: "FROM:<a@b.example> X-FOO=bar X-BAR", ext: []string{"X-FOO"}, err: ErrUnknownParameter},
		{args: "FROM:<a@b.example> X-FOO=1 x-foo=2", ext: []string{"X-FOO"}, err: ErrDuplicateParameter},
		{args: "FROM:<a@b.example> NOTIFY=NEVER", ext: []string{"NOTIFY"}, err: ErrParameterNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			opt := PathOptions{ExtensionParams: tt.ext}
			var err error
			var ps Params
			if tt.rcpt {
				var r RcptTo
				r, err = ParseRcptTo([]byte(tt.args), opt)
				ps = r.Params
			} else {
				var m MailFrom
				m, err = ParseMailFrom([]byte(tt.args), opt)
				ps = m.Params
			}
			if tt.err == nil {
				require.NoError(t, err)
				for p := range ps.All() {
					assert.Equal(t, ParamUnknown, p.Kind)
				}
				return
			}
			require.ErrorIs(t, err, tt.err)
			st, want := StatusOf(err), 555
			if tt.err == ErrDuplicateParameter {
				want = 501
			}
			assert.Equal(t, want, st.Code)
			assert.Equal(t, EnhancedCode{5, 5, 4}, st.Enhanced)
			assert.False(t, st.Fatal)
		})
	}
}

func TestDecodeORCPT(t *testing.T) {
	tests := []struct{ param, typ, addr string }{
		{"ORCPT=rfc822;joe+2Bx@example.org", "rfc822", "joe+x@example.org"},
		{`ORCPT=utf-8;j\x{F6}rg@example.org`, "utf-8", "jörg@example.org"},
		{"ORCPT=UTF-8;j+C3+B6rg@example.org", "UTF-8", "jörg@example.org"},
	}
	for _, tt := range tests {
		ps, err := rcptParams(t, tt.param)
		require.NoError(t, err)
		p, ok := ps.Get(ParamORCPT)
		require.True(t, ok)
		typ, addr, err := p.DecodeORCPT([]byte("k:"))
		require.NoError(t, err)
		assert.Equal(t, tt.typ, string(typ))
		assert.Equal(t, "k:"+tt.addr, string(addr))
		buf := make([]byte, 0, 64)
		assert.Zero(t, testing.AllocsPerRun(10, func() {
			if _, _, err := p.DecodeORCPT(buf[:0]); err != nil {
				t.Fatal(err)
			}
		}))
	}
	_, dst, err := Param{Kind: ParamEnvID, Value: []byte("x")}.DecodeORCPT([]byte("k"))
	require.ErrorIs(t, err, ErrParameter)
	assert.Equal(t, "k", string(dst))
}

// The typed parameters of the parse side are the writer's: parse, convert,
// write, and the line comes back.
func TestTypedParamsRoundTrip(t *testing.T) {
	mail := "MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME SMTPUTF8 REQUIRETLS RET=HDRS ENVID=id+2B1 AUTH=e+3Dmc2@b.example MT-PRIORITY=-3 X-FOO=1\r\n"
	cmd, err := ParseCommand([]byte(strings.TrimSuffix(mail, "\r\n")))
	require.NoError(t, err)
	m, err := ParseMailFrom(cmd.Args, PathOptions{ExtensionParams: []string{"X-FOO"}})
	require.NoError(t, err)
	mp, err := m.Params.MailParams()
	require.NoError(t, err)
	assert.Equal(t, MailParams{Size: 100, Body: Body8BitMIME, SMTPUTF8: true, RequireTLS: true, Ret: RetHdrs, EnvID: "id+1",
		Auth: "e=mc2@b.example", MTPriority: -3, HasMTPriority: true, Extra: []ExtraParam{{"X-FOO", "1"}}}, mp)
	wire, err := AppendMailFrom(nil, string(m.From.Mailbox), &mp)
	require.NoError(t, err)
	assert.Equal(t, mail, string(wire))

	m, err = ParseMailFrom([]byte("FROM:<> SIZE=0 AUTH=<>"), PathOptions{})
	require.NoError(t, err)
	mp, err = m.Params.MailParams()
	require.NoError(t, err)
	wire, err = AppendMailFrom(nil, "", &mp)
	require.NoError(t, err)
	assert.Equal(t, "MAIL FROM:<> AUTH=<> SIZE=0\r\n", string(wire), "SIZE=0 travels in Extra")

	rcpt := "RCPT TO:<c@d.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c+2Bx@d.example\r\n"
	r, err := ParseRcptTo([]byte(strings.TrimPrefix(strings.TrimSuffix(rcpt, "\r\n"), "RCPT ")), PathOptions{})
	require.NoError(t, err)
	rp, err := r.Params.RcptParams()
	require.NoError(t, err)
	assert.Equal(t, RcptParams{Notify: NotifySuccess | NotifyDelay, ORCPTType: "rfc822", ORCPT: "c+x@d.example"}, rp)
	wire, err = AppendRcptTo(nil, string(r.To.Mailbox), false, &rp)
	require.NoError(t, err)
	assert.Equal(t, rcpt, string(wire))
}

func TestParamKindString(t *testing.T) {
	for k := ParamSize; k < numParamKinds; k++ {
		assert.Equal(t, k, lookupParam([]byte(strings.ToLower(k.String()))))
	}
	assert.Equal(t, "", ParamKind(99).String())
}

func TestDecodeXtextRefusesBadValue(t *testing.T) {
	_, err := Param{Kind: ParamEnvID, Value: []byte("a+G0")}.DecodeXtext(nil)
	require.ErrorIs(t, err, ErrParameter)
}

func TestParamsAllocs(t *testing.T) {
	m, err := ParseMailFrom([]byte("FROM:<a@b.example> SIZE=100 BODY=8BITMIME ENVID=x+2By AUTH=<> X-Y=z"), PathOptions{ExtensionParams: []string{"X-Y"}})
	require.NoError(t, err)
	buf := make([]byte, 0, 64)
	n := testing.AllocsPerRun(100, func() {
		for p := range m.Params.All() {
			switch p.Kind {
			case ParamSize:
				_ = p.Size()
			case ParamBody:
				_ = p.Body()
			case ParamEnvID:
				if _, err := p.DecodeXtext(buf[:0]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, ok := m.Params.Get(ParamAuth); !ok {
			t.Fatal("no AUTH")
		}
	})
	assert.Zero(t, n)
}

// The typed accessors of Params read the index and the values decoded by
// parsing: the same answers as Get and the Param methods.
func TestParamsTypedAccessors(t *testing.T) {
	m, err := ParseMailFrom([]byte("FROM:<a@b.example> SIZE=4096 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B314 MT-PRIORITY=-4"), PathOptions{})
	require.NoError(t, err)
	ps := m.Params
	n, ok := ps.Size()
	assert.True(t, ok)
	assert.Equal(t, uint64(4096), n)
	assert.Equal(t, Body8BitMIME, ps.Body())
	assert.Equal(t, RetHdrs, ps.Ret())
	prio, ok := ps.MTPriority()
	assert.True(t, ok)
	assert.Equal(t, -4, prio)
	envid, ok := ps.EnvID([]byte("k:"))
	assert.True(t, ok)
	assert.Equal(t, "k:QQ+314", string(envid))
	_, _, ok = ps.ORCPT(nil)
	assert.False(t, ok)
	assert.Equal(t, Notify(0), ps.Notify())

	m, err = ParseMailFrom([]byte("FROM:<a@b.example> ENVID=plain"), PathOptions{})
	require.NoError(t, err)
	envid, ok = m.Params.EnvID(nil)
	assert.True(t, ok)
	assert.Equal(t, "plain", string(envid))
	_, ok = m.Params.Size()
	assert.False(t, ok)
	_, ok = m.Params.MTPriority()
	assert.False(t, ok)
	assert.Equal(t, BodyNone, m.Params.Body())
	assert.Equal(t, RetNone, m.Params.Ret())
	dst := []byte("k")
	var empty Params
	out, ok := empty.EnvID(dst)
	assert.False(t, ok)
	assert.Equal(t, "k", string(out))

	for _, tt := range []struct{ params, typ, addr string }{
		{"ORCPT=rfc822;joe+2Bx@example.org", "rfc822", "joe+x@example.org"},
		{"ORCPT=rfc822;joe@example.org", "rfc822", "joe@example.org"},
		{`ORCPT=rfc822;j\x{F6}rg`, "rfc822", `j\x{F6}rg`},
		{`ORCPT=utf-8;j\x{F6}rg@example.org`, "utf-8", "jörg@example.org"},
		{"ORCPT=utf-8;jörg@example.org", "utf-8", "jörg@example.org"},
		{"ORCPT=UTF-8;j+C3+B6rg@example.org", "UTF-8", "jörg@example.org"},
	} {
		ps, err := rcptParams(t, "NOTIFY=FAILURE,DELAY "+tt.params)
		require.NoError(t, err, tt.params)
		assert.Equal(t, NotifyFailure|NotifyDelay, ps.Notify())
		typ, addr, ok := ps.ORCPT([]byte("k:"))
		assert.True(t, ok)
		assert.Equal(t, tt.typ, string(typ), tt.params)
		assert.Equal(t, "k:"+tt.addr, string(addr), tt.params)
	}
}

func TestParamsAccessorAllocs(t *testing.T) {
	mail := []byte("FROM:<sender-1@example.org> SIZE=10037 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159+2B1")
	rcpt := []byte("TO:<rcpt-1-7@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;rcpt+2Btag-1-7@example.net")
	buf := make([]byte, 0, 128)
	n := testing.AllocsPerRun(100, func() {
		m, err := ParseMailFrom(mail, PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ps := m.Params
		if n, _ := ps.Size(); n != 10037 || ps.Body() != Body8BitMIME || ps.Ret() != RetHdrs || !ps.Has(ParamSMTPUTF8) {
			t.Fatal("MAIL parameters lost")
		}
		if v, _ := ps.EnvID(buf[:0]); string(v) != "QQ314159+1" {
			t.Fatal("ENVID lost")
		}
		r, err := ParseRcptTo(rcpt, PathOptions{SMTPUTF8: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Params.Notify() != NotifySuccess|NotifyFailure {
			t.Fatal("NOTIFY lost")
		}
		if _, a, _ := r.Params.ORCPT(buf[:0]); string(a) != "rcpt+tag-1-7@example.net" {
			t.Fatal("ORCPT lost")
		}
	})
	assert.Zero(t, n)
}

func TestParamsTooLong(t *testing.T) {
	long := "FROM:<a@b.example> X=" + strings.Repeat("v", maxParams)
	_, err := ParseMailFrom([]byte(long), PathOptions{ExtensionParams: []string{"X"}})
	require.ErrorIs(t, err, ErrParameter)
	_, err = ParseMailFrom([]byte(long[:len(long)-3]), PathOptions{ExtensionParams: []string{"X"}})
	require.NoError(t, err)
}

// FuzzParsePathParams: the one-pass parser accepts exactly what the
// validate-then-re-split parser it replaced (params_ref_test.go) accepts,
// refuses the rest with the same error, and reads back the same path and
// parameters through Get, All and the typed accessors.
// The arguments FuzzParsePathParams parses into a value before the input,
// with every parameter of MAIL and of RCPT.
const (
	keptMailArgs = "FROM:<kept@example.org> SIZE=99 BODY=BINARYMIME SMTPUTF8 RET=FULL ENVID=k+2B AUTH=<> MT-PRIORITY=-2 REQUIRETLS"
	keptRcptArgs = "TO:<kept@example.org> NOTIFY=DELAY ORCPT=rfc822;k+2B@example.org"
)

func FuzzParsePathParams(f *testing.F) {
	for _, s := range []string{
		"FROM:<sender-1@example.org> SIZE=10037 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159-1",
		"TO:<rcpt-1-7@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;rcpt+2Btag-1-7@example.net",
		"TO:<Postmaster> NOTIFY=NEVER",
		`TO:<"a\"b"@c.example> ORCPT=utf-8;j\x{F6}rg@example.org`,
		"TO:<jörg@münchen.example> ORCPT=utf-8;jörg@example.org",
		"FROM:<> AUTH=<> MT-PRIORITY=+3 REQUIRETLS",
		"FROM:<@r.example:a@[192.0.2.1]> AUTH=e+3Dmc2 X-FOO=1 x-foo=2",
		"FROM: <a@xn--mnchen-3ya.example> SIZE=1  BODY=7BIT",
		"FROM:<a@b.example> ENVID=a+0Ab",
		"TO:<a@b.example> NOTIFY=SUCCESS,",
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(0xff))
		f.Add([]byte(s), uint8(32|16))
		f.Add([]byte(s), uint8(32))
	}
	f.Fuzz(func(t *testing.T, args []byte, flags uint8) {
		opt := PathOptions{SMTPUTF8: flags&1 != 0, AllowSpaceAfterColon: flags&2 != 0}
		if flags&4 != 0 {
			opt.ExtensionParams = testExtensions
		}
		if flags&8 != 0 {
			opt.MaxLocalPart, opt.MaxDomain, opt.MaxPath = 8, 16, 30
		}
		var ps Params
		var p, refPath Path
		var ref refParams
		var err, refErr error
		// With flags&32, the value parsed into is one kept from a command
		// before that had every parameter: nothing of it may show.
		if flags&16 == 0 {
			var m MailFrom
			if flags&32 == 0 {
				m, err = ParseMailFrom(args, opt)
			} else {
				require.NoError(t, m.Parse([]byte(keptMailArgs), PathOptions{}))
				if err = m.Parse(args, opt); err != nil {
					require.Equal(t, MailFrom{}, m, "a refused MAIL leaves the kept value zero")
				}
			}
			p, ps = m.From, m.Params
			refPath, ref, refErr = refParseMailFrom(args, opt)
		} else {
			var r RcptTo
			if flags&32 == 0 {
				r, err = ParseRcptTo(args, opt)
			} else {
				require.NoError(t, r.Parse([]byte(keptRcptArgs), PathOptions{}))
				if err = r.Parse(args, opt); err != nil {
					require.Equal(t, RcptTo{}, r, "a refused RCPT leaves the kept value zero")
				}
			}
			p, ps = r.To, r.Params
			refPath, ref, refErr = refParseRcptTo(args, opt)
		}
		if refErr != nil {
			require.Error(t, err, "accepted what the reference refuses: %v", refErr)
			require.Equal(t, refErr.Error(), err.Error())
			require.Equal(t, StatusOf(refErr), StatusOf(err))
			return
		}
		require.NoError(t, err)
		require.Equal(t, refPath, p)
		require.Equal(t, ref.raw, ps.Raw())
		var all, refAll []Param
		for q := range ps.All() {
			all = append(all, q)
		}
		for rest := ref.raw; len(rest) > 0; {
			var word []byte
			word, rest, _ = bytes.Cut(rest, []byte{' '})
			refAll = append(refAll, refSplitParam(word))
		}
		require.Equal(t, refAll, all)
		for k := ParamUnknown; k < numParamKinds; k++ {
			require.Equal(t, ref.has(k), ps.Has(k), k)
			want, wantOK := ref.get(k)
			got, ok := ps.Get(k)
			require.Equal(t, wantOK, ok, k)
			require.Equal(t, want, got, k)
		}
		q, has := ref.get(ParamSize)
		n, ok := ps.Size()
		require.Equal(t, has, ok)
		require.Equal(t, q.Size(), n)
		q, _ = ref.get(ParamBody)
		require.Equal(t, q.Body(), ps.Body())
		q, _ = ref.get(ParamRet)
		require.Equal(t, q.Ret(), ps.Ret())
		q, _ = ref.get(ParamNotify)
		require.Equal(t, q.Notify(), ps.Notify())
		q, has = ref.get(ParamMTPriority)
		prio, ok := ps.MTPriority()
		require.Equal(t, has, ok)
		require.Equal(t, q.Priority(), prio)
		q, has = ref.get(ParamEnvID)
		envid, ok := ps.EnvID(nil)
		require.Equal(t, has, ok)
		if has {
			want, err := q.DecodeXtext(nil)
			require.NoError(t, err)
			require.Equal(t, want, envid)
		}
		q, has = ref.get(ParamORCPT)
		typ, addr, ok := ps.ORCPT(nil)
		require.Equal(t, has, ok)
		if has {
			wantTyp, want, err := q.DecodeORCPT(nil)
			require.NoError(t, err)
			require.Equal(t, wantTyp, typ)
			require.Equal(t, want, addr)
		}
	})
}

// keywordAt, when it answers, answers as the octet-by-octet scan and
// lookupParam do: every known keyword in both cases, with each octet
// flipped in bit 5 or bit 0, followed by "=", SP, another octet or the end.
func TestKeywordAt(t *testing.T) {
	for k := ParamSize; k < numParamKinds; k++ {
		name := paramNames[k]
		variants := []string{name, strings.ToLower(name), name[1:], name + "X"}
		for i := range len(name) {
			for _, flip := range []byte{0x20, 0x01} {
				b := []byte(name)
				b[i] ^= flip
				variants = append(variants, string(b))
			}
		}
		for _, v := range variants {
			for _, tail := range []string{"=1 SIZE=2", " SIZE=2", "", "-", "=", "  ", "X=1"} {
				raw := []byte(v + tail)
				gotK, gotEnd := keywordAt(raw, 0)
				if gotEnd < 0 {
					continue
				}
				end := 0
				for end < len(raw) && charClass[raw[end]]&cKeyword != 0 {
					end++
				}
				require.True(t, end == len(raw) || raw[end] == '=' || raw[end] == ' ', "%q", raw)
				assert.Equal(t, end, gotEnd, "%q", raw)
				assert.Equal(t, lookupParam(raw[:end]), gotK, "%q", raw)
				assert.NotEqual(t, ParamUnknown, gotK, "%q", raw)
			}
		}
	}
}
