package smtpwire

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperT is what readOneReply needs of a test; not testing.TB, which
// go-118-fuzz-build's "testing" (OSS-Fuzz's builds) lacks.
type helperT interface {
	require.TestingT
	Helper()
}

func readOneReply(t helperT, s string) *Reply {
	t.Helper()
	r, err := NewReplyReader(strings.NewReader(s), ReplyReaderOptions{}).ReadReply()
	require.NoError(t, err)
	return r
}

func TestParseCapabilities(t *testing.T) {
	r := readOneReply(t, "250-mx.example greets client.example\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"+
		"250-binarymime\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n"+
		"250-AUTH PLAIN LOGIN XOAUTH2\r\n250-REQUIRETLS\r\n250-X-CUSTOM a b\r\n250-XCLIENT NAME ADDR\r\n250 AUTH=LOGIN\r\n")
	c, err := ParseCapabilities(r)
	require.NoError(t, err)
	for e := range numExts {
		assert.True(t, c.Has(e), e.String())
	}
	assert.False(t, c.Has(Ext(99)))
	n, ok := c.MaxSize()
	assert.True(t, ok)
	assert.Equal(t, uint64(35882577), n)
	assert.Equal(t, "mx.example greets client.example", string(c.Greeting()))
	var mechs []string
	for m := range c.AuthMechanisms() {
		mechs = append(mechs, string(m))
	}
	assert.Equal(t, []string{"PLAIN", "LOGIN", "XOAUTH2"}, mechs)
	assert.True(t, c.HasAuth("xoauth2"))
	assert.False(t, c.HasAuth("CRAM-MD5"))
	assert.True(t, c.HasAuth("plain"))
	assert.False(t, c.HasAuth("PLAI"))
	assert.False(t, c.HasAuth("X-CUSTOM"), "keywords are not mechanisms")
	p, ok := c.Lookup("x-custom")
	assert.True(t, ok)
	assert.Equal(t, "a b", string(p))
	_, ok = c.Lookup("PLAIN")
	assert.False(t, ok, "mechanisms are not keywords")
	p, ok = c.Lookup("pipelining")
	assert.True(t, ok)
	assert.Nil(t, p)
	_, ok = c.Lookup("VRFY")
	assert.False(t, ok)
	var kws []string
	for kw := range c.All() {
		kws = append(kws, string(kw))
	}
	assert.Equal(t, []string{"PIPELINING", "SIZE", "8BITMIME", "binarymime", "CHUNKING", "SMTPUTF8", "DSN",
		"ENHANCEDSTATUSCODES", "STARTTLS", "AUTH", "REQUIRETLS", "X-CUSTOM", "XCLIENT", "AUTH=LOGIN"}, kws)
	require.Equal(t, len(kws), c.Len())
	kw, params := c.Keyword(9)
	assert.Equal(t, "AUTH PLAIN LOGIN XOAUTH2", string(kw)+" "+string(params))
}

func manyMechanisms(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " M%d", i)
	}
	return b.String()
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
		{in: "250-mx.example\r\n" + strings.Repeat("250-X\r\n", MaxCapabilityLines) + "250 Y\r\n", err: ErrCapability},
		{in: "250-mx.example\r\n250 AUTH" + manyMechanisms(MaxAuthMechanisms+1) + "\r\n", err: ErrCapability},
		{in: "250-mx.example\r\n250 AUTH" + manyMechanisms(MaxAuthMechanisms) + "\r\n"},
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
			assert.Equal(t, "mx.example", string(c.Greeting()))
		})
	}
}

// Capabilities are views into the reply; Clone makes a value that outlives
// it, in the caller's buffer.
func TestCapabilitiesClone(t *testing.T) {
	rr := NewReplyReader(strings.NewReader("250-mx.example\r\n250-PIPELINING\r\n250-XCLIENT NAME ADDR\r\n250-AUTH PLAIN X-MECH\r\n250 SIZE 1000\r\n"+
		"250-other.example\r\n250-CHUNKING\r\n250-XCLIENT LOGIN\r\n250-AUTH LOGIN X-OTHER\r\n250 SIZE 2000\r\n"), ReplyReaderOptions{})
	r, err := rr.ReadReply()
	require.NoError(t, err)
	c, err := ParseCapabilities(r)
	require.NoError(t, err)
	buf := make([]byte, 0, 64)
	kept := c.Clone(buf)
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = c.Clone(buf) }), "room in buf: no allocation")
	_, err = rr.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, "mx.example", string(kept.Greeting()))
	_, ok := kept.Lookup("PIPELINING")
	assert.True(t, ok)
	assert.True(t, kept.HasAuth("PLAIN"))
	assert.False(t, kept.HasAuth("LOGIN"))
	assert.NotEqual(t, "mx.example", string(c.Greeting()), "the uncloned value is a view into the reused reply")
	// What the value holds itself stays right without Clone.
	assert.True(t, c.Has(ExtPipelining))
	assert.False(t, c.Has(ExtChunking))
	n, _ := c.MaxSize()
	assert.Equal(t, uint64(1000), n)
	assert.True(t, c.HasAuth("PLAIN"))
	assert.False(t, c.HasAuth("LOGIN"))
	x, ok := c.XCLIENTAttrs()
	assert.True(t, ok)
	assert.True(t, x.Has(XCLIENTAddr))
	assert.False(t, x.Has(XCLIENTLogin))
	assert.True(t, kept.HasAuth("X-MECH"), "other mechanisms: from the text, kept by Clone")
	assert.False(t, kept.HasAuth("X-OTHER"))
}

