package headers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSubmission = Submission{
	Domain: "example.org",
	Hosts:  []string{"mail.example.org", "smtp.example.org"},
	Secret: []byte("test secret"),
}

// TestSubmissionRulesFixtures runs the ready-made rules over the messages of
// real clients: nothing that names the client survives, everything else is
// kept byte for byte, and the body is untouched.
func TestSubmissionRulesFixtures(t *testing.T) {
	leaks := []string{
		"89.14.22.117", "DESKTOP-7H3K2LQ", "telefonica", "Authenticated sender", "2a02:3100",
		"203.0.113.45", "laptop.home.example", "127.0.0.1", "Lenas-MacBook-Pro", "Mac OS X Mail",
		"X-Mailer", "User-Agent", "X-MimeOLE", "X-Originating-IP", "Thunderbird", "Mutt/", "Outlook 16.0",
	}
	tests := []struct {
		fixture  string
		messages []string // fields changed or removed, by name
	}{
		{"outlook.eml", []string{"Received", "X-Mailer", "X-Originating-IP", "X-MimeOLE"}},
		{"thunderbird.eml", []string{"Received", "User-Agent"}},
		{"applemail.eml", []string{"Mime-Version", "Message-Id", "X-Mailer"}},
		{"gmailweb.eml", []string{"Received", "X-Originating-IP", "Message-ID"}},
		{"mutt.eml", []string{"Received", "Message-ID", "User-Agent"}},
	}
	s := Sanitizer{Rules: SubmissionRules(testSubmission)}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			msg := readFixture(t, tt.fixture)
			var rep Report
			out, body, err := s.Append(nil, msg, &rep)
			require.NoError(t, err)
			for _, leak := range leaks {
				assert.NotContains(t, string(out), leak)
			}
			var changed []string
			for _, c := range rep.Changes {
				changed = append(changed, string(c.Name))
			}
			assert.Equal(t, tt.messages, changed)

			_, origBody, err := Split(msg, Options{})
			require.NoError(t, err)
			assert.Equal(t, string(origBody), string(body))

			// Every field of the input no rule reported is in the output unchanged.
			reported := map[int]bool{}
			for _, c := range rep.Changes {
				reported[c.Offset] = true
			}
			for f, err := range Fields(msg, Options{}) {
				require.NoError(t, err)
				if !reported[f.Offset] {
					assert.Contains(t, string(out), string(f.Raw))
				}
			}
			assert.True(t, validFields(out[:len(out)-2]))
			assert.True(t, strings.HasSuffix(string(out), "\r\n\r\n"))
		})
	}
}

func TestSubmissionRulesOutlookExact(t *testing.T) {
	s := Sanitizer{Rules: SubmissionRules(testSubmission)}
	out, _, err := s.Append(nil, readFixture(t, "outlook.eml"), nil)
	require.NoError(t, err)
	want := "Received: by mail.example.org (Postfix) with ESMTPSA id 4F2Kq81XyTz9rxL\r\n" +
		"\tfor <jonas@example.net>; Tue, 14 Oct 2025 09:12:44 +0200 (CEST)\r\n" +
		"From: \"Anna Berger\" <anna.berger@example.org>\r\n" +
		"To: \"Jonas Weber\" <jonas@example.net>\r\n" +
		"Subject: AW: Angebot =?iso-8859-1?Q?f=FCr?= das Projekt\r\n" +
		"Date: Tue, 14 Oct 2025 09:12:41 +0200\r\n" +
		"Message-ID: <000001dc3cd2$8a1b2c30$9e518490$@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative;\r\n" +
		"\tboundary=\"----=_NextPart_000_0001_01DC3CE3.4DA56E90\"\r\n" +
		"Thread-Index: AQHcPNKKm7ZzG4p8QkW0gX1yZ1dQ2w==\r\n" +
		"Content-Language: de\r\n" +
		"X-MS-TNEF-Correlator: \r\n" +
		"\r\n"
	assert.Equal(t, want, string(out))
}

func TestBareMIMEVersion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))\r\n", "Mime-Version: 1.0\r\n"},
		{"MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\n"},
		{"MIME-Version: (odd) 1.0\r\n", "MIME-Version: (odd) 1.0\r\n"},
	}
	for _, tt := range tests {
		s := NewScanner([]byte(tt.in), Options{})
		require.True(t, s.Next())
		got, err := appendBareMIMEVersion(nil, s.Field())
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(got))
	}
}
