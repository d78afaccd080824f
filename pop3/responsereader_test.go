package pop3

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rfcSession is the server side of RFC 1939 §10's example session, with
// CAPA, UIDL and a stuffed body added.
const rfcSession = "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n" +
	"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN\r\nUIDL\r\n.\r\n" +
	"+OK mrose's maildrop has 2 messages (320 octets)\r\n" +
	"+OK 2 320\r\n" +
	"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n" +
	"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n" +
	"+OK 120 octets\r\nSubject: hi\r\n\r\n..dot\r\nend\r\n.\r\n" +
	"-ERR [IN-USE] no such message\r\n" +
	"+OK dewey POP3 server signing off (maildrop empty)\r\n"

func readSession(t *testing.T, src io.Reader) []string {
	t.Helper()
	rr := NewResponseReader(src, ResponseReaderOptions{})
	var log []string
	resp, err := rr.ReadResponse()
	require.NoError(t, err)
	log = append(log, "stamp "+string(APOPTimestamp(resp.Text)))

	_, err = rr.ReadResponse()
	require.NoError(t, err)
	var caps Capabilities
	require.NoError(t, rr.ReadCapabilities(&caps))
	log = append(log, "caps "+strings.Join(collect(caps.Lines()), ","))

	_, err = rr.ReadResponse()
	require.NoError(t, err)
	resp, err = rr.ReadResponse()
	require.NoError(t, err)
	count, size, err := ParseStat(resp.Text)
	require.NoError(t, err)
	log = append(log, "stat "+strconv.Itoa(count)+" "+strconv.Itoa(int(size)))

	_, err = rr.ReadResponse()
	require.NoError(t, err)
	for {
		s, err := rr.ReadScan()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		log = append(log, "scan "+strconv.Itoa(s.Msg)+" "+strconv.Itoa(int(s.Size)))
	}
	_, err = rr.ReadResponse()
	require.NoError(t, err)
	for {
		u, err := rr.ReadUID()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		log = append(log, "uid "+strconv.Itoa(u.Msg)+" "+string(u.ID))
	}
	_, err = rr.ReadResponse()
	require.NoError(t, err)
	body, err := io.ReadAll(rr.Body())
	require.NoError(t, err)
	log = append(log, "body "+string(body))

	resp, err = rr.ReadResponse()
	require.NoError(t, err)
	log = append(log, "err "+string(resp.Code)+" "+string(resp.Text))
	resp, err = rr.ReadResponse()
	require.NoError(t, err)
	assert.True(t, resp.OK())
	_, err = rr.ReadResponse()
	assert.Equal(t, io.EOF, err)
	return log
}

func TestResponseReaderSession(t *testing.T) {
	want := []string{
		"stamp <1896.697170952@dbc.mtview.ca.us>",
		"caps TOP,USER,SASL PLAIN,UIDL",
		"stat 2 320",
		"scan 1 120", "scan 2 200",
		"uid 1 whqtswO00WBw418f9t5JxYwZ", "uid 2 QhdPYR:00WBw1Ph7x7",
		"body Subject: hi\r\n\r\n.dot\r\nend\r\n",
		"err IN-USE no such message",
	}
	for _, size := range []int{1, 2, 5, 13, 4096} {
		assert.Equal(t, want, readSession(t, chunked.NewReader([]byte(rfcSession), size)), size)
	}
}

func TestResponseReaderSkipsUnread(t *testing.T) {
	in := "+OK\r\n1 1\r\n2 2\r\n.\r\n+OK body\r\nline\r\n.\r\n+OK after\r\n"
	rr := NewResponseReader(strings.NewReader(in), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	_, err = rr.ReadScan()
	require.NoError(t, err)
	resp, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, "body", string(resp.Text))
	var p [2]byte
	_, err = rr.Body().Read(p[:])
	require.NoError(t, err)
	resp, err = rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, "after", string(resp.Text))
}

func TestResponseReaderNoMultilineAfterErr(t *testing.T) {
	rr := NewResponseReader(strings.NewReader("-ERR no\r\n+OK next\r\n"), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	_, err = rr.ReadLine()
	assert.Equal(t, io.EOF, err)
	n, err := rr.Body().Read(make([]byte, 8))
	assert.Zero(t, n)
	assert.Equal(t, io.EOF, err)
	resp, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, "next", string(resp.Text))
}

