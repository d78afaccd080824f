package imapwire

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renderCmd renders a decoded command's values, every field of its
// arguments, and for APPEND reads each message's literal (accepting it)
// and moves through MULTIAPPEND. With msgs it also collects the messages
// for the APPEND writer (that allocates); without, and with room in b, it
// allocates nothing.
func renderCmd(b []byte, d *Decoder, c *Cmd, msgs *[]AppendData) ([]byte, error) {
	b = append(append(append(b, c.Tag...), ' '), c.ID.String()...)
	if c.UID {
		b = append(b, " UID"...)
	}
	q := func(label string, v []byte) {
		b = append(append(append(b, ' '), label...), '=')
		if v == nil {
			b = append(b, "nil"...)
			return
		}
		b = appendQuoted(b, v)
	}
	num := func(label string, n uint64) {
		b = strconv.AppendUint(append(append(append(b, ' '), label...), '='), n, 10)
	}
	flag := func(label string, v bool) {
		if v {
			b = append(append(b, ' '), label...)
		}
	}
	list := func(label string, vs [][]byte) {
		b = append(append(append(b, ' '), label...), "=["...)
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, v)
		}
		b = append(b, ']')
	}
	set := func(label string, s SeqSet) {
		if s.raw != nil {
			q(label, s.Bytes())
		}
	}
	stats := func(items []StatusAtt) {
		b = append(b, " items="...)
		for _, a := range items {
			b = append(append(b, a.String()...), ',')
		}
	}
	switch c.ID {
	case CmdExpunge:
		set("set", c.Expunge.Set)
	case CmdLogin:
		q("user", c.Login.User)
		q("pass", c.Login.Password)
	case CmdAuthenticate:
		q("mech", c.Authenticate.Mechanism)
		flag("ir", c.Authenticate.HasInitial)
		if c.Authenticate.HasInitial {
			q("initial", c.Authenticate.Initial)
		}
	case CmdSelect, CmdExamine:
		a := &c.Select
		q("mailbox", a.Mailbox)
		flag("condstore", a.CondStore)
		if a.QResync {
			num("qresync", uint64(a.UIDValidity))
			num("modseq", a.ModSeq)
			set("uids", a.KnownUIDs)
			set("seqs", a.KnownSeqs)
			set("sequids", a.KnownSeqUIDs)
		}
	case CmdCreate:
		q("mailbox", c.Create.Mailbox)
		if c.Create.HasUse {
			list("use", c.Create.Use)
		}
	case CmdDelete, CmdSubscribe, CmdUnsubscribe:
		q("mailbox", c.Mailbox)
	case CmdRename:
		q("from", c.Rename.From)
		q("to", c.Rename.To)
	case CmdList, CmdLsub:
		a := &c.List
		if a.HasSelect || a.Select != 0 {
			num("select", uint64(a.Select))
		}
		q("ref", a.Reference)
		list("patterns", a.Patterns)
		if a.HasReturn || a.Return != 0 {
			num("return", uint64(a.Return))
			if a.Return&ListReturnStatus != 0 {
				stats(a.Status)
			}
		}
	case CmdStatus:
		q("mailbox", c.Status.Mailbox)
		stats(c.Status.Items)
	case CmdAppend:
		q("mailbox", c.Append.Mailbox)
		r := d.Reader()
		for {
			a := &c.Append
			num("msg", uint64(a.Index))
			list("flags", a.Flags)
			q("date", a.Date)
			flag("binary", a.Literal.Binary)
			if !a.Literal.NonSync {
				if err := r.Accept(); err != nil {
					return b, err
				}
			}
			data, err := r.Inline()
			if err != nil {
				return b, err
			}
			q("data", data)
			if msgs != nil {
				*msgs = append(*msgs, AppendData{Flags: a.Flags, Date: a.Date, Binary: a.Literal.Binary, Data: data})
			}
			more, err := d.NextMessage()
			if err != nil || !more {
				return b, err
			}
		}
	case CmdSearch:
		a := &c.Search
		if a.HasReturn || a.Return != 0 {
			num("return", uint64(a.Return))
		}
		q("charset", a.Charset)
		for _, t := range a.Terms {
			b = strconv.AppendInt(append(b, ' '), int64(t.Depth), 10)
			b = append(append(b, ':'), searchTermName(t.Key)...)
			set("set", t.Set)
			if t.Date != nil {
				q("date", t.Date)
			}
			if t.Num != 0 {
				num("n", t.Num)
			}
			if t.Atom != nil {
				q("atom", t.Atom)
			}
			if t.Type != nil {
				q("type", t.Type)
			}
			for _, s := range t.Str {
				if s != nil {
					q("s", s)
				}
			}
		}
	case CmdFetch:
		a := &c.Fetch
		set("set", a.Set)
		flag("list", a.List)
		for i := range a.Items {
			it := &a.Items[i]
			b = append(append(b, ' '), fetchNames[it.Att]...)
			if it.Att == FetchUnknown {
				b = append(b, it.Name...)
			}
			if it.Peek {
				b = append(b, ".PEEK"...)
			}
			if it.Section.Raw != nil {
				b = append(append(append(b, '['), it.Section.Part...), '|')
				b = strconv.AppendUint(b, uint64(it.Section.Text), 10)
				for v := it.Section.Fields; v.More(); {
					t, _ := v.Next()
					b = t.AppendValue(append(b, '|'))
				}
				b = append(b, ']')
			}
			if it.Partial {
				b = strconv.AppendUint(append(b, '<'), uint64(it.Offset), 10)
				b = append(strconv.AppendUint(append(b, '.'), uint64(it.Count), 10), '>')
			}
		}
		if a.HasChangedSince {
			num("changedsince", a.ChangedSince)
		}
		flag("vanished", a.Vanished)
	case CmdStore:
		a := &c.Store
		set("set", a.Set)
		if a.HasUnchangedSince {
			num("unchangedsince", a.UnchangedSince)
		}
		b = append(append(b, " op="...), a.Op)
		flag("silent", a.Silent)
		list("flags", a.Flags)
	case CmdCopy, CmdMove:
		set("set", c.Copy.Set)
		q("mailbox", c.Copy.Mailbox)
	case CmdEnable:
		list("caps", c.Enable)
	case CmdID:
		for _, p := range c.IDParams {
			q("field", p.Field)
			if p.Nil {
				b = append(b, " NIL"...)
			} else {
				q("value", p.Value)
			}
		}
	case CmdCompress:
		q("mech", c.Compress)
	}
	return b, nil
}

