package smtpwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line string
		verb Verb
		name string
		args string
		err  error
	}{
		{"EHLO mail.example.org", VerbEHLO, "EHLO", "mail.example.org", nil},
		{"ehlo [192.0.2.1]", VerbEHLO, "ehlo", "[192.0.2.1]", nil},
		{"HELO x", VerbHELO, "HELO", "x", nil},
		{"MAIL FROM:<a@b.example> SIZE=10", VerbMAIL, "MAIL", "FROM:<a@b.example> SIZE=10", nil},
		{"RCPT TO:<a@b.example>", VerbRCPT, "RCPT", "TO:<a@b.example>", nil},
		{"DATA", VerbDATA, "DATA", "", nil},
		{"BDAT 10 LAST", VerbBDAT, "BDAT", "10 LAST", nil},
		{"RSET", VerbRSET, "RSET", "", nil},
		{"NOOP", VerbNOOP, "NOOP", "", nil},
		{"NOOP anything goes", VerbNOOP, "NOOP", "anything goes", nil},
		{"QUIT", VerbQUIT, "QUIT", "", nil},
		{"VRFY postmaster", VerbVRFY, "VRFY", "postmaster", nil},
		{"EXPN list", VerbEXPN, "EXPN", "list", nil},
		{"HELP", VerbHELP, "HELP", "", nil},
		{"HELP MAIL", VerbHELP, "HELP", "MAIL", nil},
		{"STARTTLS", VerbSTARTTLS, "STARTTLS", "", nil},
		{"starttls", VerbSTARTTLS, "starttls", "", nil},
		{"AUTH PLAIN AGEAYg==", VerbAUTH, "AUTH", "PLAIN AGEAYg==", nil},
		{"STARTTLSX", VerbUnknown, "STARTTLSX", "", nil},
		{"XCLIENT ADDR=1.2.3.4", VerbUnknown, "XCLIENT", "ADDR=1.2.3.4", nil},
		{"MAILX FROM:<>", VerbUnknown, "MAILX", "FROM:<>", nil},
		{"HELO\tx", VerbUnknown, "HELO\tx", "", nil},
		{"STARTTLS foo", VerbSTARTTLS, "STARTTLS", "foo", ErrArguments},
		{"STARTTLS ", VerbSTARTTLS, "STARTTLS", "", ErrArguments},
		{"DATA x", VerbDATA, "DATA", "x", ErrArguments},
		{"QUIT now", VerbQUIT, "QUIT", "now", ErrArguments},
		{"EHLO", VerbEHLO, "EHLO", "", ErrArguments},
		{"EHLO ", VerbEHLO, "EHLO", "", ErrArguments},
		{"MAIL", VerbMAIL, "MAIL", "", ErrArguments},
		{"BDAT", VerbBDAT, "BDAT", "", ErrArguments},
		{"", VerbUnknown, "", "", ErrEmptyLine},
		{" EHLO x", VerbUnknown, "", "", ErrEmptyLine},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			cmd, err := ParseCommand([]byte(tt.line))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				if tt.err == ErrEmptyLine {
					return
				}
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.verb, cmd.Verb)
			assert.Equal(t, tt.name, string(cmd.Name))
			assert.Equal(t, tt.args, string(cmd.Args))
		})
	}
}

func TestParseCommandStatus(t *testing.T) {
	_, err := ParseCommand([]byte("STARTTLS foo"))
	st := StatusOf(err)
	assert.Equal(t, 501, st.Code)
	assert.Equal(t, EnhancedCode{5, 5, 4}, st.Enhanced)
	assert.False(t, st.Fatal)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 8, e.Offset)
}

func TestVerbString(t *testing.T) {
	for v := VerbEHLO; v <= VerbAUTH; v++ {
		cmd, err := ParseCommand([]byte(v.String() + map[bool]string{true: "", false: " x"}[v.argRule() == argNone]))
		require.NoError(t, err)
		assert.Equal(t, v, cmd.Verb)
	}
	assert.Equal(t, "", VerbUnknown.String())
	assert.Equal(t, "", Verb(200).String())
}

func TestParseCommandAllocs(t *testing.T) {
	line := []byte("MAIL FROM:<a@b.example> SIZE=10")
	n := testing.AllocsPerRun(100, func() {
		if _, err := ParseCommand(line); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, n)
}

func BenchmarkParseCommand(b *testing.B) {
	line := []byte("RCPT TO:<someone@example.org> NOTIFY=SUCCESS,FAILURE")
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := ParseCommand(line); err != nil {
			b.Fatal(err)
		}
	}
}