func TestResponseReaderBodyViolations(t *testing.T) {
	tests := []struct {
		name string
		body string
		opt  ResponseReaderOptions
		want string
		err  error
	}{
		{"clean", "a\r\n..b\r\n.\r\n", ResponseReaderOptions{}, "a\r\n.b\r\n", nil},
		{"empty", ".\r\n", ResponseReaderOptions{}, "", nil},
		{"bare LF smuggles", "a\n.\nRETR 2\r\n.\r\n", ResponseReaderOptions{}, "a", ErrBareLF},
		{"bare CR", "a\rb\r\n.\r\n", ResponseReaderOptions{}, "a", ErrBareCR},
		{"too large", "0123456789\r\n.\r\n", ResponseReaderOptions{MaxBodySize: 4}, "0123", ErrTooLarge},
		{"old server LF", "a\n..b\n.\n", ResponseReaderOptions{AllowBareLF: true}, "a\n.b\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "+OK\r\n" + tt.body + "+OK next\r\n"
			if tt.opt.AllowBareLF {
				in = "+OK\n" + tt.body + "+OK next\n"
			}
			rr := NewResponseReader(strings.NewReader(in), tt.opt)
			_, err := rr.ReadResponse()
			require.NoError(t, err)
			got, err := io.ReadAll(rr.Body())
			assert.Equal(t, tt.want, string(got))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.False(t, ReplyOf(err).Fatal, "the body was drained: in step")
			} else {
				require.NoError(t, err)
			}
			resp, err := rr.ReadResponse()
			require.NoError(t, err)
			assert.Equal(t, "next", string(resp.Text))
		})
	}
}

func TestResponseReaderLineErrors(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name, in string
		err      error
		fatal    bool
	}{
		{"status too long", "+OK " + long + "\r\n", ErrLineTooLong, true},
		{"status bare LF", "+OK\n", ErrBareLF, true},
		{"status bare CR", "+OK\rx\r\n", ErrBareCR, true},
		{"status garbage", "* OK\r\n", ErrResponse, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := NewResponseReader(strings.NewReader(tt.in), ResponseReaderOptions{})
			_, err := rr.ReadResponse()
			require.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.fatal, ReplyOf(err).Fatal)
			assert.Empty(t, ReplyOf(err).Text)
		})
	}
}

