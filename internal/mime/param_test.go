package mime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMediaType(t *testing.T) {
	tests := []struct {
		in, typ, sub, rest string
		ok                 bool
	}{
		{"text/plain", "text", "plain", "", true},
		{" (c) Text / HTML ; charset=x", "Text", "HTML", "; charset=x", true},
		{"multipart/mixed;\r\n boundary=b", "multipart", "mixed", ";\r\n boundary=b", true},
		{"garbage", "", "", "", false},
		{"text/", "", "", "", false},
		{"text/plain junk", "", "", "", false},
	}
	for _, tt := range tests {
		typ, sub, rest, ok := ParseMediaType([]byte(tt.in))
		require.Equal(t, tt.ok, ok, tt.in)
		if ok {
			v := []byte(tt.in)
			assert.Equal(t, tt.typ, string(v[typ[0]:typ[1]]))
			assert.Equal(t, tt.sub, string(v[sub[0]:sub[1]]))
			assert.Equal(t, tt.rest, string(v[rest:]))
		}
	}
}

func TestAppendParams(t *testing.T) {
	tests := []struct {
		in   string
		want []string // key, value, …
	}{
		{"", nil},
		{`; charset="us-ascii"; format=flowed`, []string{"charset", "us-ascii", "format", "flowed"}},
		{`; name="a \"q\" \\ b"`, []string{"name", `a "q" \ b`}},
		{"; boundary=\"foo\r\n bar\"", []string{"boundary", "foo bar"}},
		{"; junk ; a=1; =2; b; c=3", []string{"a", "1", "c", "3"}},
		{"; name==?utf-8?b?YQ==?=; x=y", []string{"name", "=?utf-8?b?YQ==?=", "x", "y"}},
		// RFC 2231: continuations merged, extended ones keep their form,
		// plain ones first, merged ones sorted by name.
		{"; t*1=\"b\"; t*0=\"a\"; z=1", []string{"z", "1", "t", "ab"}},
		{"; n*0*=UTF-8''%E2; n*1=\"5%\"; n*2*=%20", []string{"n*", "UTF-8''%E25%25%20"}},
		{"; f*=UTF-8''r%C3%A9", []string{"f*", "UTF-8''r%C3%A9"}},
		{"; g*0=a; g*2=c", []string{"g*0", "a", "g*2", "c"}},
		{"; h*0=a; h*1*=%41", []string{"h*", "''a%41"}},
		{"; x*y=1", []string{"x*y", "1"}},
		{`; a="unterminated`, nil},
	}
	var l ParamList
	for _, tt := range tests {
		buf := AppendParams(nil, []byte(tt.in), &l)
		var got []string
		for k := range l.N {
			got = append(got, string(buf[l.Key[k][0]:l.Key[k][1]]), string(buf[l.Val[k][0]:l.Val[k][1]]))
		}
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestAppendLanguages(t *testing.T) {
	var l ParamList
	for in, want := range map[string][]string{"en": {"en"}, " en, de-DE (x)": {"en", "de-DE"}, "": nil, "en;x": {"en"}} {
		buf := AppendLanguages(nil, []byte(in), &l)
		var got []string
		for k := range l.N {
			got = append(got, string(buf[l.Key[k][0]:l.Key[k][1]]))
		}
		assert.Equal(t, want, got, in)
	}
}

func TestParseToken(t *testing.T) {
	v := []byte(" 7bit (c) ")
	tok, _, whole := ParseToken(v)
	assert.Equal(t, "7bit", string(v[tok[0]:tok[1]]))
	assert.True(t, whole)
	v = []byte("8bit extra")
	_, _, whole = ParseToken(v)
	assert.False(t, whole)
}

func TestParamsAllocs(t *testing.T) {
	v := []byte("; n*0*=UTF-8''%E2; n*1=\"5%\"; charset=\"x\"; b=c")
	buf := make([]byte, 0, 256)
	var l ParamList
	require.Zero(t, testing.AllocsPerRun(100, func() { buf = AppendParams(buf[:0], v, &l) }))
}

func BenchmarkAppendParams(b *testing.B) {
	v := []byte("; n*0*=UTF-8''%E2; n*1=\"5%\"; charset=\"x\"; b=c")
	buf := make([]byte, 0, 256)
	var l ParamList
	b.ReportAllocs()
	b.SetBytes(int64(len(v)))
	for b.Loop() {
		buf = AppendParams(buf[:0], v, &l)
	}
}
