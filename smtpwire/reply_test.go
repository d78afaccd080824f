package smtpwire

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadReply(t *testing.T) {
	tests := []struct {
		in       string
		code     int
		enhanced EnhancedCode
		lines    []string
		err      error
	}{
		{in: "250 ok\r\n", code: 250, lines: []string{"ok"}},
		{in: "250\r\n", code: 250, lines: []string{""}},
		{in: "250 \r\n", code: 250, lines: []string{""}},
		{in: "220 mx.example ESMTP ready\r\n", code: 220, lines: []string{"mx.example ESMTP ready"}},
		{in: "250-mx.example\r\n250-PIPELINING\r\n250-\r\n250 SIZE 100\r\n", code: 250, lines: []string{"mx.example", "PIPELINING", "", "SIZE 100"}},
		{in: "550 5.1.1 No such user\r\n", code: 550, enhanced: EnhancedCode{5, 1, 1}, lines: []string{"5.1.1 No such user"}},
		{in: "250 2.0.0\r\n", code: 250, enhanced: EnhancedCode{2, 0, 0}, lines: []string{"2.0.0"}},
		{in: "451 4.7.1 try later\r\n", code: 451, enhanced: EnhancedCode{4, 7, 1}, lines: []string{"4.7.1 try later"}},
		{in: "550 2.1.1 class mismatch\r\n", code: 550, lines: []string{"2.1.1 class mismatch"}},
		{in: "550 5.1.1000 too long\r\n", code: 550, lines: []string{"5.1.1000 too long"}},
		{in: "550 5.1.1x\r\n", code: 550, lines: []string{"5.1.1x"}},
		{in: "559 max\r\n", code: 559, lines: []string{"max"}},
		{in: "250-a\r\n251 b\r\n", err: ErrReplyCodeMismatch},
		{in: "250-a\r\nfoo\r\n", err: ErrReply},
		{in: "250 ok\n", err: ErrBareLF},
		{in: "250 o\rk\r\n", err: ErrBareCR},
		{in: "199 x\r\n", err: ErrReply},
		{in: "600 x\r\n", err: ErrReply},
		{in: "999 x\r\n", err: ErrReply},
		{in: "560 x\r\n", err: ErrReply},
		{in: "099 x\r\n", err: ErrReply},
		{in: "25 x\r\n", err: ErrReply},
		{in: "2500 x\r\n", err: ErrReply},
		{in: "250_x\r\n", err: ErrReply},
		{in: "+OK\r\n", err: ErrReply},
		{in: "", err: io.EOF},
		{in: "250-a\r\n", err: io.ErrUnexpectedEOF},
		{in: "250 " + strings.Repeat("x", 600) + "\r\n", err: ErrLineTooLong},
		{in: strings.Repeat("250-x\r\n", 100) + "250 x\r\n", err: ErrReplyTooLarge},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			for _, sizes := range [][]int{{4096}, {1}, {2, 5}} {
				rr := NewReplyReader(chunked.NewReader([]byte(tt.in), sizes...), ReplyReaderOptions{})
				r, err := rr.ReadReply()
				if tt.err != nil {
					require.ErrorIs(t, err, tt.err)
					assert.True(t, StatusOf(err).Fatal)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, tt.code, r.Code)
				assert.Equal(t, tt.enhanced, r.Enhanced)
				var lines []string
				for l := range r.Lines() {
					lines = append(lines, string(l))
				}
				assert.Equal(t, tt.lines, lines)
				assert.Equal(t, len(tt.lines), r.Len())
			}
		})
	}
}

func TestReadReplyLimits(t *testing.T) {
	in := "250-" + strings.Repeat("a", 100) + "\r\n250 " + strings.Repeat("b", 100) + "\r\n"
	_, err := NewReplyReader(strings.NewReader(in), ReplyReaderOptions{MaxSize: 150}).ReadReply()
	require.ErrorIs(t, err, ErrReplyTooLarge)
	_, err = NewReplyReader(strings.NewReader(in), ReplyReaderOptions{MaxLines: 1}).ReadReply()
	require.ErrorIs(t, err, ErrReplyTooLarge)
	r, err := NewReplyReader(strings.NewReader(in), ReplyReaderOptions{MaxSize: 200, MaxLines: 2}).ReadReply()
	require.NoError(t, err)
	assert.Equal(t, 2, r.Len())
	_, err = NewReplyReader(strings.NewReader(in), ReplyReaderOptions{MaxLine: 50}).ReadReply()
	require.ErrorIs(t, err, ErrLineTooLong)
}

func TestReplyBuffered(t *testing.T) {
	rr := NewReplyReader(strings.NewReader("220 2.0.0 go ahead\r\n250 injected\r\n"), ReplyReaderOptions{})
	r, err := rr.ReadReply()
	require.NoError(t, err)
	assert.Equal(t, 220, r.Code)
	assert.Equal(t, len("250 injected\r\n"), rr.Buffered(), "injected plaintext must be visible")
	rr.Reset(strings.NewReader("250 tls\r\n"))
	assert.Zero(t, rr.Buffered())
}

