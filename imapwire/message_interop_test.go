package imapwire

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// messagePeer returns the path of a peer program for the Dovecot
// comparison, skipping without it, or failing with MAILWIRE_INTEROP=1.
func messagePeer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s is required with MAILWIRE_INTEROP=1: %v", name, err)
		}
		t.Skipf("%s not installed (see .ci/peers.sh); set MAILWIRE_INTEROP=1 to require it", name)
	}
	return path
}

// recordMessages runs the message generator of .ci/record.sh (its Python
// messages() function) and returns the messages with CRLF line ends, as
// they would be stored after APPEND or SMTP delivery.
func recordMessages(t *testing.T, python string) map[string][]byte {
	t.Helper()
	script := `
import sys
src = open(sys.argv[1]).read()
start = src.index("def crlf(s):")
end = src.index("FLAGS = [")
ns = {}
exec(src[start:end], ns)
out = sys.stdout.buffer
for m in ns["messages"]():
    m = ns["crlf"](m)
    out.write(b"%d\n" % len(m))
    out.write(m)
`
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", script, "../.ci/record.sh").Output()
	require.NoError(t, err)
	msgs := map[string][]byte{}
	for i := 0; len(out) > 0; i++ {
		nl := bytes.IndexByte(out, '\n')
		require.Positive(t, nl)
		n, err := strconv.Atoi(string(out[:nl]))
		require.NoError(t, err)
		out = out[nl+1:]
		msgs[fmt.Sprintf("record.sh#%d", i)] = out[:n]
		out = out[n:]
	}
	require.Len(t, msgs, 10)
	return msgs
}

// corpusMessages returns the messages under ../testdata and
// ../headers/testdata (*.eml), with CRLF line ends.
func corpusMessages(t *testing.T) map[string][]byte {
	t.Helper()
	msgs := map[string][]byte{}
	for _, glob := range []string{"../testdata/*.eml", "../testdata/*/*.eml", "../headers/testdata/*.eml"} {
		files, err := filepath.Glob(glob)
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
			msgs[strings.TrimPrefix(f, "../")] = b
		}
	}
	return msgs
}

// startDovecot starts Dovecot on 127.0.0.1:port with one user, alice,
// whose INBOX holds msgs (Maildir, one file each), and returns the order
// of the message names by UID.
func startDovecot(t *testing.T, dovecot string, port int, msgs map[string][]byte) []string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dcm") // short: socket paths stay under 108 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	names := make([]string, 0, len(msgs))
	for name := range msgs {
		names = append(names, name)
	}
	sort.Strings(names)
	cur := filepath.Join(dir, "mail", "alice", "Maildir", "cur")
	for _, sub := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "mail", "alice", "Maildir", sub), 0o755))
	}
	for i, name := range names {
		// Maildir names sort by their leading number, which Dovecot uses
		// for the UID order of new files.
		file := filepath.Join(cur, fmt.Sprintf("%d.M%dP1.mailwire:2,S", 1700000000+i, i))
		require.NoError(t, os.WriteFile(file, msgs[name], 0o644))
	}
	if out, err := exec.Command("chown", "-R", "mail:mail", filepath.Join(dir, "mail")).CombinedOutput(); err != nil {
		t.Logf("chown: %v %s (Dovecot then runs as the current user)", err, out)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}alicepw\n"), 0o644))
	conf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`protocols = imap
listen = 127.0.0.1
base_dir = `+dir+`/run
state_dir = `+dir+`/state
log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u `+dir+`/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=`+dir+`/mail/%u
}
first_valid_uid = 8
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = `+strconv.Itoa(port)+`
  }
  inet_listener imaps {
    port = 0
  }
}
`), 0o644))
	var log bytes.Buffer
	cmd := exec.Command(dovecot, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("dovecot log:\n%s", log.String())
		}
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "Dovecot does not listen on %s", addr)
	return names
}

// freeMessagePort finds a free port in 24100-24199 (this test's range).
func freeMessagePort(t *testing.T) int {
	t.Helper()
	for port := 24100; port < 24200; port++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port in 24100-24199")
	return 0
}

