package smtpwire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCommand(t *testing.T) {
	in := "EHLO client.example\r\n" +
		"MAIL FROM:<" + strings.Repeat("a", 500) + "@b.example>\r\n" + // 523 octets: too long
		"NOOP\n" + // bare LF
		"NOOP a\rb\r\n" + // bare CR
		"STARTTLS foo\r\n" +
		"\r\n" +
		"AUTH PLAIN " + strings.Repeat("A", 1000) + "\r\n" + // AUTH may be longer
		"UNKNOWN stuff\r\n" +
		"QUIT\r\n"
	type result struct {
		verb Verb
		err  error
	}
	want := []result{
		{VerbEHLO, nil},
		{VerbUnknown, ErrLineTooLong},
		{VerbUnknown, ErrBareLF},
		{VerbUnknown, ErrBareCR},
		{VerbSTARTTLS, ErrArguments},
		{VerbUnknown, ErrEmptyLine},
		{VerbAUTH, nil},
		{VerbUnknown, ErrUnknownCommand},
		{VerbQUIT, nil},
		{VerbUnknown, io.EOF},
	}
	for _, sizes := range [][]int{{4096}, {1}, {3, 7, 64}} {
		c := NewCommandReader(chunked.NewReader([]byte(in), sizes...), CommandReaderOptions{})
		for i, w := range want {
			cmd, err := c.ReadCommand()
			if w.err != nil {
				require.ErrorIs(t, err, w.err, "command %d", i)
			} else {
				require.NoError(t, err, "command %d", i)
			}
			assert.Equal(t, w.verb, cmd.Verb, "command %d", i)
		}
	}
}

// An unknown verb is a typed error that is not fatal: the reader goes on
// with the next line, and the server answers 500 5.5.1. EHLO and HELO are
// unknown in LMTP, LHLO in SMTP.
func TestReadCommandUnknown(t *testing.T) {
	in := "XFORWARD NAME=spike.porcupine.org\r\nLHLO client.example\r\nEHLO client.example\r\nHELO client.example\r\nNOOP\r\n"
	type result struct {
		verb Verb
		name string
		err  error
	}
	for _, lmtp := range []bool{false, true} {
		want := []result{{VerbUnknown, "XFORWARD", ErrUnknownCommand}, {VerbUnknown, "LHLO", ErrUnknownCommand},
			{VerbEHLO, "EHLO", nil}, {VerbHELO, "HELO", nil}, {VerbNOOP, "NOOP", nil}}
		if lmtp {
			want[1] = result{VerbLHLO, "LHLO", nil}
			want[2] = result{VerbUnknown, "EHLO", ErrUnknownCommand}
			want[3] = result{VerbUnknown, "HELO", ErrUnknownCommand}
		}
		c := NewCommandReader(strings.NewReader(in), CommandReaderOptions{LMTP: lmtp})
		for i, w := range want {
			cmd, err := c.ReadCommand()
			if w.err == nil {
				require.NoError(t, err, "command %d", i)
			} else {
				require.ErrorIs(t, err, w.err, "command %d", i)
				st := StatusOf(err)
				assert.Equal(t, Status{500, EnhancedCode{5, 5, 1}, "Command unrecognized", false}, st)
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.False(t, e.Status.Fatal)
			}
			assert.Equal(t, w.verb, cmd.Verb, "command %d", i)
			assert.Equal(t, w.name, string(cmd.Name), "command %d", i)
		}
		_, err := c.ReadCommand()
		require.ErrorIs(t, err, io.EOF)
	}
	line := []byte("XYZZY\r\n")
	src := bytes.NewReader(line)
	c := NewCommandReader(src, CommandReaderOptions{})
	assert.Zero(t, testing.AllocsPerRun(10, func() {
		src.Reset(line)
		c.Reset(src)
		if _, err := c.ReadCommand(); !errors.Is(err, ErrUnknownCommand) {
			t.Fatal(err)
		}
	}))
}

