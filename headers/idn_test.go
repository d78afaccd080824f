package headers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendASCIIDomains(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii untouched", "John <J@Example.COM>", "John <J@Example.COM>"},
		{"angle addr", "Jörg Müller <jörg@bücher.example>", "Jörg Müller <jörg@xn--bcher-kva.example>"},
		{"upper case folded", "a@BÜCHER.example", "a@xn--bcher-kva.example"},
		{"list", "用户 <用户@例子.测试>, b@faß.de", "用户 <用户@xn--fsqu00a.xn--0zwm56d>, b@xn--fa-hia.de"},
		{"quoted and comment kept", `"x@ü.example" <a@b.example> (c@ü.example)`, `"x@ü.example" <a@b.example> (c@ü.example)`},
		{"domain literal", "a@[192.0.2.1]", "a@[192.0.2.1]"},
		{"group", "G: a@ü.example;", "G: a@xn--tda.example;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendASCIIDomains([]byte(">"), []byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, ">"+tt.want, string(got))
		})
	}
}

func TestAppendASCIIDomainsRefuses(t *testing.T) {
	for _, in := range []string{
		"a@ü..example",
		"a@ü" + strings.Repeat("x", 64) + ".example",
		"a@ü." + strings.Repeat(strings.Repeat("x", 60)+".", 5) + "example",
		"a@\u00ad\u200d.example",
	} {
		got, err := AppendASCIIDomains([]byte("kept"), []byte(in))
		assert.ErrorIs(t, err, ErrDomain, in)
		assert.Equal(t, "kept", string(got))
	}
}

func TestAppendASCIIDomainsAllocs(t *testing.T) {
	buf := make([]byte, 0, 128)
	value := []byte(`"Anna" <anna@example.org>, bob@example.net (Bob)`)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = AppendASCIIDomains(buf[:0], value)
	})
	assert.Zero(t, allocs)
	assert.Equal(t, string(value), string(buf))
}
