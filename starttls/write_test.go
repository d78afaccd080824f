package starttls

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandWriters(t *testing.T) {
	tests := []struct {
		p          Protocol
		capability string
		startTLS   string
	}{
		{SMTP, "EHLO client.example\r\n", "STARTTLS\r\n"},
		{POP3, "CAPA\r\n", "STLS\r\n"},
		{IMAP, "S1 CAPABILITY\r\n", "S2 STARTTLS\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			prefix := []byte("x")
			assert.Equal(t, "x"+tt.capability, string(tt.p.appendCapabilityCommand(prefix, "client.example")))
			assert.Equal(t, "x"+tt.startTLS, string(tt.p.appendStartTLS(prefix)))
		})
	}
}

// TestServerRepliesRoundTrip checks each reply the server writes against
// the client's reader: the go-ahead is a go-ahead, every refusal is not.
func TestServerRepliesRoundTrip(t *testing.T) {
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		t.Run(p.String(), func(t *testing.T) {
			tag := []byte(imapStartTLSTag)
			ok, _, err := p.readReply(newLineReader(strings.NewReader(string(p.appendGoAhead(nil, tag))), 512), 10, stepGoAhead)
			require.NoError(t, err)
			require.True(t, ok)
			for _, refusal := range []error{ErrAlreadySecure, ErrUnavailable} {
				ok, _, err := p.readReply(newLineReader(strings.NewReader(string(p.appendRefusal(nil, tag, refusal))), 512), 10, stepGoAhead)
				require.NoError(t, err)
				require.False(t, ok, "%v", refusal)
			}
			reply := string(p.appendRefusal(nil, tag, ErrCommandInjection))
			require.True(t, strings.HasSuffix(reply, "\r\n"))
			require.NotContains(t, reply, imapStartTLSTag, "the closing reply is untagged")
			require.Empty(t, p.appendRefusal(nil, tag, ErrHandshake), "a failed handshake gets no reply")
		})
	}
}

func TestWriterAllocs(t *testing.T) {
	buf := make([]byte, 0, 128)
	tag := []byte("a001")
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		allocs := testing.AllocsPerRun(100, func() {
			buf = p.appendCapabilityCommand(buf[:0], "client.example")
			buf = p.appendStartTLS(buf[:0])
			buf = p.appendGoAhead(buf[:0], tag)
			buf = p.appendRefusal(buf[:0], tag, ErrAlreadySecure)
		})
		require.Zero(t, allocs, "%v", p)
	}
}

func BenchmarkAppendGoAhead(b *testing.B) {
	buf := make([]byte, 0, 64)
	tag := []byte("a001")
	b.ReportAllocs()
	b.SetBytes(int64(len(IMAP.appendGoAhead(nil, tag))))
	for b.Loop() {
		buf = IMAP.appendGoAhead(buf[:0], tag)
	}
}
