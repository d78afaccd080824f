package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	imapv1 "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/commands"
	imapv2 "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailwire/mailwire/imapwire"
)

// The same IMAP streams read through imapwire and through go-imap v1's
// exported reader, with the typed decoding each offers.
//
//   - ImapFetchSync: the server's answer to a FETCH of 100 messages with
//     UID, FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE and
//     BODY[HEADER.FIELDS (…)] as a literal, as a client syncing a mailbox
//     reads it. imapwire: ReadResponse, FetchItems, Envelope (addresses
//     walked), BodyStructure (parts walked), the header literal read
//     through LiteralReader. go-imap v1: ReadResp, ParseNamedResp and
//     Message.Parse (ENVELOPE and BODYSTRUCTURE into structs).
//   - ImapCommands: a 200-command client stream (LOGIN, SELECT, UID FETCH,
//     UID STORE, UID SEARCH, STATUS, APPEND with a literal, LIST, UID MOVE,
//     NOOP) as a server reads it. imapwire: ReadCommand and the typed
//     argument helpers. go-imap v1: Reader.ReadLine, Command.Parse and the
//     commands package's Parse of each command's arguments, as its server
//     does.
//
// go-imap v2 has no exported wire reader (its decoder is internal), so the
// FETCH sync also runs through its client end to end (go-imap-v2-client:
// net.Pipe to a server goroutine that replays the same bytes; the client
// writes its command, reads and types the messages). Its server is not
// compared: it runs commands against a backend, which is more than
// decoding.

const imapHeader = "From: Terry Gray <gray@cac.washington.edu>\r\n" +
	"To: imap@cac.washington.edu\r\n" +
	"Subject: IMAP4rev1 WG mtg summary and minutes\r\n" +
	"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\r\n"

var imapFetchSync = func() []byte {
	var b bytes.Buffer
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "* %d FETCH (UID %d FLAGS (\\Seen \\Answered) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "+
			"RFC822.SIZE %d ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes %d\" "+
			"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "+
			"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "+
			"((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "+
			"\"<B27397-%d@cac.washington.edu>\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)"+
			"(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") NIL NIL \"BASE64\" 4554 NIL (\"attachment\" (\"filename\" \"report.pdf\")) NIL NIL) "+
			"\"MIXED\" (\"BOUNDARY\" \"xyz\") NIL NIL NIL) BODY[HEADER.FIELDS (FROM TO SUBJECT DATE)] {%d}\r\n%s)\r\n",
			i, 1000+i, 4000+i, i, i, len(imapHeader), imapHeader)
	}
	b.WriteString("A7 OK FETCH completed\r\n")
	return b.Bytes()
}()

const imapAppendMsg = "From: a@example.org\r\nSubject: draft\r\n\r\nhello\r\n"

var imapCommands = func() []byte {
	var b bytes.Buffer
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "a%d0 LOGIN alice \"pass word\"\r\n", i)
		fmt.Fprintf(&b, "a%d1 SELECT INBOX\r\n", i)
		fmt.Fprintf(&b, "a%d2 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])\r\n", i)
		fmt.Fprintf(&b, "a%d3 UID STORE 4:9 +FLAGS.SILENT (\\Seen $Junk)\r\n", i)
		fmt.Fprintf(&b, "a%d4 UID SEARCH UNSEEN SINCE 1-Feb-2024 NOT FROM \"spam@example.com\"\r\n", i)
		fmt.Fprintf(&b, "a%d5 STATUS \"Sent Items\" (MESSAGES UIDNEXT UNSEEN)\r\n", i)
		fmt.Fprintf(&b, "a%d6 APPEND Drafts (\\Draft) {%d+}\r\n%s\r\n", i, len(imapAppendMsg), imapAppendMsg)
		fmt.Fprintf(&b, "a%d7 LIST \"\" \"*\"\r\n", i)
		fmt.Fprintf(&b, "a%d8 UID MOVE 17 Archive\r\n", i)
		fmt.Fprintf(&b, "a%d9 NOOP\r\n", i)
	}
	return b.Bytes()
}()