// appendQuoted quotes v as strconv.Quote does for the octets commands
// carry, without allocating.
func appendQuoted(b, v []byte) []byte {
	b = append(b, '"')
	for len(v) > 0 {
		r, n := utf8.DecodeRune(v)
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20 || r == 0x7f || (r == utf8.RuneError && n == 1):
			b = append(b, '\\', 'x', "0123456789abcdef"[v[0]>>4], "0123456789abcdef"[v[0]&15])
		default:
			b = append(b, v[:n]...)
		}
		v = v[n:]
	}
	return append(b, '"')
}

func searchTermName(k SearchKeyID) string {
	switch k {
	case SearchSeqSet:
		return "SET"
	case SearchOpen:
		return "("
	case SearchClose:
		return ")"
	}
	return searchKeys[k].name
}

// cmdCases are commands of RFC 9051, RFC 3501 and the extensions, with
// the rendering of their decoded values. Every command the Decoder covers
// is here.
var cmdCases = []struct{ in, want string }{
	{"a1 CAPABILITY\r\n", "a1 CAPABILITY"},
	{"a2 noop\r\n", "a2 NOOP"},
	{"a3 LOGOUT\r\n", "a3 LOGOUT"},
	{"a4 STARTTLS\r\n", "a4 STARTTLS"},
	{"a5 CHECK\r\n", "a5 CHECK"},
	{"a6 CLOSE\r\n", "a6 CLOSE"},
	{"a7 UNSELECT\r\n", "a7 UNSELECT"},
	{"a8 IDLE\r\n", "a8 IDLE"},
	{"a9 NAMESPACE\r\n", "a9 NAMESPACE"},
	{"b1 EXPUNGE\r\n", "b1 EXPUNGE"},
	{"b2 UID EXPUNGE 3000:3002,7\r\n", `b2 EXPUNGE UID set="3000:3002,7"`},
	{"b3 LOGIN SMITH SESAME\r\n", `b3 LOGIN user="SMITH" pass="SESAME"`},
	{"b4 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n", `b4 LOGIN user="FRED FOOBAR" pass="fat man"`},
	{"b5 LOGIN {5+}\r\nalice \"pa\\\"ss\\\\\"\r\n", `b5 LOGIN user="alice" pass="pa\"ss\\"`},
	{"b6 AUTHENTICATE GSSAPI\r\n", `b6 AUTHENTICATE mech="GSSAPI"`},
	{"b7 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n", `b7 AUTHENTICATE mech="PLAIN" ir initial="\x00alice\x00secret"`},
	{"b8 AUTHENTICATE PLAIN =\r\n", `b8 AUTHENTICATE mech="PLAIN" ir initial=""`},
	{"c1 SELECT INBOX\r\n", `c1 SELECT mailbox="INBOX"`},
	{"c2 SELECT \"Entw&APw-rfe\" (CONDSTORE)\r\n", `c2 SELECT mailbox="Entwürfe" condstore`},
	{"c3 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
		`c3 SELECT mailbox="INBOX" qresync=67890007 modseq=20050715194045000 uids="41,43:211,214:541"`},
	{"c4 EXAMINE INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976:29979)))\r\n",
		`c4 EXAMINE mailbox="INBOX" qresync=67890007 modseq=90060115194045000 uids="1:29997" seqs="5000,7500,9000,9990:9999" sequids="15000,22500,27000,29970,29973,29976:29979"`},
	{"c5 EXAMINE blurdybloop (QRESYNC (1 0 (1 2)) CONDSTORE)\r\n",
		`c5 EXAMINE mailbox="blurdybloop" condstore qresync=1 modseq=0 seqs="1" sequids="2"`},
	{"d1 CREATE owatagusiam/\r\n", `d1 CREATE mailbox="owatagusiam/"`},
	{"d2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n", `d2 CREATE mailbox="MySpecial" use=["\\Drafts","\\Sent"]`},
	{"d3 DELETE blurdybloop\r\n", `d3 DELETE mailbox="blurdybloop"`},
	{"d4 RENAME \"blurdy bloop\" {8+}\r\nsarasoop\r\n", `d4 RENAME from="blurdy bloop" to="sarasoop"`},
	{"d5 SUBSCRIBE #news.comp.mail.mime\r\n", `d5 SUBSCRIBE mailbox="#news.comp.mail.mime"`},
	{"d6 UNSUBSCRIBE &U,BTFw-\r\n", `d6 UNSUBSCRIBE mailbox="台北"`},
	{"e1 LIST \"\" \"\"\r\n", `e1 LIST ref="" patterns=[""]`},
	{"e2 LIST ~/Mail/ %\r\n", `e2 LIST ref="~/Mail/" patterns=["%"]`},
	{"e3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX* \"Sent Items\" %/%) RETURN (CHILDREN STATUS (MESSAGES UIDNEXT SIZE))\r\n",
		`e3 LIST select=5 ref="" patterns=["INBOX*","Sent Items","%/%"] return=10 items=MESSAGES,UIDNEXT,SIZE,`},
	{"e4 LIST () \"\" % RETURN ()\r\n", `e4 LIST select=0 ref="" patterns=["%"] return=0`},
	{"e5 LIST (SPECIAL-USE REMOTE) \"\" * RETURN (SPECIAL-USE SUBSCRIBED)\r\n", `e5 LIST select=10 ref="" patterns=["*"] return=5`},
	{"e6 LSUB \"#news.\" \"comp.mail.*\"\r\n", `e6 LSUB ref="#news." patterns=["comp.mail.*"]`},
	{"f1 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ SIZE DELETED UNSEEN UIDVALIDITY RECENT APPENDLIMIT MAILBOXID DELETED-STORAGE)\r\n",
		`f1 STATUS mailbox="blurdybloop" items=UIDNEXT,MESSAGES,HIGHESTMODSEQ,SIZE,DELETED,UNSEEN,UIDVALIDITY,RECENT,APPENDLIMIT,MAILBOXID,DELETED-STORAGE,`},
	{"g1 APPEND saved-messages (\\Seen) {23}\r\nDate: Mon, 7 Feb 1994\r\n\r\n",
		`g1 APPEND mailbox="saved-messages" msg=0 flags=["\\Seen"] date=nil data="Date: Mon, 7 Feb 1994\r\n"`},
	{"g2 APPEND INBOX (\\Seen $x) \" 7-Feb-1994 21:52:25 -0800\" ~{3}\r\na\x00b (\\Draft) {1+}\r\nc {0}\r\n\r\n",
		`g2 APPEND mailbox="INBOX" msg=0 flags=["\\Seen","$x"] date=" 7-Feb-1994 21:52:25 -0800" binary data="a\x00b" msg=1 flags=["\\Draft"] date=nil data="c" msg=2 flags=[] date=nil data=""`},
	{"g3 APPEND Drafts ~{2+}\r\nhi\r\n", `g3 APPEND mailbox="Drafts" msg=0 flags=[] date=nil binary data="hi"`},
	{"h1 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
		`h1 SEARCH charset=nil 0:FLAGGED 0:SINCE date="1-Feb-1994" 0:NOT 1:FROM s="Smith"`},
	{"h2 SEARCH CHARSET UTF-8 TEXT {12}\r\nXXXXXXXXXXXX\r\n", `h2 SEARCH charset="UTF-8" 0:TEXT s="XXXXXXXXXXXX"`},
	{"h3 UID SEARCH RETURN (MIN COUNT) OR (SEEN 1:5) NOT UID 7,9:* HEADER X-A \"b \\\"c\"\r\n",
		`h3 SEARCH UID return=9 charset=nil 0:OR 1:( 2:SEEN 2:SET set="1:5" 1:) 1:NOT 2:UID set="7,9:*" 0:HEADER s="X-A" s="b \"c"`},
	{"h4 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 LARGER 9 $ RETURN\r\n",
		""},
	{"h5 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 LARGER 9 $\r\n",
		`h5 SEARCH charset=nil 0:MODSEQ n=620162338 atom="/flags/\\draft" type="all" 0:LARGER n=9 0:SET set="$"`},
	{"h6 SEARCH RETURN () ((ANSWERED DELETED) (DRAFT)) OLD\r\n",
		`h6 SEARCH return=0 charset=nil 0:( 1:( 2:ANSWERED 2:DELETED 1:) 1:( 2:DRAFT 1:) 0:) 0:OLD`},
	{"h7 SEARCH ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT FLAGGED FROM f HEADER h v KEYWORD $k LARGER 1 NEW OLD OLDER 5 ON 2-Feb-2001 RECENT SEEN SENTBEFORE 3-Mar-2002 SENTON 4-Apr-2003 SENTSINCE 5-May-2004 SMALLER 9 SUBJECT s TEXT t TO u UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $j UNSEEN YOUNGER 7 SINCE \"6-Jun-2005\"\r\n",
		`h7 SEARCH charset=nil 0:ALL 0:ANSWERED 0:BCC s="b" 0:BEFORE date="1-Jan-2000" 0:BODY s="x" 0:CC s="c" 0:DELETED 0:DRAFT 0:FLAGGED 0:FROM s="f" 0:HEADER s="h" s="v" 0:KEYWORD atom="$k" 0:LARGER n=1 0:NEW 0:OLD 0:OLDER n=5 0:ON date="2-Feb-2001" 0:RECENT 0:SEEN 0:SENTBEFORE date="3-Mar-2002" 0:SENTON date="4-Apr-2003" 0:SENTSINCE date="5-May-2004" 0:SMALLER n=9 0:SUBJECT s="s" 0:TEXT s="t" 0:TO s="u" 0:UNANSWERED 0:UNDELETED 0:UNDRAFT 0:UNFLAGGED 0:UNKEYWORD atom="$j" 0:UNSEEN 0:YOUNGER n=7 0:SINCE date="6-Jun-2005"`},
	{"i1 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE \"FROM\")])\r\n", `i1 FETCH set="2:4" list FLAGS BODY[|2|DATE|FROM]`},
	{"i2 FETCH 2:4 ALL\r\n", `i2 FETCH set="2:4" ALL`},
	{"i3 FETCH 1 fast\r\n", `i3 FETCH set="1" FAST`},
	{"i4 FETCH * FULL\r\n", `i4 FETCH set="*" FULL`},
	{"i5 UID FETCH 1:* (UID BODY.PEEK[1.2.MIME] BODY[]<0.2048> BINARY.PEEK[1]<0.5> BINARY.SIZE[2] RFC822.SIZE ENVELOPE MODSEQ BODYSTRUCTURE BODY INTERNALDATE RFC822 RFC822.HEADER RFC822.TEXT BODY[1.TEXT] BODY[HEADER.FIELDS.NOT (X)] BODY[HEADER] BODY[TEXT]) (CHANGEDSINCE 12345 VANISHED)\r\n",
		`i5 FETCH UID set="1:*" list UID BODY.PEEK[1.2|5] BODY[|0]<0.2048> BINARY.PEEK[1|0]<0.5> BINARY.SIZE[2|0] RFC822.SIZE ENVELOPE MODSEQ BODYSTRUCTURE BODY INTERNALDATE RFC822 RFC822.HEADER RFC822.TEXT BODY[1|4] BODY[|3|X] BODY[|1] BODY[|4] changedsince=12345 vanished`},
	{"i6 FETCH 1 (FLAGS) (CHANGEDSINCE 7)\r\n", `i6 FETCH set="1" list FLAGS changedsince=7`},
	{"j1 STORE 2:4 +FLAGS (\\Deleted)\r\n", `j1 STORE set="2:4" op=+ flags=["\\Deleted"]`},
	{"j2 UID STORE 1 (UNCHANGEDSINCE 5) -FLAGS.SILENT \\Seen $Junk\r\n", `j2 STORE UID set="1" unchangedsince=5 op=- silent flags=["\\Seen","$Junk"]`},
	{"j3 STORE 1 FLAGS ()\r\n", `j3 STORE set="1" op== flags=[]`},
	{"k1 COPY 2:4 MEETING\r\n", `k1 COPY set="2:4" mailbox="MEETING"`},
	{"k2 UID COPY 7 \"a b\"\r\n", `k2 COPY UID set="7" mailbox="a b"`},
	{"k3 MOVE 1 Archive\r\n", `k3 MOVE set="1" mailbox="Archive"`},
	{"k4 UID MOVE 42:69 foo\r\n", `k4 MOVE UID set="42:69" mailbox="foo"`},
	{"l1 ENABLE CONDSTORE UTF8=ACCEPT\r\n", `l1 ENABLE caps=["CONDSTORE","UTF8=ACCEPT"]`},
	{"l2 ID (\"name\" \"sodr\" \"version\" NIL \"x\" {2+}\r\nab)\r\n", `l2 ID field="name" value="sodr" field="version" NIL field="x" value="ab"`},
	{"l3 ID NIL\r\n", "l3 ID"},
	{"l4 COMPRESS DEFLATE\r\n", `l4 COMPRESS mech="DEFLATE"`},
	{"m1 LOGIN {4}\r\na\r\nb {0}\r\n\r\n", `m1 LOGIN user="a\r\nb" pass=""`},
	{"m2 SEARCH CHARSET UTF-8 SUBJECT {7}\r\ngr\xc3\xb6\xc3\x9fe HEADER {1}\r\n\" {5+}\r\n\x01\r\n\x03\x04\r\n",
		`m2 SEARCH charset="UTF-8" 0:SUBJECT s="größe" 0:HEADER s="\"" s="\x01\r\n\x03\x04"`},
	{"m3 ID (\"os\" {3}\r\na\nb)\r\n", `m3 ID field="os" value="a\nb"`},
}

