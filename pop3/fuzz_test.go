package pop3

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Fuzz targets check properties, not only the absence of panics: what
// parses re-encodes to the same thing, and any chunking of the input gives
// the same results as reading it whole.

var commandSeeds = []string{
	"USER mrose", "PASS tanstaaf", "PASS with  spaces ", "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
	"STAT", "LIST", "LIST 1", "RETR 1", "DELE 2", "NOOP", "RSET", "QUIT", "TOP 1 10", "UIDL", "UIDL 2",
	"CAPA", "STLS", "AUTH", "AUTH PLAIN", "AUTH PLAIN =", "AUTH PLAIN AGJvYgBzZWNyZXQ=", "UTF8", "LANG",
	"LANG fr", "XCLIENT ADDR=192.0.2.1", "retr 0", "RETR 2147483648", "TOP 1", "", "STAT ", "US\rER x",
	"USER a\nPASS b",
}

// commandTrace renders what a CommandReader makes of a stream.
func commandTrace(src io.Reader) []string {
	cr := NewCommandReader(src, CommandReaderOptions{MaxAuthLine: 300})
	var trace []string
	var buf [256]byte
	for range 1000 {
		cmd, err := cr.ReadCommand()
		trace = append(trace, fmt.Sprintf("%v %q %q %d %d %q %q %v", cmd.Verb, cmd.Name, cmd.Args,
			cmd.Msg, cmd.Lines, cmd.Arg, cmd.Arg2, err))
		if err == nil && cmd.Verb == VerbAUTH {
			data, err := cr.ReadAuthResponse(buf[:0])
			trace = append(trace, fmt.Sprintf("auth %q %v", data, err))
		}
		if err != nil && ReplyOf(err).Fatal {
			break
		}
	}
	return trace
}

func FuzzCommand(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add([]byte(s), []byte{0, 3, 255})
	}
	seeds, err := transcript.SeedLines("pop3", transcript.ClientToServer, 4096)
	require.NoError(f, err)
	for _, s := range seeds {
		f.Add(s, []byte{1})
	}
	f.Fuzz(func(t *testing.T, line, sizes []byte) {
		cmd, err := ParseCommand(line)
		unknown := errors.Is(err, ErrUnknownCommand)
		if unknown {
			require.Equal(t, VerbUnknown, cmd.Verb)
			require.NotEmpty(t, cmd.Name, "an unknown command keeps its name")
		}
		if (err == nil || unknown) && len(line)+2 <= DefaultMaxCommandLine {
			enc, err := AppendCommand(nil, cmd)
			require.NoError(t, err, "%q", line)
			again, err := ParseCommand(enc[:len(enc)-2])
			require.Equal(t, unknown, errors.Is(err, ErrUnknownCommand))
			if !unknown {
				require.NoError(t, err)
			}
			assert.True(t, sameCommand(again, cmd), "%q -> %q", line, enc)
			assert.LessOrEqual(t, len(enc), len(line)+2)
		}
		if err != nil {
			assert.NotEmpty(t, ReplyOf(err).Text, "a server always has an answer")
		}

		stream := append(append(append([]byte(nil), line...), "\r\n"...), "NOOP\r\n"...)
		whole := commandTrace(bytes.NewReader(stream))
		split := commandTrace(chunked.NewReader(stream, chunked.SizesFrom(sizes)...))
		require.Equal(t, whole, split)
		if !bytes.ContainsAny(line, "\r\n") {
			assert.True(t, strings.HasPrefix(whole[len(whole)-2], "NOOP") || strings.HasPrefix(whole[len(whole)-2], "auth"),
				"in step after any line: %q", whole)
		}
	})
}

var responseSeeds = []string{
	"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
	"+OK\r\nTOP\r\nSASL PLAIN\r\nEXPIRE 30 USER\r\n.\r\n",
	"+OK 2 320\r\n-ERR [IN-USE] locked\r\n",
	"+OK\r\n1 120\r\n2 200\r\n.\r\n",
	"+OK\r\n1 120 extra\r\n0 1\r\n1  2\r\n01 99999999999999999999\r\n3 4\n5 6\r\n.\r\n",
	"+OK\r\n1 " + strings.Repeat("u", 71) + "\r\n2 \x7f\r\n3 a b\r\n4 " + strings.Repeat("9", 40) + "\r\n.\r\n",
	"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n",
	"+ dGVzdA==\r\n+OK\r\n",
	"-ERR [SYS/TEMP] later\r\n-ERR [bad code\r\n",
	"+OK\n1 1\n.\n",
	"+OK\r\n..x\r\n.\r\n+OK\r\n",
	"* OK\r\n",
}

