package record

import (
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogMergesAndSince(t *testing.T) {
	var l Log
	l.Add(Sent, false, []byte("EHLO x\r\n"))
	l.Add(Received, false, []byte("250-a\r\n"))
	l.Add(Received, false, []byte("250 b\r\n"))
	l.Add(Sent, true, []byte("QUIT\r\n"))
	e := l.Entries()
	require.Len(t, e, 3)
	assert.Equal(t, "250-a\r\n250 b\r\n", string(e[1].Data))
	assert.Equal(t, []string{"C: EHLO x\\r\\n", "S: 250-a\\r\\n", "S: 250 b\\r\\n", "C~ QUIT\\r\\n"}, Format(e))
	since := l.Since(len("EHLO x\r\n250-a\r\n"))
	assert.Equal(t, []string{"S: 250 b\\r\\n", "C~ QUIT\\r\\n"}, Format(since))
}

func TestLogBound(t *testing.T) {
	var l Log
	big := []byte(strings.Repeat("x", MaxLog-10))
	l.Add(Received, false, big)
	l.Add(Received, false, []byte(strings.Repeat("y", 100)))
	l.Add(Sent, false, []byte("more"))
	assert.Equal(t, MaxLog, l.Size())
	assert.Contains(t, l.String(), "94 dropped")
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\n":       `a\r\n`,
		"\x00.\t\\":   `\x00.\t\\`,
		"\xff\x7f ok": `\xff\x7f ok`,
	} {
		assert.Equal(t, want, Quote([]byte(in)))
	}
}

// A Conn logs plaintext both ways and stops at the first TLS record it
// writes (a ClientHello), so the handshake never reaches the log.
func TestConnStopsAtHandshake(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	var l Log
	c := Wrap(a, &l, false)
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := b.Read(buf); err != nil {
				return
			}
		}
	}()
	go func() { _, _ = b.Write([]byte("220 go ahead\r\n")) }()
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "220 go ahead\r\n", string(buf[:n]))
	_, err = c.Write([]byte("STARTTLS\r\n"))
	require.NoError(t, err)
	_, err = c.Write([]byte{0x16, 0x03, 0x01, 0x00, 0x05})
	require.NoError(t, err)
	_, err = c.Write([]byte("not logged"))
	require.NoError(t, err)
	assert.Equal(t, []string{`S: 220 go ahead\r\n`, `C: STARTTLS\r\n`}, Format(l.Entries()))
}