// acceptAll is a Continue that accepts every literal.
func acceptAll(Literal) error { return nil }

// decodeCase decodes one command and renders it.
func decodeCase(d *Decoder, out []byte, msgs *[]AppendData) ([]byte, *Cmd, error) {
	c, err := d.Decode()
	if err != nil {
		return out, c, err
	}
	out, err = renderCmd(out, d, c, msgs)
	return out, c, err
}

func TestDecodeCommands(t *testing.T) {
	for _, tt := range cmdCases {
		if tt.want == "" {
			continue
		}
		for _, sizes := range [][]int{nil, {4096}, {3, 1, 7}} {
			r := NewReader(chunked.NewReader([]byte(tt.in), sizes...), ServerSide, Options{})
			d := NewDecoder(r)
			d.Continue = acceptAll
			got, _, err := decodeCase(d, nil, nil)
			require.NoError(t, err, tt.in)
			assert.Equal(t, tt.want, string(got), tt.in)
			_, err = d.Decode()
			require.ErrorIs(t, err, io.EOF, tt.in)
		}
	}
}

// TestDecodeAllocs decodes each command in a loop, its own stream each,
// and asserts that once the buffers have grown nothing is allocated.
func TestDecodeAllocs(t *testing.T) {
	for _, tt := range cmdCases {
		if tt.want == "" {
			continue
		}
		t.Run(strings.Join(strings.Fields(tt.want)[:2], "_"), func(t *testing.T) {
			r := NewReader(chunked.NewLoop([]byte(tt.in)), ServerSide, Options{})
			d := NewDecoder(r)
			d.Continue = acceptAll
			out := make([]byte, 0, 4096)
			var err error
			for range 200 {
				out, _, err = decodeCase(d, out[:0], nil)
				require.NoError(t, err)
			}
			allocs := testing.AllocsPerRun(50, func() {
				out, _, err = decodeCase(d, out[:0], nil)
			})
			require.NoError(t, err)
			assert.Zero(t, allocs, tt.in)
		})
	}
}