// responseTrace renders what a ResponseReader makes of a stream, reading
// every +OK as if a listing followed.
func responseTrace(src io.Reader, opt ResponseReaderOptions) []string {
	rr := NewResponseReader(src, opt)
	var trace []string
	for range 1000 {
		resp, err := rr.ReadResponse()
		trace = append(trace, fmt.Sprintf("%d %q %q %v", resp.Status, resp.Code, resp.Text, err))
		if err != nil {
			break
		}
		for range 1000 {
			line, err := rr.ReadLine()
			if err == io.EOF {
				break
			}
			trace = append(trace, fmt.Sprintf("  %q %v", line, err))
			if err != nil && ReplyOf(err).Fatal {
				return trace
			}
		}
	}
	return trace
}

// listingTrace reads every +OK as a LIST (uid false) or UIDL listing,
// with ReadScan or ReadUID (direct) or with ReadLine and the Parse
// functions, which the direct paths must agree with.
func listingTrace(src io.Reader, uid, direct bool) []string {
	rr := NewResponseReader(src, ResponseReaderOptions{MaxLine: 40})
	var trace []string
	for range 1000 {
		resp, err := rr.ReadResponse()
		trace = append(trace, fmt.Sprintf("%d %v", resp.Status, err))
		if err != nil {
			return trace
		}
		for range 1000 {
			var s Scan
			var u UID
			var err error
			switch {
			case direct && uid:
				u, err = rr.ReadUID()
			case direct:
				s, err = rr.ReadScan()
			default:
				var line []byte
				if line, err = rr.ReadLine(); err == nil && uid {
					u, err = ParseUID(line)
				} else if err == nil {
					s, err = ParseScan(line)
				}
			}
			if err == io.EOF {
				break
			}
			trace = append(trace, fmt.Sprintf("  %d %d %q %d %q %q %v", s.Msg, s.Size, s.Raw, u.Msg, u.ID, u.Raw, err))
			if err != nil && ReplyOf(err).Fatal {
				return trace
			}
		}
	}
	return trace
}

func FuzzResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s), []byte{1, 7})
	}
	seeds, err := transcript.Seeds("pop3", transcript.ServerToClient, 4096)
	require.NoError(f, err)
	for _, s := range seeds {
		f.Add(s, []byte{11})
	}
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		line, _, _ := bytes.Cut(data, []byte("\r\n"))
		resp, err := ParseResponse(line)
		if err == nil && resp.Status != StatusContinue {
			appendFn := AppendOK[[]byte]
			if resp.Status == StatusErr {
				appendFn = AppendErr[[]byte]
			}
			enc, err := appendFn(nil, Code(resp.Code), resp.Text)
			refusable := indexControl(resp.Text) >= 0 || len(resp.Code) == 0 && bytes.HasPrefix(resp.Text, []byte("["))
			if err != nil {
				require.True(t, refusable, "%q refused", line)
			} else {
				again, err := ParseResponse(enc[:len(enc)-2])
				require.NoError(t, err)
				assert.Equal(t, fmt.Sprintf("%d %q %q", resp.Status, resp.Code, resp.Text),
					fmt.Sprintf("%d %q %q", again.Status, again.Code, again.Text), "%q -> %q", line, enc)
			}
		}
		for _, uid := range []bool{false, true} {
			ref := listingTrace(bytes.NewReader(data), uid, false)
			require.Equal(t, ref, listingTrace(bytes.NewReader(data), uid, true))
			require.Equal(t, ref, listingTrace(chunked.NewReader(data, chunked.SizesFrom(sizes)...), uid, true))
		}
		for _, lf := range []bool{false, true} {
			opt := ResponseReaderOptions{AllowBareLF: lf, MaxLine: 64}
			whole := responseTrace(bytes.NewReader(data), opt)
			split := responseTrace(chunked.NewReader(data, chunked.SizesFrom(sizes)...), opt)
			require.Equal(t, whole, split)
		}
	})
}

// bodyRead reads one body after "+OK", with reads of the sizes given
// (cycling; 4096 when none), and the response after it.
func bodyRead(src io.Reader, opt ResponseReaderOptions, sizes ...int) bodyResult {
	rr := NewResponseReader(src, opt)
	if _, err := rr.ReadResponse(); err != nil {
		return bodyResult{err: err}
	}
	body, bodyErr := readAllSized(rr.Body(), sizes)
	resp, err := rr.ReadResponse()
	return bodyResult{body, bodyErr, fmt.Sprintf("%q %v", resp.Text, err)}
}

// bodyResult is what bodyRead saw: the body, its error, and the response
// after it.
type bodyResult struct {
	body []byte
	err  error
	next string
}

