package pop3

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandReaderSession(t *testing.T) {
	in := "CAPA\r\nUSER bob\r\nPASS hunter 2\r\nSTAT\r\nLIST\r\nRETR 1\r\nTOP 2 0\r\nQUIT\r\n"
	for _, size := range []int{1, 3, 7, 4096} {
		cr := NewCommandReader(chunked.NewReader([]byte(in), size), CommandReaderOptions{})
		var verbs []Verb
		for {
			cmd, err := cr.ReadCommand()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			verbs = append(verbs, cmd.Verb)
			if cmd.Verb == VerbPASS {
				assert.Equal(t, "hunter 2", string(cmd.Arg))
			}
		}
		assert.Equal(t, []Verb{VerbCAPA, VerbUSER, VerbPASS, VerbSTAT, VerbLIST, VerbRETR, VerbTOP, VerbQUIT}, verbs)
	}
}

func TestCommandReaderRecovers(t *testing.T) {
	long := "USER " + strings.Repeat("a", 251) + "\r\n" // 256 octets with CRLF
	tests := []struct {
		name, line string
		err        error
	}{
		{"too long", long, ErrLineTooLong},
		{"bare LF", "STAT\n", ErrBareLF},
		{"bare CR", "ST\rAT\r\n", ErrBareCR},
		{"syntax", "RETR x\r\n", ErrMessageNumber},
		{"empty", "\r\n", ErrEmptyLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := NewCommandReader(strings.NewReader(tt.line+"NOOP\r\n"), CommandReaderOptions{})
			_, err := cr.ReadCommand()
			require.ErrorIs(t, err, tt.err)
			r := ReplyOf(err)
			assert.NotEmpty(t, r.Text)
			assert.False(t, r.Fatal)
			cmd, err := cr.ReadCommand()
			require.NoError(t, err)
			assert.Equal(t, VerbNOOP, cmd.Verb)
			_, err = cr.ReadCommand()
			assert.Equal(t, io.EOF, err)
		})
	}
}

func TestCommandReaderLimit(t *testing.T) {
	exact := "USER " + strings.Repeat("a", 248) + "\r\n" // 255 octets with CRLF
	cr := NewCommandReader(strings.NewReader(exact), CommandReaderOptions{})
	_, err := cr.ReadCommand()
	require.NoError(t, err)

	longer := "USER " + strings.Repeat("a", 500) + "\r\n"
	cr = NewCommandReader(strings.NewReader(longer), CommandReaderOptions{MaxLine: 1000})
	_, err = cr.ReadCommand()
	require.NoError(t, err)

	_, err = cr.ReadCommand()
	assert.Equal(t, io.EOF, err)
	cr.Reset(strings.NewReader("RETR 1"))
	_, err = cr.ReadCommand()
	assert.Equal(t, io.ErrUnexpectedEOF, err)
	assert.True(t, ReplyOf(err).Fatal)
}

func TestCommandReaderAuth(t *testing.T) {
	in := "AUTH PLAIN\r\nAGJvYgBzZWNyZXQ=\r\nAUTH LOGIN\r\n*\r\nAUTH X\r\n!!!!\r\n" +
		"AUTH X\r\n" + strings.Repeat("QUFB", 400) + "\r\nNOOP\r\n"
	cr := NewCommandReader(strings.NewReader(in), CommandReaderOptions{})
	buf := make([]byte, 0, 64)

	cmd, err := cr.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, "PLAIN", string(cmd.Arg))
	data, err := cr.ReadAuthResponse(buf)
	require.NoError(t, err)
	assert.Equal(t, "\x00bob\x00secret", string(data))
	p, err := ParsePlain(data)
	require.NoError(t, err)
	assert.Equal(t, "bob", string(p.Authcid))

	_, err = cr.ReadCommand()
	require.NoError(t, err)
	data, err = cr.ReadAuthResponse(buf)
	assert.ErrorIs(t, err, ErrAuthCanceled)
	assert.Equal(t, "Authentication canceled", ReplyOf(err).Text)
	assert.Empty(t, data)

	_, err = cr.ReadCommand()
	require.NoError(t, err)
	_, err = cr.ReadAuthResponse(buf)
	assert.ErrorIs(t, err, ErrBase64)

	_, err = cr.ReadCommand()
	require.NoError(t, err)
	data, err = cr.ReadAuthResponse([]byte("pre:"))
	require.NoError(t, err, "the line limit is the bound, not dst")
	assert.Equal(t, "pre:"+strings.Repeat("AAA", 400), string(data))

	cmd, err = cr.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, VerbNOOP, cmd.Verb)
}