func TestDecodeStreamAllocs(t *testing.T) {
	var stream []byte
	n := 0
	for _, tt := range cmdCases {
		if tt.want != "" {
			stream = append(stream, tt.in...)
			n++
		}
	}
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{})
	d := NewDecoder(r)
	d.Continue = acceptAll
	out := make([]byte, 0, 4096)
	for range 50 * n {
		var err error
		out, _, err = decodeCase(d, out[:0], nil)
		require.NoError(t, err)
	}
	allocs := testing.AllocsPerRun(10, func() {
		for range n {
			out, _, _ = decodeCase(d, out[:0], nil)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkDecodeCommands(b *testing.B) {
	var stream []byte
	n := 0
	for _, tt := range cmdCases {
		if tt.want != "" {
			stream = append(stream, tt.in...)
			n++
		}
	}
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{})
	d := NewDecoder(r)
	d.Continue = acceptAll
	out := make([]byte, 0, 4096)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		for range n {
			var err error
			if out, _, err = decodeCase(d, out[:0], nil); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	big := strings.Repeat("y", 5000)
	ids := "a ID (" + strings.Repeat(`"k" "v" `, 30) + "\"k\" \"v\")\r\n"
	tests := []struct {
		in    string
		err   error
		reply string // the start of AppendCommandError's output
	}{
		{"a XYZZY 1 (2)\r\n", ErrUnknownCommand, "a BAD Unknown command"},
		{"a GETQUOTA x\r\n", ErrUnsupportedCommand, "a BAD Command not supported"},
		{"a SELECT INBOX (FOO)\r\n", ErrUnknownOption, "a BAD Unknown option at octet 16: expected CONDSTORE or QRESYNC"},
		{"a SELECT INBOX (CONDSTORE CONDSTORE)\r\n", ErrSyntax, "a BAD Syntax error"},
		{"a SELECT INBOX (QRESYNC (0 1))\r\n", ErrSyntax, "a BAD Syntax error"},
		{"a SELECT INBOX (QRESYNC (1 1 1:*))\r\n", ErrSyntax, "a BAD"},
		{"a SELECT \"&Jjo\"\r\n", ErrUTF7, "a BAD Invalid mailbox name encoding"},
		{"a SELECT {4+}\r\n&Jjo\r\n", ErrUTF7, "a BAD Invalid mailbox name encoding"},
		{"a LOGIN {5}\r\n", ErrSyncLiteralRefused, "a BAD Synchronizing literal refused"},
		{"a LOGIN {5000}\r\n", ErrLiteralTooLarge, "a NO [TOOBIG] Literal too large"},
		{"a LOGIN {5000+}\r\n" + "x\r\nb DELETE INBOX\r\n" + big[:5000-18] + " y\r\n", ErrNonSyncTooLarge, "a BAD [TOOBIG]"},
		{"a LOGIN alice\r\n", ErrSyntax, "a BAD Syntax error at octet 13: expected SP"},
		{"a LOGIN alice bob carol\r\n", ErrSyntax, "a BAD Syntax error"},
		{ids, ErrTooMany, "a BAD Too many items"},
		{"a SEARCH" + strings.Repeat(" ALL", MaxSearchTerms+1) + "\r\n", ErrTooMany, "a BAD Too many items"},
		{"a FETCH 1 (" + strings.Repeat("UID ", MaxFetchItems) + "UID)\r\n", ErrTooMany, "a BAD Too many items"},
		{"a ID (\"k\")\r\n", ErrSyntax, "a BAD"},
		{"a LIST (RECURSIVEMATCH) \"\" %\r\n", ErrSyntax, "a BAD"},
		{"a LIST (FOO) \"\" %\r\n", ErrUnknownOption, "a BAD Unknown option"},
		{"a LIST \"\" () \r\n", ErrSyntax, "a BAD"},
		{"a LIST \"\" % RETURN (STATUS ())\r\n", ErrSyntax, "a BAD"},
		{"a LIST \"\" % RETURN (STATUS (FOO))\r\n", ErrUnknownOption, "a BAD"},
		{"a STATUS INBOX ()\r\n", ErrSyntax, "a BAD"},
		{"a FETCH 1 FLAGS (VANISHED)\r\n", ErrSyntax, "a BAD"},
		{"a UID FETCH 1 FLAGS (VANISHED)\r\n", ErrSyntax, "a BAD"},
		{"a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n", ErrSyntax, "a BAD"},
		{"a FETCH 1 FLAGS (FOO)\r\n", ErrUnknownOption, "a BAD"},
		{"a STORE 1 (UNCHANGEDSINCE x) FLAGS \\Seen\r\n", ErrSyntax, "a BAD"},
		{"a STORE 1 (FOO 1) FLAGS \\Seen\r\n", ErrUnknownOption, "a BAD"},
		// A keyword is an atom: list-wildcards and "]" are not atom-chars
		// (RFC 9051 §9 atom-specials), in a list or not.
		{"a STORE 1 FLAGS (%)\r\n", ErrSyntax, "a BAD"},
		{"a STORE 1 FLAGS (\\Seen a*b)\r\n", ErrSyntax, "a BAD"},
		{"a STORE 1 FLAGS (x])\r\n", ErrSyntax, "a BAD"},
		{"a STORE 1 FLAGS %\r\n", ErrSyntax, "a BAD"},
		{"a APPEND INBOX (%) {1+}\r\nx\r\n", ErrSyntax, "a BAD"},
		{"a CREATE x (USE (\\Drafts a%))\r\n", ErrSyntax, "a BAD"},
		{"a ENABLE\r\n", ErrSyntax, "a BAD"},
		{"a AUTHENTICATE PLAIN !!!\r\n", ErrSyntax, "a BAD"},
		{"a AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA=\r\n", ErrSyntax, "a BAD"},
		{"a SEARCH RETURN (FOO) ALL\r\n", ErrUnknownOption, "a BAD"},
		{"a SEARCH ALL RETURN\r\n", ErrSyntax, "a BAD"},
		{"a SEARCH NOT\r\n", ErrSyntax, "a BAD"},
		{"a SEARCH (ALL\r\n", ErrSyntax, "a BAD"},
		{"a SEARCH " + strings.Repeat("NOT ", 40) + "ALL\r\n", ErrTooDeep, "a BAD [CLIENTBUG] Nesting too deep"},
		{"a APPEND INBOX {99999999}\r\n", ErrLiteralTooLarge, "a NO [TOOBIG]"},
		{"a APPEND INBOX (\\*) {1}\r\n", ErrSyntax, "a BAD"},
		{"a CREATE x (USE (\\Sent $x))\r\n", ErrSyntax, "a BAD"},
		{"a CREATE x (FOO 1)\r\n", ErrUnknownOption, "a BAD"},
		{"a COMPRESS\r\n", ErrSyntax, "a BAD"},
		{"a RENAME x\r\n", ErrSyntax, "a BAD"},
		{"a EXPUNGE 1\r\n", ErrSyntax, "a BAD"},
		{"+ NOOP\r\n", ErrSyntax, "* BAD"},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.in+"z NOOP\r\n"), ServerSide, Options{})
		d := NewDecoder(r)
		if !strings.HasPrefix(tt.in, "a LOGIN {5}") {
			calls := 0
			d.Continue = func(Literal) error { calls++; return nil }
			defer func(in string) { assert.Zero(t, calls, "no continuation for %q", in) }(tt.in)
		}
		c, err := d.Decode()
		require.ErrorIs(t, err, tt.err, tt.in)
		reply, fatal := AppendCommandError(nil, c.Tag, err)
		assert.False(t, fatal, tt.in)
		assert.True(t, strings.HasPrefix(string(reply), tt.reply), "%q: %q", tt.in, reply)
		assert.True(t, strings.HasSuffix(string(reply), "\r\n"), tt.in)
		c, err = d.Decode()
		require.NoError(t, err, "the next command after %q", tt.in)
		assert.Equal(t, "z", string(c.Tag), tt.in)
	}
}

func TestDecodeFatal(t *testing.T) {
	r := NewReader(strings.NewReader("a LOGIN "+strings.Repeat("x", 9000)+"\r\nz NOOP\r\n"), ServerSide, Options{})
	d := NewDecoder(r)
	_, err := d.Decode()
	require.ErrorIs(t, err, ErrLineTooLong)
	reply, fatal := AppendCommandError(nil, []byte("a"), err)
	assert.True(t, fatal)
	assert.Equal(t, "* BYE Line too long\r\n", string(reply))
	_, err = d.Decode()
	require.Error(t, err, "nothing more is read")

	reply, fatal = AppendCommandError([]byte("x"), nil, io.ErrUnexpectedEOF)
	assert.True(t, fatal)
	assert.Equal(t, "x", string(reply), "nothing to say to a connection that broke")
}

// TestDecodeContinue checks that Continue is asked before each
// synchronizing literal's data, with its header, and that its refusal
// ends the command without reading the data.
func TestDecodeContinue(t *testing.T) {
	r := NewReader(strings.NewReader("a LOGIN {5}\r\nalice {6}\r\nsecret\r\nb LOGIN {3}\r\nc NOOP\r\n"), ServerSide, Options{})
	d := NewDecoder(r)
	var seen []Literal
	refuse := false
	d.Continue = func(l Literal) error {
		seen = append(seen, l)
		if refuse {
			return ErrLiteralTooLarge
		}
		return nil
	}
	c, err := d.Decode()
	require.NoError(t, err)
	assert.Equal(t, "alice", string(c.Login.User))
	assert.Equal(t, "secret", string(c.Login.Password))
	assert.Equal(t, []Literal{{Size: 5}, {Size: 6}}, seen)
	refuse = true
	_, err = d.Decode()
	require.ErrorIs(t, err, ErrLiteralTooLarge)
	c, err = d.Decode()
	require.NoError(t, err)
	assert.Equal(t, CmdNoop, c.ID)
}

// TestDecodeAppendFlow follows a server through MULTIAPPEND: the first
// literal is open after Decode, streamed, then NextMessage opens the
// next, which is rejected; the command ends and the next one reads.
func TestDecodeAppendFlow(t *testing.T) {
	in := "a APPEND INBOX {5}\r\nhello (\\Seen) {3}\r\nb NOOP\r\n"
	r := NewReader(strings.NewReader(in), ServerSide, Options{})
	d := NewDecoder(r)
	c, err := d.Decode()
	require.NoError(t, err)
	lit, open := d.Pending()
	require.True(t, open)
	assert.Equal(t, Literal{Size: 5}, lit)
	_, err = d.NextMessage()
	require.ErrorIs(t, err, ErrLiteralOpen)
	require.NoError(t, r.Accept())
	data, err := io.ReadAll(r.LiteralReader())
	require.NoError(t, err)
	assert.Equal(t, "hello", string(data))
	more, err := d.NextMessage()
	require.NoError(t, err)
	require.True(t, more)
	assert.Equal(t, 1, c.Append.Index)
	assert.Equal(t, [][]byte{[]byte(`\Seen`)}, c.Append.Flags)
	require.NoError(t, r.Reject(), "the server refuses the second message: the client never sends it")
	c, err = d.Decode()
	require.NoError(t, err)
	assert.Equal(t, CmdNoop, c.ID)
}

// TestDecodeLiteralRoom: a synchronizing literal that fits
// MaxInlineLiteral but not the room left in MaxMessage is refused before
// any continuation, so the server never says "+" for data it cannot hold.
func TestDecodeLiteralRoom(t *testing.T) {
	lim := Limits{MaxLine: 100, MaxMessage: 120, MaxInlineLiteral: 100}
	in := "a LOGIN " + strings.Repeat("u", 80) + " {60}\r\nz NOOP\r\n"
	r := NewReader(strings.NewReader(in), ServerSide, Options{Limits: lim})
	d := NewDecoder(r)
	d.Continue = func(Literal) error { t.Fatal("no continuation for a literal that cannot be held"); return nil }
	_, err := d.Decode()
	require.ErrorIs(t, err, ErrLiteralTooLarge)
	c, err := d.Decode()
	require.NoError(t, err)
	assert.Equal(t, CmdNoop, c.ID)
}

func TestDecodeUTF8Mode(t *testing.T) {
	in := "a SELECT \"Entwürfe\"\r\nb RENAME R&D {3+}\r\n\xc3\xa9x\r\nc LIST \"\" (\"ü*\" %)\r\nd SELECT \"\xff\"\r\n"
	r := NewReader(strings.NewReader(in), ServerSide, Options{UTF8: true})
	d := NewDecoder(r)
	c, err := d.Decode()
	require.NoError(t, err)
	assert.Equal(t, "Entwürfe", string(c.Select.Mailbox))
	c, err = d.Decode()
	require.NoError(t, err)
	assert.Equal(t, "R&D", string(c.Rename.From), "& is no escape in UTF-8 mode")
	assert.Equal(t, "éx", string(c.Rename.To))
	c, err = d.Decode()
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("ü*"), []byte("%")}, c.List.Patterns)
	assert.True(t, c.List.Multiple)
	_, err = d.Decode()
	require.Error(t, err)
	assert.Equal(t, "BAD", ReplyFor(err).Cond)

	r = NewReader(strings.NewReader("a SELECT \"Entwürfe\"\r\n"), ServerSide, Options{})
	_, err = NewDecoder(r).Decode()
	require.Error(t, err, "8-bit octets need UTF-8 mode or a literal")
}