// wireSync decodes the FETCH stream with imapwire and returns the sum of
// sizes, UIDs, address and part counts, so nothing is optimized away.
func wireSync(r *imapwire.Reader, scratch []byte) (int, error) {
	sum := 0
	for {
		resp, err := r.ReadResponse()
		if err != nil {
			return sum, err
		}
		if resp.Kind == imapwire.Tagged {
			return sum, nil
		}
		if resp.Data != imapwire.DataFetch {
			return sum, errors.New("unexpected response")
		}
		items := r.FetchItems()
		for items.Next() {
			switch it := items.Item(); it.Att {
			case imapwire.FetchUID, imapwire.FetchRFC822Size:
				n, err := r.Number()
				if err != nil {
					return sum, err
				}
				sum += int(n)
			case imapwire.FetchFlags:
				raw, err := r.Capture()
				if err != nil {
					return sum, err
				}
				for v := imapwire.ValuesOf(raw); v.More(); {
					v.Next()
					sum++
				}
			case imapwire.FetchInternalDate:
				t, err := r.String()
				if err != nil {
					return sum, err
				}
				sum += len(t.Bytes)
			case imapwire.FetchEnvelope:
				env, err := r.Envelope()
				if err != nil {
					return sum, err
				}
				for _, list := range [...]imapwire.Addresses{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
					for a, ok := list.Next(); ok; a, ok = list.Next() {
						sum += len(a.Mailbox.Bytes) + len(a.Host.Bytes)
					}
				}
				sum += len(env.Subject.Bytes)
			case imapwire.FetchBodyStructure:
				bs, err := r.BodyStructure()
				if err != nil {
					return sum, err
				}
				parts := bs.Children()
				for p, ok := parts.Next(); ok; p, ok = parts.Next() {
					sum += int(p.Size)
				}
				if err := parts.Err(); err != nil {
					return sum, err
				}
			case imapwire.FetchBodySection:
				t, err := r.SectionData()
				if err != nil {
					return sum, err
				}
				if t.Kind == imapwire.KindLiteral {
					n, err := io.ReadFull(r.LiteralReader(), scratch[:t.Literal.Size])
					if err != nil {
						return sum, err
					}
					sum += n
				}
			default:
				if _, err := r.Capture(); err != nil {
					return sum, err
				}
			}
		}
		if err := items.Err(); err != nil {
			return sum, err
		}
	}
}

// v1Sync decodes the FETCH stream with go-imap v1.
func v1Sync(r *imapv1.Reader) (int, error) {
	sum := 0
	for {
		resp, err := imapv1.ReadResp(r)
		if err != nil {
			return sum, err
		}
		if _, ok := resp.(*imapv1.StatusResp); ok {
			return sum, nil
		}
		name, fields, ok := imapv1.ParseNamedResp(resp)
		if !ok || name != "FETCH" || len(fields) != 2 {
			return sum, errors.New("unexpected response")
		}
		seq, err := imapv1.ParseNumber(fields[0])
		if err != nil {
			return sum, err
		}
		list, _ := fields[1].([]interface{})
		msg := imapv1.NewMessage(seq, nil)
		if err := msg.Parse(list); err != nil {
			return sum, err
		}
		sum += int(msg.Uid) + int(msg.Size) + len(msg.Flags) + len(msg.Envelope.Subject)
		for _, a := range msg.Envelope.From {
			sum += len(a.MailboxName) + len(a.HostName)
		}
		for _, p := range msg.BodyStructure.Parts {
			sum += int(p.Size)
		}
		for _, lit := range msg.Body {
			sum += lit.Len()
		}
	}
}