func TestCommandReaderAuthLineLimit(t *testing.T) {
	in := "AUTH X\r\n" + strings.Repeat("QUFB", 30) + "\r\nNOOP\r\n"
	cr := NewCommandReader(strings.NewReader(in), CommandReaderOptions{MaxAuthLine: 100})
	_, err := cr.ReadCommand()
	require.NoError(t, err)
	data, err := cr.ReadAuthResponse([]byte("kept"))
	assert.ErrorIs(t, err, ErrLineTooLong)
	assert.Equal(t, "kept", string(data))
	cmd, err := cr.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, VerbNOOP, cmd.Verb)
}

func TestCommandReaderBuffered(t *testing.T) {
	cr := NewCommandReader(strings.NewReader("STLS\r\nUSER injected\r\n"), CommandReaderOptions{})
	cmd, err := cr.ReadCommand()
	require.NoError(t, err)
	require.Equal(t, VerbSTLS, cmd.Verb)
	assert.Equal(t, len("USER injected\r\n"), cr.Buffered(), "pipelined plaintext must be visible")
	cr.Reset(strings.NewReader(""))
	assert.Zero(t, cr.Buffered())
}

func TestCommandReaderSourceError(t *testing.T) {
	boom := errors.New("timeout")
	cr := NewCommandReader(io.MultiReader(strings.NewReader("RE"), errReader{boom}), CommandReaderOptions{})
	_, err := cr.ReadCommand()
	assert.ErrorIs(t, err, boom)
	assert.True(t, ReplyOf(err).Fatal)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestCommandReaderAllocs(t *testing.T) {
	cr := NewCommandReader(chunked.NewLoop([]byte("RETR 1\r\nLIST\r\nPASS a b\r\nAUTH PLAIN\r\nAGJvYgBzZWNyZXQ=\r\n")), CommandReaderOptions{})
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		for range 4 {
			if _, err := cr.ReadCommand(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := cr.ReadAuthResponse(buf); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkCommandReader(b *testing.B) {
	session := []byte("USER bob\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nDELE 1\r\nTOP 2 10\r\nNOOP\r\nQUIT\r\n")
	cr := NewCommandReader(chunked.NewLoop(session), CommandReaderOptions{})
	b.ReportAllocs()
	b.SetBytes(int64(len(session)))
	for b.Loop() {
		for range 10 {
			if _, err := cr.ReadCommand(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestCommandReaderUnknown: an unknown command is a typed error that is not
// fatal, with a reply naming it, and the reader goes on with the next line.
func TestCommandReaderUnknown(t *testing.T) {
	cr := NewCommandReader(strings.NewReader("LAST\r\nXCLIENT ADDR=192.0.2.1\r\nSTAT\r\n"), CommandReaderOptions{})
	cmd, err := cr.ReadCommand()
	require.ErrorIs(t, err, ErrUnknownCommand)
	assert.Equal(t, "LAST", string(cmd.Name))
	assert.Equal(t, "-ERR Unknown command: LAST\r\n", string(AppendReply(nil, ReplyOf(err))))
	assert.False(t, ReplyOf(err).Fatal)

	cmd, err = cr.ReadCommand()
	require.ErrorIs(t, err, ErrUnknownCommand)
	assert.Equal(t, "XCLIENT", string(cmd.Name), "an extension the server implements itself")
	assert.Equal(t, "ADDR=192.0.2.1", string(cmd.Args))

	cmd, err = cr.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, VerbSTAT, cmd.Verb)
}

// TestCommandReaderReadAhead: after STLS, what the client pipelined is
// visible as octets, not only counted, and consumed reads leave it.
func TestCommandReaderReadAhead(t *testing.T) {
	cr := NewCommandReader(strings.NewReader("STLS\r\nUSER injected\r\nPA"), CommandReaderOptions{})
	assert.Empty(t, cr.ReadAhead(), "nothing read yet")
	cmd, err := cr.ReadCommand()
	require.NoError(t, err)
	require.Equal(t, VerbSTLS, cmd.Verb)
	assert.Equal(t, "USER injected\r\nPA", string(cr.ReadAhead()))
	assert.Equal(t, cr.Buffered(), len(cr.ReadAhead()))
	_, err = cr.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, "PA", string(cr.ReadAhead()))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = cr.ReadAhead() }))
	cr.Reset(strings.NewReader(""))
	assert.Empty(t, cr.ReadAhead())
}

// TestCommandReaderHolds asserts the bytes a CommandReader holds (the size
// of its one buffer): 1 KiB idle and for commands, more only while an AUTH
// continuation line needs it, never past MaxAuthLine.
func TestCommandReaderHolds(t *testing.T) {
	authResp := func(n int) string { return "AUTH X\r\n" + strings.Repeat("QUFB", (n-2)/4) + "\r\n" }
	tests := []struct {
		name     string
		in       string
		opt      CommandReaderOptions
		commands int // ReadCommand calls before the AUTH response, if any
		auth     bool
		want     int
	}{
		{"idle", "", CommandReaderOptions{}, 0, false, 1024},
		{"commands", "USER bob\r\nPASS secret\r\nSTAT\r\nRETR 1\r\n", CommandReaderOptions{}, 4, false, 1024},
		{"a long command is refused without growing", "USER " + strings.Repeat("b", 5000) + "\r\nQUIT\r\n", CommandReaderOptions{}, 2, false, 1024},
		{"a long AUTH command is a command line", "AUTH PLAIN " + strings.Repeat("Q", 3000) + "\r\n", CommandReaderOptions{}, 1, false, 1024},
		{"a short AUTH response", authResp(400), CommandReaderOptions{}, 1, true, 1024},
		{"an AUTH response of 3002 octets", authResp(3002), CommandReaderOptions{}, 1, true, 4096},
		{"an AUTH response at MaxAuthLine", authResp(DefaultMaxAuthLine), CommandReaderOptions{}, 1, true, DefaultMaxAuthLine},
		{"a large MaxLine is the initial buffer", "", CommandReaderOptions{MaxLine: 1500}, 0, false, 1500},
		{"a small MaxAuthLine bounds growth", authResp(1402), CommandReaderOptions{MaxAuthLine: 1402}, 1, true, 1402},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{{1}, {7, 300}} {
				cr := NewCommandReader(chunked.NewReader([]byte(tt.in), sizes...), tt.opt)
				for range tt.commands {
					if _, err := cr.ReadCommand(); err != nil {
						require.ErrorIs(t, err, ErrLineTooLong)
					}
				}
				if tt.auth {
					_, err := cr.ReadAuthResponse(make([]byte, 0, DefaultMaxAuthLine))
					require.NoError(t, err)
				}
				assert.Equal(t, tt.want, cr.Size(), "chunks %v", sizes)
				_, err := cr.ReadCommand()
				require.ErrorIs(t, err, io.EOF, "the whole input was read")
			}
		})
	}
}

func TestCommandReaderAllocsAfterGrowth(t *testing.T) {
	session := []byte("AUTH X\r\n" + strings.Repeat("QUFB", 2000) + "\r\nSTAT\r\n")
	src := bytes.NewReader(session)
	cr := NewCommandReader(src, CommandReaderOptions{})
	dst := make([]byte, 0, 8000)
	run := func() {
		if _, err := cr.ReadCommand(); err != nil {
			t.Fatal(err)
		}
		if _, err := cr.ReadAuthResponse(dst); err != nil {
			t.Fatal(err)
		}
		if _, err := cr.ReadCommand(); err != nil {
			t.Fatal(err)
		}
	}
	run()
	require.Equal(t, 8192, cr.Size())
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(session)
		cr.Reset(src)
		run()
	})
	assert.Zero(t, allocs, "the grown buffer is reused")
	assert.Equal(t, 8192, cr.Size())
}