func TestReplyAllocs(t *testing.T) {
	stream := []byte("220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n" +
		"250 2.1.0 ok\r\n550 5.1.1 no\r\n354 go\r\n250 2.0.0 queued\r\n221 bye\r\n")
	src := bytes.NewReader(stream)
	rr := NewReplyReader(src, ReplyReaderOptions{})
	n := testing.AllocsPerRun(100, func() {
		src.Reset(stream)
		rr.Reset(src)
		for {
			r, err := rr.ReadReply()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for range r.Lines() {
			}
		}
	})
	assert.Zero(t, n)
}

// FuzzReadReply: a stream gives the same replies however it is split; each
// reply written back by AppendReply reads back the same.
func FuzzReadReply(f *testing.F) {
	f.Add([]byte("220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"), []byte{1})
	f.Add([]byte("250\r\n550 5.1.1 no\r\n250-a\r\n251 b\r\n"), []byte{2, 3})
	f.Add([]byte("250-\r\n250 \r\n421 4.4.2 bye\r\n"), []byte{0})
	// Shapes of real EHLO replies: a large provider, Postfix, and an Exchange
	// server with the old AUTH= form.
	f.Add([]byte("220 smtp.provider.example ESMTP a1b2c3 - gsmtp\r\n250-smtp.provider.example at your service, [192.0.2.7]\r\n"+
		"250-SIZE 35882577\r\n250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n"), []byte{17, 5})
	f.Add([]byte("250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n"+
		"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n250 2.1.0 Ok\r\n554 5.7.1 <x@y>: Relay access denied\r\n"), []byte{64})
	f.Add([]byte("250-EX01.corp.example Hello [198.51.100.4]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n"+
		"250-AUTH NTLM LOGIN\r\n250-AUTH=LOGIN\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250 CHUNKING\r\n"), []byte{1, 255})
	seeds, err := transcript.Seeds("smtp", transcript.ServerToClient, 4096)
	require.NoError(f, err)
	for _, s := range seeds {
		f.Add(s, []byte{9, 2})
	}
	f.Fuzz(func(t *testing.T, stream, split []byte) {
		whole := readReplies(bytes.NewReader(stream))
		part := readReplies(chunked.NewReader(stream, chunked.SizesFrom(split)...))
		require.Equal(t, whole, part)
		for _, r := range whole {
			if r.err != "" {
				continue
			}
			require.LessOrEqual(t, len(r.lines), DefaultMaxReplyLines) // limits hold
			require.LessOrEqual(t, len(strings.Join(r.lines, "")), DefaultMaxReplySize)
			wire, err := AppendReply(nil, r.code, EnhancedCode{}, r.lines...)
			if err != nil { // text with a TAB-less control octet: refused, fine
				require.ErrorIs(t, err, ErrInjection)
				continue
			}
			again := readReplies(bytes.NewReader(wire))
			require.Len(t, again, 1)
			require.Equal(t, r, again[0])
		}
	})
}

type replyResult struct {
	code     int
	enhanced EnhancedCode
	lines    []string
	err      string
	caps     string // what ParseCapabilities makes of a 250 reply
}

func readReplies(src io.Reader) []replyResult {
	rr := NewReplyReader(src, ReplyReaderOptions{})
	var out []replyResult
	for {
		r, err := rr.ReadReply()
		if err == io.EOF {
			return out
		}
		if err != nil {
			return append(out, replyResult{err: err.Error()})
		}
		res := replyResult{code: r.Code, enhanced: r.Enhanced}
		for l := range r.Lines() {
			res.lines = append(res.lines, string(l))
		}
		if r.Code == 250 {
			res.caps = capsSummary(r)
		}
		out = append(out, res)
	}
}

// capsSummary parses r as an EHLO reply and checks that the value keeps
// every line: the greeting, then one keyword per line.
func capsSummary(r *Reply) string {
	c, err := ParseCapabilities(r)
	if err != nil {
		return err.Error()
	}
	if string(c.Greeting()) != string(r.Line(0)) {
		return "greeting lost"
	}
	i := 1
	for kw, params := range c.All() {
		line := string(kw)
		if len(params) > 0 || strings.Contains(string(r.Line(i)), " ") {
			line += " " + string(params)
		}
		if line != string(r.Line(i)) {
			return "line " + strconv.Itoa(i) + " changed"
		}
		i++
	}
	if i != r.Len() {
		return "lines lost"
	}
	return fmt.Sprintf("has %b", c.has)
}

func BenchmarkReadReply(b *testing.B) {
	var sb strings.Builder
	for i := range 50 {
		fmt.Fprintf(&sb, "250-mx.example greets you\r\n250-PIPELINING\r\n250-SIZE %d\r\n250 2.0.0 Ok\r\n", i)
	}
	stream := []byte(sb.String())
	src := bytes.NewReader(stream)
	rr := NewReplyReader(src, ReplyReaderOptions{})
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		src.Reset(stream)
		rr.Reset(src)
		for {
			if _, err := rr.ReadReply(); err != nil {
				if err == io.EOF {
					break
				}
				b.Fatal(err)
			}
		}
	}
}