// imapClient is the small client of the comparison: commands written raw,
// responses read with the package's Reader.
type imapClient struct {
	t   *testing.T
	r   *Reader
	w   *bufio.Writer
	tag int
	// inline takes section literals with Inline instead of streaming them
	// with LiteralReader (the replay of the trace compares both).
	inline bool
}

func dialIMAP(t *testing.T, addr string) *imapClient {
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(2*time.Minute)))
	var rd io.Reader = conn
	if trace := os.Getenv("MAILWIRE_IMAP_TRACE"); trace != "" { // a file to copy the server's bytes to
		f, err := os.Create(trace)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		rd = io.TeeReader(conn, f)
	}
	return newIMAPClient(t, rd, conn)
}

// interopLimits are the client limits of the comparison: whole messages
// of the corpus fit in one response.
func interopLimits() Limits {
	lim := ClientLimits()
	lim.MaxMessage = 4 << 20
	lim.MaxInlineLiteral = 1 << 20
	lim.MaxLiteralTotal = 64 << 20
	return lim
}

// newIMAPClient reads the server's bytes from rd and writes commands to w,
// and reads the greeting.
func newIMAPClient(t *testing.T, rd io.Reader, w io.Writer) *imapClient {
	c := &imapClient{t: t, r: NewReader(rd, ClientSide, Options{Limits: interopLimits()}), w: bufio.NewWriter(w)}
	resp, err := c.r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, CondOK, resp.Cond, "greeting")
	return c
}

// fetched is what a FETCH response held, by item: ENVELOPE, BODY,
// BODYSTRUCTURE raw, sections as data (nil for NIL).
type fetched struct {
	raw      map[string][]byte
	sections map[string][]byte
}

// run sends a command and collects FETCH responses until the tagged one.
func (c *imapClient) run(cmd string) ([]fetched, Response) {
	c.t.Helper()
	c.tag++
	tag := "m" + strconv.Itoa(c.tag)
	_, err := c.w.WriteString(tag + " " + cmd + "\r\n")
	require.NoError(c.t, err)
	require.NoError(c.t, c.w.Flush())
	var out []fetched
	for {
		resp, err := c.r.ReadResponse()
		require.NoError(c.t, err, "response to %s", cmd)
		if resp.Kind == Tagged {
			require.Equal(c.t, tag, string(resp.Tag))
			return out, resp
		}
		if resp.Data != DataFetch {
			switch resp.Data {
			case DataExists, DataRecent, DataExpunge:
			default:
				if resp.Cond == 0 {
					c.skipRest()
				}
			}
			continue
		}
		f := fetched{raw: map[string][]byte{}, sections: map[string][]byte{}}
		items := c.r.FetchItems()
		for items.Next() {
			it := items.Item()
			switch it.Att {
			case FetchEnvelope, FetchBodyStructure, FetchBody:
				raw, err := c.r.Capture()
				require.NoError(c.t, err)
				f.raw[fetchNames[it.Att]] = bytes.Clone(raw)
			case FetchBodySection:
				tok, err := c.r.SectionData()
				require.NoError(c.t, err)
				key := string(it.Section.Raw)
				if it.Partial {
					key += "<" + strconv.FormatUint(uint64(it.Offset), 10) + ">"
				}
				switch tok.Kind {
				case KindNil:
					f.sections[key] = nil
				case KindLiteral:
					// Streamed, as a client takes a message body, and the
					// FETCH line goes on after it (see
					// TestReaderReplaysDovecotTrace for the bytes that
					// once broke this).
					var data []byte
					if c.inline {
						data, err = c.r.Inline()
						data = bytes.Clone(data)
					} else {
						data, err = io.ReadAll(c.r.LiteralReader())
					}
					require.NoError(c.t, err, "literal of BODY[%s]", key)
					f.sections[key] = data
				default:
					f.sections[key] = tok.AppendValue([]byte{})
				}
			default:
				_, err := c.r.Capture()
				require.NoError(c.t, err)
			}
		}
		require.NoError(c.t, items.Err())
		out = append(out, f)
	}
}

// skipRest reads the rest of an untagged response we do not look into.
func (c *imapClient) skipRest() {
	for !c.r.AtEnd() {
		if c.r.Peek() == ' ' {
			require.NoError(c.t, c.r.SP())
			continue
		}
		_, err := c.r.Capture()
		require.NoError(c.t, err)
	}
	require.NoError(c.t, c.r.End())
}

