package imapwire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzLimits are small, so that the fuzzer reaches every limit.
var fuzzLimits = Limits{MaxLine: 200, MaxMessage: 600, MaxInlineLiteral: 100, MaxLiteral: 300,
	MaxNonSyncLiteral: 50, MaxLiterals: 4, MaxLiteralTotal: 400, MaxDepth: 6, MaxTagLen: 20}

// stop reports whether reading cannot go on after err.
func stop(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || ReplyFor(err).Fatal
}

// bufBound is the most memory a Reader's buffer may take.
func bufBound(l Limits) int { return 2 * (l.MaxMessage + l.MaxLine + 4) }

// readAll decodes every message of in with read, fed in chunks of the
// given sizes, and renders the results and errors in order.
func readAll(t *testing.T, in []byte, sizes []int, side Side, q Quirks,
	read func(r *Reader, out []byte) ([]byte, error)) []string {
	r := NewReader(chunked.NewReader(in, sizes...), side, Options{Limits: fuzzLimits, Quirks: q})
	var got []string
	for range len(in) + 2 {
		out, err := read(r, nil)
		if err != nil {
			out = append(out, " error: "+errorKind(err)...)
		}
		got = append(got, string(out))
		require.LessOrEqual(t, cap(r.buf), bufBound(r.Limits()), "memory stays within the limits")
		if stop(err) {
			break
		}
	}
	return got
}

// errorKind is the sentinel of err, without offsets, which depend on how
// much was read.
func errorKind(err error) string {
	for _, s := range []error{ErrLineTooLong, ErrMessageTooLong, ErrBareLF, ErrLiteralTooLarge, ErrNonSyncTooLarge,
		ErrLiteralNUL, ErrUnknownCommand, ErrEightBit, ErrInvalidUTF8, ErrUTF7, ErrAuthFailed, ErrAuthCanceled,
		ErrTooDeep, ErrTagTooLong, ErrLiteralOpen, ErrNotAccepted, ErrUnusable, ErrSyntax, io.ErrUnexpectedEOF, io.EOF} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return err.Error()
}

func readCommand(r *Reader, out []byte) ([]byte, error) {
	c, err := r.ReadCommand()
	if err != nil {
		return out, err
	}
	return describe(out, r, c)
}

func readResponse(r *Reader, out []byte) ([]byte, error) {
	resp, err := r.ReadResponse()
	if err != nil {
		return out, err
	}
	return describeResponse(out, r, resp, make([]byte, 128))
}

func FuzzCommands(f *testing.F) {
	for _, c := range commandCases {
		f.Add([]byte(c.in), []byte{3, 0, 9})
	}
	f.Add([]byte("a LOGIN {5000+}\r\nxxxx\r\nb CAPABILITY\r\n"), []byte{1})
	f.Add([]byte("a SEARCH "+string(bytes.Repeat([]byte("NOT "), 10))+"ALL\r\n"), []byte{7})
	seeds, err := transcript.Seeds("imap", transcript.ClientToServer, 4096)
	require.NoError(f, err)
	for _, s := range seeds {
		f.Add(s, []byte{13})
	}
	f.Fuzz(func(t *testing.T, in, seed []byte) {
		whole := readAll(t, in, []int{len(in) + 1}, ServerSide, Quirks{}, readCommand)
		split := readAll(t, in, chunked.SizesFrom(seed), ServerSide, Quirks{}, readCommand)
		assert.Equal(t, whole, split, "the same commands however the input is split")
	})
}

func FuzzResponses(f *testing.F) {
	for _, c := range responseCases {
		f.Add([]byte(c.in), []byte{5, 1}, uint8(0))
	}
	for _, q := range quirkFixtures {
		f.Add([]byte(q.in), []byte{2}, uint8(15))
	}
	seeds, err := transcript.Seeds("imap", transcript.ServerToClient, 4096)
	require.NoError(f, err)
	for _, s := range seeds {
		f.Add(s, []byte{7, 1}, uint8(0))
	}
	f.Fuzz(func(t *testing.T, in, seed []byte, quirks uint8) {
		q := Quirks{TrailingSpace: quirks&1 != 0, MissingText: quirks&2 != 0,
			EmptyContinuation: quirks&4 != 0, NegativeSize: quirks&8 != 0}
		whole := readAll(t, in, []int{len(in) + 1}, ClientSide, q, readResponse)
		split := readAll(t, in, chunked.SizesFrom(seed), ClientSide, q, readResponse)
		assert.Equal(t, whole, split, "the same responses however the input is split")
	})
}

