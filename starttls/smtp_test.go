package starttls

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
)

func TestSMTPReply(t *testing.T) {
	runReplyCases(t, SMTP, []replyCase{
		{name: "greeting", in: "220 mx ESMTP\r\n", step: stepGreeting, ok: true},
		{name: "multi-line greeting", in: "220-mx\r\n220-more\r\n220 ESMTP\r\n", step: stepGreeting, ok: true},
		{name: "bare code", in: "220\r\n", step: stepGreeting, ok: true},
		{name: "554 greeting", in: "554 no\r\n", step: stepGreeting, err: ErrGreeting},
		{name: "421 greeting", in: "421 busy\r\n", step: stepGreeting, err: ErrServerClosing},
		{name: "EHLO with STARTTLS", in: "250-mx\r\n250-SIZE 100\r\n250 STARTTLS\r\n", step: stepCapabilities, ok: true, advertised: true},
		{name: "EHLO keyword case", in: "250-mx\r\n250 StartTLS\r\n", step: stepCapabilities, ok: true, advertised: true},
		{name: "EHLO without", in: "250-mx\r\n250 PIPELINING\r\n", step: stepCapabilities, ok: true},
		{name: "STARTTLS as the domain is not an advertisement", in: "250 STARTTLS\r\n", step: stepCapabilities, ok: true},
		{name: "STARTTLS with a suffix", in: "250-mx\r\n250 STARTTLSX\r\n", step: stepCapabilities, ok: true},
		{name: "STARTTLS as an argument", in: "250-mx\r\n250 AUTH STARTTLS\r\n", step: stepCapabilities, ok: true},
		{name: "EHLO refused", in: "502 no\r\n", step: stepCapabilities},
		{name: "STARTTLS in a refusal", in: "550-no\r\n550 STARTTLS\r\n", step: stepCapabilities},
		{name: "go-ahead", in: "220 2.0.0 go\r\n", step: stepGoAhead, ok: true},
		{name: "go-ahead with injection", in: "220 go\r\n250 AUTH\r\n", step: stepGoAhead, ok: true, left: 10},
		{name: "454", in: "454 4.7.0 later\r\n", step: stepGoAhead},
		{name: "354", in: "354 go on\r\n", step: stepGoAhead},
		{name: "421 to STARTTLS", in: "421 bye\r\n", step: stepGoAhead, err: ErrServerClosing},
		{name: "codes differ", in: "250-a\r\n251 b\r\n", step: stepCapabilities, err: ErrSyntax},
		{name: "no separator", in: "250x\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "code 199", in: "199 x\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "code 600", in: "600 x\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "code 260", in: "260 x\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "short", in: "22\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "too many lines", in: "250-a\r\n250-b\r\n250-c\r\n250-d\r\n250 e\r\n", step: stepCapabilities, err: ErrTooManyLines},
		{name: "eof mid-reply", in: "250-a\r\n", step: stepCapabilities, err: io.EOF},
	})
}

func TestSMTPReplyOffset(t *testing.T) {
	_, _, err := SMTP.readReply(newLineReader(chunked.NewReader([]byte("250-a\r\n250=b\r\n")), 64), 10, stepCapabilities)
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	require.Equal(t, int64(10), se.Offset)
	require.Equal(t, `SP or "-" after the reply code`, se.Expected)
}

func TestSMTPReplyAllocs(t *testing.T) {
	require.Zero(t, replyAllocs(SMTP, smtpCaps, stepCapabilities))
	require.Zero(t, replyAllocs(SMTP, "220 2.0.0 Ready to start TLS\r\n", stepGoAhead))
}

func BenchmarkSMTPReplyEHLO(b *testing.B) {
	benchmarkReply(b, SMTP, "250-mx.example.test Hello client.example.test\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n", stepCapabilities)
}
