package tlspolicy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendMTASTS(t *testing.T) {
	p := MTASTSPolicy{Mode: MTASTSEnforce, MaxAge: 604800 * time.Second,
		MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}
	out, err := AppendMTASTS([]byte("prefix|"), p)
	require.NoError(t, err)
	assert.Equal(t, "prefix|version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"+
		"mx: backupmx.example.com\r\nmax_age: 604800\r\n", string(out))
	back, err := ParseMTASTS(out[len("prefix|"):], MTASTSOptions{})
	require.NoError(t, err)
	assert.Equal(t, p, back)

	out, err = AppendMTASTS(nil, MTASTSPolicy{})
	require.NoError(t, err)
	assert.Equal(t, "version: STSv1\r\nmode: none\r\nmax_age: 0\r\n", string(out))
}

func TestAppendMTASTSRefuses(t *testing.T) {
	tests := []struct {
		name string
		p    MTASTSPolicy
	}{
		{"undefined mode", MTASTSPolicy{Mode: 3}},
		{"negative max_age", MTASTSPolicy{MaxAge: -time.Second}},
		{"max_age over the cap", MTASTSPolicy{MaxAge: MaxMTASTSAge + time.Second}},
		{"fractional max_age", MTASTSPolicy{MaxAge: 1500 * time.Millisecond}},
		{"testing without mx", MTASTSPolicy{Mode: MTASTSTesting}},
		{"mx with CRLF injection", MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{"a.example\r\nmode: none"}}},
		{"empty mx", MTASTSPolicy{Mode: MTASTSEnforce, MX: []string{""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("keep")
			out, err := AppendMTASTS(dst, tt.p)
			require.ErrorIs(t, err, ErrMTASTSInvalid)
			assert.Equal(t, "keep", string(out))
		})
	}
}

func TestAppendMTASTSAllocs(t *testing.T) {
	p := MTASTSPolicy{Mode: MTASTSTesting, MaxAge: time.Hour, MX: []string{"*.example.net", "mx.example.com"}}
	buf := make([]byte, 0, 256)
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf, _ = AppendMTASTS(buf[:0], p) }))
}

func BenchmarkAppendMTASTS(b *testing.B) {
	p := MTASTSPolicy{Mode: MTASTSEnforce, MaxAge: 604800 * time.Second,
		MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}
	buf, _ := AppendMTASTS(nil, p)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf, _ = AppendMTASTS(buf[:0], p)
	}
}