// ReadAhead shows the unread octets without consuming them.
func TestReadAhead(t *testing.T) {
	c := NewCommandReader(strings.NewReader("STARTTLS\r\n\x16\x03\x01hello"), CommandReaderOptions{})
	cmd, err := c.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, VerbSTARTTLS, cmd.Verb)
	assert.Equal(t, 8, c.Buffered())
	assert.Equal(t, "\x16\x03\x01hello", string(c.ReadAhead()))
	assert.Equal(t, 8, c.Buffered(), "not consumed")
	rr := NewReplyReader(strings.NewReader("220 go ahead\r\n250 injected\r\n"), ReplyReaderOptions{})
	_, err = rr.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, "250 injected\r\n", string(rr.ReadAhead()))
	assert.Equal(t, len(rr.ReadAhead()), rr.Buffered())
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = c.ReadAhead(); _ = rr.ReadAhead() }))

	// The body and chunk readers share the command reader's buffer.
	c = NewCommandReader(strings.NewReader("hi\r\n.\r\nQUIT\r\nabcBDAT"), CommandReaderOptions{})
	d := c.Data(0)
	body, err := io.ReadAll(d)
	require.NoError(t, err)
	assert.Equal(t, "hi\r\n", string(body))
	assert.Equal(t, "QUIT\r\nabcBDAT", string(d.ReadAhead()))
	assert.Equal(t, d.Buffered(), c.Buffered())
	_, err = c.ReadCommand()
	require.NoError(t, err)
	ch := c.Chunk(3)
	got, err := io.ReadAll(ch)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
	assert.Equal(t, "BDAT", string(ch.ReadAhead()))
	assert.Equal(t, 4, ch.Buffered())
}

func TestReadCommandLimits(t *testing.T) {
	line := "NOOP " + strings.Repeat("x", 600) + "\r\nQUIT\r\n"
	c := NewCommandReader(strings.NewReader(line), CommandReaderOptions{MaxLine: 1000})
	cmd, err := c.ReadCommand()
	require.NoError(t, err)
	assert.Len(t, cmd.Args, 600)

	c = NewCommandReader(strings.NewReader("AUTH PLAIN "+strings.Repeat("A", 200)+"\r\nQUIT\r\n"), CommandReaderOptions{MaxAuthLine: 100})
	_, err = c.ReadCommand()
	require.ErrorIs(t, err, ErrLineTooLong)
	assert.Equal(t, 500, StatusOf(err).Code)
	cmd, err = c.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, VerbQUIT, cmd.Verb)
}

func TestReadAuthResponse(t *testing.T) {
	c := NewCommandReader(strings.NewReader("AUTH LOGIN\r\ndXNlcg==\r\n*\r\n"+strings.Repeat("A", 13000)+"\r\n="+"\r\n"), CommandReaderOptions{})
	cmd, err := c.ReadCommand()
	require.NoError(t, err)
	mech, initial, err := ParseAuth(cmd.Args)
	require.NoError(t, err)
	assert.Equal(t, "LOGIN", string(mech))
	assert.Nil(t, initial)
	resp, err := c.ReadAuthResponse()
	require.NoError(t, err)
	dec, err := DecodeSASL(nil, resp)
	require.NoError(t, err)
	assert.Equal(t, "user", string(dec))
	_, err = c.ReadAuthResponse()
	require.ErrorIs(t, err, ErrAuthCanceled)
	assert.Equal(t, 501, StatusOf(err).Code)
	_, err = c.ReadAuthResponse()
	require.ErrorIs(t, err, ErrLineTooLong)
	resp, err = c.ReadAuthResponse()
	require.NoError(t, err)
	assert.Equal(t, "=", string(resp))
}

func TestBuffered(t *testing.T) {
	c := NewCommandReader(strings.NewReader("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n"), CommandReaderOptions{})
	cmd, err := c.ReadCommand()
	require.NoError(t, err)
	require.Equal(t, VerbSTARTTLS, cmd.Verb)
	assert.Equal(t, len("MAIL FROM:<injected@evil.example>\r\n"), c.Buffered(), "pipelined plaintext must be visible")

	c.Reset(strings.NewReader("EHLO x\r\n"))
	assert.Zero(t, c.Buffered())
	cmd, err = c.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, VerbEHLO, cmd.Verb)
}

