package imapwire_test

import (
	"bytes"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imapwire"
	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"
)

// TestReplayTranscripts replays every recorded IMAP session between real
// peers (testdata/transcripts, plus $MAILWIRE_TRANSCRIPTS when set): the
// commands the real client sent through a server-side Reader and their
// arguments through the typed helpers, the responses the real server sent
// through a client-side Reader and their data (FETCH with ENVELOPE,
// BODYSTRUCTURE and literals, LIST, STATUS, SEARCH, …) through the typed
// decoders, split as the peer split them and one byte at a time. Status
// responses, continuation requests and capability lists have one spelling,
// and the writers must give them back byte for byte.
func TestReplayTranscripts(t *testing.T) {
	transcripts, err := transcript.Discover("imap")
	require.NoError(t, err)

	type counts struct{ commands, authLines, literals, responses, fetchItems int }
	perClient, perServer := transcript.Tally[counts]{}, transcript.Tally[counts]{}
	for _, tr := range transcripts {
		for _, split := range tr.Splits() {
			t.Run(filepath.Base(tr.Path)+"/"+split.Name, func(t *testing.T) {
				r := replayIMAP(t, tr, split.Client, split.Server, true)
				if split.Name != "peer-chunks" {
					return
				}
				c := perClient.Of(tr.Client)
				c.commands += r.commands
				c.authLines += r.authLines
				c.literals += r.clientLiterals
				s := perServer.Of(tr.Server)
				s.responses += r.responses
				s.fetchItems += r.fetchItems
				s.literals += r.serverLiterals
			})
		}
	}
	for _, peer := range perClient.Peers() {
		c := perClient[peer]
		t.Logf("client %s: %d commands (%d literals), %d AUTHENTICATE lines read", peer, c.commands, c.literals, c.authLines)
	}
	for _, peer := range perServer.Peers() {
		s := perServer[peer]
		t.Logf("server %s: %d responses, %d FETCH items (%d literals) read", peer, s.responses, s.fetchItems, s.literals)
	}
}

// FuzzReplaySplits replays the recorded sessions with both streams cut into
// chunks of the fuzzer's choosing: however the network splits real traffic,
// every command and every response must read the same.
func FuzzReplaySplits(f *testing.F) {
	transcripts, err := transcript.DiscoverBeside("imap")
	require.NoError(f, err)
	for i := range transcripts {
		f.Add(uint16(i), []byte{0, 3, 200}, []byte{1, 255, 7})
	}
	f.Fuzz(func(t *testing.T, i uint16, clientSplits, serverSplits []byte) {
		// go-118-fuzz-build's F ignores require's failure above.
		require.NotEmpty(t, transcripts, "no %s transcripts: %v", "imap", err)
		tr := transcripts[int(i)%len(transcripts)]
		replayIMAP(t, tr,
			chunked.NewReader(tr.Bytes(transcript.ClientToServer), chunked.SizesFrom(clientSplits)...),
			chunked.NewReader(tr.Bytes(transcript.ServerToClient), chunked.SizesFrom(serverSplits)...), false)
	})
}

// nextMessage is the test's own framing oracle: it returns where the IMAP
// message that starts at off ends. A line ends at CRLF, unless it ends in a
// literal header ({n}, {n+} or ~{n}), whose n octets and the rest of the
// message follow. It returns -1 when the stream ends inside a message.
func nextMessage(stream []byte, off int) int {
	for {
		i := bytes.Index(stream[off:], []byte("\r\n"))
		if i < 0 {
			return -1
		}
		line := stream[off : off+i]
		off += i + 2
		n, ok := literalSize(line)
		if !ok {
			return off
		}
		if n > len(stream)-off {
			return -1
		}
		off += n
	}
}

// literalSize parses the literal header at the end of line, if any.
func literalSize(line []byte) (int, bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false
	}
	digits := bytes.TrimSuffix(line[open+1:len(line)-1], []byte("+"))
	n, err := strconv.Atoi(string(digits))
	return n, err == nil && n >= 0 && len(digits) > 0
}