// lexAll reads the first message of in with the generic lexer, taking
// literals inline, and returns its tokens: strings by value, others by
// kind and bytes.
func lexAll(in []byte) ([]Token, error) {
	r := NewReader(bytes.NewReader(in), ServerSide, Options{Limits: fuzzLimits})
	if err := r.Begin(); err != nil {
		return nil, err
	}
	var toks []Token
	for {
		t, err := r.Next()
		if err == nil && t.Kind == KindLiteral {
			if err = r.Accept(); err == nil {
				t.Bytes, err = r.Inline()
			}
		}
		if err != nil {
			return toks, err
		}
		if t.Kind == KindEnd {
			return toks, nil
		}
		if t.Kind == KindQuoted {
			t.Bytes = t.AppendValue(nil)
		}
		t.Bytes = bytes.Clone(t.Bytes)
		toks = append(toks, t)
	}
}

// encodeTokens writes tokens back, strings in whatever form the encoder
// picks.
func encodeTokens(toks []Token) ([]byte, error) {
	e := Encoder{}
	var out []byte
	var err error
	for _, t := range toks {
		switch t.Kind {
		case KindQuoted, KindLiteral:
			out, err = e.AppendString(out, t.Bytes)
			if err != nil {
				return nil, err
			}
		default:
			out = append(out, t.Bytes...)
		}
	}
	return append(out, '\r', '\n'), nil
}

func FuzzRoundTrip(f *testing.F) {
	for _, c := range commandCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		toks, err := lexAll(in)
		if err != nil {
			return
		}
		enc, err := encodeTokens(toks)
		if err != nil {
			return // a NUL in a literal has no string form
		}
		again, err := lexAll(enc)
		if errors.Is(err, ErrLiteralTooLarge) || errors.Is(err, ErrMessageTooLong) || errors.Is(err, ErrLineTooLong) {
			return // quoting can make a value longer than the small limits
		}
		require.NoError(t, err, "%q re-encoded as %q", in, enc)
		require.Len(t, again, len(toks))
		for i := range toks {
			a, b := toks[i], again[i]
			assert.Equal(t, a.IsString(), b.IsString())
			if !a.IsString() {
				assert.Equal(t, a.Kind, b.Kind)
			}
			assert.Equal(t, string(a.Bytes), string(b.Bytes))
		}
	})
}

func FuzzEncodeString(f *testing.F) {
	f.Add([]byte("INBOX"), false)
	f.Add([]byte("a \"b\"\r\n"), true)
	f.Add([]byte("café"), true)
	f.Fuzz(func(t *testing.T, s []byte, utf8Mode bool) {
		enc, err := Encoder{UTF8: utf8Mode}.AppendAString(nil, s)
		if err != nil {
			require.ErrorIs(t, err, ErrInjection)
			require.Contains(t, string(s), "\x00")
			return
		}
		if !bytes.HasPrefix(enc, []byte("{")) {
			assert.NotContains(t, string(enc), "\r", "no CR outside a literal")
			assert.NotContains(t, string(enc), "\n", "no LF outside a literal")
		} else {
			assert.True(t, bytes.HasPrefix(enc, []byte("{"+strconv.Itoa(len(s))+"}\r\n")), "exact count")
		}
		r := NewReader(bytes.NewReader(append(enc, "\r\n"...)), ClientSide,
			Options{Limits: Limits{MaxInlineLiteral: 1 << 20, MaxMessage: 1 << 20, MaxLine: 1 << 20}, UTF8: utf8Mode})
		require.NoError(t, r.Begin())
		tok, err := r.AString()
		require.NoError(t, err)
		if tok.Kind == KindLiteral {
			tok.Bytes, err = r.Inline()
			require.NoError(t, err)
		}
		assert.Equal(t, string(s), string(tok.AppendValue(nil)))
		require.NoError(t, r.End())
	})
}

