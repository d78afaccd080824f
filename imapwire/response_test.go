package imapwire

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renderBody appends a body structure's types, sizes and parts.
func renderBody(b []byte, bs BodyStructure) ([]byte, error) {
	b = append(b, '(')
	if bs.Multipart {
		kids := bs.Children()
		for kid, ok := kids.Next(); ok; kid, ok = kids.Next() {
			var err error
			if b, err = renderBody(b, kid); err != nil {
				return b, err
			}
		}
		if err := kids.Err(); err != nil {
			return b, err
		}
		b = append(append(b, " multipart/"...), bs.Subtype.Bytes...)
	} else {
		b = append(append(append(b, bs.Type.Bytes...), '/'), bs.Subtype.Bytes...)
		b = strconv.AppendUint(append(b, ' '), uint64(bs.Size), 10)
		b = strconv.AppendUint(append(b, ' '), uint64(bs.Lines), 10)
		for p := bs.Params; p.More(); {
			t, _ := p.Next()
			b = append(append(b, ' '), t.Bytes...)
		}
		if bs.Body != nil {
			nested, err := bs.Nested()
			if err != nil {
				return b, err
			}
			if b, err = renderBody(append(b, ' '), nested); err != nil {
				return b, err
			}
		}
	}
	if bs.Disposition != nil {
		b = append(append(b, " disp="...), bs.Disposition...)
	}
	return append(b, ')'), nil
}

// renderAddresses appends an address list.
func renderAddresses(b []byte, a *Addresses) []byte {
	b = append(b, " ["...)
	for addr, ok := a.Next(); ok; addr, ok = a.Next() {
		b = append(addr.Name.AppendValue(append(b, '<')), '|')
		b = append(addr.Mailbox.AppendValue(b), '@')
		b = append(addr.Host.AppendValue(b), '>')
	}
	return append(b, ']')
}

