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
		messages []string // the report: action and name
	}{
		{"outlook.eml", []string{"trim Received", "keep Message-ID", "keep MIME-Version", "drop X-Mailer", "drop X-Originating-IP", "drop X-MimeOLE"}},
		{"thunderbird.eml", []string{"trim Received", "keep Message-ID", "keep MIME-Version", "drop User-Agent"}},
		{"applemail.eml", []string{"trim Mime-Version", "rewrite Message-Id", "drop X-Mailer"}},
		{"gmailweb.eml", []string{"keep MIME-Version", "drop Received", "drop X-Originating-IP", "rewrite Message-ID"}},
		{"mutt.eml", []string{"drop Received", "rewrite Message-ID", "keep MIME-Version", "drop User-Agent"}},
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
				changed = append(changed, c.Action.String()+" "+string(c.Name))
			}
			assert.Equal(t, tt.messages, changed)

			_, origBody, err := Split(msg, Options{})
			require.NoError(t, err)
			assert.Equal(t, string(origBody), string(body))

			// Every field of the input no rule reported, or reported kept, is
			// in the output unchanged; a dropped one is not; what a trim
			// removed is not in the output.
			reported := map[int]Change{}
			for _, c := range rep.Changes {
				reported[c.Offset] = c
			}
			for f, err := range Fields(msg, Options{}) {
				require.NoError(t, err)
				c, ok := reported[f.Offset]
				switch {
				case !ok || c.Action == Keep:
					assert.Contains(t, string(out), string(f.Raw))
				case c.Action == Drop:
					assert.Equal(t, string(f.Raw), string(c.Removed))
					assert.NotContains(t, string(out), string(f.Raw))
				case c.Action == Trim:
					assert.NotContains(t, string(out), string(c.Removed))
					assert.Contains(t, string(f.Value), string(c.Removed))
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

// TestSubmissionRulesReport is the regression test for issue 11: each rule
// of SubmissionRules reports what it did, not what it may do (a dropped
// Received field was reported as "rewrite", like a trimmed one).
func TestSubmissionRulesReport(t *testing.T) {
	tests := []struct {
		name    string
		field   string
		action  Action
		rule    int // index in SubmissionRules
		removed string
	}{
		{"service Received trimmed", "Received: from pc (isp.example [192.0.2.1])\r\n\tby mail.example.org with ESMTPSA; d\r\n",
			Trim, 0, "from pc (isp.example [192.0.2.1])\r\n\t"},
		{"service Received without from kept", "Received: by smtp.example.org with ESMTPSA; d\r\n", Keep, 0, ""},
		{"client-side Received dropped", "Received: from localhost by laptop.example; d\r\n",
			Drop, 0, "Received: from localhost by laptop.example; d\r\n"},
		{"foreign Message-ID rewritten", "Message-ID: <x1@laptop.example>\r\n", Rewrite, 1, "x1@laptop.example"},
		{"own Message-ID kept", "Message-ID: <x1@Example.ORG>\r\n", Keep, 1, ""},
		{"MIME-Version comment trimmed", "MIME-Version: 1.0 (Mac OS X Mail 16.0)\r\n", Trim, 2, " (Mac OS X Mail 16.0)"},
		{"bare MIME-Version kept", "MIME-Version: 1.0\r\n", Keep, 2, ""},
		{"client field dropped", "X-Originating-IP: [192.0.2.1]\r\n", Drop, 3, "X-Originating-IP: [192.0.2.1]\r\n"},
		{"another client field dropped", "user-agent: Mutt\r\n", Drop, 3 + 9, "user-agent: Mutt\r\n"},
	}
	rules := SubmissionRules(testSubmission)
	require.Equal(t, "User-Agent", rules[12].Name)
	s := Sanitizer{Rules: rules}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := []byte("From: a@example.org\r\n" + tt.field + "\r\nbody")
			var rep Report
			out, _, err := s.Append(nil, msg, &rep)
			require.NoError(t, err)
			require.Len(t, rep.Changes, 1, "only the field a rule matched")
			c := rep.Changes[0]
			assert.Equal(t, tt.action, c.Action)
			assert.Equal(t, tt.rule, c.Rule)
			assert.Equal(t, tt.removed, string(c.Removed))
			assert.Equal(t, len("From: a@example.org\r\n"), c.Offset)
			switch tt.action {
			case Keep:
				assert.Equal(t, string(msg[:len(msg)-len("body")]), string(out))
			case Drop:
				assert.Equal(t, "From: a@example.org\r\n\r\n", string(out))
			case Trim:
				assert.NotContains(t, string(out), tt.removed)
			}
		})
	}

	t.Run("added", func(t *testing.T) {
		s := Sanitizer{Rules: append(SubmissionRules(testSubmission), Rule{Action: Add, Field: []byte("X-Service: 1\r\n")})}
		var rep Report
		out, _, err := s.Append(nil, []byte("From: a@example.org\r\n\r\n"), &rep)
		require.NoError(t, err)
		assert.Equal(t, "From: a@example.org\r\nX-Service: 1\r\n\r\n", string(out))
		assert.Equal(t, []Change{{Action: Add, Rule: len(s.Rules) - 1, Name: []byte("X-Service"), Offset: -1}}, rep.Changes)
	})
}