// wireCommands decodes the command stream with imapwire.
func wireCommands(r *imapwire.Reader, n int) (int, error) {
	sum := 0
	for range n {
		c, err := r.ReadCommand()
		if err != nil {
			return sum, err
		}
		sum += len(c.Tag)
		k, err := wireArgs(r, &c)
		sum += k
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// wireMailbox reads SP mailbox and returns the mailbox's length.
func wireMailbox(r *imapwire.Reader) (int, error) {
	if err := r.SP(); err != nil {
		return 0, err
	}
	t, err := r.Mailbox()
	return len(t.Bytes), err
}

// wireSeq reads SP sequence-set SP and returns the set's length.
func wireSeq(r *imapwire.Reader) (int, error) {
	if err := r.SP(); err != nil {
		return 0, err
	}
	s, err := r.SeqSet()
	n := len(s.Bytes())
	if err == nil {
		err = r.SP()
	}
	return n, err
}

// wireArgs reads the arguments of c and its end of line, and returns the
// sum of the lengths and codes of every value it read. Plain calls, no
// closures: the walk checks the same values and totals as before.
func wireArgs(r *imapwire.Reader, c *imapwire.Command) (int, error) {
	sum := 0
	var n int
	var err error
	switch c.ID {
	case imapwire.CmdNoop:
	case imapwire.CmdLogin:
		if n, err = wireMailbox(r); err == nil {
			sum += n
			n, err = wireMailbox(r)
		}
		sum += n
	case imapwire.CmdSelect:
		n, err = wireMailbox(r)
		sum += n
	case imapwire.CmdFetch:
		n, err = wireSeq(r)
		sum += n
		if err != nil {
			return sum, err
		}
		atts := r.FetchAtts()
		for atts.Next() {
			sum += int(atts.Item().Att)
		}
		err = atts.Err()
	case imapwire.CmdStore:
		n, err = wireSeq(r)
		sum += n
		if err != nil {
			return sum, err
		}
		var s imapwire.Store
		if s, err = r.Store(); err == nil {
			for s.Flags.More() {
				f, _ := s.Flags.Next()
				sum += len(f.Bytes)
			}
		}
	case imapwire.CmdSearch:
		if _, err = r.SearchOptions(); err != nil {
			return sum, err
		}
		for {
			k, ok, err := r.NextSearchKey()
			if err != nil {
				return sum, err
			}
			if !ok {
				return sum, nil
			}
			sum += int(k.Key) + len(k.Date)
			for range k.Strings {
				t, err := r.SearchString()
				if err != nil {
					return sum, err
				}
				sum += len(t.Bytes)
			}
		}
	case imapwire.CmdStatus:
		n, err = wireMailbox(r)
		sum += n
		if err == nil {
			if err = r.SP(); err == nil {
				var raw []byte
				raw, err = r.Capture()
				sum += len(raw)
			}
		}
	case imapwire.CmdAppend:
		n, err = wireMailbox(r)
		sum += n
		if err != nil {
			return sum, err
		}
		var m imapwire.AppendMessage
		if m, err = r.AppendMessage(); err != nil {
			return sum, err
		}
		sum += int(m.Literal.Literal.Size)
		var data []byte
		if data, err = r.Inline(); err != nil {
			return sum, err
		}
		sum += len(data)
	case imapwire.CmdList:
		n, err = wireMailbox(r)
		sum += n
		if err == nil {
			if err = r.SP(); err == nil {
				var t imapwire.Token
				t, err = r.ListMailbox()
				sum += len(t.Bytes)
			}
		}
	case imapwire.CmdMove:
		n, err = wireSeq(r)
		sum += n
		if err == nil {
			t, e := r.Mailbox()
			sum += len(t.Bytes)
			err = e
		}
	default:
		return sum, errors.New("unexpected command " + strconv.Quote(string(c.Name)))
	}
	if err != nil {
		return sum, err
	}
	return sum, r.End()
}

// v1Commands decodes the command stream with go-imap v1 as its server
// does: Reader.ReadLine, Command.Parse, then the command's own Parse from
// the commands package (UID unwrapped first).
func v1Commands(r *imapv1.Reader, n int) (int, error) {
	sum := 0
	for range n {
		fields, err := r.ReadLine()
		if err != nil {
			return sum, err
		}
		var cmd imapv1.Command
		if err := cmd.Parse(fields); err != nil {
			return sum, err
		}
		name, args := cmd.Name, cmd.Arguments
		if name == "UID" {
			var uid commands.Uid
			if err := uid.Parse(args); err != nil {
				return sum, err
			}
			inner := uid.Cmd.Command()
			name, args = inner.Name, inner.Arguments
		}
		var p interface{ Parse([]interface{}) error }
		switch name {
		case "LOGIN":
			p = &commands.Login{}
		case "SELECT":
			p = &commands.Select{}
		case "FETCH":
			p = &commands.Fetch{}
		case "STORE":
			p = &commands.Store{}
		case "SEARCH":
			p = &commands.Search{}
		case "STATUS":
			p = &commands.Status{}
		case "APPEND":
			p = &commands.Append{}
		case "LIST":
			p = &commands.List{}
		case "MOVE":
			p = &commands.Move{}
		case "NOOP":
			p = &commands.Noop{}
		default:
			return sum, errors.New("unexpected command " + name)
		}
		if err := p.Parse(args); err != nil {
			return sum, err
		}
		sum += len(cmd.Tag) + len(args)
	}
	return sum, nil
}

// loop serves the same bytes forever.
type loop struct {
	data []byte
	off  int
}

func (l *loop) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}

func TestImapCorporaAgree(t *testing.T) {
	scratch := make([]byte, 4096)
	w, err := wireSync(imapwire.NewReader(bytes.NewReader(imapFetchSync), imapwire.ClientSide, imapwire.Options{}), scratch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v1Sync(imapv1.NewReader(bufio.NewReader(bytes.NewReader(imapFetchSync)))); err != nil {
		t.Fatal(err)
	}
	if w == 0 {
		t.Fatal("nothing decoded")
	}
	if _, err := wireCommands(imapwire.NewReader(bytes.NewReader(imapCommands), imapwire.ServerSide, imapwire.Options{}), 200); err != nil {
		t.Fatal(err)
	}
	if _, err := v1Commands(imapv1.NewReader(bufio.NewReader(bytes.NewReader(imapCommands))), 200); err != nil {
		t.Fatal(err)
	}
}

// processCPU is the CPU time this process has used, every thread (and so
// the garbage collector) included.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// imapRuns runs the imapwire sub-benchmark and then the others on the same
// bytes. Each reports its CPU time per op ("cpu-ns/op", steadier than wall
// time on a shared machine), and the others their CPU time as a multiple
// of imapwire's ("x-imapwire").
func imapRuns(b *testing.B, size int, runs []imapRun) {
	var base float64
	for _, run := range runs {
		b.Run(run.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			cpu0 := processCPU()
			run.f(b)
			cpu := float64(processCPU()-cpu0) / float64(b.N)
			b.ReportMetric(cpu, "cpu-ns/op")
			if run.name == "imapwire" {
				base = cpu
			} else if base > 0 {
				b.ReportMetric(cpu/base, "x-imapwire")
			}
		})
	}
}

type imapRun struct {
	name string
	f    func(b *testing.B)
}

func BenchmarkImapFetchSync(b *testing.B) {
	imapRuns(b, len(imapFetchSync), []imapRun{
		{"imapwire", func(b *testing.B) {
			r := imapwire.NewReader(&loop{data: imapFetchSync}, imapwire.ClientSide, imapwire.Options{})
			scratch := make([]byte, 4096)
			for b.Loop() {
				if _, err := wireSync(r, scratch); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"go-imap-v1", func(b *testing.B) {
			r := imapv1.NewReader(bufio.NewReader(&loop{data: imapFetchSync}))
			for b.Loop() {
				if _, err := v1Sync(r); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"go-imap-v2-client", func(b *testing.B) {
			c := v2FetchClient(b)
			defer c.Close()
			var seq imapv2.SeqSet
			seq.AddRange(1, 100)
			opts := &imapv2.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: true,
				BodyStructure: &imapv2.FetchItemBodyStructure{Extended: true},
				BodySection: []*imapv2.FetchItemBodySection{{Specifier: imapv2.PartSpecifierHeader,
					HeaderFields: []string{"FROM", "TO", "SUBJECT", "DATE"}}}}
			for b.Loop() {
				msgs, err := c.Fetch(seq, opts).Collect()
				if err != nil || len(msgs) != 100 {
					b.Fatal(err, len(msgs))
				}
			}
		}},
	})
}

// v2FetchClient returns a go-imap v2 client connected through net.Pipe to
// a server that answers every command with the FETCH responses of
// imapFetchSync and a tagged OK: the client's whole path, from writing the
// command to the typed messages, runs in each op.
func v2FetchClient(b *testing.B) *imapclient.Client {
	body := imapFetchSync[:bytes.LastIndex(imapFetchSync, []byte("A7 OK"))]
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		if _, err := server.Write([]byte("* OK [CAPABILITY IMAP4rev1] ready\r\n")); err != nil {
			return
		}
		br := bufio.NewReader(server)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, _, _ := strings.Cut(line, " ")
			if _, err := server.Write(body); err != nil {
				return
			}
			if _, err := server.Write([]byte(tag + " OK FETCH completed\r\n")); err != nil {
				return
			}
		}
	}()
	c := imapclient.New(client, nil)
	if err := c.WaitGreeting(); err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkImapCommands(b *testing.B) {
	imapRuns(b, len(imapCommands), []imapRun{
		{"imapwire", func(b *testing.B) {
			r := imapwire.NewReader(&loop{data: imapCommands}, imapwire.ServerSide, imapwire.Options{})
			for b.Loop() {
				if _, err := wireCommands(r, 200); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"go-imap-v1", func(b *testing.B) {
			r := imapv1.NewReader(bufio.NewReader(&loop{data: imapCommands}))
			for b.Loop() {
				if _, err := v1Commands(r, 200); err != nil {
					b.Fatal(err)
				}
			}
		}},
	})
}