// The line loops a user writes, from the user's package: none allocates,
// the range over Lines included when its body returns early.

var linesSink int

func firstEnhanced(r *Reply) []byte {
	for line := range r.Lines() {
		if bytes.HasPrefix(line, []byte("5.")) {
			return line
		}
	}
	return nil
}

func firstEnhancedByIndex(r *Reply) []byte {
	for i := range r.Len() {
		if line := r.Line(i); bytes.HasPrefix(line, []byte("5.")) {
			return line
		}
	}
	return nil
}

func TestReplyLinesAllocs(t *testing.T) {
	rr := NewReplyReader(strings.NewReader("550-first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\n"), ReplyReaderOptions{})
	r, err := rr.ReadReply()
	require.NoError(t, err)
	require.Equal(t, "5.1.1 second", string(firstEnhanced(r)))
	require.Equal(t, "5.1.1 second", string(firstEnhancedByIndex(r)))
	cases := map[string]func(){
		"range": func() {
			for line := range r.Lines() {
				linesSink += len(line)
			}
		},
		"range-break": func() {
			for line := range r.Lines() {
				linesSink += len(line)
				break
			}
		},
		"range-return": func() { linesSink += len(firstEnhanced(r)) },
		"index": func() {
			for i := range r.Len() {
				linesSink += len(r.Line(i))
			}
		},
		"index-return": func() { linesSink += len(firstEnhancedByIndex(r)) },
	}
	for name, f := range cases {
		assert.Zero(t, testing.AllocsPerRun(100, f), name)
	}
}

// replyTrace reads every reply of stream with next (ReadReply, or
// readReply alone) and records each result and the octets buffered after
// it, so that the fast path and the general one can be compared.
func replyTrace(stream []byte, opt ReplyReaderOptions, general bool) []string {
	rr := NewReplyReader(bytes.NewReader(stream), opt)
	var out []string
	for range 1000 {
		var r *Reply
		var err error
		if general {
			r, err = rr.readReply()
		} else {
			r, err = rr.ReadReply()
		}
		if err != nil {
			out = append(out, fmt.Sprintf("err %v, %d buffered", err, rr.Buffered()))
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return out
			}
			continue
		}
		s := fmt.Sprintf("%d %v %d:", r.Code, r.Enhanced, r.Len())
		for i := range r.Len() {
			s += fmt.Sprintf(" %q", r.Line(i))
		}
		out = append(out, fmt.Sprintf("%s, %d buffered", s, rr.Buffered()))
	}
	return out
}

// FuzzReplyPaths: ReadReply, which parses a reply whole in the buffer when
// it can, gives exactly what the line-by-line general path gives, errors and
// buffered octets included, under any limits.
func FuzzReplyPaths(f *testing.F) {
	f.Add([]byte("250-mx\r\n250-PIPELINING\r\n250 SIZE 1\r\n550 5.1.1 no\r\n250 2.1.0 ok\r\n"), uint16(0), uint8(0), uint16(0))
	f.Add([]byte("250-a\r\n251 b\r\n250 o\rk\r\n250 ok\n250\r\n250 \r\n"), uint16(9), uint8(2), uint16(5))
	f.Add([]byte("250-a\r\n250-b\r\n250 c\r\n354 go\r\n"), uint16(0), uint8(2), uint16(2))
	f.Add([]byte("550 5.1.10 x\r\n450 4.4.2\r\n250 2.1.0x\r\n550 2.1.1 y\r\n"+strings.Repeat("250-x\r\n", 30)+"250 y\r\n"), uint16(600), uint8(0), uint16(0))
	f.Fuzz(func(t *testing.T, stream []byte, maxLine uint16, maxLines uint8, maxSize uint16) {
		opt := ReplyReaderOptions{MaxLine: int(maxLine), MaxLines: int(maxLines), MaxSize: int(maxSize)}
		require.Equal(t, replyTrace(stream, opt, true), replyTrace(stream, opt, false))
	})
}

// TestReplyEnhancedMatchesParse: the enhanced code the fast path reads is
// the one parseEnhancedCode reads whenever its class is the reply's.
func TestReplyEnhancedMatchesParse(t *testing.T) {
	alphabet := []byte("0123459. x")
	var text []byte
	var walk func(depth int)
	walk = func(depth int) {
		for class := byte(1); class <= 6; class++ {
			want := EnhancedCode{}
			if c, _, ok := parseEnhancedCode(text); ok && c.Class == uint16(class) {
				want = c
			}
			if got := replyEnhanced(text, class); got != want {
				t.Fatalf("%q class %d: %v, want %v", text, class, got, want)
			}
		}
		if depth == 0 {
			return
		}
		for _, c := range alphabet {
			text = append(text, c)
			walk(depth - 1)
			text = text[:len(text)-1]
		}
	}
	walk(6)
	for _, s := range []string{"2.1.0 Sender OK", "5.7.1 <x@y>: denied", "4.4.2", "2.0.0 Ok: queued", "5.10.100 x", "2.1.1000"} {
		text = []byte(s)
		walk(0)
	}
}
