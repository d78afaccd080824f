package smtpwire

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendLMTPReplies(t *testing.T) {
	got, err := AppendLMTPReplies([]byte("k"), []RcptReply{
		{Mailbox: "alice@example.test", Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Text: "Saved"},
		{Mailbox: "tmp1@example.test", Code: 452, Enhanced: EnhancedCode{4, 2, 2}, Text: "Mailbox full"},
		{Code: 550, Enhanced: EnhancedCode{5, 1, 1}, Text: "No such user"},
		{Mailbox: "bob@example.test", Code: 250},
	})
	require.NoError(t, err)
	assert.Equal(t, "k250 2.0.0 <alice@example.test> Saved\r\n452 4.2.2 <tmp1@example.test> Mailbox full\r\n"+
		"550 5.1.1 No such user\r\n250 <bob@example.test>\r\n", string(got))
	for _, bad := range [][]RcptReply{
		nil,
		{{Code: 250, Text: "ok"}, {Code: 600}},
		{{Code: 250, Enhanced: EnhancedCode{5, 0, 0}}},
		{{Code: 250, Text: "a\r\n250 injected"}},
		{{Code: 250, Mailbox: "a@b\r\n"}},
		{{Code: 250, Text: strings.Repeat("x", 510)}},
	} {
		got, err := AppendLMTPReplies([]byte("keep"), bad)
		require.ErrorIs(t, err, ErrInjection, "%v", bad)
		assert.Equal(t, "keep", string(got))
	}
}

func TestLMTPReplies(t *testing.T) {
	// Two recipients accepted (the third got 550 at RCPT time), then the
	// per-recipient replies, one of them multi-line, then a pipelined QUIT reply.
	wire := "250 2.0.0 <alice@example.test> Saved\r\n452-4.2.2 <bob@example.test> over quota\r\n452 4.2.2 try later\r\n221 2.0.0 Bye\r\n"
	for _, sizes := range [][]int{{4096}, {1}, {7, 3}} {
		rr := NewReplyReader(chunked.NewReader([]byte(wire), sizes...), ReplyReaderOptions{})
		l := rr.LMTPReplies(2)
		assert.Equal(t, 2, l.Remaining())
		i, r, err := l.Next()
		require.NoError(t, err)
		assert.Equal(t, 0, i)
		assert.Equal(t, 250, r.Code)
		assert.Equal(t, "2.0.0 <alice@example.test> Saved", string(r.Line(0)))
		i, r, err = l.Next()
		require.NoError(t, err)
		assert.Equal(t, 1, i)
		assert.Equal(t, 452, r.Code)
		assert.Equal(t, EnhancedCode{4, 2, 2}, r.Enhanced)
		assert.Equal(t, 2, r.Len())
		_, _, err = l.Next()
		require.ErrorIs(t, err, io.EOF, "exactly two")
		assert.Zero(t, l.Remaining())
		r, err = rr.ReadReply()
		require.NoError(t, err)
		assert.Equal(t, 221, r.Code, "the reply after the last recipient's is left for the caller")
	}
	// The server hangs up before the last recipient's reply.
	rr := NewReplyReader(strings.NewReader("250 ok\r\n"), ReplyReaderOptions{})
	l := rr.LMTPReplies(2)
	_, _, err := l.Next()
	require.NoError(t, err)
	i, _, err := l.Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, 1, i)
	// A broken reply is ReadReply's error.
	rr = NewReplyReader(strings.NewReader("250-ok\r\n251 x\r\n"), ReplyReaderOptions{})
	_, _, err = rr.LMTPReplies(1).Next()
	require.ErrorIs(t, err, ErrReplyCodeMismatch)
	// Unasked octets after the last reply are visible.
	rr = NewReplyReader(strings.NewReader("250 ok\r\n250 extra\r\n"), ReplyReaderOptions{})
	l = rr.LMTPReplies(1)
	_, _, err = l.Next()
	require.NoError(t, err)
	assert.Equal(t, "250 extra\r\n", string(l.ReadAhead()))
	assert.Equal(t, len("250 extra\r\n"), l.Buffered())
	_, _, err = rr.LMTPReplies(0).Next()
	require.ErrorIs(t, err, io.EOF)
}

// What AppendLMTPReplies writes, LMTPReplies reads, recipient for recipient.
func TestLMTPRoundTrip(t *testing.T) {
	rcpts := []RcptReply{
		{Mailbox: "a@example.test", Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Text: "Saved"},
		{Mailbox: "b@example.test", Code: 550, Enhanced: EnhancedCode{5, 2, 1}, Text: "Mailbox disabled"},
		{Mailbox: "c@example.test", Code: 451, Text: "Local error"},
	}
	wire, err := AppendLMTPReplies(nil, rcpts)
	require.NoError(t, err)
	l := NewReplyReader(bytes.NewReader(wire), ReplyReaderOptions{}).LMTPReplies(len(rcpts))
	for want := range rcpts {
		i, r, err := l.Next()
		require.NoError(t, err)
		assert.Equal(t, want, i)
		assert.Equal(t, rcpts[i].Code, r.Code)
		assert.Equal(t, rcpts[i].Enhanced, r.Enhanced)
		assert.Contains(t, string(r.Line(0)), "<"+rcpts[i].Mailbox+"> "+rcpts[i].Text)
	}
}