func readAllSized(r io.Reader, sizes []int) ([]byte, error) {
	var out []byte
	p := make([]byte, max(4096, slices.Max(append([]int{0}, sizes...))))
	for i := 0; ; i++ {
		size := 4096
		if len(sizes) > 0 {
			size = sizes[i%len(sizes)]
		}
		n, err := r.Read(p[:size])
		out = append(out, p[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// dotRead reads the same body with internal/dot alone: the reference.
func dotRead(src io.Reader, opt ResponseReaderOptions) ([]byte, error) {
	lr := crlf.NewReader(src, crlf.Options{MaxLine: DefaultMaxResponseLine, AllowBareLF: opt.AllowBareLF})
	if _, err := lr.ReadLine(); err != nil {
		return nil, err
	}
	return io.ReadAll(dot.NewReader(lr, dot.Options{MaxSize: opt.MaxBodySize, AllowBareLF: opt.AllowBareLF}))
}

func FuzzBody(f *testing.F) {
	for _, s := range []string{"", "a", "Subject: x\r\n\r\nbody\r\n", ".\r\n", "..\r\n.x\r\n", "a\r\n.\r\nRETR 2\r\n",
		"a\n.\nsmuggled\r\n", "a\rb\r\n", "\r\n\r\n", strings.Repeat("long line ", 200) + "\r\n"} {
		f.Add([]byte(s), []byte{2, 9, 0})
	}
	f.Fuzz(func(t *testing.T, body, sizes []byte) {
		split := chunked.SizesFrom(sizes)
		// Round trip: what the writer accepts, the reader gives back.
		wire, err := AppendBody([]byte("+OK\r\n"), body)
		if err == nil {
			var streamed bytes.Buffer
			w := NewBodyWriter(&streamed)
			for i, rest := 0, body; len(rest) > 0; i++ {
				n := 1
				if len(split) > 0 {
					n = split[i%len(split)]
				}
				n = min(n, len(rest))
				_, err := w.Write(rest[:n])
				require.NoError(t, err)
				rest = rest[n:]
			}
			require.NoError(t, w.Close())
			require.Equal(t, string(wire[5:]), streamed.String(), "the streaming writer agrees")

			wire = append(wire, "+OK next\r\n"...)
			r := bodyRead(chunked.NewReader(wire, split...), ResponseReaderOptions{})
			require.NoError(t, r.err)
			want := body
			if len(body) > 0 && !bytes.HasSuffix(body, []byte("\r\n")) {
				want = append(append([]byte(nil), body...), "\r\n"...)
			}
			require.Equal(t, string(want), string(r.body))
			require.Equal(t, `"next" <nil>`, r.next)
		} else {
			require.True(t, errors.Is(err, ErrBareCR) || errors.Is(err, ErrBareLF))
		}

		// Any bytes as a body: chunking changes nothing, limits hold, and a
		// body that ends is followed by the next response in step.
		raw := append(append([]byte("+OK\r\n"), body...), "\r\n.\r\n+OK next\r\n"...)
		for _, opt := range []ResponseReaderOptions{{}, {AllowBareLF: true}, {MaxBodySize: 16}, {MaxBodySize: 1}} {
			whole := bodyRead(bytes.NewReader(raw), opt)
			pieces := bodyRead(chunked.NewReader(raw, split...), opt, split...)
			require.Equal(t, string(whole.body), string(pieces.body))
			require.Equal(t, fmt.Sprint(whole.err), fmt.Sprint(pieces.err))
			require.Equal(t, whole.next, pieces.next)
			b1, e1 := whole.body, whole.err
			ref, refErr := dotRead(bytes.NewReader(raw), opt)
			require.Equal(t, string(ref), string(b1), "the block path agrees with internal/dot")
			if refErr == nil {
				require.NoError(t, e1)
			} else {
				require.ErrorIs(t, e1, refErr)
			}
			if opt.MaxBodySize > 0 {
				require.LessOrEqual(t, int64(len(b1)), opt.MaxBodySize)
			}
			// Strictly, the body ends at the first <CRLF>.<CRLF> on the wire
			// (a decoded body may hold a "." line: "..", unstuffed). What
			// follows is read as the next response, and nothing else is.
			if !opt.AllowBareLF && (e1 == nil || !ReplyOf(e1).Fatal) {
				wire := append([]byte("\r\n"), raw[len("+OK\r\n"):]...)
				end := bytes.Index(wire, []byte("\r\n.\r\n"))
				after := NewResponseReader(bytes.NewReader(wire[end+5:]), opt)
				resp, err := after.ReadResponse()
				require.Equal(t, fmt.Sprintf("%q %v", resp.Text, err), whole.next, "the next response starts right after the first end")
			}
		}
	})
}
