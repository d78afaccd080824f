package starttls

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
)

func TestProtocolString(t *testing.T) {
	assert.Equal(t, "SMTP", SMTP.String())
	assert.Equal(t, "POP3", POP3.String())
	assert.Equal(t, "IMAP", IMAP.String())
	assert.Equal(t, "Protocol(0)", Protocol(0).String())
	assert.Equal(t, "Protocol(9)", Protocol(9).String())
}

func TestLimitsDefaults(t *testing.T) {
	tests := []struct {
		p    Protocol
		in   Limits
		want Limits
	}{
		{SMTP, Limits{}, Limits{MaxLine: 512, MaxLines: 100}},
		{POP3, Limits{}, Limits{MaxLine: 512, MaxLines: 100}},
		{IMAP, Limits{}, Limits{MaxLine: 8192, MaxLines: 100}},
		{IMAP, Limits{MaxLine: 1000, MaxLines: 5}, Limits{MaxLine: 1000, MaxLines: 5}},
		{SMTP, Limits{MaxLine: -1, MaxLines: -1}, Limits{MaxLine: 512, MaxLines: 100}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.in.withDefaults(tt.p), "%v %+v", tt.p, tt.in)
	}
}

// replyCase is one reply and what readReply must make of it.
type replyCase struct {
	name       string
	in         string
	step       step
	ok         bool
	advertised bool
	err        error
	left       int // bytes left unread after the reply
}

// runReplyCases reads each case whole and byte by byte.
func runReplyCases(t *testing.T, p Protocol, cases []replyCase) {
	for _, tc := range cases {
		for _, sizes := range [][]int{nil, {1}} {
			t.Run(tc.name, func(t *testing.T) {
				var rd io.Reader = strings.NewReader(tc.in)
				if sizes != nil {
					rd = chunked.NewReader([]byte(tc.in), sizes...)
				}
				lr := newLineReader(rd, 64)
				ok, advertised, err := p.readReply(lr, 4, tc.step)
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.ok, ok, "ok")
				assert.Equal(t, tc.advertised, advertised, "advertised")
				if sizes == nil && err == nil {
					assert.Equal(t, tc.left, lr.buffered(), "left")
				}
			})
		}
	}
}

// benchmarkReply reads one reply again and again from an endless stream.
func benchmarkReply(b *testing.B, p Protocol, reply string, s step) {
	lr := newLineReader(chunked.NewLoop([]byte(reply)), 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(reply)))
	for b.Loop() {
		if _, _, err := p.readReply(lr, 100, s); err != nil {
			b.Fatal(err)
		}
	}
}

// replyAllocs reports the allocations of reading one reply in steady state.
func replyAllocs(p Protocol, reply string, s step) float64 {
	lr := newLineReader(chunked.NewLoop([]byte(reply)), 512)
	return testing.AllocsPerRun(1000, func() {
		if _, _, err := p.readReply(lr, 100, s); err != nil {
			panic(err)
		}
	})
}

// FuzzReply reads arbitrary bytes as each reply of each protocol, whole and
// in the chunk sizes the fuzzer picks: the outcome must not depend on how
// the bytes were split, and a reply that advertises the upgrade must be a
// positive capability list.
func FuzzReply(f *testing.F) {
	for _, seed := range []struct {
		p  Protocol
		s  step
		in string
	}{
		{SMTP, stepGreeting, "220-mx\r\n220 ESMTP\r\n"},
		{SMTP, stepCapabilities, smtpCaps},
		{SMTP, stepGoAhead, "220 2.0.0 Ready to start TLS\r\n250 injected\r\n"},
		{POP3, stepCapabilities, pop3Capa},
		{POP3, stepGoAhead, "-ERR [SYS/TEMP] no\r\n"},
		{IMAP, stepGreeting, "* PREAUTH hi\r\n"},
		{IMAP, stepCapabilities, imapCaps},
		{IMAP, stepGoAhead, "* OK [ALERT] x\r\nS2 OK go\r\n"},
	} {
		f.Add([]byte(seed.in), []byte{0, 5}, uint8(seed.p), uint8(seed.s))
	}
	f.Fuzz(func(t *testing.T, data, sizes []byte, proto, which uint8) {
		p, s := Protocol(proto%3+1), step(which%3)
		read := func(rd io.Reader) (bool, bool, string) {
			ok, advertised, err := p.readReply(newLineReader(rd, 128), 8, s)
			return ok, advertised, errString(err)
		}
		ok, advertised, err := read(bytes.NewReader(data))
		ok2, advertised2, err2 := read(chunked.NewReader(data, chunked.SizesFrom(sizes)...))
		require.Equal(t, ok, ok2)
		require.Equal(t, advertised, advertised2)
		require.Equal(t, err, err2)
		if advertised {
			require.True(t, ok)
			require.Equal(t, stepCapabilities, s)
			require.Empty(t, err)
		}
	})
}