func FuzzUTF7(f *testing.F) {
	f.Add([]byte("~peter/mail/&U,BTFw-/&ZeVnLIqe-"))
	f.Add([]byte("R&-D"))
	f.Add([]byte("&2D3eAA-"))
	f.Fuzz(func(t *testing.T, in []byte) {
		dec, err := AppendUTF7Decode(nil, in)
		if err == nil {
			assert.Equal(t, string(in), string(AppendUTF7Encode(nil, dec)), "valid input is canonical")
		}
		assert.Equal(t, err == nil, validUTF7(in, false), "the check agrees with the decoder")
		// A quoted name's escapes stand for themselves, checked and decoded
		// in place as after unescaping.
		quoted, qerr := Encoder{}.AppendQuoted(nil, in)
		if qerr == nil && len(quoted) >= 2 {
			content := quoted[1 : len(quoted)-1]
			r := NewReader(bytes.NewReader(nil), ServerSide, Options{})
			got, err2 := r.AppendMailboxName(nil, Token{Kind: KindQuoted, Bytes: content, Escaped: bytes.IndexByte(content, '\\') >= 0})
			assert.Equal(t, err == nil, err2 == nil, "%q", content)
			if err == nil {
				assert.Equal(t, string(dec), string(got))
			}
		}
		if utf8.Valid(in) {
			enc := AppendUTF7Encode(nil, in)
			back, err := AppendUTF7Decode(nil, enc)
			require.NoError(t, err, "%q", enc)
			assert.Equal(t, string(in), string(back))
		}
	})
}

func FuzzSeqSet(f *testing.F) {
	f.Add([]byte("1:*,3,9:5"))
	f.Add([]byte("$"))
	f.Fuzz(func(t *testing.T, in []byte) {
		s, ok := ParseSeqSet(in)
		if !ok || s.Saved() {
			return
		}
		ranges := func(s SeqSet) (out [][2]uint32) {
			for it := s.Ranges(); it.Next(); {
				out = append(out, [2]uint32{it.Lo, it.Hi})
			}
			return out
		}
		var out []byte
		for i, rg := range ranges(s) {
			if i > 0 {
				out = append(out, ',')
			}
			for j, n := range rg {
				if j > 0 {
					out = append(out, ':')
				}
				if n == 0 {
					out = append(out, '*')
				} else {
					out = strconv.AppendUint(out, uint64(n), 10)
				}
			}
		}
		again, ok := ParseSeqSet(out)
		require.True(t, ok, "%q rendered as %q", in, out)
		assert.Equal(t, ranges(s), ranges(again))
		assert.Len(t, ranges(s), bytes.Count(in, []byte(","))+1)
	})
}

// walkBody decodes a body structure and everything in it, as a client
// would; it must end (the input bounds the depth) and never panic.
func walkBody(t *testing.T, raw []byte, depth int) {
	b, err := ParseBodyStructure(raw, depth%2 == 0)
	if err != nil {
		require.ErrorIs(t, err, ErrSyntax)
		return
	}
	require.Less(t, depth, len(raw)+1, "nesting is bounded by the input")
	for v := b.Params; v.More(); {
		v.Next()
	}
	if b.Envelope != nil {
		walkEnvelope(t, b.Envelope)
	}
	if b.Body != nil {
		walkBody(t, b.Body, depth+1)
	}
	kids := b.Children()
	for {
		if _, ok := kids.Next(); !ok {
			break
		}
	}
	for v := ValuesOf(b.Parts); v.More(); {
		part, ok := v.Next()
		if !ok {
			break
		}
		walkBody(t, part.Bytes, depth+1)
	}
}

func walkEnvelope(t *testing.T, raw []byte) {
	env, err := ParseEnvelope(raw)
	if err != nil {
		require.ErrorIs(t, err, ErrSyntax)
		return
	}
	for _, a := range [...]Addresses{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		for {
			addr, ok := a.Next()
			if !ok {
				break
			}
			assert.True(t, nstring(addr.Name) && nstring(addr.Host))
		}
	}
}

func FuzzParseStructures(f *testing.F) {
	f.Add([]byte(`(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" NIL NIL NIL "BASE64" 4554 73) "MIXED")`))
	f.Add([]byte(`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 (NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "HTML" NIL NIL NIL "QP" 5 2) 12)`))
	f.Add([]byte(`("d" {2}` + "\r\n" + `s! ((NIL NIL "a" "b")("n" NIL "c" "d")) NIL NIL NIL NIL NIL NIL "<id>")`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		walkBody(t, raw, 0)
		walkEnvelope(t, raw)
	})
}

// wideLimits let the buffer grow in several steps (4 KiB, 8 KiB, …) with a
// message that does not start it; under fuzzLimits the first buffer is
// already the largest.
var wideLimits = Limits{MaxLine: 8192, MaxMessage: 32 << 10, MaxInlineLiteral: 12 << 10, MaxLiteral: 12 << 10,
	MaxNonSyncLiteral: 12 << 10, MaxLiterals: 4, MaxLiteralTotal: 32 << 10, MaxDepth: 6, MaxTagLen: 20}