// flatten turns an IMAP value into comparable tokens: lists open and
// close, strings by value (quoted or literal alike), NIL, atoms.
func flatten(raw []byte) []string {
	var out []string
	var walk func(v Values)
	walk = func(v Values) {
		for {
			t, ok := v.Next()
			if !ok {
				if v.Err() != nil {
					out = append(out, "<malformed>")
				}
				return
			}
			switch t.Kind {
			case KindListOpen:
				out = append(out, "(")
				walk(ValuesOf(t.Bytes))
				out = append(out, ")")
			case KindNil:
				out = append(out, "NIL")
			case KindQuoted, KindLiteral:
				out = append(out, strconv.Quote(string(t.AppendValue(nil))))
			default:
				out = append(out, string(t.Bytes))
			}
		}
	}
	walk(Values{b: raw})
	return out
}

// dovecotConstants are words Dovecot writes in lower case whatever the
// header says; media types and subtypes are case-insensitive (RFC 2045
// §5.1), so a difference in case only is no difference.
var dovecotConstants = map[string]bool{`"message"`: true, `"rfc822"`: true, `"text"`: true, `"plain"`: true, `"7bit"`: true}

// sameValue compares flattened values, case-insensitively where RFC 2045
// allows it.
func sameValue(ours, theirs []string) bool {
	if len(ours) != len(theirs) {
		return false
	}
	for i := range ours {
		if ours[i] != theirs[i] && !(dovecotConstants[theirs[i]] && strings.EqualFold(ours[i], theirs[i])) {
			return false
		}
	}
	return true
}

// sectionSpecs lists the sections to compare for msg: the whole message,
// its HEADER, TEXT and two HEADER.FIELDS lists, every part with its MIME
// header, the HEADER, TEXT and fields of every message/rfc822 part, and
// partials.
func sectionSpecs(m *Message) []string {
	specs := []string{"", "HEADER", "TEXT", "HEADER.FIELDS (FROM SUBJECT DATE)", "HEADER.FIELDS.NOT (FROM SUBJECT DATE)",
		"HEADER.FIELDS (CONTENT-TYPE X-NONE)"}
	var walk func(prefix string, top bool, node int32)
	walk = func(prefix string, top bool, node int32) {
		for n := 1; ; n++ {
			var c int32
			var ok bool
			if top {
				c, ok = m.childOfMessage(node, n)
			} else {
				c, ok = m.childOfPart(node, n)
			}
			if !ok {
				return
			}
			num := prefix + strconv.Itoa(n)
			specs = append(specs, num, num+".MIME")
			if m.parts[c].Kind == 3 { // message/rfc822
				specs = append(specs, num+".HEADER", num+".TEXT", num+".HEADER.FIELDS (FROM SUBJECT)", num+".HEADER.FIELDS.NOT (FROM SUBJECT)")
			}
			walk(num+".", false, c)
			if c == node { // part 1 of a single-part message is the message's body
				return
			}
		}
	}
	walk("", true, 0)
	return specs
}

// ourSection computes what we answer for a section (nil: no such section).
func ourSection(t *testing.T, m *Message, spec string) []byte {
	r := NewReader(strings.NewReader("a FETCH 1 BODY["+spec+"]\r\n"), ServerSide, Options{})
	_, err := r.ReadCommand()
	require.NoError(t, err)
	require.NoError(t, r.SP())
	_, err = r.SeqSet()
	require.NoError(t, err)
	require.NoError(t, r.SP())
	atts := r.FetchAtts()
	require.True(t, atts.Next(), "%s: %v", spec, atts.Err())
	sec := atts.Item().Section
	rng, err := m.Section(sec)
	if err != nil {
		return nil
	}
	if rng.Filter {
		out, err := m.AppendHeaderFields(nil, sec)
		require.NoError(t, err)
		return out
	}
	var b bytes.Buffer
	require.NoError(t, m.WriteSection(&b, rng.Off, rng.Len))
	return b.Bytes()
}

