package starttls

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPOP3Reply(t *testing.T) {
	runReplyCases(t, POP3, []replyCase{
		{name: "greeting", in: "+OK POP3 ready <1.2@example>\r\n", step: stepGreeting, ok: true},
		{name: "bare +OK", in: "+OK\r\n", step: stepGreeting, ok: true},
		{name: "-ERR greeting", in: "-ERR busy\r\n", step: stepGreeting, err: ErrGreeting},
		{name: "CAPA with STLS", in: "+OK list\r\nUSER\r\nSTLS\r\nSASL PLAIN\r\n.\r\n", step: stepCapabilities, ok: true, advertised: true},
		{name: "CAPA stls lower case", in: "+OK\r\nstls\r\n.\r\n", step: stepCapabilities, ok: true, advertised: true},
		{name: "CAPA without", in: "+OK\r\nUSER\r\n.\r\n", step: stepCapabilities, ok: true},
		{name: "CAPA dot-stuffed", in: "+OK\r\n..STLS\r\n.\r\n", step: stepCapabilities, ok: true},
		{name: "CAPA refused", in: "-ERR no\r\n", step: stepCapabilities},
		{name: "CAPA too long", in: "+OK\r\nA\r\nB\r\nC\r\nD\r\n.\r\n", step: stepCapabilities, err: ErrTooManyLines},
		{name: "CAPA cut", in: "+OK\r\nSTLS\r\n", step: stepCapabilities, err: io.EOF},
		{name: "go-ahead", in: "+OK Begin TLS negotiation\r\n", step: stepGoAhead, ok: true},
		{name: "go-ahead with injection", in: "+OK\r\n+OK\r\n", step: stepGoAhead, ok: true, left: 5},
		{name: "refused", in: "-ERR [SYS/TEMP] later\r\n", step: stepGoAhead},
		{name: "+OKAY", in: "+OKAY\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "-ERROR", in: "-ERROR\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "lower-case +ok", in: "+ok\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "SMTP reply", in: "220 go\r\n", step: stepGoAhead, err: ErrSyntax},
	})
}

func TestPOP3ReplyAllocs(t *testing.T) {
	require.Zero(t, replyAllocs(POP3, pop3Capa, stepCapabilities))
	require.Zero(t, replyAllocs(POP3, "+OK Begin TLS negotiation\r\n", stepGoAhead))
}

func BenchmarkPOP3ReplyCAPA(b *testing.B) {
	benchmarkReply(b, POP3, "+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\nPIPELINING\r\nUIDL\r\nSTLS\r\n.\r\n", stepCapabilities)
}