// literalMessage is a message of side with two literals of data, each
// followed by more of the line, and pad octets of an atom before the
// first: an APPEND from a client, a FETCH from a server.
func literalMessage(side Side, lit Literal, data []byte, pad int) []byte {
	p := bytes.Repeat([]byte{'p'}, pad)
	if side == ServerSide {
		return fmt.Appendf(nil, "a APPEND INBOX X%s %s\r\n%s X %s\r\n%s\r\n", p, lit, data, lit, data)
	}
	return fmt.Appendf(nil, "* 1 FETCH (X%s BINARY[] %s\r\n%s UID 7 BINARY[1] %s\r\n%s)\r\n", p, lit, data, lit, data)
}

// readLiteralMessage reads a message with the generic lexer, taking each
// literal in the way how says (0 Inline, 1 ReadLiteral, 2 LiteralReader
// with io.ReadAll), and renders its tokens, literals by value; it stops at
// the first error.
func readLiteralMessage(r *Reader, how uint8) ([]string, error) {
	if err := r.Begin(); err != nil {
		return nil, err
	}
	var out []string
	for {
		tok, err := r.Next()
		if err == nil && tok.Kind == KindLiteral {
			lit := tok.Literal
			switch how {
			case 0:
				tok.Bytes, err = r.Inline()
			case 1:
				tok.Bytes, err = r.ReadLiteral(make([]byte, 0, lit.Size))
			default:
				tok.Bytes, err = io.ReadAll(r.LiteralReader())
			}
			out = append(out, lit.String())
		}
		if err != nil {
			return out, err
		}
		out = append(out, tok.Kind.String()+":"+string(tok.Bytes))
		if tok.Kind == KindEnd {
			return out, nil
		}
	}
}

// A literal's data is taken exactly however it is taken and however the
// input is split: NUL is refused (ErrLiteralNUL) in {n} and {n+} and kept
// in literal8, the data comes back whole otherwise, the line goes on after
// it as it would after a literal taken inline from the message alone, and
// the next message is read where the message ends, never inside it. With
// lead, pad, size or mode bit 32, an earlier message of about lead octets comes first,
// pad octets of an atom come before the first literal on its line and the
// data is repeated to size octets, under limits that let the buffer grow
// while the message is read: the case in which a line that crossed the
// buffer's end was once framed where the message had been before the
// buffer grew (TestReaderLineAcrossGrowth). Mode bit 16 makes the chunks
// 32 times larger, so that reads fill the buffer as a network does, and bit
// 32 sets the pad so that the first literal's data starts pad%256 octets
// before the end of the first buffer (4096 octets), where it grows.
func FuzzLiteralData(f *testing.F) {
	f.Add([]byte("a\x00b"), uint8(0), []byte{1, 2}, uint16(0), uint16(0), uint16(0))
	f.Add([]byte("xx\r\nz OK smuggled\r\n"), uint8(5), []byte{3}, uint16(0), uint16(0), uint16(0))
	f.Add([]byte("he\x00lo"), uint8(10), []byte{7, 1}, uint16(0), uint16(0), uint16(0))
	f.Add([]byte(""), uint8(3), []byte{1}, uint16(0), uint16(0), uint16(0))
	// The shapes of TestReaderLineAcrossGrowth: a literal streamed, then
	// inline, before a line that crosses the end of the first buffer.
	f.Add([]byte("0123456789"), uint8(5|16), []byte{255}, uint16(1), uint16(4050), uint16(40))
	f.Add([]byte("0123456789"), uint8(1), []byte{255, 3}, uint16(1000), uint16(0), uint16(3040))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8, seed []byte, lead, pad, size uint16) {
		side := Side(mode & 1)
		how := (mode >> 1) % 3
		binary := mode&8 != 0
		sizes := chunked.SizesFrom(seed)
		if mode&16 != 0 {
			for i := range sizes {
				sizes[i] *= 32
			}
		}
		lim := fuzzLimits
		if lead > 0 || pad > 0 || size > 0 || mode&32 != 0 {
			lim = wideLimits
			if n := int(size) % (int(lim.MaxNonSyncLiteral) + 1); len(data) > 0 && n > len(data) {
				data = bytes.Repeat(data, n/len(data)+1)[:n]
			}
		}
		if len(data) > int(lim.MaxNonSyncLiteral) {
			data = data[:lim.MaxNonSyncLiteral]
		}
		lit := Literal{Size: uint64(len(data)), Binary: binary, NonSync: side == ServerSide}
		var in []byte
		if lead > 0 {
			in = append(append([]byte("l NOOP "), bytes.Repeat([]byte{'x'}, int(lead)%6000)...), "\r\n"...)
		}
		n := int(pad) % 8000
		if mode&32 != 0 {
			head := bytes.Index(literalMessage(side, lit, nil, 0), []byte("\r\n")) + 2
			n = max(0, min(4096-int(pad)%256-len(in)-head, 8000))
		}
		msg := literalMessage(side, lit, data, n)
		in = append(in, msg...)
		if side == ServerSide {
			in = append(in, "z NOOP\r\n"...)
		} else {
			in = append(in, "z OK done\r\n"...)
		}
		r := NewReader(chunked.NewReader(in, sizes...), side, Options{Limits: lim})
		if lead > 0 {
			toks, err := readLiteralMessage(r, how)
			require.NoError(t, err)
			require.Equal(t, []string{"atom:l", "SP: ", "atom:NOOP", "SP: ", "atom:" + strings.Repeat("x", int(lead)%6000), "end:"}, toks)
		}
		got, err := readLiteralMessage(r, how)
		require.GreaterOrEqual(t, len(got), 1, "%v", err)
		if !binary && bytes.IndexByte(data, 0) >= 0 {
			require.ErrorIs(t, err, ErrLiteralNUL)
			assert.Equal(t, "BAD", ReplyFor(err).Cond)
			assert.NotContains(t, strings.Join(got, ""), "\x00")
		} else {
			require.NoError(t, err)
			// The message alone, unsplit, from a fresh Reader whose buffer
			// it starts, literals inline.
			want, err := readLiteralMessage(NewReader(bytes.NewReader(msg), side, Options{Limits: lim}), 0)
			require.NoError(t, err)
			require.Contains(t, want, "literal:"+string(data))
			require.Equal(t, want, got, "the message reads the same after another, split, however its literals are taken")
		}
		require.Contains(t, got, lit.String())
		require.LessOrEqual(t, cap(r.buf), bufBound(r.Limits()), "memory stays within the limits")
		last, err := readLiteralMessage(r, how)
		require.NoError(t, err, "the next message starts after the literal")
		if side == ServerSide {
			assert.Equal(t, []string{"atom:z", "SP: ", "atom:NOOP", "end:"}, last)
		} else {
			assert.Equal(t, []string{"atom:z", "SP: ", "atom:OK", "SP: ", "atom:done", "end:"}, last)
		}
	})
}