// describeResponse reads a whole response with the typed decoders and
// appends a rendering of it; with capacity in b it allocates nothing.
func describeResponse(b []byte, r *Reader, resp Response, scratch []byte) ([]byte, error) {
	b = append(b, strconv.Itoa(int(resp.Kind))...)
	b = append(append(append(b, ' '), resp.Tag...), ' ')
	b = append(b, resp.Cond.String()...)
	if resp.Code != nil {
		b = append(append(append(append(append(b, " ["...), resp.Code...), '|'), resp.CodeArg...), ']')
	}
	if resp.Text != nil {
		b = append(append(b, " text="...), resp.Text...)
	}
	if resp.Num != 0 {
		b = strconv.AppendUint(append(b, " #"...), uint64(resp.Num), 10)
	}
	if resp.Name != nil {
		b = append(append(b, ' '), resp.Name...)
	}
	var err error
	switch resp.Data {
	case DataCapability, DataEnabled:
		var w Words
		if w, err = r.Words(); err == nil {
			for x, ok := w.Next(); ok; x, ok = w.Next() {
				b = append(append(b, ' '), x...)
			}
		}
		return b, err
	case DataFlags, DataServerID:
		if err = r.SP(); err == nil {
			var raw []byte
			raw, err = r.Capture()
			for v := ValuesOf(raw); v.More(); {
				t, _ := v.Next()
				b = append(t.AppendValue(append(b, ' ')), ',')
			}
		}
	case DataList, DataLsub:
		var d ListData
		if d, err = r.ReadListData(); err == nil {
			for d.Attrs.More() {
				t, _ := d.Attrs.Next()
				b = append(append(b, ' '), t.Bytes...)
			}
			b = append(append(b, " delim="...), d.Delim)
			b = append(d.Mailbox.AppendValue(append(b, " mbox="...)), d.Extension...)
		}
		return b, err
	case DataStatus:
		var mbox Token
		var items StatusItems
		if mbox, items, err = r.ReadStatusData(); err == nil {
			b = mbox.AppendValue(append(b, ' '))
			for n, v, ok := items.Next(); ok; n, v, ok = items.Next() {
				b = strconv.AppendUint(append(append(append(b, ' '), n...), '='), v, 10)
			}
		}
		return b, err
	case DataSearch:
		var nums Numbers
		var modseq uint64
		if nums, modseq, err = r.ReadSearchData(); err == nil {
			for n, ok := nums.Next(); ok; n, ok = nums.Next() {
				b = strconv.AppendUint(append(b, ' '), uint64(n), 10)
			}
			b = strconv.AppendUint(append(b, " modseq="...), modseq, 10)
		}
		return b, err
	case DataESearch:
		var d ESearchData
		if d, err = r.ReadESearchData(); err == nil {
			b = strconv.AppendBool(append(d.Tag.AppendValue(append(b, " tag="...)), " uid="...), d.UID)
			for d.Items.More() {
				t, _ := d.Items.Next()
				b = append(append(b, ' '), t.Bytes...)
			}
		}
		return b, err
	case DataNamespace:
		var ns [3][]byte
		if ns[0], ns[1], ns[2], err = r.ReadNamespaceData(); err == nil {
			for _, n := range ns {
				b = append(append(b, " ns="...), n...)
			}
		}
		return b, err
	case DataFetch:
		items := r.FetchItems()
		for err == nil && items.Next() {
			it := items.Item()
			b = append(append(b, ' '), it.Name...)
			if it.Section.Raw != nil || it.Att == FetchBodySection {
				b = append(append(append(b, '['), it.Section.Raw...), ']')
			}
			if it.Partial {
				b = strconv.AppendUint(append(b, '<'), uint64(it.Offset), 10)
				b = append(b, '>')
			}
			b = append(b, '=')
			switch it.Att {
			case FetchUID, FetchRFC822Size, FetchBinarySize:
				var n uint32
				n, err = r.Number()
				b = strconv.AppendUint(b, uint64(n), 10)
			case FetchModSeq:
				var n uint64
				n, err = r.ModSeq()
				b = strconv.AppendUint(b, n, 10)
			case FetchInternalDate:
				var t Token
				t, err = r.String()
				b = append(b, t.Bytes...)
			case FetchEnvelope:
				var env Envelope
				if env, err = r.Envelope(); err == nil {
					b = append(env.Subject.AppendValue(env.Date.AppendValue(b)), '|')
					for _, a := range [...]Addresses{env.From, env.Sender, env.ReplyTo, env.To, env.Cc, env.Bcc} {
						if b = renderAddresses(b, &a); a.Err() != nil {
							err = r.expected("address")
						}
					}
					b = env.MessageID.AppendValue(env.InReplyTo.AppendValue(b))
				}
			case FetchBody, FetchBodyStructure:
				var bs BodyStructure
				if bs, err = r.BodyStructure(); err == nil {
					b, err = renderBody(b, bs)
				}
			case FetchBodySection, FetchBinary, FetchRFC822, FetchRFC822Header, FetchRFC822Text:
				var t Token
				if t, err = r.SectionData(); err == nil && t.Kind == KindLiteral {
					n := int(t.Literal.Size)
					if n > len(scratch) {
						err = io.ErrShortBuffer
						break
					}
					_, err = io.ReadFull(r.LiteralReader(), scratch[:n])
					t.Bytes = scratch[:n]
				}
				b = append(append(append(b, t.Kind.String()...), ':'), t.Bytes...)
			default:
				var raw []byte
				raw, err = r.Capture()
				b = append(b, raw...)
			}
		}
		if err == nil {
			err = items.Err()
		}
		return b, err
	case DataExists, DataRecent, DataExpunge:
		return b, nil
	}
	if (resp.Data == DataUnknown || resp.Data == DataVanished) && resp.Cond == CondNone && resp.Kind == Untagged {
		for err == nil {
			var t Token
			if t, err = r.Next(); err == nil && t.Kind == KindEnd {
				return b, nil
			}
		}
	}
	if err == nil && resp.Cond == CondNone && resp.Kind == Untagged {
		err = r.End()
	}
	return b, err
}

const header342 = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n" +
	"From: Terry Gray <gray@cac.washington.edu>\r\n" +
	"Subject: IMAP4rev1 WG mtg summary and minutes\r\n" +
	"To: imap@cac.washington.edu\r\n" +
	"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n" +
	"Message-Id: <B27397-0100000@cac.washington.edu>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"