func TestCommandPartsLexes(t *testing.T) {
	cmd := []byte("a APPEND \"{3}\" ~{3}\r\n{1}\r\n {2+}\r\n{9} {1}\r\nx\r\n")
	var parts []string
	for p := CommandParts(cmd); p.Next(); {
		parts = append(parts, string(p.Part())+"|"+strconv.FormatBool(p.Wait()))
	}
	assert.Equal(t, []string{"a APPEND \"{3}\" ~{3}\r\n|true", "{1}\r\n {2+}\r\n{9} {1}\r\n|true", "x\r\n|false"}, parts)
}

// TestDecodeClears: the fields of one command are gone when the next
// command of the same kind or another is decoded.
func TestDecodeClears(t *testing.T) {
	var stream []byte
	for _, tt := range cmdCases {
		if tt.want != "" {
			stream = append(stream, tt.in...)
		}
	}
	d := NewDecoder(NewReader(bytes.NewReader(stream), ServerSide, Options{}))
	d.Continue = acceptAll
	for {
		c, err := d.Decode()
		if err == io.EOF {
			return
		}
		require.NoError(t, err)
		_, err = renderCmd(nil, d, c, nil)
		require.NoError(t, err)
		fresh := *c
		fresh.clearOthers()
		assert.Equal(t, fresh, *c, "only the fields of %s are set", c.ID)
	}
}