// Repeated keywords and mechanisms: the first counts, and nothing is lost
// from All.
func TestCapabilitiesRepeated(t *testing.T) {
	c, err := ParseCapabilities(readOneReply(t, "250-mx\r\n250-AUTH PLAIN  plain\r\n250-SIZE 10\r\n250-size 20\r\n250 AUTH LOGIN\r\n"))
	require.NoError(t, err)
	n, _ := c.MaxSize()
	assert.Equal(t, uint64(10), n)
	p, _ := c.Lookup("SIZE")
	assert.Equal(t, "10", string(p))
	assert.Equal(t, 4, c.Len())
	var mechs []string
	for m := range c.AuthMechanisms() {
		mechs = append(mechs, string(m))
	}
	assert.Equal(t, []string{"PLAIN"}, mechs)
	assert.False(t, c.HasAuth("LOGIN"), "a second AUTH line is kept in All but not indexed")
}

// Parsing the EHLO reply and asking the usual five questions allocates
// nothing.
func TestCapabilitiesAllocs(t *testing.T) {
	r := readOneReply(t, "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 100\r\n250-X-CUSTOM a\r\n250 AUTH PLAIN LOGIN\r\n")
	n := testing.AllocsPerRun(100, func() {
		c, err := ParseCapabilities(r)
		if err != nil {
			t.Fatal(err)
		}
		size, ok := c.MaxSize()
		_, custom := c.Lookup("x-custom")
		if !c.Has(ExtPipelining) || !ok || size != 100 || !c.HasAuth("LOGIN") || c.HasAuth("CRAM-MD5") || !custom {
			t.Fatal("wrong answer")
		}
		for range c.All() {
		}
		for range c.AuthMechanisms() {
		}
		_ = c.Greeting()
	})
	assert.Zero(t, n)
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

// Each known keyword has a slot of its own in extBySlot, so that one
// comparison names it.
func TestExtSlots(t *testing.T) {
	seen := map[uint32]Ext{}
	for e := range numExts {
		s := foldHash(kwSeed, extNames[e]) % capSlots
		other, dup := seen[s]
		require.False(t, dup, "%v and %v share slot %d", e, other, s)
		seen[s] = e
		require.Equal(t, e+1, extBySlot[s])
		assert.Equal(t, foldHash(kwSeed, strings.ToLower(extNames[e])), foldHash(kwSeed, extNames[e]), "hash ignores case")
	}
}

// Parse into a kept value gives what ParseCapabilities gives, forgets the
// previous reply entirely, is left empty on error, and allocates nothing.
func TestCapabilitiesParseReuse(t *testing.T) {
	first := readOneReply(t, "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 100\r\n250-AUTH PLAIN LOGIN\r\n250-XCLIENT NAME\r\n250 X-ONE\r\n")
	second := readOneReply(t, "250-other.example\r\n250-CHUNKING\r\n250 SIZE\r\n")
	var c Capabilities
	require.NoError(t, c.Parse(first))
	require.NoError(t, c.Parse(second))
	want, err := ParseCapabilities(second)
	require.NoError(t, err)
	assert.Equal(t, want.Greeting(), c.Greeting())
	require.Equal(t, want.Len(), c.Len())
	for i := range c.Len() {
		wk, wp := want.Keyword(i)
		k, p := c.Keyword(i)
		assert.Equal(t, wk, k)
		assert.Equal(t, wp, p)
	}
	for e := range numExts {
		assert.Equal(t, want.Has(e), c.Has(e), e.String())
	}
	assert.False(t, c.Has(ExtPipelining))
	assert.False(t, c.HasAuth("PLAIN"))
	_, ok := c.Lookup("X-ONE")
	assert.False(t, ok)
	_, ok = c.XCLIENTAttrs()
	assert.False(t, ok)
	_, ok = c.MaxSize()
	assert.False(t, ok)

	require.ErrorIs(t, c.Parse(readOneReply(t, "250-mx\r\n250 SIZE x\r\n")), ErrCapability)
	assert.Equal(t, Capabilities{}, c)

	n := testing.AllocsPerRun(100, func() {
		if err := c.Parse(first); err != nil {
			t.Fatal(err)
		}
		size, ok := c.MaxSize()
		if !ok || size != 100 || !c.Has(ExtPipelining) || !c.HasAuth("LOGIN") {
			t.Fatal("wrong answer")
		}
	})
	assert.Zero(t, n)
}

// matchExt is equalFold of the keyword, at every length and position,
// with the octets that differ from a letter only in bit 5 refused where the
// keyword has a digit or "-".
func TestMatchExt(t *testing.T) {
	for e := range numExts {
		name := extNames[e]
		variants := []string{name, strings.ToLower(name), name + "X", name[:len(name)-1]}
		for i := range len(name) {
			b := []byte(name)
			b[i] ^= 0x20
			variants = append(variants, string(b))
			b[i] ^= 0x20 ^ 0x01
			variants = append(variants, string(b))
		}
		for _, v := range variants {
			for _, pad := range []int{0, 3, 20} {
				text := []byte(v + " " + strings.Repeat("p", pad))
				assert.Equal(t, equalFold([]byte(v), name), matchExt(text, 0, len(v), e), "%q for %v, pad %d", v, e, pad)
			}
		}
	}
}

// FuzzParseCapabilities: whatever EHLO reply ReadReply gives, the index
// answers as a plain walk over its lines does (Has, MaxSize, Lookup of
// every keyword, the first AUTH line's mechanisms, Keyword), and Parse
// into a value that held another reply answers the same.
func FuzzParseCapabilities(f *testing.F) {
	f.Add("250-mx.example\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-AUTH PLAIN  login PLAIN\r\n250-size 9\r\n250 SMTPUTF8\r\n")
	f.Add("250-mx\r\n250-XCLIENT NAME ADDR\r\n250-X-A b c\r\n250-x-a\r\n250 SIZE\r\n")
	f.Add("250-mx\r\n250 SIZE x\r\n")
	f.Fuzz(func(t *testing.T, wire string) {
		r, err := NewReplyReader(strings.NewReader(wire), ReplyReaderOptions{}).ReadReply()
		if err != nil {
			return
		}
		c, err := ParseCapabilities(r)
		var kept Capabilities
		require.NoError(t, kept.Parse(readOneReply(t, "250-old.example\r\n250-CHUNKING\r\n250-AUTH X-OLD\r\n250 SIZE 7\r\n")))
		keptErr := kept.Parse(r)
		require.Equal(t, err, keptErr)
		if r.Code != 250 || r.Len()-1 > MaxCapabilityLines || len(r.text) > 1<<16-1 {
			require.ErrorIs(t, err, ErrCapability)
			return
		}
		type line struct{ kw, params []byte }
		var lines []line
		for i := 1; i < r.Len(); i++ {
			kw, params, _ := bytes.Cut(r.Line(i), []byte{' '})
			lines = append(lines, line{kw, params})
		}
		first := func(name string) (line, bool) {
			for _, l := range lines {
				if bytes.EqualFold(l.kw, []byte(name)) && equalFoldASCII(l.kw, name) {
					return l, true
				}
			}
			return line{}, false
		}
		var size uint64
		var mechs [][]byte
		sizeLine, hasSize := first("SIZE")
		sizeOK := true
		if hasSize && len(sizeLine.params) > 0 {
			size, sizeOK = parseUint(sizeLine.params, 20)
		}
		if auth, ok := first("AUTH"); ok {
		next:
			for m := range bytes.SplitSeq(auth.params, []byte{' '}) {
				for _, o := range mechs {
					if len(m) == 0 || equalFoldASCII(o, m) {
						continue next
					}
				}
				if len(m) > 0 {
					mechs = append(mechs, m)
				}
			}
		}
		if !sizeOK || len(mechs) > MaxAuthMechanisms {
			require.ErrorIs(t, err, ErrCapability)
			return
		}
		require.NoError(t, err)
		for _, v := range []*Capabilities{&c, &kept} {
			for e := range numExts {
				_, want := first(extNames[e])
				require.Equal(t, want, v.Has(e), e.String())
			}
			n, ok := v.MaxSize()
			require.Equal(t, size, n)
			require.Equal(t, size > 0, ok)
			require.Equal(t, len(lines), v.Len())
			for i, l := range lines {
				kw, params := v.Keyword(i)
				require.Equal(t, l.kw, kw)
				require.Equal(t, string(l.params), string(params))
				want, _ := first(string(l.kw))
				got, ok := v.Lookup(string(l.kw))
				require.True(t, ok)
				require.Equal(t, string(want.params), string(got))
			}
			var gotMechs [][]byte
			for m := range v.AuthMechanisms() {
				gotMechs = append(gotMechs, m)
				require.True(t, v.HasAuth(string(m)))
			}
			require.Equal(t, mechs, gotMechs)
		}
	})
}
