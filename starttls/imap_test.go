package starttls

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIMAPReply(t *testing.T) {
	runReplyCases(t, IMAP, []replyCase{
		{name: "greeting", in: "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", step: stepGreeting, ok: true},
		{name: "greeting lower case", in: "* ok hi\r\n", step: stepGreeting, ok: true},
		{name: "PREAUTH", in: "* PREAUTH hi\r\n", step: stepGreeting, err: ErrPreauth},
		{name: "BYE greeting", in: "* BYE busy\r\n", step: stepGreeting, err: ErrGreeting},
		{name: "tagged greeting", in: "S1 OK\r\n", step: stepGreeting, err: ErrSyntax},
		{name: "NO greeting", in: "* NO hi\r\n", step: stepGreeting, err: ErrSyntax},
		{name: "CAPABILITY with STARTTLS", in: "* CAPABILITY IMAP4rev1 STARTTLS\r\nS1 OK\r\n", step: stepCapabilities, ok: true, advertised: true},
		{name: "CAPABILITY split over two lines", in: "* CAPABILITY IMAP4rev1\r\n* CAPABILITY starttls\r\nS1 OK done\r\n", step: stepCapabilities, ok: true, advertised: true},
		{name: "CAPABILITY without", in: "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nS1 OK\r\n", step: stepCapabilities, ok: true},
		{name: "STARTTLS only in the tagged text", in: "* CAPABILITY IMAP4rev1\r\nS1 OK [CAPABILITY STARTTLS] done\r\n", step: stepCapabilities, ok: true},
		{name: "CAPABILITY then NO", in: "* CAPABILITY STARTTLS\r\nS1 NO\r\n", step: stepCapabilities},
		{name: "untagged OK, NO, BAD are dropped", in: "* OK [ALERT] look\r\n* NO x\r\n* BAD y\r\nS1 OK\r\n", step: stepCapabilities, ok: true},
		{name: "untagged BYE", in: "* BYE\r\n", step: stepCapabilities, err: ErrServerClosing},
		{name: "untagged EXISTS", in: "* 3 EXISTS\r\nS1 OK\r\n", step: stepCapabilities, err: ErrSyntax},
		{name: "untagged FETCH literal", in: "* 1 FETCH (BODY[] {2}\r\nS1 OK\r\n", step: stepCapabilities, err: ErrSyntax},
		{name: "continuation", in: "+ go on\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "wrong tag", in: "S1 OK\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "tag alone", in: "S2\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "tag prefix", in: "S22 OK\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "odd status", in: "S2 PREAUTH\r\n", step: stepGoAhead, err: ErrSyntax},
		{name: "go-ahead", in: "S2 OK Begin TLS negotiation now\r\n", step: stepGoAhead, ok: true},
		{name: "go-ahead with injection", in: "S2 OK\r\n* BYE\r\n", step: stepGoAhead, ok: true, left: 7},
		{name: "untagged CAPABILITY before the go-ahead is not kept", in: "* CAPABILITY STARTTLS\r\nS2 OK\r\n", step: stepGoAhead, ok: true},
		{name: "NO", in: "S2 NO later\r\n", step: stepGoAhead},
		{name: "BAD", in: "S2 bad what\r\n", step: stepGoAhead},
		{name: "too many untagged", in: "* OK\r\n* OK\r\n* OK\r\n* OK\r\nS2 OK\r\n", step: stepGoAhead, err: ErrTooManyLines},
	})
}

func TestIMAPReplyAllocs(t *testing.T) {
	require.Zero(t, replyAllocs(IMAP, imapCaps, stepCapabilities))
	require.Zero(t, replyAllocs(IMAP, "S2 OK Begin TLS negotiation now\r\n", stepGoAhead))
}

func BenchmarkIMAPReplyCapability(b *testing.B) {
	benchmarkReply(b, IMAP, "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED AUTH=PLAIN\r\nS1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n", stepCapabilities)
}