// Capture takes a literal that is not in a list like one that is: its
// value holds the data (ValuesOf gives it back as one token), the next item
// follows it, and the next response starts after the message, however the
// input is split.
func FuzzCaptureBareLiteral(f *testing.F) {
	f.Add([]byte("abc"), []byte{1, 2})
	f.Add([]byte("(x) \"y\" {2}\r\nzz"), []byte{4})
	f.Add([]byte("z OK smuggled\r\n"), []byte{9, 1})
	f.Fuzz(func(t *testing.T, data, seed []byte) {
		if len(data) > fuzzLimits.MaxInlineLiteral {
			data = data[:fuzzLimits.MaxInlineLiteral]
		}
		data = bytes.ReplaceAll(data, []byte{0}, []byte{1})
		in := append([]byte("* 1 FETCH (X-FOO {"+strconv.Itoa(len(data))+"}\r\n"), data...)
		in = append(in, " X-BAR 7)\r\nz OK done\r\n"...)
		r := NewReader(chunked.NewReader(in, chunked.SizesFrom(seed)...), ClientSide, Options{Limits: fuzzLimits})
		resp, err := r.ReadResponse()
		require.NoError(t, err)
		require.Equal(t, DataFetch, resp.Data)
		items := r.FetchItems()
		var got []string
		for items.Next() {
			raw, err := r.Capture()
			require.NoError(t, err)
			v := ValuesOf(raw)
			tok, ok := v.Next()
			require.True(t, ok, "%q", raw)
			require.False(t, v.More(), "%q", raw)
			got = append(got, string(items.Item().Name)+"="+string(tok.AppendValue(nil)))
		}
		require.NoError(t, items.Err())
		assert.Equal(t, []string{"X-FOO=" + string(data), "X-BAR=7"}, got)
		next, err := r.ReadResponse()
		require.NoError(t, err)
		assert.Equal(t, "z", string(next.Tag))
	})
}
