package imapwire

import (
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// atLiteral starts a server Reader on in and reads up to the first literal
// of the first command with the generic lexer.
func atLiteral(t *testing.T, in string, lim Limits) (*Reader, Token, error) {
	t.Helper()
	r := NewReader(chunked.NewReader([]byte(in), 3, 7), ServerSide, Options{Limits: lim})
	require.NoError(t, r.Begin())
	for {
		tok, err := r.Next()
		if err != nil || tok.Kind == KindLiteral {
			return r, tok, err
		}
		require.NotEqual(t, KindEnd, tok.Kind)
	}
}

func nextTag(t *testing.T, r *Reader) string {
	t.Helper()
	require.NoError(t, r.Begin())
	tag, err := r.Atom()
	require.NoError(t, err)
	return string(tag)
}

func TestParseLiteralHeader(t *testing.T) {
	tests := []struct {
		in   string
		plus bool
		want Literal
		ok   bool
	}{
		{"{5}", false, Literal{Size: 5}, true},
		{"{5+}", true, Literal{Size: 5, NonSync: true}, true},
		{"{5+}", false, Literal{}, false},
		{"~{0}", false, Literal{Binary: true}, true},
		{"{9223372036854775807}", false, Literal{Size: 1<<63 - 1}, true},
		{"{9223372036854775808}", false, Literal{}, false},
		{"{99999999999999999999}", false, Literal{}, false},
		{"{}", false, Literal{}, false},
		{"{-1}", false, Literal{}, false},
		{"{5", false, Literal{}, false},
	}
	for _, tt := range tests {
		lit, end, ok := parseLiteralHeader([]byte(tt.in), 0, tt.plus)
		require.Equal(t, tt.ok, ok, tt.in)
		if ok {
			assert.Equal(t, tt.want, lit, tt.in)
			assert.Equal(t, len(tt.in), end, tt.in)
			assert.Equal(t, tt.in, lit.String())
		}
	}
}

func TestLiteralAcceptThenStream(t *testing.T) {
	r, tok, err := atLiteral(t, "a APPEND INBOX {11}\r\nhello world\r\nb NOOP\r\n", Limits{})
	require.NoError(t, err)
	assert.Equal(t, Literal{Size: 11}, tok.Literal)
	_, err = io.ReadAll(r.LiteralReader())
	require.ErrorIs(t, err, ErrNotAccepted)
	_, err = r.Next()
	require.ErrorIs(t, err, ErrLiteralOpen, "no line parsing while a literal is open")
	require.NoError(t, r.Accept())
	data, err := io.ReadAll(r.LiteralReader())
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(data))
	require.NoError(t, r.End())
	assert.Equal(t, "b", nextTag(t, r))
}

func TestLiteralReadIntoCallerBuffer(t *testing.T) {
	r, _, err := atLiteral(t, "a LOGIN {5+}\r\nalice x\r\n", Limits{})
	require.NoError(t, err)
	_, err = r.ReadLiteral(make([]byte, 0, 4))
	require.ErrorIs(t, err, ErrLiteralTooLarge)
	got, err := r.ReadLiteral(make([]byte, 0, 8))
	require.NoError(t, err)
	assert.Equal(t, "alice", string(got))
	require.NoError(t, r.SP())
	pw, err := r.AString()
	require.NoError(t, err)
	assert.Equal(t, "x", string(pw.Bytes))
	require.NoError(t, r.End())
}

func TestLiteralRejectSyncEndsCommand(t *testing.T) {
	r, _, err := atLiteral(t, "a LOGIN {5000}\r\nb NOOP\r\n", Limits{MaxLiteral: 4096})
	require.ErrorIs(t, err, ErrLiteralTooLarge)
	assert.Equal(t, Reply{"NO", "TOOBIG", "Literal too large", false}, ReplyFor(err))
	require.NoError(t, r.Reject())
	assert.Equal(t, "b", nextTag(t, r))
}

// The go-imap v2 smuggling probe (research §1.2): the data of a refused
// non-synchronizing literal must never run as commands.
func TestLiteralRejectNonSyncIsDrained(t *testing.T) {
	data := "xxxx\r\nb CAPABILITY\r\n" + strings.Repeat("y", 5000-20)
	in := "a LOGIN {5000+}\r\n" + data + " pw\r\nc NOOP\r\n"
	for _, reject := range []bool{true, false} {
		r, _, err := atLiteral(t, in, Limits{})
		require.ErrorIs(t, err, ErrNonSyncTooLarge)
		if reject {
			require.NoError(t, r.Reject())
		}
		assert.Equal(t, "c", nextTag(t, r), "reject=%v", reject)
	}
}

func TestLiteralTooLargeToDrainIsFatal(t *testing.T) {
	r, _, err := atLiteral(t, "a LOGIN {4000000000+}\r\nxx", Limits{})
	require.ErrorIs(t, err, ErrUnusable)
	assert.True(t, ReplyFor(err).Fatal)
	require.ErrorIs(t, r.Begin(), ErrUnusable)
}

func TestLiteralCounts(t *testing.T) {
	in := "a SEARCH TEXT {1+}\r\nx TEXT {1+}\r\ny TEXT {1+}\r\nz\r\n"
	r, _, err := atLiteral(t, in, Limits{MaxLiterals: 2})
	require.NoError(t, err)
	_, err = r.Inline()
	require.NoError(t, err)
	var tok Token
	for tok.Kind != KindLiteral {
		tok, err = r.Next()
		require.NoError(t, err)
	}
	require.NoError(t, r.Discard())
	for err == nil {
		tok, err = r.Next()
	}
	require.ErrorIs(t, err, ErrLiteralTooLarge)
	require.ErrorIs(t, r.Begin(), io.EOF)
}