// RFC 3501 §8 and RFC 9051 response examples, and extension ones.
var responseCases = []struct{ in, want string }{
	{"* OK IMAP4rev1 Service Ready\r\n", "0  OK text=IMAP4rev1 Service Ready"},
	{"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n", "0   CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED"},
	{"a001 OK LOGIN completed\r\n", "1 a001 OK text=LOGIN completed"},
	{"* 18 EXISTS\r\n", "0   #18 EXISTS"},
	{"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n", `0   FLAGS \Answered, \Flagged, \Deleted, \Seen, \Draft,`},
	{"* 2 RECENT\r\n", "0   #2 RECENT"},
	{"* OK [UNSEEN 17] Message 17 is the first unseen message\r\n", "0  OK [UNSEEN|17] text=Message 17 is the first unseen message"},
	{"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", "0  OK [UIDVALIDITY|3857529045] text=UIDs valid"},
	{"a002 OK [READ-WRITE] SELECT completed\r\n", "1 a002 OK [READ-WRITE|] text=SELECT completed"},
	{"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
		`0   #12 FETCH FLAGS=(\Seen) INTERNALDATE=17-Jul-1996 02:44:25 -0700 RFC822.SIZE=4286 ENVELOPE=Wed, 17 Jul 1996 02:23:25 -0700 (PDT)IMAP4rev1 WG mtg summary and minutes| [<Terry Gray|gray@cac.washington.edu>] [<Terry Gray|gray@cac.washington.edu>] [<Terry Gray|gray@cac.washington.edu>] [<|imap@cac.washington.edu>] [<|minutes@CNRI.Reston.VA.US><John Klensin|KLENSIN@MIT.EDU>] []<B27397-0100000@cac.washington.edu> BODY=(TEXT/PLAIN 3028 92 CHARSET US-ASCII)`},
	{"a003 OK FETCH completed\r\n", "1 a003 OK text=FETCH completed"},
	{"* 12 FETCH (BODY[HEADER] {342}\r\n" + header342 + ")\r\n", "0   #12 FETCH BODY[HEADER]=literal:" + header342},
	{"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n", `0   #12 FETCH FLAGS=(\Seen \Deleted)`},
	{"* 12 FETCH (X-FOO {3}\r\nabc X-BAR \"q\")\r\n", "0   #12 FETCH X-FOO={3}\r\nabc X-BAR=\"q\""},
	{"* BYE IMAP4rev1 server terminating connection\r\n", "0  BYE text=IMAP4rev1 server terminating connection"},
	{"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n", `0   LIST \Noselect delim=/ mbox=~/Mail/foo`},
	{"* LIST () \".\" #news.comp.mail.misc\r\n", "0   LIST delim=. mbox=#news.comp.mail.misc"},
	{"* LIST (\\HasNoChildren) NIL {5}\r\nINBOX (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", "0   LIST \\HasNoChildren delim=\x00 mbox=INBOX(\"CHILDINFO\" (\"SUBSCRIBED\"))"},
	{"* LSUB () \"\\\\\" foo\r\n", `0   LSUB delim=\ mbox=foo`},
	{"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n", "0   STATUS blurdybloop MESSAGES=231 UIDNEXT=44292"},
	{"* SEARCH 2 84 882\r\n", "0   SEARCH 2 84 882 modseq=0"},
	{"* SEARCH\r\n", "0   SEARCH modseq=0"},
	{"* SEARCH 2 5 (MODSEQ 917162500)\r\n", "0   SEARCH 2 5 modseq=917162500"},
	{"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n", "0   ESEARCH tag=A282 uid=false MIN 2 COUNT 3"},
	{"* ESEARCH (TAG \"A283\") UID ALL 3:15,27,29:103\r\n", "0   ESEARCH tag=A283 uid=true ALL 3:15,27,29:103"},
	{"* ESEARCH UID COUNT 17\r\n", "0   ESEARCH tag= uid=true COUNT 17"},
	{"* ENABLED CONDSTORE\r\n", "0   ENABLED CONDSTORE"},
	{"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\")\r\n", "0   ID name, Cyrus, version, 1.5,"},
	{"* NAMESPACE ((\"\" \"/\")) NIL ((\"#shared/\" \"/\") (\"#public/\" \"/\"))\r\n", `0   NAMESPACE ns=(("" "/")) ns= ns=(("#shared/" "/") ("#public/" "/"))`},
	{"+ Ready for additional command text\r\n", "2   text=Ready for additional command text"},
	{"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEF\r\n", "2   text=YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEF"},
	{"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n", `0  OK [PERMANENTFLAGS|(\Deleted \Seen \*)] text=Limited`},
	{"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n", "1 A003 OK [APPENDUID|38505 3955] text=APPEND completed"},
	{"* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready.\r\n", "0  OK [CAPABILITY|IMAP4rev1 LITERAL+ SASL-IR] text=Dovecot ready."},
	{"A NO [TRYCREATE] Mailbox doesn't exist\r\n", "1 A NO [TRYCREATE|] text=Mailbox doesn't exist"},
	{"* OK see {5}\r\n", "0  OK text=see {5}"},
	{"a OK \r\n", "1 a OK text="},
	{"* 3 EXPUNGE\r\n", "0   #3 EXPUNGE"},
	{"* 2 FETCH (UID 9 MODSEQ (624140003) FLAGS ())\r\n", "0   #2 FETCH UID=9 MODSEQ=624140003 FLAGS=()"},
	{"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n",
		"0   #1 FETCH BODYSTRUCTURE=((TEXT/PLAIN 1152 23 CHARSET US-ASCII)(TEXT/PLAIN 4554 73 CHARSET US-ASCII NAME cc.diff) multipart/MIXED)"},
	{"* 4 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL) (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 200 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"application\" \"pdf\" (\"name\" {5}\r\na.pdf) NIL NIL \"base64\" 80 NIL (\"attachment\" (\"filename\" \"a.pdf\")) NIL NIL) 9 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL))\r\n",
		"0   #4 FETCH BODYSTRUCTURE=((text/plain 3 1)(message/rfc822 200 9 (application/pdf 80 0 name a.pdf disp=(\"attachment\" (\"filename\" \"a.pdf\")))) multipart/mixed)"},
	{"* 1 FETCH (BINARY[1] ~{3}\r\na\x00b BINARY.SIZE[1] 3 BODY[1]<0> \"x\" RFC822.HEADER NIL X-GM-LABELS (\\Inbox))\r\n",
		"0   #1 FETCH BINARY[1]=literal:a\x00b BINARY.SIZE[1]=3 BODY[1]<0>=quoted:x RFC822.HEADER=NIL: X-GM-LABELS=(\\Inbox)"},
	{"* VANISHED (EARLIER) 41,43:116\r\n", "0   VANISHED"},
}

