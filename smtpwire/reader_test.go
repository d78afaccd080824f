package smtpwire

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
		{VerbUnknown, nil},
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
	dec, err := DecodeBase64(nil, resp)
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

// smugglingCorpus is every end-of-data variant of the SMTP smuggling
// research (smtpsmug, SMTP-Smuggling-Tools inbound and outbound): the text
// placed where an attacker hopes the body ends.
var smugglingCorpus = []struct {
	name, seq string
	err       error  // nil: the sequence is body data and the body goes on
	data      string // for err nil: the sequence as body data (unstuffed)
}{
	{"lflf", "\n.\n", ErrBareLF, ""},
	{"crcr", "\r.\r", ErrBareCR, ""},
	{"crlf", "\r.\n", ErrBareCR, ""},
	{"lfcr", "\n.\r", ErrBareLF, ""},
	{"lfcrlf", "\n.\r\n", ErrBareLF, ""},
	{"crlflf", "\r\n.\n", ErrBareLF, ""},
	{"crcrlf", "\r.\r\n", ErrBareCR, ""},
	{"crlfcr", "\r\n.\r", ErrBareCR, ""},
	{"nullbefore", "\r\n\x00.\r\n", nil, "\r\n\x00.\r\n"},
	{"nullafter", "\r\n.\x00\r\n", nil, "\r\n\x00\r\n"},
	{"crlfcrcrlf", "\r\n.\r\r\n", ErrBareCR, ""},
	{"crcrlfcrcrlf", "\r\r\n.\r\r\n", ErrBareCR, ""},
}

// TestDataSmuggling: every sequence either is body data or makes the
// reader drain to the real end and fail; the smuggled transaction is never
// read as commands, and the command after the real end is.
func TestDataSmuggling(t *testing.T) {
	const smuggled = "MAIL FROM:<admin@bank.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nFrom: admin@bank.example\r\n\r\nsmuggled"
	for _, tt := range smugglingCorpus {
		for _, sizes := range [][]int{{4096}, {1}, {2, 3, 5}} {
			t.Run(tt.name, func(t *testing.T) {
				in := "DATA\r\nFrom: a@b.example\r\n\r\nhello" + tt.seq + smuggled + "\r\n.\r\nQUIT\r\n"
				c := NewCommandReader(chunked.NewReader([]byte(in), sizes...), CommandReaderOptions{})
				cmd, err := c.ReadCommand()
				require.NoError(t, err)
				require.Equal(t, VerbDATA, cmd.Verb)
				body, err := io.ReadAll(c.Data(0))
				if tt.err != nil {
					require.ErrorIs(t, err, tt.err)
					st := StatusOf(err)
					assert.Equal(t, 554, st.Code)
					assert.False(t, st.Fatal)
					assert.NotContains(t, string(body), "RCPT")
				} else {
					require.NoError(t, err)
					assert.Equal(t, "From: a@b.example\r\n\r\nhello"+tt.data+smuggled+"\r\n", string(body))
				}
				cmd, err = c.ReadCommand()
				require.NoError(t, err)
				assert.Equal(t, VerbQUIT, cmd.Verb, "the command after the real end of data")
			})
		}
	}
}

func TestDataReader(t *testing.T) {
	tests := []struct {
		name, in, body string
		max            int64
		err            error
	}{
		{name: "plain", in: "a\r\nb\r\n.\r\n", body: "a\r\nb\r\n"},
		{name: "empty", in: ".\r\n", body: ""},
		{name: "stuffed", in: "..a\r\n..\r\n.\r\n", body: ".a\r\n.\r\n"},
		{name: "empty lines", in: "\r\n\r\n.\r\n", body: "\r\n\r\n"},
		{name: "dot inside", in: "a.b\r\n.\r\n", body: "a.b\r\n"},
		{name: "at limit", in: "abc\r\n.\r\n", max: 5, body: "abc\r\n"},
		{name: "over limit", in: "abcd\r\nmore\r\n.\r\n", max: 5, err: ErrTooLarge},
		{name: "bare LF", in: "a\nb\r\n.\r\n", err: ErrBareLF},
		{name: "bare CR", in: "a\rb\r\n.\r\n", err: ErrBareCR},
		{name: "cut", in: "a\r\nb", err: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCommandReader(strings.NewReader(tt.in+"QUIT\r\n"), CommandReaderOptions{})
			if tt.err == io.ErrUnexpectedEOF {
				c.Reset(strings.NewReader(tt.in))
			}
			body, err := io.ReadAll(c.Data(tt.max))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				if tt.err == ErrTooLarge {
					assert.Equal(t, 552, StatusOf(err).Code)
				}
				if tt.err == io.ErrUnexpectedEOF {
					return
				}
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.body, string(body))
			}
			cmd, err := c.ReadCommand()
			require.NoError(t, err)
			assert.Equal(t, VerbQUIT, cmd.Verb)
		})
	}
}

