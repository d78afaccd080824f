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
			// The codec round trip; the line limit is policy and off here.
			c := NewCommandReader(chunked.NewReader(wire, sizes...), CommandReaderOptions{MaxDataLine: -1})
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

func TestDataLineLimit(t *testing.T) {
	body := func(n int) string { return strings.Repeat("x", n-2) + "\r\n" }
	read := func(opt CommandReaderOptions, in string) (string, Command, error) {
		c := NewCommandReader(strings.NewReader(in+".\r\nQUIT\r\n"), opt)
		got, err := io.ReadAll(c.Data(0))
		next, _ := c.ReadCommand()
		return string(got), next, err
	}
	got, next, err := read(CommandReaderOptions{}, body(DefaultMaxDataLine))
	require.NoError(t, err, "RFC 5321: 1000 octets with the CRLF")
	require.Len(t, got, DefaultMaxDataLine)
	require.Equal(t, VerbQUIT, next.Verb)

	_, next, err = read(CommandReaderOptions{}, body(DefaultMaxDataLine+1)+"MAIL FROM:<x@y>\r\n")
	require.ErrorIs(t, err, ErrLineTooLong)
	st := StatusOf(err)
	require.Equal(t, 554, st.Code)
	require.Equal(t, EnhancedCode{5, 6, 0}, st.Enhanced)
	require.False(t, st.Fatal)
	require.Equal(t, VerbQUIT, next.Verb, "drained to the real end")

	got, _, err = read(CommandReaderOptions{MaxDataLine: -1}, body(50000))
	require.NoError(t, err, "a negative limit turns it off")
	require.Len(t, got, 50000)
	_, _, err = read(CommandReaderOptions{MaxDataLine: 2048}, body(2049))
	require.ErrorIs(t, err, ErrLineTooLong)
}
