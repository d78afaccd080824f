package imapwire

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokens reads every message of r with the generic lexer and renders the
// tokens one per element; literals are inlined.
func tokens(t testing.TB, r *Reader) []string { return tokensWith(t, r, (*Reader).Inline) }

// streamed takes a literal through LiteralReader.
func streamed(r *Reader) ([]byte, error) { return io.ReadAll(r.LiteralReader()) }

// tokensWith is tokens with literals taken by take.
func tokensWith(t testing.TB, r *Reader, take func(*Reader) ([]byte, error)) []string {
	var out []string
	for {
		if err := r.Begin(); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			return append(out, "error: "+err.Error())
		}
		for {
			tok, err := r.Next()
			if err == nil && tok.Kind == KindLiteral {
				tok.Bytes, err = take(r)
			}
			if err != nil {
				out = append(out, "error: "+err.Error())
				break
			}
			out = append(out, tok.Kind.String()+":"+string(tok.Bytes))
			if tok.Kind == KindEnd {
				break
			}
		}
	}
}

func TestReaderFramesLinesAndLiterals(t *testing.T) {
	in := "a1 LOGIN {5+}\r\nalice \"pw\"\r\n* OK done {5}\r\n"
	want := []string{"atom:a1", "SP: ", "atom:LOGIN", "SP: ", "literal:alice", "SP: ", "quoted:pw", "end:",
		"atom:*", "SP: ", "atom:OK", "SP: ", "atom:done", "SP: ", "error: " + ErrNotAccepted.Error()}
	for _, sizes := range [][]int{nil, {1}, {2, 3}, {7}, {4096}} {
		r := NewReader(chunked.NewReader([]byte(in), sizes...), ServerSide, Options{})
		got := tokens(t, r)
		require.Equal(t, want, got, "sizes %v", sizes)
	}
}

func TestReaderChunkSplitInvariance(t *testing.T) {
	in := "* 1 FETCH (UID 5 BODY[HEADER.FIELDS (FROM)] {13}\r\nFrom: a@b\r\n\r\n FLAGS (\\Seen))\r\n+ go on\r\n"
	r := NewReader(strings.NewReader(in), ClientSide, Options{})
	want := tokens(t, r)
	require.Contains(t, want, "literal:From: a@b\r\n\r\n")
	for n := 1; n < 20; n++ {
		r := NewReader(chunked.NewReader([]byte(in), n, 1, 3), ClientSide, Options{})
		assert.Equal(t, want, tokens(t, r), "chunk %d", n)
	}
}

// TestReaderLineAcrossGrowth frames lines that cross the end of the
// buffer while it grows, in a message that does not start the buffer: the
// growth moves the message to the front of a new buffer, and the line must
// be framed where it is now. Each message must read the same after others
// as it does alone (from a fresh Reader, whose message starts its buffer),
// with literals inlined or streamed, however the input is split. The third
// case is the shape of the Dovecot trace (TestReaderReplaysDovecotTrace):
// a streamed literal whose end is read past the buffer, then the FETCH line
// goes on across the buffer's end.
func TestReaderLineAcrossGrowth(t *testing.T) {
	// 8 + 18 + 4039 + 15 octets put the literal's data at 4080, 16 octets
	// before the end of the first 4096-octet buffer; the 20-octet line after
	// it then crosses that end.
	trace := []string{"* OK x\r\n",
		"* 1 FETCH (X-PAD \"" + strings.Repeat("p", 4039) + "\" BODY[] {40}\r\n" + strings.Repeat("0123456789", 4) +
			" UID 7 BODY[1] {3}\r\nabc)\r\n",
		"z OK done\r\n"}
	cases := []struct {
		name string
		msgs []string
	}{
		{"first line", []string{"* OK x\r\n", "* OK " + strings.Repeat("y", 5000) + "\r\n", "z OK done\r\n"}},
		{"line after an inline literal", []string{"* OK x\r\n",
			"* 1 FETCH (BODY[] {4100}\r\n" + strings.Repeat("b", 4100) + " UID " + strings.Repeat("9", 9) + ")\r\n", "z OK done\r\n"}},
		{"line after a streamed literal", trace},
		{"the same after a longer response", append([]string{"* OK " + strings.Repeat("q", 1500) + "\r\n"}, trace[1:]...)},
	}
	takes := map[string]func(*Reader) ([]byte, error){"Inline": (*Reader).Inline, "LiteralReader": streamed}
	for _, c := range cases {
		for name, take := range takes {
			var want []string
			for _, m := range c.msgs {
				want = append(want, tokensWith(t, NewReader(strings.NewReader(m), ClientSide, Options{}), take)...)
			}
			require.NotContains(t, strings.Join(want, "\n"), "error:")
			in := []byte(strings.Join(c.msgs, ""))
			for _, sizes := range [][]int{nil, {1}, {7, 1}, {4080}, {4095, 30}} {
				var rd io.Reader = bytes.NewReader(in)
				if sizes != nil {
					rd = chunked.NewReader(in, sizes...)
				}
				got := tokensWith(t, NewReader(rd, ClientSide, Options{}), take)
				require.Equal(t, want, got, "%s, %s, sizes %v", c.name, name, sizes)
			}
		}
	}
}