func TestResponseReaderListingErrors(t *testing.T) {
	in := "+OK\r\n1 " + strings.Repeat("9", 600) + "\r\n2\n3 x\r\n4\rx\r\n5 50\r\n.\r\n+OK\r\n"
	rr := NewResponseReader(strings.NewReader(in), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	var errs []error
	var scans []Scan
	for {
		s, err := rr.ReadScan()
		if err == io.EOF {
			break
		}
		if err != nil {
			assert.False(t, ReplyOf(err).Fatal)
			errs = append(errs, err)
			continue
		}
		s.Raw = nil // a view, gone at the next read
		scans = append(scans, s)
	}
	require.Len(t, errs, 4)
	assert.ErrorIs(t, errs[0], ErrLineTooLong)
	assert.ErrorIs(t, errs[1], ErrBareLF)
	assert.ErrorIs(t, errs[2], ErrResponse)
	assert.ErrorIs(t, errs[3], ErrBareCR)
	assert.Equal(t, []Scan{{Msg: 5, Size: 50}}, scans)
	_, err = rr.ReadResponse()
	require.NoError(t, err)
}

func TestResponseReaderTruncated(t *testing.T) {
	rr := NewResponseReader(strings.NewReader("+OK\r\n1 1\r\n"), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	_, err = rr.ReadScan()
	require.NoError(t, err)
	_, err = rr.ReadScan()
	assert.Equal(t, io.ErrUnexpectedEOF, err)

	rr.Reset(strings.NewReader("+OK\r\nbody"))
	_, err = rr.ReadResponse()
	require.NoError(t, err)
	_, err = io.ReadAll(rr.Body())
	assert.Equal(t, io.ErrUnexpectedEOF, err)

	rr.Reset(strings.NewReader("+OK\r\n1 1\r\n"))
	_, err = rr.ReadResponse()
	require.NoError(t, err)
	_, err = rr.ReadLine()
	require.NoError(t, err)
	_, err = rr.ReadResponse()
	assert.Equal(t, io.ErrUnexpectedEOF, err, "draining the listing meets the end")
}

func TestResponseReaderCapabilities(t *testing.T) {
	in := "+OK\r\nTOP\r\nEXPIRE soon\r\nUIDL\r\n.\r\n+OK\r\nSASL " + strings.Repeat("X ", 200) + "\r\nIMPLEMENTATION y\r\n.\r\n+OK done\r\n"
	rr := NewResponseReader(strings.NewReader(in), ResponseReaderOptions{MaxCapabilities: 100})
	var caps Capabilities
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	err = rr.ReadCapabilities(&caps)
	assert.ErrorIs(t, err, ErrCapability)
	assert.True(t, caps.Has(CapTop))
	assert.True(t, caps.Has(CapUIDL), "read to the end")
	assert.False(t, caps.Has(CapExpire))

	_, err = rr.ReadResponse()
	require.NoError(t, err)
	err = rr.ReadCapabilities(&caps)
	assert.ErrorIs(t, err, ErrCapability)
	assert.False(t, caps.Has(CapSASL))
	assert.True(t, caps.Has(CapImplementation))
	resp, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, "done", string(resp.Text))
}

func TestResponseReaderContinuation(t *testing.T) {
	rr := NewResponseReader(strings.NewReader("+ \r\n+ dGVzdA==\r\n+OK Logged in.\r\n"), ResponseReaderOptions{})
	var buf [16]byte
	for _, want := range []string{"", "test"} {
		resp, err := rr.ReadResponse()
		require.NoError(t, err)
		require.Equal(t, StatusContinue, resp.Status)
		data, err := DecodeSASL(buf[:0], resp.Text)
		require.NoError(t, err)
		assert.Equal(t, want, string(data))
	}
	resp, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.True(t, resp.OK())
}

func TestResponseReaderBuffered(t *testing.T) {
	rr := NewResponseReader(strings.NewReader("+OK Begin TLS\r\n+OK injected\r\n"), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, len("+OK injected\r\n"), rr.Buffered())
	assert.Equal(t, "+OK injected\r\n", string(rr.ReadAhead()), "what to log before refusing to go on")
}

// TestResponseReaderReadAhead: the view follows what each read consumes,
// through a listing and a body, whose reader owns no buffer of its own.
func TestResponseReaderReadAhead(t *testing.T) {
	rr := NewResponseReader(strings.NewReader("+OK\r\n1 5\r\n.\r\n+OK\r\nhi\r\n.\r\n+OK next\r\n"), ResponseReaderOptions{})
	assert.Empty(t, rr.ReadAhead())
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, "1 5\r\n.\r\n+OK\r\nhi\r\n.\r\n+OK next\r\n", string(rr.ReadAhead()))
	_, err = rr.ReadScan()
	require.NoError(t, err)
	assert.Equal(t, ".\r\n+OK\r\nhi\r\n.\r\n+OK next\r\n", string(rr.ReadAhead()))
	_, err = rr.ReadScan()
	require.Equal(t, io.EOF, err)
	_, err = rr.ReadResponse()
	require.NoError(t, err)
	body, err := io.ReadAll(rr.Body())
	require.NoError(t, err)
	assert.Equal(t, "hi\r\n", string(body))
	assert.Equal(t, "+OK next\r\n", string(rr.ReadAhead()))
	assert.Equal(t, rr.Buffered(), len(rr.ReadAhead()))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = rr.ReadAhead() }))
}

func TestResponseReaderAllocs(t *testing.T) {
	wire := []byte("+OK 2 320\r\n+OK\r\n1 120\r\n2 200 x\r\n.\r\n+OK\r\n1 abc\r\n.\r\n+OK\r\nany\r\n.\r\n" +
		"+OK\r\nSubject: x\r\n\r\n..body\r\n.\r\n+OK\r\nTOP\r\nSASL PLAIN\r\n.\r\n-ERR [SYS/TEMP] later\r\n")
	for _, opt := range []ResponseReaderOptions{{}, {AllowBareLF: true}} {
		rr := NewResponseReader(chunked.NewLoop(wire), opt)
		var caps Capabilities
		var p [64]byte
		step := func() {
			next := func() {
				if _, err := rr.ReadResponse(); err != nil {
					t.Fatal(err)
				}
			}
			until := func(read func() error) {
				for {
					if err := read(); err == io.EOF {
						return
					} else if err != nil {
						t.Fatal(err)
					}
				}
			}
			next()
			next()
			until(func() error { _, err := rr.ReadScan(); return err })
			next()
			until(func() error { _, err := rr.ReadUID(); return err })
			next()
			until(func() error { _, err := rr.ReadLine(); return err })
			next()
			body := rr.Body()
			until(func() error { _, err := body.Read(p[:]); return err })
			next()
			if err := rr.ReadCapabilities(&caps); err != nil {
				t.Fatal(err)
			}
			next()
		}
		step()
		assert.Zero(t, testing.AllocsPerRun(100, step), "%+v", opt)
	}
}

