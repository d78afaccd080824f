package pop3

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		line   string
		status Status
		code   string
		text   string
	}{
		{"+OK", StatusOK, "", ""},
		{"+OK ", StatusOK, "", ""},
		{"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", StatusOK, "", "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"},
		{"+OK 2 320", StatusOK, "", "2 320"},
		{"-ERR", StatusErr, "", ""},
		{"-ERR no such message", StatusErr, "", "no such message"},
		{"-ERR [IN-USE] Do you have another POP session running?", StatusErr, "IN-USE", "Do you have another POP session running?"},
		{"-ERR [SYS/TEMP] try later", StatusErr, "SYS/TEMP", "try later"},
		{"-ERR [AUTH]", StatusErr, "AUTH", ""},
		{"-ERR [LOGIN-DELAY]Wait", StatusErr, "LOGIN-DELAY", "Wait"},
		{"+OK [XFOO/BAR/BAZ] ok", StatusOK, "XFOO/BAR/BAZ", "ok"},
		{"-ERR [not a code] text", StatusErr, "", "[not a code] text"},
		{"-ERR [SYS//TEMP] x", StatusErr, "", "[SYS//TEMP] x"},
		{"-ERR [unclosed", StatusErr, "", "[unclosed"},
		{"-ERR []", StatusErr, "", "[]"},
		{"+", StatusContinue, "", ""},
		{"+ ", StatusContinue, "", ""},
		{"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+", StatusContinue, "", "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+"},
		{"+ [IN-USE]", StatusContinue, "", "[IN-USE]"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r, err := ParseResponse([]byte(tt.line))
			require.NoError(t, err)
			assert.Equal(t, tt.status, r.Status)
			assert.Equal(t, tt.code, string(r.Code))
			assert.Equal(t, tt.text, string(r.Text))
			assert.Equal(t, tt.status == StatusOK, r.OK())
		})
	}
}

func TestParseResponseErrors(t *testing.T) {
	for _, line := range []string{"", "+ok", "-err", "OK", "+OKAY", "-ERRor", "+OK\t1", "* OK", "-"} {
		t.Run(line, func(t *testing.T) {
			_, err := ParseResponse([]byte(line))
			require.ErrorIs(t, err, ErrResponse)
			r := ReplyOf(err)
			assert.Empty(t, r.Text, "nothing for a client to send")
			assert.True(t, r.Fatal)
		})
	}
}

func TestResponseHasCode(t *testing.T) {
	r, err := ParseResponse([]byte("-ERR [in-use] locked"))
	require.NoError(t, err)
	assert.True(t, r.HasCode(CodeInUse))
	assert.False(t, r.HasCode(CodeSysTemp))
	r, err = ParseResponse([]byte("-ERR locked"))
	require.NoError(t, err)
	assert.False(t, r.HasCode(""))
}

func TestValidCode(t *testing.T) {
	for _, c := range []Code{CodeInUse, CodeLoginDelay, CodeSysTemp, CodeSysPerm, CodeAuth, CodeUTF8, "A/B/C", "x"} {
		assert.True(t, ValidCode(c), c)
	}
	for _, c := range []string{"", "/A", "A/", "A//B", "A B", "A]", "Ä"} {
		assert.False(t, ValidCode(c), c)
	}
}

func TestParseResponseAllocs(t *testing.T) {
	line := []byte("-ERR [SYS/TEMP] try again later")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if _, err := ParseResponse(line); err != nil {
			t.Fatal(err)
		}
	}))
}

func BenchmarkParseResponse(b *testing.B) {
	line := []byte("-ERR [SYS/TEMP] try again later")
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := ParseResponse(line); err != nil {
			b.Fatal(err)
		}
	}
}