// TestReaderReplaysDovecotTrace replays the server's side of a session
// with Dovecot 2.3 through the comparison's client (imapClient of
// message_interop_test.go, same limits), taking section literals with
// LiteralReader and with Inline. testdata/imsg-literalreader-trace.bin was
// copied with MAILWIRE_IMAP_TRACE from TestMessageDovecot when streaming
// there failed with ErrBareLF at the 15th command: the growing buffer
// moved the message while a line was framed, and the line was taken from
// where it had been. The copy stops where the client stopped reading, in
// the last FETCH; traceTail completes it as Dovecot does. Both ways must
// read every response, alike, and the sections must agree with each other.
func TestReaderReplaysDovecotTrace(t *testing.T) {
	const traceTail = "Content-Type: applic BODY[1]<2> {1}\r\nz)\r\nm15 OK Fetch completed.\r\n"
	trace, err := os.ReadFile("testdata/imsg-literalreader-trace.bin")
	require.NoError(t, err)
	in := append(trace, traceTail...)
	replay := func(rd io.Reader, inline bool) (all []fetched) {
		c := newIMAPClient(t, rd, io.Discard)
		c.inline = inline
		for range 15 {
			got, resp := c.run("FETCH")
			require.Equal(t, CondOK, resp.Cond, "%s: %s", resp.Tag, resp.Text)
			all = append(all, got...)
		}
		require.Zero(t, c.r.Buffered())
		_, err := c.r.ReadResponse()
		require.ErrorIs(t, err, io.EOF, "the trace is read to its end")
		return all
	}
	want := replay(bytes.NewReader(in), true)
	require.Len(t, want, 13, "FETCH responses in the trace")
	for i, f := range want {
		whole, header, text := f.sections[""], f.sections["HEADER"], f.sections["TEXT"]
		require.Equal(t, string(whole), string(header)+string(text), "FETCH %d: BODY[] is BODY[HEADER] BODY[TEXT]", i+1)
		require.Equal(t, string(whole[:min(100, len(whole))]), string(f.sections["<0>"]), "FETCH %d: BODY[]<0.100>", i+1)
		require.Equal(t, string(text[min(5, len(text)):min(25, len(text))]), string(f.sections["TEXT<5>"]), "FETCH %d: BODY[TEXT]<5.20>", i+1)
	}
	for _, sizes := range [][]int{nil, {1}, {3, 1500}, {1448}, {4096}, {65536}} {
		for _, inline := range []bool{false, true} {
			var rd io.Reader = bytes.NewReader(in)
			if sizes != nil {
				rd = chunked.NewReader(in, sizes...)
			}
			got := replay(rd, inline)
			require.Equal(t, want, got, "sizes %v, inline %v", sizes, inline)
		}
	}
}