func TestReaderAllocs(t *testing.T) {
	session := []byte("EHLO client.example\r\nAUTH LOGIN\r\ndXNlcg==\r\nMAIL FROM:<a@b.example> SIZE=100\r\nRCPT TO:<c@d.example>\r\nDATA\r\n" +
		"Subject: hi\r\n\r\n..line\r\nbody\r\n.\r\nBDAT 3 LAST\r\nxyzQUIT\r\n")
	src := bytes.NewReader(session)
	c := NewCommandReader(src, CommandReaderOptions{})
	buf := make([]byte, 64)
	n := testing.AllocsPerRun(100, func() {
		src.Reset(session)
		c.Reset(src)
		for {
			cmd, err := c.ReadCommand()
			if err != nil {
				t.Fatal(err)
			}
			switch cmd.Verb {
			case VerbEHLO:
				if _, err := ParseHello(cmd.Args); err != nil {
					t.Fatal(err)
				}
			case VerbAUTH:
				if _, _, err := ParseAuth(cmd.Args); err != nil {
					t.Fatal(err)
				}
				resp, err := c.ReadAuthResponse()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := DecodeSASL(buf[:0], resp); err != nil {
					t.Fatal(err)
				}
			case VerbMAIL:
				if _, err := ParseMailFrom(cmd.Args, PathOptions{}); err != nil {
					t.Fatal(err)
				}
			case VerbRCPT:
				if _, err := ParseRcptTo(cmd.Args, PathOptions{}); err != nil {
					t.Fatal(err)
				}
			case VerbDATA:
				d := c.Data(0)
				for {
					_, err := d.Read(buf)
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			case VerbBDAT:
				size, _, err := ParseBDAT(cmd.Args)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Chunk(size).Discard(); err != nil {
					t.Fatal(err)
				}
			case VerbQUIT:
				return
			}
		}
	})
	assert.Zero(t, n)
}

func BenchmarkReadCommand(b *testing.B) {
	session := bytes.Repeat([]byte("RCPT TO:<someone@example.org>\r\nNOOP\r\nMAIL FROM:<a@b.example> SIZE=100\r\n"), 100)
	src := bytes.NewReader(session)
	c := NewCommandReader(src, CommandReaderOptions{})
	b.ReportAllocs()
	b.SetBytes(int64(len(session)))
	for b.Loop() {
		src.Reset(session)
		c.Reset(src)
		for {
			if _, err := c.ReadCommand(); err != nil {
				if err == io.EOF {
					break
				}
				b.Fatal(err)
			}
		}
	}
}

// TestNetSMTPClient serves Go's net/smtp client with a server made of
// CommandReader and AppendReply, over net.Pipe: a real client
// implementation talks to the readers and writers end to end.
func TestNetSMTPClient(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	type delivery struct {
		from string
		to   []string
		body string
		err  error
	}
	done := make(chan delivery, 1)
	go func() {
		defer server.Close()
		var d delivery
		c := NewCommandReader(server, CommandReaderOptions{})
		var out []byte
		reply := func(code int, enh EnhancedCode, text ...string) {
			out, d.err = AppendReply(out[:0], code, enh, text...)
			if d.err == nil {
				_, d.err = server.Write(out)
			}
		}
		reply(220, EnhancedCode{}, "mx.example ESMTP")
		for d.err == nil {
			cmd, err := c.ReadCommand()
			if err != nil {
				st := StatusOf(err)
				reply(st.Code, st.Enhanced, st.Text)
				continue
			}
			switch cmd.Verb {
			case VerbEHLO:
				reply(250, EnhancedCode{}, "mx.example", "PIPELINING", "SIZE 10000", "8BITMIME", "ENHANCEDSTATUSCODES")
			case VerbMAIL:
				m, err := ParseMailFrom(cmd.Args, PathOptions{})
				if err != nil {
					st := StatusOf(err)
					reply(st.Code, st.Enhanced, st.Text)
					continue
				}
				d.from = string(m.From.Mailbox)
				reply(250, EnhancedCode{2, 1, 0}, "Ok")
			case VerbRCPT:
				r, err := ParseRcptTo(cmd.Args, PathOptions{})
				if err != nil {
					st := StatusOf(err)
					reply(st.Code, st.Enhanced, st.Text)
					continue
				}
				d.to = append(d.to, string(r.To.Mailbox))
				reply(250, EnhancedCode{2, 1, 5}, "Ok")
			case VerbDATA:
				reply(354, EnhancedCode{}, "End data with <CR><LF>.<CR><LF>")
				body, err := io.ReadAll(c.Data(10000))
				if err != nil {
					st := StatusOf(err)
					reply(st.Code, st.Enhanced, st.Text)
					continue
				}
				d.body = string(body)
				reply(250, EnhancedCode{2, 0, 0}, "Ok: queued")
			case VerbQUIT:
				reply(221, EnhancedCode{2, 0, 0}, "Bye")
				done <- d
				return
			default:
				st := StatusOf(ErrUnknownCommand)
				reply(st.Code, st.Enhanced, st.Text)
			}
		}
		done <- d
	}()

	c, err := smtp.NewClient(client, "mx.example")
	require.NoError(t, err)
	require.NoError(t, c.Hello("client.example"))
	ok, params := c.Extension("SIZE")
	assert.True(t, ok)
	assert.Equal(t, "10000", params)
	require.NoError(t, c.Mail("alice@example.org"))
	require.NoError(t, c.Rcpt("bob@example.net"))
	require.NoError(t, c.Rcpt("carol@example.com"))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte("Subject: hi\r\n\r\n.leading dot\r\nend\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, c.Quit())

	d := <-done
	require.NoError(t, d.err)
	assert.Equal(t, "alice@example.org", d.from)
	assert.Equal(t, []string{"bob@example.net", "carol@example.com"}, d.to)
	assert.Equal(t, "Subject: hi\r\n\r\n.leading dot\r\nend\r\n", d.body)
}

// TestCommandReaderHolds asserts the bytes a CommandReader holds (the size
// of its one buffer) as a session goes on: 1 KiB idle and for ordinary
// commands, more only for a long AUTH line or response and for DATA, and
// never past the largest limit.
func TestCommandReaderHolds(t *testing.T) {
	authLine := func(n int) string { return "AUTH PLAIN " + strings.Repeat("A", n-len("AUTH PLAIN \r\n")) + "\r\n" }
	tests := []struct {
		name string
		in   string
		opt  CommandReaderOptions
		read func(c *CommandReader) error
		want int
	}{
		{"idle", "", CommandReaderOptions{}, nil, 1024},
		{"ordinary commands", "EHLO client.example\r\nMAIL FROM:<a@b.example> SIZE=100\r\nAUTH PLAIN " + strings.Repeat("A", 400) + "\r\n",
			CommandReaderOptions{}, readN(3), 1024},
		{"a long non-AUTH line is refused without growing", "NOOP " + strings.Repeat("x", 5000) + "\r\nQUIT\r\n",
			CommandReaderOptions{}, readN(2), 1024},
		{"an AUTH line of 3000 octets", authLine(3000), CommandReaderOptions{}, readN(1), 4096},
		{"an auth line in lower case", strings.ToLower(authLine(3000)), CommandReaderOptions{}, readN(1), 4096},
		{"an AUTH line at MaxAuthLine", authLine(DefaultMaxAuthLine), CommandReaderOptions{}, readN(1), DefaultMaxAuthLine},
		{"an AUTH line over MaxAuthLine", authLine(DefaultMaxAuthLine+1) + "QUIT\r\n", CommandReaderOptions{}, readN(2), DefaultMaxAuthLine},
		{"an AUTH response of 5000 octets", "AUTH LOGIN\r\n" + strings.Repeat("B", 4998) + "\r\n", CommandReaderOptions{},
			func(c *CommandReader) error {
				if _, err := c.ReadCommand(); err != nil {
					return err
				}
				_, err := c.ReadAuthResponse()
				return err
			}, 8192},
		{"a DATA body", "DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n", CommandReaderOptions{},
			func(c *CommandReader) error {
				if _, err := c.ReadCommand(); err != nil {
					return err
				}
				_, err := io.Copy(io.Discard, c.Data(0))
				return err
			}, 8192},
		{"a large MaxLine is the initial buffer", "", CommandReaderOptions{MaxLine: 2000}, nil, 2000},
		{"a small MaxAuthLine bounds AUTH growth", authLine(1500), CommandReaderOptions{MaxAuthLine: 1500}, readN(1), 1500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{{1}, {7, 300}} {
				c := NewCommandReader(chunked.NewReader([]byte(tt.in), sizes...), tt.opt)
				if tt.read != nil {
					require.NoError(t, tt.read(c))
				}
				assert.Equal(t, tt.want, c.Size(), "chunks %v", sizes)
				_, err := c.ReadCommand()
				require.ErrorIs(t, err, io.EOF, "the whole input was read")
			}
		})
	}
}

// readN reads n commands; ErrLineTooLong counts as read.
func readN(n int) func(c *CommandReader) error {
	return func(c *CommandReader) error {
		for range n {
			if _, err := c.ReadCommand(); err != nil && !errors.Is(err, ErrLineTooLong) {
				return err
			}
		}
		return nil
	}
}

func TestCommandReaderAllocsAfterGrowth(t *testing.T) {
	session := []byte("AUTH PLAIN " + strings.Repeat("A", 10000) + "\r\nNOOP\r\n")
	src := bytes.NewReader(session)
	c := NewCommandReader(src, CommandReaderOptions{})
	for range 2 {
		_, err := c.ReadCommand()
		require.NoError(t, err)
	}
	require.Equal(t, DefaultMaxAuthLine, c.Size())
	n := testing.AllocsPerRun(100, func() {
		src.Reset(session)
		c.Reset(src)
		for range 2 {
			if _, err := c.ReadCommand(); err != nil {
				t.Fatal(err)
			}
		}
	})
	assert.Zero(t, n, "the grown buffer is reused")
	assert.Equal(t, DefaultMaxAuthLine, c.Size())
}

// FuzzReadCommandPaths: ReadCommand, with its fast path, gives what a line
// read and the general path give, for SMTP and LMTP and any limits.
func FuzzReadCommandPaths(f *testing.F) {
	f.Add([]byte("EHLO x\r\nLHLO y\r\nMAIL FROM:<a@b>\r\nAUTH PLAIN "+strings.Repeat("A", 80)+"\r\nDATA \r\nquit\r\n"), uint16(0), uint16(0), false)
	f.Add([]byte("AUTH PLAIN "+strings.Repeat("A", 80)+"\r\nNOOP "+strings.Repeat("x", 70)+"\r\nRSET\r\n"), uint16(64), uint16(100), true)
	f.Add([]byte("HELO a\r\nrcpt TO:<x>\r\nVRFY\r\nSTARTTLS\r\nXCLIENT ADDR=1\r\n"), uint16(20), uint16(30), false)
	f.Fuzz(func(t *testing.T, stream []byte, maxLine, maxAuth uint16, lmtp bool) {
		opt := CommandReaderOptions{MaxLine: int(maxLine), MaxAuthLine: int(maxAuth), LMTP: lmtp}
		fast := NewCommandReader(bytes.NewReader(stream), opt)
		general := NewCommandReader(bytes.NewReader(stream), opt)
		for range 200 {
			c1, err1 := fast.ReadCommand()
			general.lr.SetMaxLine(general.maxLine)
			var c2 Command
			line, err2 := general.lr.ReadLine()
			if err2 == nil {
				c2, err2 = general.parseLine(line)
			}
			require.Equal(t, fmt.Sprint(err2), fmt.Sprint(err1))
			require.Equal(t, c2.Verb, c1.Verb)
			require.Equal(t, string(c2.Name), string(c1.Name))
			require.Equal(t, string(c2.Args), string(c1.Args))
			require.Equal(t, general.Buffered(), fast.Buffered())
			if err1 == io.EOF || err1 == io.ErrUnexpectedEOF {
				return
			}
		}
	})
}