func TestLiteralClientSide(t *testing.T) {
	r := NewReader(strings.NewReader("* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 2 FETCH (X {3+}\r\nabc)\r\n"), ClientSide, Options{})
	require.NoError(t, r.Begin())
	var tok Token
	var err error
	for tok.Kind != KindLiteral {
		tok, err = r.Next()
		require.NoError(t, err)
	}
	got, err := r.Inline()
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
	require.NoError(t, r.Begin())
	for err == nil {
		_, err = r.Next()
	}
	require.ErrorIs(t, err, ErrUnusable, "a server must not send {n+}")
}

// A NUL is refused in {n} and {n+} on both sides, by every way of taking
// the data, and the data is consumed exactly: what follows the literal is
// never read as a message. Literal8 may hold NUL (RFC 3501 §4.3, RFC 9051
// §4.3, RFC 3516).
func TestLiteralNUL(t *testing.T) {
	take := map[string]func(r *Reader) ([]byte, error){
		"Inline": func(r *Reader) ([]byte, error) { return r.Inline() },
		"ReadLiteral": func(r *Reader) ([]byte, error) {
			return r.ReadLiteral(make([]byte, 0, 16))
		},
		"LiteralReader": func(r *Reader) ([]byte, error) { return io.ReadAll(r.LiteralReader()) },
	}
	tests := []struct {
		side Side
		in   string
		nul  bool
	}{
		{ServerSide, "a LOGIN {3+}\r\na\x00b pass\r\nz NOOP\r\n", true},
		{ServerSide, "a LOGIN {3+}\r\n\x00\x00\x00 {2+}\r\nxx\r\nz NOOP\r\n", true},
		{ServerSide, "a APPEND INBOX ~{3+}\r\na\x00b\r\nz NOOP\r\n", false},
		{ServerSide, "a LOGIN {3+}\r\nabc pass\r\nz NOOP\r\n", false},
		{ClientSide, "* 1 FETCH (BODY[] {3}\r\na\x00b)\r\nz OK done\r\n", true},
		{ClientSide, "* 1 FETCH (BODY[] {12}\r\nz OK smuggl\x00)\r\nz OK done\r\n", true},
		{ClientSide, "* 1 FETCH (BINARY[] ~{3}\r\na\x00b)\r\nz OK done\r\n", false},
	}
	for _, tt := range tests {
		for name, f := range take {
			r := NewReader(chunked.NewReader([]byte(tt.in), 2, 5), tt.side, Options{})
			require.NoError(t, r.Begin())
			var tok Token
			var err error
			for tok.Kind != KindLiteral {
				tok, err = r.Next()
				require.NoError(t, err)
			}
			got, err := f(r)
			if tt.nul {
				require.ErrorIs(t, err, ErrLiteralNUL, "%s %q", name, tt.in)
				assert.NotContains(t, string(got), "\x00")
				if tt.side == ServerSide {
					assert.Equal(t, Reply{"BAD", "CLIENTBUG", "NUL in a literal (only literal8 may hold it)", false}, ReplyFor(err))
				}
				if name == "LiteralReader" {
					_, again := r.LiteralReader().Read(make([]byte, 4))
					require.ErrorIs(t, again, ErrLiteralNUL, "the stream stays refused")
				}
			} else {
				require.NoError(t, err, "%s %q", name, tt.in)
				assert.Len(t, got, 3)
			}
			assert.Equal(t, "z", nextTag(t, r), "%s %q: the reader goes on after the literal", name, tt.in)
		}
	}
}

// Taking literals every way, with the NUL check, and reading names in
// either UTF-8 mode allocate nothing.
func TestLiteralPathsAllocs(t *testing.T) {
	stream := []byte("a LOGIN {5+}\r\nalice {3+}\r\npw!\r\nb APPEND INBOX {600+}\r\n" + strings.Repeat("x", 600) +
		"\r\nc SELECT \"Entw&APw-rfe\"\r\nd SELECT \"Entw\xc3\xbcrfe\"\r\n")
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{Limits: Limits{MaxNonSyncLiteral: 1024}})
	dst := make([]byte, 0, 16)
	sink := make([]byte, 256)
	name := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(50, func() {
		r.SetUTF8(false)
		_, err := r.ReadCommand()
		require.NoError(t, err)
		require.NoError(t, r.SP())
		_, err = r.AString()
		require.NoError(t, err)
		_, err = r.ReadLiteral(dst[:0])
		require.NoError(t, err)
		require.NoError(t, r.SP())
		_, err = r.AString()
		require.NoError(t, err)
		_, err = r.Inline()
		require.NoError(t, err)
		require.NoError(t, r.End())

		_, err = r.ReadCommand()
		require.NoError(t, err)
		require.NoError(t, r.SP())
		_, err = r.Mailbox()
		require.NoError(t, err)
		_, err = r.AppendMessage()
		require.NoError(t, err)
		for err == nil {
			_, err = r.LiteralReader().Read(sink)
		}
		require.ErrorIs(t, err, io.EOF)
		require.NoError(t, r.End())

		for _, on := range []bool{false, true} {
			r.SetUTF8(on)
			_, err = r.ReadCommand()
			require.NoError(t, err)
			require.NoError(t, r.SP())
			tok, err := r.Mailbox()
			require.NoError(t, err)
			name, err = r.AppendMailboxName(name[:0], tok)
			require.NoError(t, err)
			require.NoError(t, r.End())
		}
	})
	assert.Zero(t, allocs)
}