func TestReaderLimits(t *testing.T) {
	tests := []struct {
		name string
		in   string
		lim  Limits
		want error
	}{
		{"line", "a NOOP " + strings.Repeat("x", 100) + "\r\n", Limits{MaxLine: 50}, ErrLineTooLong},
		{"line without LF", strings.Repeat("x", 100), Limits{MaxLine: 50}, ErrLineTooLong},
		{"message", "a LOGIN {40+}\r\n" + strings.Repeat("x", 40) + " {40+}\r\n" + strings.Repeat("y", 40) + "\r\n",
			Limits{MaxLine: 50, MaxMessage: 70, MaxInlineLiteral: 50}, ErrLiteralTooLarge},
		{"bare LF", "a NOOP\n", Limits{}, ErrBareLF},
		{"unexpected EOF", "a NOOP", Limits{}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in), ServerSide, Options{Limits: tt.lim})
			var err error
			for err == nil {
				if err = r.Begin(); err != nil {
					break
				}
				for err == nil {
					var tok Token
					tok, err = r.Next()
					if err == nil && tok.Kind == KindLiteral {
						_, err = r.Inline()
					}
					if tok.Kind == KindEnd {
						break
					}
				}
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestReaderMessageViewsStayValid(t *testing.T) {
	in := "a SELECT {3+}\r\nfoo\r\n" + strings.Repeat("b NOOP\r\n", 2000)
	r := NewReader(chunked.NewReader([]byte(in), 1000), ServerSide, Options{})
	require.NoError(t, r.Begin())
	tag, err := r.Atom()
	require.NoError(t, err)
	for range 2 {
		_, err = r.Next()
		require.NoError(t, err)
	}
	require.NoError(t, r.SP())
	tok, err := r.String()
	require.NoError(t, err)
	require.Equal(t, KindLiteral, tok.Kind)
	v, err := r.Inline()
	require.NoError(t, err)
	require.NoError(t, r.End())
	assert.Equal(t, "a", string(tag))
	assert.Equal(t, "foo", string(v))
	for range 2000 {
		require.NoError(t, r.Begin())
		tag, err := r.Atom()
		require.NoError(t, err)
		require.Equal(t, "b", string(tag))
	}
	require.ErrorIs(t, r.Begin(), io.EOF)
}

// timeoutReader fails every other Read with a retryable error.
type timeoutReader struct {
	r    io.Reader
	fail bool
}

var errTimeout = errors.New("timeout")

func (t *timeoutReader) Read(p []byte) (int, error) {
	t.fail = !t.fail
	if t.fail {
		return 0, errTimeout
	}
	return t.r.Read(p)
}

func TestReaderResumesAfterError(t *testing.T) {
	in := "a1 NOOP\r\na2 LOGIN x y\r\n"
	r := NewReader(&timeoutReader{r: chunked.NewReader([]byte(in), 3)}, ServerSide, Options{})
	var got []string
	for {
		err := r.Begin()
		if errors.Is(err, errTimeout) {
			continue
		}
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		for {
			tok, err := r.Next()
			if errors.Is(err, errTimeout) {
				continue
			}
			require.NoError(t, err)
			got = append(got, string(tok.Bytes))
			if tok.Kind == KindEnd {
				break
			}
		}
	}
	assert.Equal(t, []string{"a1", " ", "NOOP", "", "a2", " ", "LOGIN", " ", "x", " ", "y", ""}, got)
}

func TestReaderBuffered(t *testing.T) {
	r := NewReader(strings.NewReader("a STARTTLS\r\nb NOOP\r\n"), ServerSide, Options{})
	require.NoError(t, r.Begin())
	_, err := r.Capture()
	require.NoError(t, err)
	assert.Equal(t, "b NOOP\r\n", string(r.ReadAhead()))
	assert.Equal(t, len("b NOOP\r\n"), r.Buffered())
}

// Buffered and ReadAhead stay exact after a literal however it was taken:
// closing a streamed literal's gap moves the read-ahead, never loses or
// repeats it (a COMPRESS or STARTTLS switch after APPEND depends on it).
func TestReaderReadAheadAfterLiterals(t *testing.T) {
	const rest = "b COMPRESS DEFLATE\r\n\x78\x9c\x00binary"
	take := map[string]func(r *Reader) error{
		"Inline":        func(r *Reader) error { _, err := r.Inline(); return err },
		"ReadLiteral":   func(r *Reader) error { _, err := r.ReadLiteral(make([]byte, 0, 64)); return err },
		"LiteralReader": func(r *Reader) error { _, err := io.Copy(io.Discard, r.LiteralReader()); return err },
		"Discard":       func(r *Reader) error { return r.Discard() },
	}
	for name, f := range take {
		for _, lit := range []string{"{5+}\r\nhello", "~{5}\r\nhe\x00lo", "{0+}\r\n"} {
			in := "a APPEND INBOX " + lit + "\r\n" + rest
			r := NewReader(strings.NewReader(in), ServerSide, Options{})
			_, err := r.ReadCommand()
			require.NoError(t, err)
			require.NoError(t, r.SP())
			_, err = r.Mailbox()
			require.NoError(t, err)
			m, err := r.AppendMessage()
			require.NoError(t, err)
			require.Equal(t, KindLiteral, m.Literal.Kind)
			require.NoError(t, r.Accept())
			require.NoError(t, f(r), name)
			require.NoError(t, r.End(), name)
			assert.Equal(t, rest, string(r.ReadAhead()), "%s %q", name, lit)
			assert.Equal(t, len(rest), r.Buffered(), "%s %q", name, lit)
			c, err := r.ReadCommand()
			require.NoError(t, err)
			assert.Equal(t, "b", string(c.Tag))
		}
	}
}

// The STARTTLS hand-over: a server checks Buffered at the go-ahead and
// then Resets onto the TLS connection; nothing of the plaintext survives,
// not even a sticky error. (Buffered and Reset are the shape starttls.Buffer
// expects of every protocol's reader.)
func TestReaderReset(t *testing.T) {
	var _ interface {
		Buffered() int
		Reset(io.Reader)
	} = (*Reader)(nil)
	r := NewReader(strings.NewReader("a STARTTLS\r\n"), ServerSide, Options{})
	cmd, err := r.ReadCommand()
	require.NoError(t, err)
	require.Equal(t, "STARTTLS", cmd.ID.String())
	require.NoError(t, r.End())
	require.Zero(t, r.Buffered())

	r.Reset(strings.NewReader("b CAPABILITY\r\n"))
	cmd, err = r.ReadCommand()
	require.NoError(t, err)
	require.Equal(t, "b", string(cmd.Tag))
	require.Equal(t, "CAPABILITY", cmd.ID.String())

	r.Reset(strings.NewReader("{999999999999}\r\n"))
	_, err = r.ReadCommand()
	require.Error(t, err)
	r.Reset(strings.NewReader("c NOOP\r\n"))
	cmd, err = r.ReadCommand()
	require.NoError(t, err, "Reset clears a sticky error")
	require.Equal(t, "NOOP", cmd.ID.String())
}

func TestReaderAllocs(t *testing.T) {
	stream := []byte("a1 FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)])\r\na2 LOGIN {5+}\r\nalice \"p\\\"w\"\r\n")
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{})
	allocs := testing.AllocsPerRun(200, func() {
		for range 2 {
			require.NoError(t, r.Begin())
			for {
				tok, err := r.Next()
				require.NoError(t, err)
				if tok.Kind == KindLiteral {
					_, err = r.Inline()
					require.NoError(t, err)
				}
				if tok.Kind == KindEnd {
					break
				}
			}
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkReaderLiteralStream(b *testing.B) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16)
	stream := append([]byte("a APPEND INBOX {"+strconv.Itoa(len(body))+"+}\r\n"), body...)
	stream = append(stream, "\r\n"...)
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{Limits: Limits{MaxNonSyncLiteral: 1 << 20}})
	sink := make([]byte, 32<<10)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Begin(); err != nil {
			b.Fatal(err)
		}
		for {
			t, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if t.Kind == KindLiteral {
				for {
					if _, err := r.LiteralReader().Read(sink); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
			if t.Kind == KindEnd {
				break
			}
		}
	}
}

// A bare LF ending the line after a literal is an error on every token of
// that line, not only for the call that framed it: the first to see it is
// often AtEnd or Peek, which cannot return it (FuzzDiffIMAPResponse found
// "* 0 0 {175}\r\n… ]0\n" read to its end without an error).
func TestReaderBareLFAfterLiteralStaysAnError(t *testing.T) {
	for _, tc := range []struct {
		name string
		side Side
		in   string
	}{
		{"response, value after", ClientSide, "* 0 X {3}\r\nabc ]0\n"},
		{"response, line ends", ClientSide, "* X {3}\r\nabc\n"},
		{"command", ServerSide, "a1 X {3+}\r\nabc 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in+"b2 NOOP\r\n"), tc.side, Options{})
			require.NoError(t, r.Begin())
			var err error
			for range 10 {
				if r.AtEnd() {
					err = r.End()
					break
				}
				if r.Peek() == ' ' {
					if err = r.SP(); err != nil {
						break
					}
				}
				if _, err = r.Capture(); err != nil {
					break
				}
			}
			require.ErrorIs(t, err, ErrBareLF)
			require.ErrorIs(t, r.End(), ErrBareLF, "asked again")
			require.Equal(t, byte(0), r.Peek())
			// The error belongs to that message: the next one reads.
			require.NoError(t, r.Begin())
			require.False(t, r.AtEnd())
		})
	}
}

// The typed readers' fast paths, which read the line in place, see the bare
// LF too.
func TestReaderBareLFAfterLiteralTypedReaders(t *testing.T) {
	const env = `("d" "s" NIL NIL NIL NIL NIL NIL NIL "<m@x>")`
	const body = `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 3 1)`
	for _, tc := range []struct {
		name string
		item string
		read func(r *Reader) error
	}{
		{"envelope", "ENVELOPE " + env, func(r *Reader) error { _, err := r.Envelope(); return err }},
		{"body structure", "BODYSTRUCTURE " + body, func(r *Reader) error { _, err := r.BodyStructure(); return err }},
		{"number", "UID 7", func(r *Reader) error { _, err := r.Number(); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "* 1 FETCH (BODY[] {3}\r\nabc " + tc.item + ")\n"
			r := NewReader(strings.NewReader(in), ClientSide, Options{})
			resp, err := r.ReadResponse()
			require.NoError(t, err)
			require.Equal(t, DataFetch, resp.Data)
			items := r.FetchItems()
			require.True(t, items.Next())
			tok, err := r.SectionData()
			require.NoError(t, err)
			_, err = io.ReadAll(r.LiteralReader())
			require.NoError(t, err)
			require.Equal(t, KindLiteral, tok.Kind)
			var got error
			if items.Next() {
				got = tc.read(r)
			} else {
				got = items.Err()
			}
			require.ErrorIs(t, got, ErrBareLF)
		})
	}
}