// startTLSTag returns the tag of the client's STARTTLS command, if it sent
// one: after it the client stream is TLS.
func startTLSTag(stream []byte) []byte {
	for off := 0; ; {
		end := nextMessage(stream, off)
		if end < 0 {
			return nil
		}
		fields := bytes.Fields(stream[off:end])
		if len(fields) == 2 && bytes.EqualFold(fields[1], []byte("STARTTLS")) {
			return fields[0]
		}
		off = end
	}
}

// imapReplay holds what one replay read.
type imapReplay struct {
	t          *testing.T
	peerSplits bool // the streams are split as the peers sent them

	// contsFor counts, per tag, the continuation requests the server sent
	// before that tag's completion: what an AUTHENTICATE without an initial
	// response (or a synchronizing literal) waited for.
	contsFor map[string]int

	commands, authLines, clientLiterals   int
	responses, fetchItems, serverLiterals int
}

func replayIMAP(t *testing.T, tr *transcript.Transcript, client, server io.Reader, peerSplits bool) *imapReplay {
	r := &imapReplay{t: t, peerSplits: peerSplits, contsFor: map[string]int{}}
	tlsTag := startTLSTag(tr.Bytes(transcript.ClientToServer))
	r.responsesOf(imapwire.NewReader(server, imapwire.ClientSide, imapwire.Options{}),
		tr.Bytes(transcript.ServerToClient), tlsTag)
	r.commandsOf(imapwire.NewReader(client, imapwire.ServerSide, imapwire.Options{}),
		tr.Bytes(transcript.ClientToServer))
	return r
}

// responsesOf reads every response of the server stream.
func (r *imapReplay) responsesOf(rd *imapwire.Reader, stream, tlsTag []byte) {
	t := r.t
	pending := 0 // continuation requests not yet followed by a completion
	for off := 0; ; {
		resp, err := rd.ReadResponse()
		if err == io.EOF {
			require.Equal(t, len(stream), off, "the server stream ends between responses")
			return
		}
		require.NoError(t, err, "response %d", r.responses+1)
		end := nextMessage(stream, off)
		require.Positive(t, end, "response %d is whole", r.responses+1)
		raw := stream[off:end]
		off = end
		r.responses++

		switch {
		case resp.Kind == imapwire.Continuation:
			written, err := imapwire.AppendContinuation(nil, resp.Text)
			require.NoError(t, err)
			require.Equal(t, string(raw), string(written), "continuation request, rewritten")
			pending++
		case resp.Kind == imapwire.Tagged || resp.Cond != imapwire.CondNone:
			code := resp.Code
			if resp.CodeArg != nil {
				code = append(append(append([]byte(nil), code...), ' '), resp.CodeArg...)
			}
			written, err := imapwire.AppendStatus(nil, resp.Tag, resp.Cond.String(), code, resp.Text)
			require.NoError(t, err)
			require.Equal(t, string(raw), string(written), "status response, rewritten")
			if resp.Kind == imapwire.Tagged {
				r.contsFor[string(resp.Tag)] += pending
				pending = 0
				if tlsTag != nil && bytes.Equal(resp.Tag, tlsTag) && resp.Cond == imapwire.CondOK {
					if r.peerSplits {
						require.Zero(t, rd.Buffered(), "server bytes after the STARTTLS go-ahead")
					}
					require.True(t, transcript.TLSHandshakeAt(stream, off), "server sends a TLS handshake record after the go-ahead")
					return
				}
			}
		default:
			r.data(rd, resp, raw)
		}
	}
}