func TestResponses(t *testing.T) {
	scratch := make([]byte, 4096)
	for _, tt := range responseCases {
		for _, sizes := range [][]int{nil, {4096}, {5}} {
			r := NewReader(chunked.NewReader([]byte(tt.in), sizes...), ClientSide, Options{})
			resp, err := r.ReadResponse()
			require.NoError(t, err, tt.in)
			got, err := describeResponse(nil, r, resp, scratch)
			require.NoError(t, err, tt.in)
			assert.Equal(t, tt.want, string(got), tt.in)
			_, err = r.ReadResponse()
			require.ErrorIs(t, err, io.EOF, tt.in)
		}
	}
}

func TestResponseErrors(t *testing.T) {
	for _, in := range []string{
		"* BYE\r\n",
		"* OK [HIGHESTMODSEQ 5]\r\n",
		"+\r\n",
		"* CAPABILITY IMAP4rev1 \r\n",
		"* STATUS INBOX (MESSAGES 1) \r\n",
		"a BYE x\r\n",
		"* OK [UIDNEXT 5 text\r\n",
		"* OK [] x\r\n",
		"* 1 FETCH (UID 1 FLAGS)\r\n",
		"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (ENVELOPE (NIL NIL (\"a\") NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -1 0))\r\n",
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\"))\r\n",
		"* 1 FETCH (BODY[HEADER.FIELDS (X)] NIL BODY[HEADER NIL)\r\n",
		"* 1 FETCH (UID 99999999999)\r\n",
		"* 1 FETCH (BODY[] {3+}\r\nabc)\r\n",
		"* SEARCH 1 x\r\n",
		"* STATUS INBOX (MESSAGES x)\r\n",
		"* LIST () \"ab\" x\r\n",
		"* NAMESPACE x NIL NIL\r\n",
		"* ESEARCH (TAG 1)\r\n",
		"* OK a\x00b\r\n",
		"x\r\n",
	} {
		r := NewReader(strings.NewReader(in+"* 1 EXISTS\r\n"), ClientSide, Options{})
		resp, err := r.ReadResponse()
		if err == nil {
			_, err = describeResponse(nil, r, resp, make([]byte, 64))
		}
		require.Error(t, err, in)
		if ReplyFor(err).Fatal {
			continue
		}
		resp, err = r.ReadResponse()
		require.NoError(t, err, in)
		assert.Equal(t, DataExists, resp.Data, in)
	}
}

