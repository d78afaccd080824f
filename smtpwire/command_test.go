package smtpwire

import (
	"bytes"
	"io"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"
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
		{"STARTTLSX", VerbUnknown, "STARTTLSX", "", ErrUnknownCommand},
		{"XCLIENT ADDR=1.2.3.4", VerbXCLIENT, "XCLIENT", "ADDR=1.2.3.4", nil},
		{"xclient", VerbXCLIENT, "xclient", "", ErrArguments},
		{"LHLO x", VerbLHLO, "LHLO", "x", nil},
		{"XFORWARD NAME=x", VerbUnknown, "XFORWARD", "NAME=x", ErrUnknownCommand},
		{"MAILX FROM:<>", VerbUnknown, "MAILX", "FROM:<>", ErrUnknownCommand},
		{"HELO\tx", VerbUnknown, "HELO\tx", "", ErrUnknownCommand},
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
	for v := VerbEHLO; v < numVerbs; v++ {
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

// The fuzz targets accept a few extension parameters, so that the
// round trip covers Extra too.
var (
	fuzzPathOptions = PathOptions{ExtensionParams: []string{"X-FOO", "XYZ", "RRVS"}}
	fuzzRcptOptions = PathOptions{SMTPUTF8: true, ExtensionParams: []string{"X-FOO", "XYZ", "RRVS"}}
)

// FuzzCommand: a command stream gives the same commands however it is
// split; a MAIL or RCPT that parses is turned into the writer's typed
// parameters (Params.MailParams, Params.RcptParams), written back by
// AppendMailFrom or AppendRcptTo, and parses again to the same path and
// parameters.
func FuzzCommand(f *testing.F) {
	for _, s := range []string{
		"EHLO client.example\r\nMAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<c@d.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c+2Bx@d.example\r\nDATA\r\n",
		"MAIL FROM:<> RET=HDRS ENVID=QQ314159 AUTH=<> MT-PRIORITY=-3 REQUIRETLS\r\n",
		"MAIL FROM:<jörg@münchen.example> SMTPUTF8 X-FOO=bar\r\nRCPT TO:<Postmaster>\r\n",
		"MAIL FROM:<\"a b\"@[192.0.2.1]>\r\nRCPT TO:<@r.example:x@[IPv6:2001:db8::1]>\r\n",
		"RCPT TO:<x@y.example> ORCPT=utf-8;j\\x{F6}rg@y.example\r\nSTARTTLSX\r\nSTARTTLS foo\r\nBDAT 10 LAST\r\nAUTH PLAIN =\r\n",
		// A submission session as a mail client pipelines it (RFC 2920 §3.1 shape).
		"EHLO [192.168.1.20]\r\nAUTH PLAIN AHVzZXIAcGFzcw==\r\nMAIL FROM:<user@example.org> BODY=8BITMIME SIZE=2048\r\n" +
			"RCPT TO:<a@example.net>\r\nRCPT TO:<b@example.com> NOTIFY=FAILURE ORCPT=rfc822;b@example.com\r\nDATA\r\n",
		// RFC 3461 §7.1-style DSN parameters.
		"MAIL FROM:<Alice@Example.COM> RET=HDRS ENVID=QQ314159\r\nRCPT TO:<Bob@Example.COM> NOTIFY=SUCCESS ORCPT=rfc822;Bob@Example.COM\r\n",
	} {
		f.Add([]byte(s), []byte{3, 1})
	}
	seeds, err := transcript.Seeds("smtp", transcript.ClientToServer, 4096)
	require.NoError(f, err)
	for _, s := range seeds {
		f.Add(s, []byte{5})
	}
	f.Fuzz(func(t *testing.T, stream, split []byte) {
		whole := readCommands(bytes.NewReader(stream))
		part := readCommands(chunked.NewReader(stream, chunked.SizesFrom(split)...))
		require.Equal(t, whole, part)
		for _, r := range whole { // limits hold
			limit := DefaultMaxCommandLine
			if r.verb == VerbAUTH {
				limit = DefaultMaxAuthLine
			}
			require.LessOrEqual(t, len(r.name)+1+len(r.args)+2, limit)
		}
		for line := range bytes.SplitSeq(stream, []byte("\r\n")) {
			cmd, err := ParseCommand(line)
			if err != nil {
				continue
			}
			switch cmd.Verb {
			case VerbMAIL:
				m, err := ParseMailFrom(cmd.Args, fuzzPathOptions)
				if err != nil {
					continue
				}
				p, err := m.Params.MailParams()
				require.NoError(t, err)
				wire, err := AppendMailFrom(nil, string(m.From.Mailbox), &p)
				require.NoError(t, err, "%q", line)
				again, err := ParseCommand(bytes.TrimSuffix(wire, []byte("\r\n")))
				require.NoError(t, err)
				m2, err := ParseMailFrom(again.Args, fuzzPathOptions)
				require.NoError(t, err, "%q", wire)
				require.Equal(t, string(m.From.Mailbox), string(m2.From.Mailbox))
				p2, err := m2.Params.MailParams()
				require.NoError(t, err)
				require.Equal(t, p, p2)
			case VerbRCPT:
				r, err := ParseRcptTo(cmd.Args, fuzzRcptOptions)
				if err != nil {
					continue
				}
				p, err := r.Params.RcptParams()
				require.NoError(t, err)
				wire, err := AppendRcptTo(nil, string(r.To.Mailbox), true, &p)
				require.NoError(t, err, "%q", line)
				again, err := ParseCommand(bytes.TrimSuffix(wire, []byte("\r\n")))
				require.NoError(t, err)
				r2, err := ParseRcptTo(again.Args, fuzzRcptOptions)
				require.NoError(t, err, "%q", wire)
				require.Equal(t, string(r.To.Mailbox), string(r2.To.Mailbox))
				p2, err := r2.Params.RcptParams()
				require.NoError(t, err)
				require.Equal(t, p, p2)
			}
		}
	})
}

type commandResult struct {
	verb       Verb
	name, args string
	err        string
}

func readCommands(src io.Reader) []commandResult {
	c := NewCommandReader(src, CommandReaderOptions{})
	var out []commandResult
	for {
		cmd, err := c.ReadCommand()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return out
		}
		res := commandResult{verb: cmd.Verb, name: string(cmd.Name), args: string(cmd.Args)}
		if err != nil {
			res.err = err.Error()
		}
		out = append(out, res)
	}
}

// FuzzCommandFast: whenever the fast path takes a line, the general path
// makes the same Command of it, with no error.
func FuzzCommandFast(f *testing.F) {
	for _, s := range []string{"MAIL FROM:<a@b>", "rcpt TO:<x>", "DATA", "DATA ", "NOOP", "NOOP ", "EHLO", "EHLO x",
		"QuIt", "STARTTLS", "AUTH PLAIN", "M@IL x", "MAIL\tx", "HELP", "LHLO x", "BDAT 1 LAST", "`ail x", "Z"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		v := parseCommandFast(line)
		general, err := parseCommand(line)
		if v == VerbUnknown {
			return
		}
		fast := fastCommand(v, line)
		require.NoError(t, err)
		require.Equal(t, general.Verb, fast.Verb)
		require.Equal(t, string(general.Name), string(fast.Name))
		require.Equal(t, general.Args == nil, fast.Args == nil)
		require.Equal(t, string(general.Args), string(fast.Args))
	})
}