// data reads the rest of an untagged data response with its decoder.
func (r *imapReplay) data(rd *imapwire.Reader, resp imapwire.Response, raw []byte) {
	t := r.t
	switch resp.Data {
	case imapwire.DataCapability, imapwire.DataEnabled:
		words, err := rd.Words()
		require.NoError(t, err)
		written := append([]byte("* "), resp.Name...)
		for w, ok := words.Next(); ok; w, ok = words.Next() {
			written = append(append(written, ' '), w...)
		}
		require.Equal(t, string(raw), string(append(written, "\r\n"...)), "capability list, rewritten")
	case imapwire.DataFlags, imapwire.DataServerID:
		require.NoError(t, rd.SP())
		r.values(r.capture(rd))
		require.NoError(t, rd.End())
	case imapwire.DataList, imapwire.DataLsub:
		d, err := rd.ReadListData()
		require.NoError(t, err)
		r.values(d.Attrs)
		r.mailboxName(rd, d.Mailbox)
	case imapwire.DataStatus:
		mailbox, items, err := rd.ReadStatusData()
		require.NoError(t, err)
		r.mailboxName(rd, mailbox)
		n := 0
		for _, _, ok := items.Next(); ok; _, _, ok = items.Next() {
			n++
		}
		require.Positive(t, n, "STATUS items")
	case imapwire.DataSearch:
		numbers, _, err := rd.ReadSearchData()
		require.NoError(t, err)
		for n, ok := numbers.Next(); ok; n, ok = numbers.Next() {
			require.Positive(t, n)
		}
	case imapwire.DataESearch:
		d, err := rd.ReadESearchData()
		require.NoError(t, err)
		r.values(d.Items)
	case imapwire.DataNamespace:
		personal, other, shared, err := rd.ReadNamespaceData()
		require.NoError(t, err)
		for _, ns := range [][]byte{personal, other, shared} {
			if ns != nil {
				r.values(imapwire.ValuesOf(ns))
			}
		}
	case imapwire.DataExists, imapwire.DataRecent, imapwire.DataExpunge:
	case imapwire.DataFetch:
		require.Positive(t, resp.Num, "FETCH message number")
		r.fetch(rd)
	default:
		t.Fatalf("a real server sent a response the reader does not know: %q", raw)
	}
}

// fetch reads the items of a FETCH response, each with the method that
// fits it, streaming literals.
func (r *imapReplay) fetch(rd *imapwire.Reader) {
	t := r.t
	items := rd.FetchItems()
	for items.Next() {
		r.fetchItems++
		item := items.Item()
		var err error
		switch item.Att {
		case imapwire.FetchFlags:
			r.values(r.capture(rd))
		case imapwire.FetchUID, imapwire.FetchRFC822Size:
			_, err = rd.Number()
		case imapwire.FetchBinarySize:
			_, err = rd.Number64()
		case imapwire.FetchModSeq:
			_, err = rd.ModSeq()
		case imapwire.FetchInternalDate:
			_, err = rd.String()
		case imapwire.FetchEnvelope:
			env, eerr := rd.Envelope()
			require.NoError(t, eerr, "ENVELOPE")
			r.envelope(env)
		case imapwire.FetchBody, imapwire.FetchBodyStructure:
			bs, berr := rd.BodyStructure()
			require.NoError(t, berr, "BODYSTRUCTURE")
			r.bodyStructure(bs, 0)
		case imapwire.FetchBodySection, imapwire.FetchBinary, imapwire.FetchRFC822,
			imapwire.FetchRFC822Header, imapwire.FetchRFC822Text:
			tok, serr := rd.SectionData()
			require.NoError(t, serr, "%s", item.Name)
			if tok.Kind == imapwire.KindLiteral {
				n, cerr := io.Copy(io.Discard, rd.LiteralReader())
				require.NoError(t, cerr, "%s literal", item.Name)
				require.Equal(t, int64(tok.Literal.Size), n)
				r.serverLiterals++
			}
		default:
			t.Fatalf("a real server sent a FETCH item the reader does not know: %q", item.Name)
		}
		require.NoError(t, err, "%s", item.Name)
	}
	require.NoError(t, items.Err(), "FETCH items")
}

func (r *imapReplay) capture(rd *imapwire.Reader) imapwire.Values {
	raw, err := rd.Capture()
	require.NoError(r.t, err)
	return imapwire.ValuesOf(raw)
}

// values walks a list, nested lists included, and fails on malformed bytes.
func (r *imapReplay) values(v imapwire.Values) {
	for v.More() {
		tok, ok := v.Next()
		require.True(r.t, ok, "list element")
		if tok.Kind == imapwire.KindListOpen {
			r.values(imapwire.ValuesOf(tok.Bytes))
		}
	}
	require.NoError(r.t, v.Err(), "list")
}