func TestLMTPAllocs(t *testing.T) {
	rcpts := []RcptReply{
		{Mailbox: "alice@example.test", Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Text: "Saved"},
		{Mailbox: "bob@example.test", Code: 550, Enhanced: EnhancedCode{5, 1, 1}, Text: "no"},
	}
	wire, err := AppendLMTPReplies(nil, rcpts)
	require.NoError(t, err)
	buf := make([]byte, 0, 256)
	src := bytes.NewReader(wire)
	rr := NewReplyReader(src, ReplyReaderOptions{})
	n := testing.AllocsPerRun(100, func() {
		if _, err := AppendLMTPReplies(buf[:0], rcpts); err != nil {
			t.Fatal(err)
		}
		src.Reset(wire)
		rr.Reset(src)
		l := rr.LMTPReplies(2)
		for {
			_, _, err := l.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	assert.Zero(t, n)
}

func BenchmarkLMTPReplies(b *testing.B) {
	rcpts := make([]RcptReply, 20)
	for i := range rcpts {
		rcpts[i] = RcptReply{Mailbox: "user" + itoa(i) + "@example.test", Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Text: "oJkXIv8yEmtVDAAAg+zDdQ Saved"}
	}
	wire, err := AppendLMTPReplies(nil, rcpts)
	require.NoError(b, err)
	src := bytes.NewReader(wire)
	rr := NewReplyReader(src, ReplyReaderOptions{})
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		src.Reset(wire)
		rr.Reset(src)
		l := rr.LMTPReplies(len(rcpts))
		for l.Remaining() > 0 {
			if _, _, err := l.Next(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzLMTPReplies: the per-recipient replies read the same however the
// stream is split, never more than asked for; each set that reads is
// written back by AppendLMTPReplies and reads back the same.
func FuzzLMTPReplies(f *testing.F) {
	f.Add([]byte("250 2.0.0 <alice@example.test> oJkXIv8yEmtVDAAAg+zDdQ Saved\r\n250 2.0.0 <bob@example.test> oJkXIv8yEmtVDAAAg+zDdQ:R2 Saved\r\n"), uint8(2), []byte{3})
	f.Add([]byte("250 2.0.0 <alice@example.test> stored\r\n250 2.0.0 <bob@example.test> stored\r\n452 4.2.2 <tmp1@example.test> try later\r\n221 2.0.0 bye\r\n"), uint8(3), []byte{1, 9})
	f.Add([]byte("550-5.1.1 no\r\n550 5.1.1 such user\r\n"), uint8(2), []byte{0})
	f.Fuzz(func(t *testing.T, stream []byte, n uint8, split []byte) {
		read := func(src io.Reader) (out []lmtpResult) {
			l := NewReplyReader(src, ReplyReaderOptions{}).LMTPReplies(int(n))
			for {
				i, r, err := l.Next()
				if err == io.EOF {
					return out
				}
				if err != nil {
					return append(out, lmtpResult{i: i, err: err.Error()})
				}
				res := lmtpResult{i: i, code: r.Code, enhanced: r.Enhanced}
				for k := range r.Len() {
					res.lines = append(res.lines, string(r.Line(k)))
				}
				out = append(out, res)
			}
		}
		whole := read(bytes.NewReader(stream))
		part := read(chunked.NewReader(stream, chunked.SizesFrom(split)...))
		require.Equal(t, whole, part)
		require.LessOrEqual(t, len(whole), int(n))
		var rcpts []RcptReply
		for k, r := range whole {
			require.Equal(t, k, r.i, "in order")
			if r.err != "" || len(r.lines) != 1 {
				return
			}
			text := r.lines[0]
			if !r.enhanced.IsZero() { // the code and its SP are AppendLMTPReplies' to write
				text = strings.TrimPrefix(strings.TrimPrefix(text, r.enhanced.String()), " ")
			}
			rcpts = append(rcpts, RcptReply{Code: r.code, Enhanced: r.enhanced, Text: text})
		}
		if len(rcpts) != int(n) || n == 0 {
			return
		}
		wire, err := AppendLMTPReplies(nil, rcpts)
		if err != nil {
			require.ErrorIs(t, err, ErrInjection)
			return
		}
		again := read(bytes.NewReader(wire))
		require.Len(t, again, len(whole))
		for k := range again {
			require.Equal(t, whole[k].code, again[k].code)
			require.Equal(t, whole[k].enhanced, again[k].enhanced)
		}
	})
}

type lmtpResult struct {
	i        int
	code     int
	enhanced EnhancedCode
	lines    []string
	err      string
}

func BenchmarkAppendLMTPReplies(b *testing.B) {
	rcpts := make([]RcptReply, 20)
	for i := range rcpts {
		rcpts[i] = RcptReply{Mailbox: "user" + itoa(i) + "@example.test", Code: 250, Enhanced: EnhancedCode{2, 0, 0}, Text: "stored"}
	}
	buf, err := AppendLMTPReplies(nil, rcpts)
	require.NoError(b, err)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if _, err := AppendLMTPReplies(buf[:0], rcpts); err != nil {
			b.Fatal(err)
		}
	}
}
