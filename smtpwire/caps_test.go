package smtpwire

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readOneReply(t testing.TB, s string) *Reply {
	t.Helper()
	r, err := NewReplyReader(strings.NewReader(s), ReplyReaderOptions{}).ReadReply()
	require.NoError(t, err)
	return r
}

func TestParseCapabilities(t *testing.T) {
	r := readOneReply(t, "250-mx.example greets client.example\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"+
		"250-binarymime\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n"+
		"250-AUTH PLAIN LOGIN XOAUTH2\r\n250-REQUIRETLS\r\n250-X-CUSTOM a b\r\n250 AUTH=LOGIN\r\n")
	c, err := ParseCapabilities(r)
	require.NoError(t, err)
	for e := range numExts {
		assert.True(t, c.Has(e), e.String())
	}
	assert.False(t, c.Has(Ext(99)))
	n, ok := c.MaxSize()
	assert.True(t, ok)
	assert.Equal(t, uint64(35882577), n)
	assert.Equal(t, "mx.example greets client.example", c.Greeting())
	assert.Equal(t, []string{"PLAIN", "LOGIN", "XOAUTH2"}, slices.Collect(c.AuthMechanisms()))
	assert.True(t, c.HasAuth("xoauth2"))
	assert.False(t, c.HasAuth("CRAM-MD5"))
	p, ok := c.Lookup("x-custom")
	assert.True(t, ok)
	assert.Equal(t, "a b", p)
	_, ok = c.Lookup("VRFY")
	assert.False(t, ok)
	var kws []string
	for kw := range c.All() {
		kws = append(kws, kw)
	}
	assert.Equal(t, []string{"PIPELINING", "SIZE", "8BITMIME", "binarymime", "CHUNKING", "SMTPUTF8", "DSN",
		"ENHANCEDSTATUSCODES", "STARTTLS", "AUTH", "REQUIRETLS", "X-CUSTOM", "AUTH=LOGIN"}, kws)
}

func TestParseCapabilitiesCases(t *testing.T) {
	tests := []struct {
		in      string
		size    uint64
		sizeOK  bool
		hasSize bool
		err     error
	}{
		{in: "250 mx.example\r\n"},
		{in: "250-mx.example\r\n250 SIZE\r\n", hasSize: true},
		{in: "250-mx.example\r\n250 SIZE 0\r\n", hasSize: true},
		{in: "250-mx.example\r\n250 SIZE 10\r\n", hasSize: true, size: 10, sizeOK: true},
		{in: "250-mx.example\r\n250 SIZE ten\r\n", err: ErrCapability},
		{in: "502 5.5.1 no EHLO\r\n", err: ErrCapability},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCapabilities(readOneReply(t, tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.hasSize, c.Has(ExtSize))
			n, ok := c.MaxSize()
			assert.Equal(t, tt.size, n)
			assert.Equal(t, tt.sizeOK, ok)
			assert.Equal(t, "mx.example", c.Greeting())
		})
	}
}

// A capabilities value owns its text: reading the next reply does not
// change it.
func TestCapabilitiesOutliveReply(t *testing.T) {
	rr := NewReplyReader(strings.NewReader("250-mx.example\r\n250 PIPELINING\r\n250-other\r\n250 CHUNKING\r\n"), ReplyReaderOptions{})
	r, err := rr.ReadReply()
	require.NoError(t, err)
	c, err := ParseCapabilities(r)
	require.NoError(t, err)
	_, err = rr.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, "mx.example", c.Greeting())
	_, ok := c.Lookup("PIPELINING")
	assert.True(t, ok)
}

func TestCapabilitiesAllocs(t *testing.T) {
	r := readOneReply(t, "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 100\r\n250 AUTH PLAIN LOGIN\r\n")
	parse := testing.AllocsPerRun(100, func() {
		if _, err := ParseCapabilities(r); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, 1.0, parse, "one allocation: the value's own copy of the text")
	c, err := ParseCapabilities(r)
	require.NoError(t, err)
	use := testing.AllocsPerRun(100, func() {
		for range c.All() {
		}
		for range c.AuthMechanisms() {
		}
		if !c.Has(ExtPipelining) || !c.HasAuth("LOGIN") {
			t.Fatal("missing")
		}
	})
	assert.Zero(t, use)
}

func BenchmarkParseCapabilities(b *testing.B) {
	wire := "250-mx.example greets client.example\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n" +
		"250-CHUNKING\r\n250-SMTPUTF8\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n" +
		"250-AUTH PLAIN LOGIN XOAUTH2\r\n250-X-CUSTOM a b\r\n250 REQUIRETLS\r\n"
	r := readOneReply(b, wire)
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		c, err := ParseCapabilities(r)
		if err != nil {
			b.Fatal(err)
		}
		_, ok := c.MaxSize()
		if !ok || !c.HasAuth("XOAUTH2") || !c.Has(ExtChunking) {
			b.Fatal("missing")
		}
		if _, ok := c.Lookup("X-CUSTOM"); !ok {
			b.Fatal("missing")
		}
		if _, ok := c.Lookup("REQUIRETLS"); !ok {
			b.Fatal("missing")
		}
	}
}