func TestBDAT(t *testing.T) {
	in := "BDAT 5\r\nab\r\n.BDAT 5 LAST\r\n.\r\n\r\nBDAT 4 LAST\r\nxxxxQUIT\r\n"
	for _, sizes := range [][]int{{4096}, {1}, {3, 2}} {
		c := NewCommandReader(chunked.NewReader([]byte(in), sizes...), CommandReaderOptions{})
		var chunks []string
		var lasts []bool
		for {
			cmd, err := c.ReadCommand()
			require.NoError(t, err)
			if cmd.Verb != VerbBDAT {
				assert.Equal(t, VerbQUIT, cmd.Verb)
				break
			}
			size, last, err := ParseBDAT(cmd.Args)
			require.NoError(t, err)
			r := c.Chunk(size)
			if len(chunks) == 2 { // the server rejects this one: it is still consumed
				require.NoError(t, r.Discard())
				assert.Zero(t, r.Remaining())
				chunks = append(chunks, "(rejected)")
			} else {
				b, err := io.ReadAll(r)
				require.NoError(t, err)
				chunks = append(chunks, string(b))
			}
			lasts = append(lasts, last)
		}
		assert.Equal(t, []string{"ab\r\n.", ".\r\n\r\n", "(rejected)"}, chunks)
		assert.Equal(t, []bool{false, true, true}, lasts)
	}
}

func TestChunkTruncated(t *testing.T) {
	c := NewCommandReader(strings.NewReader("abc"), CommandReaderOptions{})
	_, err := io.ReadAll(c.Chunk(10))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	c = NewCommandReader(strings.NewReader("abc"), CommandReaderOptions{})
	require.ErrorIs(t, c.Chunk(10).Discard(), io.ErrUnexpectedEOF)
	// A huge announced size allocates nothing; it is just counted down.
	c = NewCommandReader(strings.NewReader("abc"), CommandReaderOptions{})
	r := c.Chunk(1 << 62)
	require.ErrorIs(t, r.Discard(), io.ErrUnexpectedEOF)
}

func TestReaderAllocs(t *testing.T) {
	session := []byte("EHLO client.example\r\nMAIL FROM:<a@b.example> SIZE=100\r\nRCPT TO:<c@d.example>\r\nDATA\r\n" +
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

// FuzzData: a body written by AppendData reads back the same, however the
// wire is split; and any wire input, split any way, gives the same body
// and error, and leaves the reader exactly after the first <CRLF>.<CRLF>.
func FuzzData(f *testing.F) {
	for _, tt := range smugglingCorpus {
		f.Add([]byte("hello"+tt.seq+"MAIL FROM:<a@b>\r\n.\r\nQUIT\r\n"), []byte{1, 2, 3})
	}
	f.Add([]byte("Subject: x\r\n\r\n.leading dot\r\n..\r\n"), []byte{0})
	f.Add([]byte(""), []byte{7})
	f.Add([]byte("no final CRLF"), []byte{200, 1})
	f.Fuzz(func(t *testing.T, body, split []byte) {
		sizes := chunked.SizesFrom(split)
		// Round trip through the writers.
		wire, err := AppendData(nil, body)
		if err == nil {
			var streamed bytes.Buffer
			w := NewDataWriter(&streamed)
			for rest, i := body, 0; len(rest) > 0; i++ {
				n := len(rest)
				if len(sizes) > 0 {
					n = min(n, sizes[i%len(sizes)])
				}
				_, err := w.Write(rest[:n])
				require.NoError(t, err)
				rest = rest[n:]
			}
			require.NoError(t, w.Close())
			require.Equal(t, wire, streamed.Bytes(), "streaming and append writers differ")
			c := NewCommandReader(chunked.NewReader(wire, sizes...), CommandReaderOptions{})
			got, err := io.ReadAll(c.Data(0))
			require.NoError(t, err)
			want := body
			if len(body) > 0 && !bytes.HasSuffix(body, []byte("\r\n")) {
				want = append(bytes.Clone(body), '\r', '\n')
			}
			require.Equal(t, string(want), string(got))
		} else {
			require.True(t, errors.Is(err, ErrBareCR) || errors.Is(err, ErrBareLF))
		}
		// Raw wire input: split invariance and the exact end.
		whole, wholeRest, wholeErr := readRawData(body, nil)
		part, partRest, partErr := readRawData(body, sizes)
		require.Equal(t, whole, part)
		require.Equal(t, wholeErr, partErr)
		require.Equal(t, wholeRest, partRest)
		end := bytes.Index(append([]byte("\r\n"), body...), []byte("\r\n.\r\n"))
		if end < 0 {
			require.ErrorIs(t, wholeErr, io.ErrUnexpectedEOF)
		} else {
			require.Equal(t, string(body[end+3:]), string(wholeRest), "the body must end at the first <CRLF>.<CRLF>")
		}
	})
}

// readRawData reads one DATA body from wire split in sizes (nil: whole),
// then everything after it.
func readRawData(wire []byte, sizes []int) (body, rest []byte, err error) {
	var src io.Reader = bytes.NewReader(wire)
	if sizes != nil {
		src = chunked.NewReader(wire, sizes...)
	}
	c := NewCommandReader(src, CommandReaderOptions{})
	body, err = io.ReadAll(c.Data(0))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return body, nil, io.ErrUnexpectedEOF
	}
	rest, _ = io.ReadAll(c.Chunk(uint64(len(wire))))
	return body, rest, err
}

func BenchmarkData(b *testing.B) {
	body := bytes.Repeat([]byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n"), 1000)
	wire, err := AppendData(nil, body)
	require.NoError(b, err)
	src := bytes.NewReader(wire)
	c := NewCommandReader(src, CommandReaderOptions{})
	buf := make([]byte, 32*1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		src.Reset(wire)
		c.Reset(src)
		d := c.Data(0)
		for {
			_, err := d.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
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
