package smtpwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseXCLIENT(t *testing.T) {
	tests := []struct {
		args string
		want map[XCLIENTAttr]string // decoded values
		err  bool
	}{
		{args: "NAME=spike.porcupine.org ADDR=168.100.189.2", want: map[XCLIENTAttr]string{XCLIENTName: "spike.porcupine.org", XCLIENTAddr: "168.100.189.2"}},
		{args: "ADDR=192.0.2.7 NAME=mx.example.net HELO=mx.example.net PROTO=ESMTP",
			want: map[XCLIENTAttr]string{XCLIENTAddr: "192.0.2.7", XCLIENTName: "mx.example.net", XCLIENTHelo: "mx.example.net", XCLIENTProto: "ESMTP"}},
		{args: "addr=IPv6:2001:db8::5 port=40001 login=alice destaddr=ipv6:::1 destport=25",
			want: map[XCLIENTAttr]string{XCLIENTAddr: "IPv6:2001:db8::5", XCLIENTPort: "40001", XCLIENTLogin: "alice", XCLIENTDestAddr: "ipv6:::1", XCLIENTDestPort: "25"}},
		{args: "NAME=[UNAVAILABLE] ADDR=[unavailable] PORT=[UNAVAILABLE] HELO=[UNAVAILABLE] LOGIN=[UNAVAILABLE]",
			want: map[XCLIENTAttr]string{XCLIENTName: "[UNAVAILABLE]", XCLIENTAddr: "[unavailable]", XCLIENTPort: "[UNAVAILABLE]", XCLIENTHelo: "[UNAVAILABLE]", XCLIENTLogin: "[UNAVAILABLE]"}},
		{args: "NAME=[TEMPUNAVAIL] REVERSE_NAME=rev.example", want: map[XCLIENTAttr]string{XCLIENTName: "[TEMPUNAVAIL]", XCLIENTReverseName: "rev.example"}},
		{args: "HELO=a+2Bb+3Dc LOGIN=user+40example.org", want: map[XCLIENTAttr]string{XCLIENTHelo: "a+b=c", XCLIENTLogin: "user@example.org"}},
		{args: "PROTO=smtp PORT=0", want: map[XCLIENTAttr]string{XCLIENTProto: "smtp", XCLIENTPort: "0"}},
		{args: "HELO=" + strings.Repeat("h", 255), want: map[XCLIENTAttr]string{XCLIENTHelo: strings.Repeat("h", 255)}},
		{args: "", err: true},
		{args: "FOO=bar", err: true},
		{args: "NAME", err: true},
		{args: "NAME=", err: true},
		{args: "NAME=a NAME=b", err: true},
		{args: "NAME=a  ADDR=1.2.3.4", err: true},
		{args: "NAME=a ", err: true},
		{args: " NAME=a", err: true},
		{args: "NAME=-bad-.example", err: true},
		{args: "NAME=[192.0.2.1]", err: true},
		{args: "ADDR=[TEMPUNAVAIL]", err: true},
		{args: "ADDR=2001:db8::5", err: true}, // IPv6 needs the prefix
		{args: "ADDR=[192.0.2.1]", err: true}, // no brackets
		{args: "ADDR=IPV6:192.0.2.1", err: true},
		{args: "ADDR=IPV6:fe80::1%eth0", err: true},
		{args: "ADDR=256.0.0.1", err: true},
		{args: "PORT=65536", err: true},
		{args: "PORT=-1", err: true},
		{args: "PORT=123456", err: true},
		{args: "PROTO=LMTP", err: true},
		{args: "PROTO=[UNAVAILABLE]", err: true},
		{args: "HELO=a+20b", err: true}, // a space, decoded
		{args: "HELO=a+2", err: true},
		{args: "HELO=a=b", err: true},
		{args: "HELO=" + strings.Repeat("h", 256), err: true},
		{args: "LOGIN=" + strings.Repeat("+41", 256), err: true},
	}
	for _, tt := range tests {
		name := tt.args
		if len(name) > 50 {
			name = name[:50]
		}
		t.Run(name, func(t *testing.T) {
			ps, err := ParseXCLIENT([]byte(tt.args))
			if tt.err {
				require.ErrorIs(t, err, ErrXCLIENT)
				st := StatusOf(err)
				assert.Equal(t, 501, st.Code)
				assert.Equal(t, EnhancedCode{5, 5, 4}, st.Enhanced)
				assert.False(t, st.Fatal)
				return
			}
			require.NoError(t, err)
			got := map[XCLIENTAttr]string{}
			for p := range ps.All() {
				v, err := p.Decode(nil)
				require.NoError(t, err)
				got[p.Attr] = string(v)
				assert.True(t, ps.Has(p.Attr))
				q, ok := ps.Get(p.Attr)
				require.True(t, ok)
				assert.Equal(t, p, q)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	ps, err := ParseXCLIENT([]byte("NAME=[TEMPUNAVAIL] ADDR=[UNAVAILABLE] HELO=x"))
	require.NoError(t, err)
	n, _ := ps.Get(XCLIENTName)
	a, _ := ps.Get(XCLIENTAddr)
	h, _ := ps.Get(XCLIENTHelo)
	assert.True(t, n.TempUnavailable())
	assert.False(t, n.Unavailable())
	assert.True(t, a.Unavailable())
	assert.False(t, h.Unavailable())
	_, ok := ps.Get(XCLIENTPort)
	assert.False(t, ok)
	assert.Equal(t, "REVERSE_NAME", XCLIENTReverseName.String())
	assert.Equal(t, "", XCLIENTAttr(99).String())
}

func TestXCLIENTCapability(t *testing.T) {
	c, err := ParseCapabilities(readOneReply(t, "250-localhost\r\n250-PIPELINING\r\n250-XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT X-NEW\r\n250 8BITMIME\r\n"))
	require.NoError(t, err)
	assert.True(t, c.Has(ExtXCLIENT))
	s, ok := c.XCLIENTAttrs()
	require.True(t, ok)
	for a := XCLIENTName; a < numXCLIENTAttrs; a++ {
		assert.True(t, s.Has(a), a.String())
	}
	assert.False(t, s.Has(XCLIENTUnknown))
	c, err = ParseCapabilities(readOneReply(t, "250-localhost\r\n250 XCLIENT NAME ADDR\r\n"))
	require.NoError(t, err)
	s, _ = c.XCLIENTAttrs()
	assert.True(t, s.Has(XCLIENTAddr))
	assert.False(t, s.Has(XCLIENTLogin))
	c, err = ParseCapabilities(readOneReply(t, "250-localhost\r\n250 PIPELINING\r\n"))
	require.NoError(t, err)
	_, ok = c.XCLIENTAttrs()
	assert.False(t, ok)
}

func TestAppendXCLIENT(t *testing.T) {
	got, n, err := AppendXCLIENT([]byte("k"), []XCLIENTField{
		{XCLIENTName, "spike.porcupine.org"}, {XCLIENTAddr, "168.100.189.2"}, {XCLIENTHelo, "a+b=c"}, {XCLIENTLogin, XCLIENTUnavailable},
	}, 0)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Equal(t, "kXCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2 HELO=a+2Bb+3Dc LOGIN=[UNAVAILABLE]\r\n", string(got))

	for _, bad := range [][]XCLIENTField{
		nil,
		{{XCLIENTUnknown, "x"}},
		{{XCLIENTName, "a"}, {XCLIENTName, "b"}},
		{{XCLIENTAddr, "2001:db8::1"}},
		{{XCLIENTPort, "70000"}},
		{{XCLIENTProto, "LMTP"}},
		{{XCLIENTHelo, "a b"}},
		{{XCLIENTHelo, "a\r\nMAIL FROM:<x@y>"}},
		{{XCLIENTHelo, strings.Repeat("h", 256)}},
	} {
		got, n, err := AppendXCLIENT([]byte("keep"), bad, 0)
		require.ErrorIs(t, err, ErrInjection, "%v", bad)
		assert.Zero(t, n)
		assert.Equal(t, "keep", string(got))
	}
	// Long values: several commands, each within the limit, together all
	// the fields, and each parses.
	fields := []XCLIENTField{
		{XCLIENTName, strings.Repeat("n", 60) + "." + strings.Repeat("m", 60) + "." + strings.Repeat("o", 60) + ".example"},
		{XCLIENTHelo, strings.Repeat("h", 250)},
		{XCLIENTLogin, strings.Repeat("+", 100)},
		{XCLIENTAddr, "IPV6:2001:db8::5"},
		{XCLIENTProto, "ESMTP"},
	}
	var lines []string
	for rest := fields; len(rest) > 0; {
		wire, n, err := AppendXCLIENT(nil, rest, 0)
		require.NoError(t, err)
		require.Positive(t, n)
		require.LessOrEqual(t, len(wire), DefaultMaxCommandLine)
		lines = append(lines, string(wire))
		rest = rest[n:]
	}
	require.Greater(t, len(lines), 1, "split")
	var back []XCLIENTField
	for _, l := range lines {
		cmd, err := ParseCommand([]byte(strings.TrimSuffix(l, "\r\n")))
		require.NoError(t, err)
		require.Equal(t, VerbXCLIENT, cmd.Verb)
		ps, err := ParseXCLIENT(cmd.Args)
		require.NoError(t, err)
		for p := range ps.All() {
			v, _ := p.Decode(nil)
			back = append(back, XCLIENTField{p.Attr, string(v)})
		}
	}
	assert.Equal(t, fields, back)
	_, _, err = AppendXCLIENT(nil, []XCLIENTField{{XCLIENTLogin, strings.Repeat("+", 200)}}, 0)
	require.ErrorIs(t, err, ErrInjection, "600 octets encoded cannot fit 512")
	wire, n, err := AppendXCLIENT(nil, []XCLIENTField{{XCLIENTLogin, strings.Repeat("+", 200)}}, 2048)
	require.NoError(t, err, "Postfix's own limit is 2048")
	assert.Equal(t, 1, n)
	assert.Greater(t, len(wire), 512)
}

func TestXCLIENTAllocs(t *testing.T) {
	args := []byte("NAME=mx.example.net ADDR=192.0.2.7 PORT=40001 HELO=mx.example.net PROTO=ESMTP LOGIN=alice+40example.org")
	fields := []XCLIENTField{{XCLIENTName, "mx.example.net"}, {XCLIENTAddr, "192.0.2.7"}, {XCLIENTLogin, "alice@example.org"}}
	buf := make([]byte, 0, 256)
	dec := make([]byte, 0, 64)
	n := testing.AllocsPerRun(100, func() {
		ps, err := ParseXCLIENT(args)
		if err != nil {
			t.Fatal(err)
		}
		for p := range ps.All() {
			if _, err := p.Decode(dec[:0]); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := AppendXCLIENT(buf[:0], fields, 0); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

func BenchmarkParseXCLIENT(b *testing.B) {
	args := []byte("NAME=mx.example.net ADDR=192.0.2.7 PORT=40001 HELO=mx.example.net PROTO=ESMTP LOGIN=alice+40example.org")
	dec := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(args)))
	for b.Loop() {
		ps, err := ParseXCLIENT(args)
		if err != nil {
			b.Fatal(err)
		}
		for p := range ps.All() {
			if _, err := p.Decode(dec[:0]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzXCLIENT: what ParseXCLIENT accepts, decoded and written back by
// AppendXCLIENT (in as many commands as it takes), parses to the same
// attributes and values; what it refuses is ErrXCLIENT.
func FuzzXCLIENT(f *testing.F) {
	for _, s := range []string{
		"NAME=spike.porcupine.org ADDR=168.100.189.2",
		"ADDR=192.0.2.7 NAME=mx.example.net HELO=mx.example.net PROTO=ESMTP",
		"ADDR=IPV6:2001:db8::5 PORT=40001 LOGIN=alice",
		"NAME=[TEMPUNAVAIL] ADDR=[UNAVAILABLE] DESTADDR=127.0.0.1 DESTPORT=25 REVERSE_NAME=[UNAVAILABLE]",
		"HELO=a+2Bb+3Dc LOGIN=+41+42",
		"NAME=a NAME=b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, args []byte) {
		ps, err := ParseXCLIENT(args)
		if err != nil {
			require.ErrorIs(t, err, ErrXCLIENT)
			return
		}
		var fields []XCLIENTField
		for p := range ps.All() {
			require.True(t, ps.Has(p.Attr))
			v, err := p.Decode(nil)
			require.NoError(t, err)
			fields = append(fields, XCLIENTField{p.Attr, string(v)})
		}
		require.NotEmpty(t, fields)
		var back []XCLIENTField
		for rest := fields; len(rest) > 0; {
			wire, n, err := AppendXCLIENT(nil, rest, 2048)
			require.NoError(t, err, "%q", args)
			require.Positive(t, n)
			cmd, err := ParseCommand(bytes.TrimSuffix(wire, []byte("\r\n")))
			require.NoError(t, err)
			again, err := ParseXCLIENT(cmd.Args)
			require.NoError(t, err, "%q", wire)
			for p := range again.All() {
				v, _ := p.Decode(nil)
				back = append(back, XCLIENTField{p.Attr, string(v)})
			}
			rest = rest[n:]
		}
		require.Equal(t, fields, back)
	})
}

func BenchmarkAppendXCLIENT(b *testing.B) {
	fields := []XCLIENTField{{XCLIENTName, "mx.example.net"}, {XCLIENTAddr, "192.0.2.7"}, {XCLIENTPort, "40001"},
		{XCLIENTHelo, "mx.example.net"}, {XCLIENTProto, "ESMTP"}, {XCLIENTLogin, "alice@example.org"}}
	buf := make([]byte, 0, 512)
	out, _, err := AppendXCLIENT(buf, fields, 0)
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(out)))
	for b.Loop() {
		if _, _, err := AppendXCLIENT(buf[:0], fields, 0); err != nil {
			b.Fatal(err)
		}
	}
}