func TestResponseCodes(t *testing.T) {
	read := func(in string) Response {
		resp, err := NewReader(strings.NewReader(in), ClientSide, Options{}).ReadResponse()
		require.NoError(t, err)
		return resp
	}
	n, ok := read("* OK [UIDNEXT 4392] Predicted next UID\r\n").CodeNumber()
	assert.True(t, ok)
	assert.Equal(t, uint32(4392), n)
	m, ok := read("* OK [HIGHESTMODSEQ 715194045007] x\r\n").CodeNumber64()
	assert.True(t, ok)
	assert.Equal(t, uint64(715194045007), m)
	resp := read("A003 OK [APPENDUID 38505 3955] APPEND completed\r\n")
	v, uids, ok := resp.AppendUID()
	assert.True(t, ok)
	assert.Equal(t, uint32(38505), v)
	assert.Equal(t, "3955", string(uids.Bytes()))
	_, _, _, ok = resp.CopyUID()
	assert.False(t, ok)
	v, src, dst, ok := read("a OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n").CopyUID()
	assert.True(t, ok)
	assert.Equal(t, uint32(38505), v)
	assert.Equal(t, "304,319:320", string(src.Bytes()))
	assert.Equal(t, "3956:3958", string(dst.Bytes()))
	caps := read("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] ready\r\n")
	assert.True(t, caps.CodeIs("CAPABILITY"))
	assert.True(t, caps.CodeWords().Has("LITERAL+"))
	assert.False(t, caps.CodeWords().Has("IDLE"))
	flags := read("* OK [PERMANENTFLAGS (\\Deleted \\*)] x\r\n").CodeValues()
	f, _ := flags.Next()
	assert.Equal(t, `\Deleted`, string(f.Bytes))
	f, _ = flags.Next()
	assert.Equal(t, `\*`, string(f.Bytes))
	_, _, ok = read("a OK [APPENDUID 0 1] x\r\n").AppendUID()
	assert.False(t, ok, "UIDVALIDITY is never 0")
}

func TestResponseAllocs(t *testing.T) {
	stream := responseStream()
	r := NewReader(chunked.NewLoop(stream), ClientSide, Options{})
	out := make([]byte, 0, 64<<10)
	scratch := make([]byte, 4096)
	allocs := testing.AllocsPerRun(20, func() {
		for range responseCases {
			resp, err := r.ReadResponse()
			require.NoError(t, err)
			out, err = describeResponse(out[:0], r, resp, scratch)
			require.NoError(t, err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkReadResponses(b *testing.B) {
	stream := responseStream()
	r := NewReader(chunked.NewLoop(stream), ClientSide, Options{})
	out := make([]byte, 0, 64<<10)
	scratch := make([]byte, 4096)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		for range responseCases {
			resp, err := r.ReadResponse()
			if err != nil {
				b.Fatal(err)
			}
			if out, err = describeResponse(out[:0], r, resp, scratch); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// responseStream is every case of responseCases in one stream, for the steady-state
// allocation test and the benchmark.
func responseStream() []byte {
	var b []byte
	for _, tt := range responseCases {
		b = append(b, tt.in...)
	}
	return b
}
