package session_test

import (
	"bytes"
	"testing"
	"testing/iotest"

	"github.com/mailwire/mailwire/examples/mailprobe/internal/session"
)

// readAll replays what a server sent: greeting, capabilities, the reply
// to STARTTLS, and what each was.
func readAll(p session.Proto, c *session.Conn) []string {
	var out []string
	add := func(r session.Reply, caps []string, err error) bool {
		out = append(out, r.String(), r.Cond)
		out = append(out, caps...)
		if err != nil {
			out = append(out, "error")
			return false
		}
		return true
	}
	g, caps, err := c.GreetingCaps()
	if !add(g, caps, err) {
		return out
	}
	caps, r, err := c.ReadCapabilities("S1")
	if !add(r, caps, err) {
		return out
	}
	r, err = c.ReadReply("S2")
	add(r, nil, err)
	return out
}

// Whatever a server sends, the replay never panics, and it parses the same
// whether the bytes come at once or one by one.
func FuzzReplay(f *testing.F) {
	f.Add(uint8(session.SMTP), []byte("220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n"))
	f.Add(uint8(session.POP3), []byte("+OK hi\r\n+OK\r\nSTLS\r\nUSER\r\n.\r\n+OK go\r\n"))
	f.Add(uint8(session.IMAP), []byte("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\nS1 OK done\r\nS2 OK go\r\n"))
	f.Add(uint8(session.IMAP), []byte("* PREAUTH hi\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\nS1 OK\r\n"))
	f.Fuzz(func(t *testing.T, proto uint8, data []byte) {
		p := session.Proto(proto%4 + 1)
		whole := readAll(p, session.Replay(p, data))
		bytewise := readAll(p, session.ReplayFrom(p, iotest.OneByteReader(bytes.NewReader(data))))
		if len(whole) != len(bytewise) {
			t.Fatalf("%s: %q != %q", p, bytewise, whole)
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("%s: %q != %q", p, bytewise, whole)
			}
		}
	})
}