// mailboxName checks that a mailbox name as sent decodes in the reader's
// mode (modified UTF-7: no peer here enables UTF8=ACCEPT).
func (r *imapReplay) mailboxName(rd *imapwire.Reader, name imapwire.Token) {
	_, err := rd.AppendMailboxName(nil, name)
	require.NoError(r.t, err, "mailbox name %q", name.Bytes)
}

func (r *imapReplay) envelope(env imapwire.Envelope) {
	for _, list := range []imapwire.Addresses{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
		for a, ok := list.Next(); ok; a, ok = list.Next() {
			require.True(r.t, a.Mailbox.IsNil() || a.Mailbox.IsString(), "address mailbox")
		}
	}
}

// bodyStructure walks a body structure to its leaves, message/rfc822 parts
// included.
func (r *imapReplay) bodyStructure(bs imapwire.BodyStructure, depth int) {
	t := r.t
	require.Less(t, depth, 20, "nesting")
	r.values(bs.Params)
	if bs.Multipart {
		parts := bs.Children()
		n := 0
		for part, ok := parts.Next(); ok; part, ok = parts.Next() {
			r.bodyStructure(part, depth+1)
			n++
		}
		require.NoError(t, parts.Err(), "parts of multipart/%s", bs.Subtype.Bytes)
		require.Positive(t, n, "parts of multipart/%s", bs.Subtype.Bytes)
		return
	}
	if bs.Envelope != nil {
		env, err := imapwire.ParseEnvelope(bs.Envelope)
		require.NoError(t, err, "nested ENVELOPE")
		r.envelope(env)
		nested, err := bs.Nested()
		require.NoError(t, err, "nested body")
		r.bodyStructure(nested, depth+1)
	}
}

// commandsOf reads every command of the client stream.
func (r *imapReplay) commandsOf(rd *imapwire.Reader, stream []byte) {
	t := r.t
	for {
		c, err := rd.ReadCommand()
		if err == io.EOF {
			return
		}
		require.NoError(t, err, "command %d", r.commands+1)
		r.commands++
		require.NotEqual(t, imapwire.CmdUnknown, c.ID, "a real client sent a command the reader does not know: %q", c.Name)
		tag := string(c.Tag)
		if !r.arguments(rd, c) {
			require.NoError(t, rd.End(), "end of %s", c.Name)
		}
		switch c.ID {
		case imapwire.CmdAuthenticate:
			for range r.contsFor[tag] {
				_, err := rd.ReadAuthLine()
				require.NoError(t, err, "AUTHENTICATE line")
				r.authLines++
			}
		case imapwire.CmdIdle:
			require.NoError(t, rd.ReadIdleDone(), "DONE")
		case imapwire.CmdStartTLS:
			if r.peerSplits {
				require.Zero(t, rd.Buffered(), "client bytes pipelined after STARTTLS")
			}
			off := 0
			for range r.commands + r.authLines {
				off = nextMessage(stream, off)
			}
			require.True(t, transcript.TLSHandshakeAt(stream, off), "client sends a TLS handshake record after the go-ahead")
			return
		}
	}
}