func BenchmarkReadListing(b *testing.B) {
	var wire []byte
	wire = append(wire, "+OK\r\n"...)
	for i := 1; i <= 300; i++ {
		wire = AppendScan(wire, Scan{Msg: i, Size: int64(70000 + i)})
	}
	wire = append(AppendEnd(wire), "+OK\r\n"...)
	for i := 1; i <= 300; i++ {
		wire, _ = AppendUID(wire, i, "0000a1b2.00c3d4e5.pop.example.net")
	}
	wire = AppendEnd(wire)
	rr := NewResponseReader(chunked.NewLoop(wire), ResponseReaderOptions{})
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		for _, uid := range []bool{false, true} {
			if _, err := rr.ReadResponse(); err != nil {
				b.Fatal(err)
			}
			for {
				var err error
				if uid {
					_, err = rr.ReadUID()
				} else {
					_, err = rr.ReadScan()
				}
				if err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func TestReadScanResumesInsideLongLine(t *testing.T) {
	boom := errors.New("timeout")
	src := &flakyReader{parts: []string{"+OK\r\n1 " + strings.Repeat("x", 600), "12 34\r\n5 50\r\n.\r\n"}, err: boom, failed: true}
	rr := NewResponseReader(src, ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	_, err = rr.ReadScan()
	require.ErrorIs(t, err, boom)
	_, err = rr.ReadScan()
	require.ErrorIs(t, err, ErrLineTooLong, "the tail of the long line is not a listing line")
	s, err := rr.ReadScan()
	require.NoError(t, err)
	assert.Equal(t, Scan{Msg: 5, Size: 50, Raw: bs("5 50")}, s)
	_, err = rr.ReadScan()
	assert.Equal(t, io.EOF, err)
}

func TestReadListingDirectAndGeneral(t *testing.T) {
	in := "+OK\r\n1 120\r\n2 200 extra\r\n3 7\n.\r\n+OK\r\n1 abc\r\n2 " + strings.Repeat("u", 71) + "\r\n3 d\r\n.\r\n"
	rr := NewResponseReader(strings.NewReader(in), ResponseReaderOptions{})
	_, err := rr.ReadResponse()
	require.NoError(t, err)
	s, err := rr.ReadScan()
	require.NoError(t, err)
	assert.Equal(t, Scan{Msg: 1, Size: 120, Raw: bs("1 120")}, s, "the fast path")
	s, err = rr.ReadScan()
	require.NoError(t, err)
	assert.Equal(t, Scan{Msg: 2, Size: 200, Raw: bs("2 200 extra")}, s, "trailing text after the size is allowed, and in Raw")
	_, err = rr.ReadScan()
	assert.ErrorIs(t, err, ErrBareLF)
	_, err = rr.ReadScan()
	assert.Equal(t, io.EOF, err)

	_, err = rr.ReadResponse()
	require.NoError(t, err)
	u, err := rr.ReadUID()
	require.NoError(t, err)
	assert.Equal(t, "abc", string(u.ID))
	assert.Equal(t, "1 abc", string(u.Raw))
	u, err = rr.ReadUID()
	assert.ErrorIs(t, err, ErrResponse, "a unique-id of 71 octets")
	assert.Equal(t, "2 "+strings.Repeat("u", 71), string(u.Raw), "the line that failed, for the log")
	u, err = rr.ReadUID()
	require.NoError(t, err)
	assert.Equal(t, 3, u.Msg)
	assert.Equal(t, "3 d", string(u.Raw))
	_, err = rr.ReadUID()
	assert.Equal(t, io.EOF, err)
}