// clearOthers zeroes every field but those of c's command, for
// TestDecodeClears.
func (c *Cmd) clearOthers() {
	keep := *c
	*c = Cmd{Command: keep.Command}
	switch c.ID {
	case CmdExpunge:
		c.Expunge = keep.Expunge
	case CmdLogin:
		c.Login = keep.Login
	case CmdAuthenticate:
		c.Authenticate = keep.Authenticate
	case CmdSelect, CmdExamine:
		c.Select = keep.Select
	case CmdCreate:
		c.Create = keep.Create
	case CmdDelete, CmdSubscribe, CmdUnsubscribe:
		c.Mailbox = keep.Mailbox
	case CmdRename:
		c.Rename = keep.Rename
	case CmdList, CmdLsub:
		c.List = keep.List
	case CmdStatus:
		c.Status = keep.Status
	case CmdAppend:
		c.Append = keep.Append
	case CmdSearch:
		c.Search = keep.Search
	case CmdFetch:
		c.Fetch = keep.Fetch
	case CmdStore:
		c.Store = keep.Store
	case CmdCopy, CmdMove:
		c.Copy = keep.Copy
	case CmdEnable:
		c.Enable = keep.Enable
	case CmdID:
		c.IDParams = keep.IDParams
	case CmdCompress:
		c.Compress = keep.Compress
	}
}
