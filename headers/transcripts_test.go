package headers

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	linereader "github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
	"github.com/mailwire/mailwire/internal/transcript"
)

// recordedMessages returns every message body that a real client sent with
// DATA in the recorded SMTP sessions, dot-unstuffed, with the client's name.
func recordedMessages(t *testing.T) (msgs [][]byte, clients []string) {
	ts, err := transcript.Discover("smtp")
	require.NoError(t, err)
	for _, tr := range ts {
		lr := linereader.NewReader(bytes.NewReader(tr.Bytes(transcript.ClientToServer)), linereader.Options{MaxLine: 12288})
		for {
			line, err := lr.ReadLine()
			if err != nil {
				break // the end of the session, or TLS after STARTTLS
			}
			if !bytes.EqualFold(line, []byte("DATA")) {
				continue
			}
			body, err := io.ReadAll(dot.NewReader(lr, dot.Options{}))
			require.NoError(t, err, "%s", tr.Path)
			msgs, clients = append(msgs, body), append(clients, tr.Client)
		}
	}
	return msgs, clients
}

// TestRecordedMessages parses and sanitizes the header of every message that
// swaks, smtplib, curl and msmtp sent to Postfix in testdata/transcripts:
// header blocks written by real software (swaks writes its own Date,
// Message-Id and X-Mailer). Every field parses strictly, the raw fields put
// back together are the block itself, and the submission rules leave a
// block that parses again, keeps the body byte for byte and holds no
// X-Mailer; the one message .ci/record.sh sends with an unfolded 1104-octet
// field is refused, since the sanitizer never writes a line over 998.
func TestRecordedMessages(t *testing.T) {
	msgs, clients := recordedMessages(t)
	require.NotEmpty(t, msgs)
	s := Sanitizer{Rules: SubmissionRules(Submission{Domain: "example.test", Hosts: []string{"mail.example.test"}, Secret: []byte("k")}),
		Options: Options{MaxLineLength: 2048}} // .ci/record.sh sends one unfolded 1104-octet field on purpose
	perClient := map[string]int{}
	refused := 0
	for i, msg := range msgs {
		sc := NewScanner(msg, s.Options)
		var raw []byte
		fields := 0
		for sc.Next() {
			raw = append(raw, sc.Field().Raw...)
			fields++
		}
		require.NoError(t, sc.Err(), "%s message %d", clients[i], i)
		require.Positive(t, fields, "%s message %d", clients[i], i)
		require.Equal(t, string(msg[:len(raw)]), string(raw), "raw fields are the block")

		var rep Report
		out, body, err := s.Append(nil, msg, &rep)
		if bytes.Contains(msg[:len(raw)], []byte("X-Long-Header: ")) {
			// Unfolded past RFC 5322's 998: the sanitizer never writes such a
			// line, so the service refuses the message with a 5xx.
			require.ErrorIs(t, err, ErrLineTooLong, "%s message %d", clients[i], i)
			require.Equal(t, 5, ReplyOf(err).Code/100)
			refused++
			continue
		}
		require.NoError(t, err, "%s message %d", clients[i], i)
		require.Equal(t, string(sc.Body()), string(body), "the body passes through")
		again := NewScanner(out, Options{MaxLineLength: 2048})
		for again.Next() {
			require.False(t, again.Field().Is("X-Mailer"), "%s: X-Mailer removed", clients[i])
		}
		require.NoError(t, again.Err())
		perClient[clients[i]]++
	}
	require.Positive(t, refused, "the message with an unfolded 1104-octet field is among them")
	for client, n := range perClient {
		t.Logf("%s: %d messages parsed and sanitized", client, n)
	}
}