// arguments reads a command's arguments with the typed helpers, as a
// server does. It reports whether they ended the command (the helpers that
// read to the end of the line do); otherwise End follows.
func (r *imapReplay) arguments(rd *imapwire.Reader, c imapwire.Command) (ended bool) {
	t := r.t
	sp := func() { require.NoError(t, rd.SP(), "SP in %s", c.Name) }
	optional := func() {
		if rd.Peek() == ' ' {
			sp()
			_, err := rd.Capture()
			require.NoError(t, err, "%s options", c.Name)
		}
	}
	mailbox := func() {
		sp()
		tok, err := rd.Mailbox()
		tok.Bytes = r.take(rd, tok, err)
		r.mailboxName(rd, tok)
	}
	seqSet := func() {
		sp()
		_, err := rd.SeqSet()
		require.NoError(t, err, "sequence set of %s", c.Name)
	}
	switch c.ID {
	case imapwire.CmdCapability, imapwire.CmdNoop, imapwire.CmdLogout, imapwire.CmdStartTLS, imapwire.CmdCheck,
		imapwire.CmdClose, imapwire.CmdUnselect, imapwire.CmdIdle, imapwire.CmdNamespace:
	case imapwire.CmdExpunge:
		if c.UID {
			seqSet()
		}
	case imapwire.CmdLogin:
		for range 2 {
			sp()
			tok, err := rd.AString()
			r.take(rd, tok, err)
		}
	case imapwire.CmdAuthenticate:
		sp()
		_, err := rd.Atom()
		require.NoError(t, err, "SASL mechanism")
		if rd.Peek() == ' ' {
			sp()
			_, err := rd.Atom()
			require.NoError(t, err, "SASL initial response")
		}
	case imapwire.CmdSelect, imapwire.CmdExamine, imapwire.CmdCreate, imapwire.CmdDelete,
		imapwire.CmdSubscribe, imapwire.CmdUnsubscribe:
		mailbox()
		optional()
	case imapwire.CmdRename:
		mailbox()
		mailbox()
	case imapwire.CmdCopy, imapwire.CmdMove:
		seqSet()
		mailbox()
	case imapwire.CmdList, imapwire.CmdLsub:
		mailbox()
		sp()
		tok, err := rd.ListMailbox()
		r.take(rd, tok, err)
	case imapwire.CmdStatus:
		mailbox()
		sp()
		r.values(r.capture(rd))
	case imapwire.CmdAppend:
		mailbox()
		for !rd.AtEnd() {
			m, err := rd.AppendMessage()
			require.NoError(t, err, "APPEND message")
			r.values(m.Flags)
			r.take(rd, m.Literal, nil)
		}
	case imapwire.CmdFetch:
		seqSet()
		sp()
		atts := rd.FetchAtts()
		n := 0
		for atts.Next() {
			n++
		}
		require.NoError(t, atts.Err(), "FETCH items")
		require.Positive(t, n, "FETCH items")
		optional()
	case imapwire.CmdStore:
		seqSet()
		sp()
		if rd.Peek() == '(' {
			r.values(r.capture(rd))
			sp()
		}
		s, err := rd.Store()
		require.NoError(t, err, "STORE action")
		r.values(s.Flags)
	case imapwire.CmdSearch:
		_, err := rd.SearchOptions()
		require.NoError(t, err, "SEARCH options")
		for {
			key, ok, err := rd.NextSearchKey()
			require.NoError(t, err, "search key")
			if !ok {
				break
			}
			for range key.Strings {
				tok, err := rd.SearchString()
				r.take(rd, tok, err)
			}
		}
		return true
	case imapwire.CmdEnable:
		_, err := rd.Words()
		require.NoError(t, err, "ENABLE")
		return true
	case imapwire.CmdID:
		sp()
		r.values(r.capture(rd))
	default:
		t.Fatalf("no replay for %s", c.Name)
	}
	return false
}

// take returns the value of a string argument, accepting a literal as the
// server did when it sent its continuation request.
func (r *imapReplay) take(rd *imapwire.Reader, tok imapwire.Token, err error) []byte {
	t := r.t
	require.NoError(t, err, "string argument")
	if tok.Kind != imapwire.KindLiteral {
		return tok.AppendValue(nil)
	}
	require.NoError(t, rd.Accept())
	data, err := io.ReadAll(rd.LiteralReader())
	require.NoError(t, err, "literal")
	require.Len(t, data, int(tok.Literal.Size))
	r.clientLiterals++
	return data
}

func TestReplayTranscriptsCoverThePeers(t *testing.T) {
	transcripts, err := transcript.Discover("imap")
	require.NoError(t, err)
	clients := map[string]bool{}
	for _, tr := range transcripts {
		assert.Contains(t, tr.Server, "Dovecot")
		clients[tr.Client] = true
	}
	assert.GreaterOrEqual(t, len(clients), 3, "imaplib, curl and mbsync at least")
}