// dovecotDeviations are the differences from Dovecot 2.3 that are
// Dovecot's choice, not ours to copy, keyed "message item" (the item is
// ENVELOPE, BODY, BODYSTRUCTURE or BODY[section]), each with the reason.
var dovecotDeviations = map[string]string{
	"edge/bad-type BODY": "a Content-Type without a subtype: RFC 2045 §5.2 makes the part text/plain; us-ascii, " +
		"Dovecot writes the broken type as \"garbage\" \"\" with no line count",
	"edge/bad-type BODYSTRUCTURE": "as BODY",
	"edge/duplicates BODYSTRUCTURE": "two Content-Disposition fields: the first counts for us, as for every " +
		"Content-* field (RFC 2183 allows one); Dovecot takes a later one when the first has no parameters",
	"edge/empty-boundary BODY": `boundary="": RFC 2046 wants 1 to 70 characters, so the multipart has no ` +
		`parts for us (Dovecot's empty placeholder part); Dovecot takes every line that starts with "--" for a boundary`,
	"edge/empty-boundary BODYSTRUCTURE": "as BODY",
}

// TestMessageDovecot compares Message with Dovecot: the messages
// .ci/record.sh generates and those under testdata/ and headers/testdata/
// are put into a Maildir that a Dovecot started on loopback serves; for
// each, ENVELOPE, BODY, BODYSTRUCTURE and every section fetched over IMAP
// must equal what Message computes from the same bytes (strings by value,
// media types and subtypes ignoring case), or be a listed deviation.
func TestMessageDovecot(t *testing.T) {
	dovecot := messagePeer(t, "dovecot")
	python := messagePeer(t, "python3")
	msgs := recordMessages(t, python)
	for name, b := range corpusMessages(t) {
		msgs[name] = b
	}
	for name, s := range edgeMessages {
		msgs[name] = bytes.ReplaceAll([]byte(s), []byte("\n"), []byte("\r\n"))
	}
	port := freeMessagePort(t)
	names := startDovecot(t, dovecot, port, msgs)
	c := dialIMAP(t, "127.0.0.1:"+strconv.Itoa(port))
	_, resp := c.run("LOGIN alice alicepw")
	require.Equal(t, CondOK, resp.Cond, "LOGIN: %s", resp.Text)
	_, resp = c.run("SELECT INBOX")
	require.Equal(t, CondOK, resp.Cond, "SELECT: %s", resp.Text)

	m, viaReaderAt := NewMessage(MessageOptions{}), NewMessage(MessageOptions{})
	compared, deviated := 0, map[string]bool{}
	for i, name := range names {
		msg := msgs[name]
		require.NoError(t, m.Parse(msg), name)
		specs := sectionSpecs(m)
		var cmd strings.Builder
		cmd.WriteString("FETCH " + strconv.Itoa(i+1) + " (ENVELOPE BODY BODYSTRUCTURE")
		for _, s := range specs {
			cmd.WriteString(" BODY.PEEK[" + s + "]")
		}
		cmd.WriteString(" BODY.PEEK[]<0.100> BODY.PEEK[TEXT]<5.20> BODY.PEEK[1]<2.3>)")
		got, resp := c.run(cmd.String())
		require.Equal(t, CondOK, resp.Cond, "%s: %s", name, resp.Text)
		require.Len(t, got, 1, name)
		theirs := got[0]
		// BODY[] is the stored message, each NUL as 0x80 (a literal holds none).
		require.True(t, bytes.Equal(bytes.ReplaceAll(msg, []byte{0}, []byte{0x80}), theirs.sections[""]), "%s: BODY[] is not the stored message", name)

		check := func(item string, ours, dc []byte, value bool) {
			t.Helper()
			compared++
			key := name + " " + item
			same := bytes.Equal(ours, dc)
			if value {
				same = sameValue(flatten(ours), flatten(dc))
			}
			if reason, ok := dovecotDeviations[key]; ok {
				deviated[key] = true
				if same {
					t.Errorf("%s: listed as a deviation (%s) but equal now", key, reason)
				}
				return
			}
			if !same {
				t.Errorf("%s differs\n ours:    %q\n dovecot: %q", key, ours, dc)
			}
		}
		env, err := AppendEnvelope(nil, m)
		require.NoError(t, err)
		check("ENVELOPE", env, theirs.raw["ENVELOPE"], true)
		// The same through a ReaderAt.
		require.NoError(t, viaReaderAt.ParseReaderAt(bytes.NewReader(msg), int64(len(msg))), name)
		env2, err := AppendEnvelope(nil, viaReaderAt)
		require.NoError(t, err)
		bs2, err := AppendBodyStructure(nil, viaReaderAt, true)
		require.NoError(t, err)
		body, err := AppendBodyStructure(nil, m, false)
		require.NoError(t, err)
		check("BODY", body, theirs.raw["BODY"], true)
		bs, err := AppendBodyStructure(nil, m, true)
		require.NoError(t, err)
		check("BODYSTRUCTURE", bs, theirs.raw["BODYSTRUCTURE"], true)
		require.Equal(t, string(env), string(env2), "%s: ENVELOPE through a ReaderAt", name)
		require.Equal(t, string(bs), string(bs2), "%s: BODYSTRUCTURE through a ReaderAt", name)
		for _, s := range specs {
			dc, ok := theirs.sections[strings.ToUpper(s)]
			if !ok {
				dc, ok = theirs.sections[s]
			}
			require.True(t, ok, "%s: Dovecot sent no BODY[%s]", name, s)
			check("BODY["+s+"]", ourSection(t, m, s), dc, false)
		}
		for _, p := range []struct {
			spec, key     string
			origin, count uint32
		}{{"", "<0>", 0, 100}, {"TEXT", "TEXT<5>", 5, 20}, {"1", "1<2>", 2, 3}} {
			whole := ourSection(t, m, p.spec)
			off, n := Partial(0, int64(len(whole)), FetchItem{Partial: true, Offset: p.origin, Count: p.count})
			check("BODY["+p.key+"]", whole[off:off+n], theirs.sections[p.key], false)
		}
	}
	// A section the message does not have: Dovecot answers with an empty
	// string, which is what a server using Message sends on ErrNoSection.
	got, resp := c.run("FETCH 1 (BODY.PEEK[9] BODY.PEEK[1.HEADER] BODY.PEEK[1.1.TEXT])")
	require.Equal(t, CondOK, resp.Cond)
	require.Len(t, got, 1)
	require.NoError(t, m.Parse(msgs[names[0]]))
	for _, spec := range []string{"9", "1.HEADER", "1.1.TEXT"} {
		data, ok := got[0].sections[spec]
		require.True(t, ok, spec)
		require.NotNil(t, data, "Dovecot's BODY[%s] is NIL", spec)
		require.Empty(t, data, "Dovecot's BODY[%s]", spec)
		require.Nil(t, ourSection(t, m, spec), "our BODY[%s]", spec)
		compared++
	}
	for key, reason := range dovecotDeviations {
		if !deviated[key] {
			t.Errorf("deviation %q (%s) was not met", key, reason)
		}
	}
	t.Logf("compared %d items of %d messages with Dovecot; %d listed deviations", compared, len(names), len(dovecotDeviations))
}

