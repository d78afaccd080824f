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
	"github.com/stretchr/testify/require"

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

// syncCounts are the totals of the typed FETCH walk: what a client reads
// from the responses. imapFetchSyncWant holds them as the corpus was
// built, so a walk that stops early or skips a field fails the check.
type syncCounts struct {
	msgs, uids, sizes   int
	flags, flagBytes    int
	dates               int // INTERNALDATEs parsed
	envStrings, envText int // date, subject, in-reply-to, message-id: present ones and their octets
	addrs, addrBytes    int // addresses of the six lists; octets of their name, adl, mailbox, host
	parts, partText     int // body parts; octets of type, subtype, id, description, encoding, md5, location
	partSizes, lines    int
	params, paramBytes  int // body and disposition parameters (name and value pairs)
	dispositions, langs int
	literal             int // header literal octets read
}

// imapFetchSyncWant is filled in while imapFetchSync is built.
var imapFetchSyncWant syncCounts

// imapFetchSync varies from message to message in the flags (none to
// three), the subject (escaped quotes in every fifth), the sender's name
// (NIL in every third), Cc (one or two addresses) and the structure
// (every other message has a third part, an inline TEXT/HTML with every
// extension field), so that no two consecutive messages are alike.
var imapFetchSync = func() []byte {
	var b bytes.Buffer
	w := &imapFetchSyncWant
	flagSets := [...][]string{nil, {`\Seen`}, {`\Seen`, `\Answered`}, {`\Seen`, `\Answered`, "$Forwarded"}}
	for i := 1; i <= 100; i++ {
		flags := flagSets[i%4]
		subject := fmt.Sprintf("IMAP4rev1 WG mtg summary and minutes %d", i)
		subjectWire := subject
		if i%5 == 0 { // the walk reads the unescaped value
			subject = fmt.Sprintf(`Re: "IMAP4rev1" \ WG %d`, i)
			subjectWire = fmt.Sprintf(`Re: \"IMAP4rev1\" \\ WG %d`, i)
		}
		from := `("Terry Gray" NIL "gray" "cac.washington.edu")`
		w.addrBytes += 3 * len("Terry Gray"+"gray"+"cac.washington.edu")
		sender := from
		if i%3 == 0 {
			sender = `(NIL NIL "gray" "cac.washington.edu")`
			w.addrBytes -= len("Terry Gray")
		}
		cc := `((NIL NIL "minutes" "CNRI.Reston.VA.US") ("John Klensin" NIL "KLENSIN" "MIT.EDU"))`
		w.addrBytes += len("minutes"+"CNRI.Reston.VA.US") + len("John Klensin"+"KLENSIN"+"MIT.EDU") + len("imap"+"cac.washington.edu")
		w.addrs += 6
		if i%2 == 0 {
			cc = `((NIL NIL "minutes" "CNRI.Reston.VA.US"))`
			w.addrBytes -= len("John Klensin" + "KLENSIN" + "MIT.EDU")
			w.addrs--
		}
		date := "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"
		msgID := fmt.Sprintf("<B27397-%d@cac.washington.edu>", i)
		w.envStrings += 3
		w.envText += len(date) + len(subject) + len(msgID)

		html := ""
		w.parts += 3
		w.partText += len("TEXTPLAIN7BIT" + "APPLICATIONPDFBASE64" + "MIXED")
		w.partSizes += 1152 + 4554
		w.lines += 23
		w.params += 4
		w.paramBytes += len("CHARSETUS-ASCII" + "NAMEreport.pdf" + "filenamereport.pdf" + "BOUNDARYxyz")
		w.dispositions++
		w.partText += len("attachment")
		if i%2 == 1 {
			html = fmt.Sprintf(`("TEXT" "HTML" ("CHARSET" "UTF-8" "FORMAT" "flowed") "<part%d@x>" "HTML version" "QUOTED-PRINTABLE" 2310 41 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("inline" NIL) ("en" "de") "http://example.org/%d")`, i, i)
			w.parts++
			w.partText += len("TEXTHTML"+"HTML version"+"QUOTED-PRINTABLE"+"Q2hlY2sgSW50ZWdyaXR5IQ=="+"inline") +
				len(fmt.Sprintf("<part%d@x>http://example.org/%d", i, i))
			w.partSizes += 2310
			w.lines += 41
			w.params += 2
			w.paramBytes += len("CHARSETUTF-8FORMATflowed")
			w.dispositions++
			w.langs += 2
			w.partText += len("ende")
		}
		fmt.Fprintf(&b, "* %d FETCH (UID %d FLAGS (%s) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "+
			"RFC822.SIZE %d ENVELOPE (\"%s\" \"%s\" "+
			"(%s) (%s) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "+
			"%s NIL NIL \"%s\") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)"+
			"(\"APPLICATION\" \"PDF\" (\"NAME\" \"report.pdf\") NIL NIL \"BASE64\" 4554 NIL (\"attachment\" (\"filename\" \"report.pdf\")) NIL NIL)%s "+
			"\"MIXED\" (\"BOUNDARY\" \"xyz\") NIL NIL NIL) BODY[HEADER.FIELDS (FROM TO SUBJECT DATE)] {%d}\r\n%s)\r\n",
			i, 1000+i, strings.Join(flags, " "), 4000+i, date, subjectWire, from, sender, cc, msgID, html, len(imapHeader), imapHeader)
		w.msgs++
		w.uids += 1000 + i
		w.sizes += 4000 + i
		w.flags += len(flags)
		w.flagBytes += len(strings.Join(flags, ""))
		w.dates++
		w.literal += len(imapHeader)
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

// wireSync decodes the FETCH stream with imapwire, every field typed as
// go-imap's Message.Parse and its v2 client do: each flag, INTERNALDATE
// parsed, every envelope string (quoted strings unescaped) and every
// address field of the six lists, every body part's fields, parameters,
// disposition and language, the header literal read. It returns the
// totals for the caller to check.
func wireSync(r *imapwire.Reader, scratch []byte) (syncCounts, error) {
	var c syncCounts
	// Large values are decoded into these, not returned.
	var env imapwire.Envelope
	var bs imapwire.BodyStructure
	var a imapwire.Address
	for {
		resp, err := r.ReadResponse()
		if err != nil {
			return c, err
		}
		if resp.Kind == imapwire.Tagged {
			return c, nil
		}
		if resp.Data != imapwire.DataFetch {
			return c, errors.New("unexpected response")
		}
		c.msgs++
		items := r.FetchItems()
		for items.Next() {
			switch items.Item().Att {
			case imapwire.FetchUID:
				n, err := r.Number()
				if err != nil {
					return c, err
				}
				c.uids += int(n)
			case imapwire.FetchRFC822Size:
				n, err := r.Number64()
				if err != nil {
					return c, err
				}
				c.sizes += int(n)
			case imapwire.FetchFlags:
				l := r.List()
				for l.Next() {
					f, err := r.Flag()
					if err != nil {
						return c, err
					}
					c.flags++
					c.flagBytes += len(f.Bytes)
				}
				if err := l.Err(); err != nil {
					return c, err
				}
			case imapwire.FetchInternalDate:
				t, err := r.String()
				if err != nil {
					return c, err
				}
				if t.Kind != imapwire.KindQuoted {
					return c, errors.New("INTERNALDATE not quoted")
				}
				d, zone, err := imapwire.ParseDateTime(t.Bytes)
				if err != nil {
					return c, err
				}
				if d.Unix()+int64(zone) > 0 {
					c.dates++
				}
			case imapwire.FetchEnvelope:
				if err := r.EnvelopeInto(&env); err != nil {
					return c, err
				}
				for _, t := range [...]*imapwire.Token{&env.Date, &env.Subject, &env.InReplyTo, &env.MessageID} {
					if !t.IsNil() {
						c.envStrings++
						c.envText += valueLen(t, scratch)
					}
				}
				for _, list := range [...]*imapwire.Addresses{&env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc} {
					for list.NextInto(&a) {
						c.addrs++
						c.addrBytes += valueLen(&a.Name, scratch) + valueLen(&a.ADL, scratch) +
							valueLen(&a.Mailbox, scratch) + valueLen(&a.Host, scratch)
					}
					if err := list.Err(); err != nil {
						return c, err
					}
				}
			case imapwire.FetchBodyStructure:
				if err := r.BodyStructureInto(&bs); err != nil {
					return c, err
				}
				if err := walkBody(&bs, &c, scratch); err != nil {
					return c, err
				}
			case imapwire.FetchBodySection:
				t, err := r.SectionData()
				if err != nil {
					return c, err
				}
				if t.Kind != imapwire.KindLiteral || t.Literal.Size > uint64(len(scratch)) {
					return c, errors.New("unexpected section data")
				}
				n, err := io.ReadFull(r.LiteralReader(), scratch[:t.Literal.Size])
				if err != nil {
					return c, err
				}
				c.literal += n
			default:
				return c, errors.New("unexpected item " + string(items.Item().Name))
			}
		}
		if err := items.Err(); err != nil {
			return c, err
		}
	}
}

// walkBody reads every field of a body structure and of its parts, depth
// first, with a stack of part cursors (a recursive walk would move each
// part to the heap), each part decoded into one reused structure.
func walkBody(top *imapwire.BodyStructure, c *syncCounts, scratch []byte) error {
	var stack [8]imapwire.BodyParts
	n := 0
	push := func(b *imapwire.BodyStructure) error {
		for {
			if err := walkPart(b, c, scratch); err != nil {
				return err
			}
			if b.Multipart {
				if n == len(stack) {
					return errors.New("body too deep")
				}
				stack[n] = b.Children()
				n++
				return nil
			}
			if b.Body == nil {
				return nil
			}
			if _, err := imapwire.ParseEnvelope(b.Envelope); err != nil {
				return err
			}
			nb, err := b.Nested()
			if err != nil {
				return err
			}
			*b = nb
		}
	}
	if err := push(top); err != nil {
		return err
	}
	var p imapwire.BodyStructure
	for n > 0 {
		if !stack[n-1].NextInto(&p) {
			if err := stack[n-1].Err(); err != nil {
				return err
			}
			n--
			continue
		}
		if err := push(&p); err != nil {
			return err
		}
	}
	return nil
}

// walkPart reads one level's fields: type, subtype, parameters, the
// single-part fields, the disposition with its parameters, the languages
// and the location.
func walkPart(b *imapwire.BodyStructure, c *syncCounts, scratch []byte) error {
	c.parts++
	c.partText += valueLen(&b.Type, scratch) + valueLen(&b.Subtype, scratch)
	if err := walkParams(b.Params, c, scratch); err != nil {
		return err
	}
	if !b.Multipart {
		c.partText += valueLen(&b.ID, scratch) + valueLen(&b.Description, scratch) +
			valueLen(&b.Encoding, scratch) + valueLen(&b.MD5, scratch)
		c.partSizes += int(b.Size)
		c.lines += int(b.Lines)
	}
	if b.Disposition != nil {
		if b.DispositionType.Kind == 0 {
			return errors.New("disposition not taken apart")
		}
		c.dispositions++
		c.partText += valueLen(&b.DispositionType, scratch)
		if err := walkParams(b.DispositionParams, c, scratch); err != nil {
			return err
		}
	}
	for l := b.Languages; l.More(); {
		t, ok := l.Next()
		if !ok || !t.IsString() {
			return errors.New("bad language")
		}
		c.langs++
		c.partText += valueLen(&t, scratch)
	}
	c.partText += valueLen(&b.Location, scratch)
	return nil
}

// valueLen is the length of a string's value: unescaped into scratch
// when it has escapes, else the view itself (a typed client reads the view
// in place, as the Reader means it to); NIL has none.
func valueLen(t *imapwire.Token, scratch []byte) int {
	switch {
	case t.Kind == imapwire.KindNil:
		return 0
	case t.Escaped:
		return len(t.AppendValue(scratch[:0]))
	}
	return len(t.Bytes)
}

// walkParams reads the name and value of each parameter.
func walkParams(v imapwire.Values, c *syncCounts, scratch []byte) error {
	for v.More() {
		name, ok1 := v.Next()
		value, ok2 := v.Next()
		if !ok1 || !ok2 || !name.IsString() || !value.IsString() {
			return errors.New("bad parameter")
		}
		c.params++
		c.paramBytes += valueLen(&name, scratch) + valueLen(&value, scratch)
	}
	return v.Err()
}

// syncShape is what every reader of the corpus must agree on: the counts
// of syncCounts that do not depend on how a library normalizes strings.
type syncShape struct {
	msgs, uids, sizes, flags, addrs, parts, params, partSizes, lines, dispositions, langs, literal int
}

func (c syncCounts) shape() syncShape {
	return syncShape{c.msgs, c.uids, c.sizes, c.flags, c.addrs, c.parts, c.params, c.partSizes, c.lines,
		c.dispositions, c.langs, c.literal}
}

// v1Sync decodes the FETCH stream with go-imap v1 (ReadResp,
// ParseNamedResp, Message.Parse into its structs) and counts what it
// decoded.
func v1Sync(r *imapv1.Reader) (syncShape, error) {
	var c syncShape
	for {
		resp, err := imapv1.ReadResp(r)
		if err != nil {
			return c, err
		}
		if _, ok := resp.(*imapv1.StatusResp); ok {
			return c, nil
		}
		name, fields, ok := imapv1.ParseNamedResp(resp)
		if !ok || name != "FETCH" || len(fields) != 2 {
			return c, errors.New("unexpected response")
		}
		seq, err := imapv1.ParseNumber(fields[0])
		if err != nil {
			return c, err
		}
		list, _ := fields[1].([]interface{})
		msg := imapv1.NewMessage(seq, nil)
		if err := msg.Parse(list); err != nil {
			return c, err
		}
		c.msgs++
		c.uids += int(msg.Uid)
		c.sizes += int(msg.Size)
		c.flags += len(msg.Flags)
		e := msg.Envelope
		c.addrs += len(e.From) + len(e.Sender) + len(e.ReplyTo) + len(e.To) + len(e.Cc) + len(e.Bcc)
		var walk func(b *imapv1.BodyStructure)
		walk = func(b *imapv1.BodyStructure) {
			c.parts++
			c.params += len(b.Params) + len(b.DispositionParams)
			c.partSizes += int(b.Size)
			c.lines += int(b.Lines)
			c.langs += len(b.Language)
			if b.Disposition != "" {
				c.dispositions++
			}
			for _, p := range b.Parts {
				walk(p)
			}
		}
		walk(msg.BodyStructure)
		for _, lit := range msg.Body {
			c.literal += lit.Len()
		}
	}
}

// v2Shape counts what go-imap v2's client decoded.
func v2Shape(msgs []*imapclient.FetchMessageBuffer) syncShape {
	var c syncShape
	var walk func(b imapv2.BodyStructure)
	walk = func(b imapv2.BodyStructure) {
		c.parts++
		if d := b.Disposition(); d != nil {
			c.dispositions++
			c.params += len(d.Params)
		}
		switch b := b.(type) {
		case *imapv2.BodyStructureSinglePart:
			c.params += len(b.Params)
			c.partSizes += int(b.Size)
			if b.Text != nil {
				c.lines += int(b.Text.NumLines)
			}
			if b.Extended != nil {
				c.langs += len(b.Extended.Language)
			}
		case *imapv2.BodyStructureMultiPart:
			if b.Extended != nil {
				c.params += len(b.Extended.Params)
				c.langs += len(b.Extended.Language)
			}
			for _, p := range b.Children {
				walk(p)
			}
		}
	}
	for _, m := range msgs {
		c.msgs++
		c.uids += int(m.UID)
		c.sizes += int(m.RFC822Size)
		c.flags += len(m.Flags)
		if e := m.Envelope; e != nil {
			c.addrs += len(e.From) + len(e.Sender) + len(e.ReplyTo) + len(e.To) + len(e.Cc) + len(e.Bcc)
		}
		walk(m.BodyStructure)
		for _, s := range m.BodySection {
			c.literal += len(s.Bytes)
		}
	}
	return c
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
	require.NoError(t, err)
	require.Equal(t, imapFetchSyncWant, w)
	require.Equal(t, 100, w.msgs)
	v1, err := v1Sync(imapv1.NewReader(bufio.NewReader(bytes.NewReader(imapFetchSync))))
	require.NoError(t, err)
	require.Equal(t, imapFetchSyncWant.shape(), v1, "go-imap v1 reads the corpus as imapwire does")
	c := v2FetchClient(t)
	defer c.Close()
	msgs, err := c.Fetch(v2FetchSet(), v2FetchOptions).Collect()
	require.NoError(t, err)
	require.Equal(t, imapFetchSyncWant.shape(), v2Shape(msgs), "go-imap v2 reads the corpus as imapwire does")

	if _, err := wireCommands(imapwire.NewReader(bytes.NewReader(imapCommands), imapwire.ServerSide, imapwire.Options{}), 200); err != nil {
		t.Fatal(err)
	}
	if _, err := v1Commands(imapv1.NewReader(bufio.NewReader(bytes.NewReader(imapCommands))), 200); err != nil {
		t.Fatal(err)
	}
}

// TestImapFetchSyncEarlyStop makes sure the totals catch a walk that stops
// early: the stream cut after 99 messages fails the check.
func TestImapFetchSyncEarlyStop(t *testing.T) {
	cut := imapFetchSync[:bytes.Index(imapFetchSync, []byte("* 100 FETCH"))]
	cut = append(cut[:len(cut):len(cut)], "A7 OK done\r\n"...)
	w, err := wireSync(imapwire.NewReader(bytes.NewReader(cut), imapwire.ClientSide, imapwire.Options{}), make([]byte, 4096))
	require.NoError(t, err)
	require.NotEqual(t, imapFetchSyncWant, w)
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
				c, err := wireSync(r, scratch)
				if err != nil || c != imapFetchSyncWant {
					b.Fatal(err, c)
				}
			}
		}},
		{"go-imap-v1", func(b *testing.B) {
			r := imapv1.NewReader(bufio.NewReader(&loop{data: imapFetchSync}))
			want := imapFetchSyncWant.shape()
			for b.Loop() {
				c, err := v1Sync(r)
				if err != nil || c != want {
					b.Fatal(err, c)
				}
			}
		}},
		{"go-imap-v2-client", func(b *testing.B) {
			c := v2FetchClient(b)
			defer c.Close()
			seq := v2FetchSet()
			want := imapFetchSyncWant.shape()
			for b.Loop() {
				msgs, err := c.Fetch(seq, v2FetchOptions).Collect()
				if err != nil || len(msgs) != 100 {
					b.Fatal(err, len(msgs))
				}
				if got := v2Shape(msgs); got != want {
					b.Fatal(got)
				}
			}
		}},
	})
}

func v2FetchSet() imapv2.SeqSet {
	var seq imapv2.SeqSet
	seq.AddRange(1, 100)
	return seq
}

var v2FetchOptions = &imapv2.FetchOptions{UID: true, Flags: true, InternalDate: true, RFC822Size: true, Envelope: true,
	BodyStructure: &imapv2.FetchItemBodyStructure{Extended: true},
	BodySection: []*imapv2.FetchItemBodySection{{Specifier: imapv2.PartSpecifierHeader,
		HeaderFields: []string{"FROM", "TO", "SUBJECT", "DATE"}}}}

// v2FetchClient returns a go-imap v2 client connected through net.Pipe to
// a server that answers every command with the FETCH responses of
// imapFetchSync and a tagged OK: the client's whole path, from writing the
// command to the typed messages, runs in each op.
func v2FetchClient(b testing.TB) *imapclient.Client {
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
