package pop3

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCommand(t *testing.T) {
	digest := "c4c9334bac560ecc979e58001b3e22fb"
	tests := []struct {
		line string
		want Command
	}{
		{"USER mrose", Command{Verb: VerbUSER, Arg: bs("mrose")}},
		{"user mrose", Command{Verb: VerbUSER, Arg: bs("mrose")}},
		{"PASS secret", Command{Verb: VerbPASS, Arg: bs("secret")}},
		{"PASS  two  spaces ", Command{Verb: VerbPASS, Arg: bs(" two  spaces ")}},
		{"APOP mrose " + digest, Command{Verb: VerbAPOP, Arg: bs("mrose"), Arg2: bs(digest)}},
		{"APOP Mr Rose " + digest, Command{Verb: VerbAPOP, Arg: bs("Mr Rose"), Arg2: bs(digest)}},
		{"STAT", Command{Verb: VerbSTAT}},
		{"LIST", Command{Verb: VerbLIST}},
		{"LIST 2", Command{Verb: VerbLIST, Msg: 2}},
		{"RETR 1", Command{Verb: VerbRETR, Msg: 1}},
		{"retr 2147483647", Command{Verb: VerbRETR, Msg: MaxMessageNumber}},
		{"DELE 007", Command{Verb: VerbDELE, Msg: 7}},
		{"NOOP", Command{Verb: VerbNOOP}},
		{"RSET", Command{Verb: VerbRSET}},
		{"QUIT", Command{Verb: VerbQUIT}},
		{"TOP 1 10", Command{Verb: VerbTOP, Msg: 1, Lines: 10}},
		{"TOP 3 0", Command{Verb: VerbTOP, Msg: 3}},
		{"UIDL", Command{Verb: VerbUIDL}},
		{"UIDL 12", Command{Verb: VerbUIDL, Msg: 12}},
		{"CAPA", Command{Verb: VerbCAPA}},
		{"STLS", Command{Verb: VerbSTLS}},
		{"AUTH", Command{Verb: VerbAUTH}},
		{"AUTH PLAIN", Command{Verb: VerbAUTH, Arg: bs("PLAIN")}},
		{"AUTH PLAIN =", Command{Verb: VerbAUTH, Arg: bs("PLAIN"), Arg2: bs("=")}},
		{"AUTH plain AGJvYgBzZWNyZXQ=", Command{Verb: VerbAUTH, Arg: bs("plain"), Arg2: bs("AGJvYgBzZWNyZXQ=")}},
		{"AUTH SCRAM-SHA-256", Command{Verb: VerbAUTH, Arg: bs("SCRAM-SHA-256")}},
		{"UTF8", Command{Verb: VerbUTF8}},
		{"LANG", Command{Verb: VerbLANG}},
		{"LANG fr", Command{Verb: VerbLANG, Arg: bs("fr")}},
		{"PASS pässwörd", Command{Verb: VerbPASS, Arg: bs("pässwörd")}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := ParseCommand([]byte(tt.line))
			require.NoError(t, err)
			name, args, _ := cut([]byte(tt.line))
			tt.want.Name, tt.want.Args = name, args
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestParseCommandUnknown is the regression test for issue 11: an unknown
// command was VerbUnknown with no error, so a server that forgot to check
// the verb answered nothing useful. It is now ErrUnknownCommand, not fatal,
// with a reply that names the command, and the Command still carries the
// name and arguments for a server that implements the extension.
func TestParseCommandUnknown(t *testing.T) {
	tests := []struct{ line, name, args, reply string }{
		{"XCLIENT ADDR=192.0.2.1", "XCLIENT", "ADDR=192.0.2.1", "-ERR Unknown command: XCLIENT\r\n"},
		{"LAST", "LAST", "", "-ERR Unknown command: LAST\r\n"},
		{"last", "last", "", "-ERR Unknown command: last\r\n"},
		{"RETRX 1", "RETRX", "1", "-ERR Unknown command: RETRX\r\n"},
		{"XO", "XO", "", "-ERR Unknown command: XO\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			cmd, err := ParseCommand([]byte(tt.line))
			require.ErrorIs(t, err, ErrUnknownCommand)
			var pe *Error
			require.ErrorAs(t, err, &pe)
			r := ReplyOf(err)
			assert.False(t, r.Fatal)
			assert.Equal(t, tt.reply, string(AppendReply(nil, r)))
			assert.Equal(t, VerbUnknown, cmd.Verb)
			assert.Equal(t, tt.name, string(cmd.Name))
			assert.Equal(t, tt.args, string(cmd.Args))
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	tests := []struct {
		line   string
		err    error
		offset int
	}{
		{"", ErrEmptyLine, 0},
		{" STAT", ErrSyntax, 0},
		{"ST\x00T", ErrSyntax, 2},
		{"RETR 1\t", ErrSyntax, 6},
		{"RE-TR 1", ErrSyntax, 2},
		{"ABCDEFGHIJKLMNOPQ", ErrSyntax, 0},
		{"STAT ", ErrArguments, 5},
		{"STAT 1", ErrArguments, 5},
		{"QUIT now", ErrArguments, 5},
		{"RETR", ErrMessageNumber, 5},
		{"RETR 0", ErrMessageNumber, 5},
		{"RETR -1", ErrMessageNumber, 5},
		{"RETR +1", ErrMessageNumber, 5},
		{"RETR 1 ", ErrMessageNumber, 5},
		{"RETR 2147483648", ErrMessageNumber, 5},
		{"RETR 99999999999999999999999", ErrMessageNumber, 5},
		{"DELE x", ErrMessageNumber, 5},
		{"LIST  1", ErrMessageNumber, 5},
		{"LIST 0", ErrMessageNumber, 5},
		{"TOP 1", ErrArguments, 6},
		{"TOP 1 -1", ErrArguments, 6},
		{"TOP 0 1", ErrMessageNumber, 4},
		{"USER", ErrArguments, 5},
		{"USER a b", ErrArguments, 5},
		{"PASS", ErrArguments, 5},
		{"APOP mrose", ErrArguments, 5},
		{"APOP mrose c4c9", ErrArguments, 11},
		{"APOP mrose c4c9334bac560ecc979e58001b3e22fz", ErrArguments, 11},
		{"AUTH PL@IN", ErrArguments, 5},
		{"AUTH ABCDEFGHIJKLMNOPQRSTU", ErrArguments, 5},
		{"AUTH PLAIN a b", ErrArguments, 11},
		{"LANG en fr", ErrArguments, 5},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := ParseCommand([]byte(tt.line))
			require.ErrorIs(t, err, tt.err)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.offset, e.Offset)
			assert.NotEmpty(t, e.Expected)
			assert.NotEmpty(t, ReplyOf(err).Text)
			assert.False(t, ReplyOf(err).Fatal)
		})
	}
}

func TestVerbString(t *testing.T) {
	assert.Equal(t, "RETR", VerbRETR.String())
	assert.Equal(t, "UTF8", VerbUTF8.String())
	assert.Empty(t, VerbUnknown.String())
	assert.Empty(t, Verb(200).String())
}

func TestValidMechanism(t *testing.T) {
	assert.True(t, ValidMechanism("GSSAPI"))
	assert.True(t, ValidMechanism([]byte("DIGEST-MD5")))
	assert.True(t, ValidMechanism("X_OAUTH2"))
	assert.False(t, ValidMechanism(""))
	assert.False(t, ValidMechanism("A B"))
	assert.False(t, ValidMechanism("ABCDEFGHIJKLMNOPQRSTU"))
}

func TestParseCommandAllocs(t *testing.T) {
	lines := [][]byte{bs("RETR 12345"), bs("TOP 1 10"), bs("PASS a b c"), bs("AUTH PLAIN ="), bs("UIDL")}
	allocs := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			if _, err := ParseCommand(l); err != nil {
				t.Fatal(err)
			}
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkParseCommand(b *testing.B) {
	line := []byte("RETR 12345")
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, err := ParseCommand(line); err != nil {
			b.Fatal(err)
		}
	}
}

// bs is a short []byte conversion for tables.
func bs(s string) []byte { return []byte(s) }