// edgeMessages are the cases the corpus lacks: RFC 2231 continuations,
// a header cut by a boundary, a missing close delimiter, a multipart
// without a boundary, multipart/digest, the extension fields, groups,
// routes, comments and missing parts in addresses, merged To fields,
// nested boundaries sharing a prefix, upper-case and malformed
// Content-Types, a message/rfc822 top level, an empty message and one
// without a body.
var edgeMessages = map[string]string{
	"edge/rfc2231": "From: a@example.test\nSubject: 2231\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n" +
		"Content-Type: application/octet-stream; name*0*=UTF-8''%E2%82%AC; name*1=\" rate\"; name*2*=%20.txt; charset=x\n" +
		"Content-Disposition: attachment; filename*1=\"b.txt\"; filename*0=\"a\"; size=3\n\nxyz\n--b\n" +
		"Content-Type: text/plain; title*3=\"x\"; title*0=\"y\"\nContent-Language: en, de-DE\nContent-Location: http://example.test/a\n" +
		"Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\nContent-ID: <id@x>\nContent-Description: a\n  folded description\n\nbody\n--b--\n",
	"edge/cut-header":  "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"cut\"\n\n--cut\nContent-Type: text/plain\n--cut\nContent-Type: text/html\n\n<p>x</p>\n--cut--\n",
	"edge/no-close":    "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=open\n\npreamble\n--open\nContent-Type: text/plain\n\none\n--open\n\ntwo\nthree\n",
	"edge/no-boundary": "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nbody\n--x--\n",
	"edge/digest":      "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: b@example.test\nSubject: first\n\none\n--d\nContent-Type: text/plain\n\nnot a message\n--d--\n",
	"edge/addresses": "From: \"Last, First\" (a comment) <first.last@example.test>\n" +
		"To: Team: ann@example.test, \"Bob B\" <bob@example.test>;, carol (Carol C) , <@route.example,@r2.example:dave@example.test>\n" +
		"To: second@example.test\nCc: nodomain, \"quoted local\"@example.test, <>, Broken <x@\nBcc: undisclosed-recipients:;\n" +
		"Reply-To: \t  spaced   name   <r@example.test>\nSender: s@[192.0.2.1]\nSubject:   many    spaces\there  \n" +
		"In-Reply-To: <a@b>\n <c@d>\nMessage-ID: <first@x>\nMessage-ID: <second@x>\nDate: first\nDate: Tue, 1 Dec 2026 10:00:00 +0000\n\nbody\n",
	"edge/prefix-boundaries": "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"ab\"\n\n--ab\nContent-Type: multipart/mixed; boundary=\"abc\"\n\n--abc\n\ninner one\n--ab\n\nouter two\n--abc--\n--ab--\n",
	"edge/case":              "From: a@example.test\nMIME-Version: 1.0\nCONTENT-TYPE: Text/HTML; CHARSET=UTF-8\nContent-Transfer-Encoding: QUOTED-PRINTABLE\n\n<b>x</b>\n",
	"edge/bad-type":          "From: a@example.test\nMIME-Version: 1.0\nContent-Type: garbage\nContent-Transfer-Encoding: 8bit extra\n\nbody\n",
	"edge/top-rfc822":        "From: a@example.test\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\nFrom: inner@example.test\nSubject: inner\nContent-Type: multipart/mixed; boundary=i\n\n--i\n\npart\n--i--\n",
	"edge/no-mime":           "From: a@example.test\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment\n\nbody\n",
	"edge/empty":             "",
	"edge/header-only":       "From: a@example.test\nSubject: no body",
	"edge/duplicates": "From: a@example.test\nFrom: b@example.test\nMIME-Version: 1.0\nContent-Type: text/plain; charset=a\nContent-Type: text/html; charset=b\n" +
		"Content-Disposition: inline\nContent-Disposition: attachment; filename=x\nContent-ID: <1@x>\nContent-ID: <2@x>\n\nbody\n",
	"edge/boundary-lines": "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\" (comment)\n\n--b  \n\none\n--bXYZ\n\ntwo\n--b\t\n\nthree\n--b-- trailing\nepilogue",
	"edge/empty-boundary": "From: a@example.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n\nx\n----\n",
	"edge/global":         "From: a@example.test\nMIME-Version: 1.0\nContent-Type: message/global\n\nFrom: b@example.test\n\nbody\n",
	"edge/params":         "From: a@example.test\nMIME-Version: 1.0\nContent-Type: text/plain; format=flowed (c); delsp=yes\nContent-Language: en (English), fr\nContent-Location:\n http://x/\n  y\n\nbody",
	"edge/tabs":           "From: (only a comment)\nTo: a@x,\nCc: \"A \\\"quoted\\\" name\" <a@x>, \"\" <e@x>\nSubject: tab\tfolded\n\tsubject\nDate: Tue, 1 Dec 2026 10:00:00 +0000 (UTC)\nMessage-ID:\n <folded@x>\n\nx\n",
	"edge/long-line":      "From: a@example.test\nX-Long: " + strings.Repeat("y", 3000) + "\nSubject: after a long line\n\nbody\n",
	"edge/nul":            "From: a@example.test\nSubject: n\x00l\nMIME-Version: 1.0\nContent-Type: text/plain; name=\"a\x00b\"\n\nb\x00dy\n",
	"edge/8bit-param":     "From: a@example.test\nMIME-Version: 1.0\nContent-Type: text/plain; name=\"caf\xc3\xa9.txt\"; x=\"q\\\"uote\"\n\nbody\n",
}
