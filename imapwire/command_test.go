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

// takeString renders a string argument, accepting a literal as a server
// would after writing "+".
func takeString(dst []byte, r *Reader, t Token, err error) ([]byte, error) {
	if err != nil {
		return dst, err
	}
	if t.Kind == KindLiteral {
		if err := r.Accept(); err != nil {
			return dst, err
		}
		if t.Bytes, err = r.Inline(); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ' ')
	dst = append(dst, t.Kind.String()...)
	dst = append(dst, ':')
	return t.AppendValue(dst), nil
}

// describe decodes one command's arguments with the typed helpers, as a
// server uses them, and appends a rendering of them to b. With enough
// capacity in b it allocates nothing.
func describe(b []byte, r *Reader, c Command) ([]byte, error) {
	b = append(append(append(b, c.Tag...), ' '), c.ID.String()...)
	if c.UID {
		b = append(b, " UID"...)
	}
	word := func(s ...[]byte) {
		b = append(b, ' ')
		for _, x := range s {
			b = append(b, x...)
		}
	}
	mailbox := func() (err error) {
		if err = r.SP(); err != nil {
			return err
		}
		t, err := r.Mailbox()
		b, err = takeString(b, r, t, err)
		return err
	}
	capture := func() error {
		raw, err := r.Capture()
		word([]byte("raw:"), raw)
		return err
	}
	seq := func() error {
		if err := r.SP(); err != nil {
			return err
		}
		s, err := r.SeqSet()
		word([]byte("set:"), s.Bytes())
		return err
	}
	var err error
	switch c.ID {
	case CmdCapability, CmdNoop, CmdLogout, CmdStartTLS, CmdCheck, CmdClose, CmdUnselect, CmdIdle, CmdNamespace:
	case CmdExpunge:
		if c.UID {
			err = seq()
		}
	case CmdLogin:
		if err = mailbox(); err == nil {
			err = mailbox()
		}
	case CmdSelect, CmdExamine, CmdCreate, CmdDelete, CmdSubscribe, CmdUnsubscribe:
		if err = mailbox(); err == nil && r.Peek() == ' ' {
			r.p++
			err = capture()
		}
	case CmdRename, CmdCopy, CmdMove:
		if c.ID == CmdRename {
			err = mailbox()
		} else {
			err = seq()
		}
		if err == nil {
			err = mailbox()
		}
	case CmdList, CmdLsub:
		if err = mailbox(); err == nil {
			if err = r.SP(); err == nil {
				t, e := r.ListMailbox()
				b, err = takeString(b, r, t, e)
			}
		}
	case CmdStatus:
		if err = mailbox(); err == nil {
			if err = r.SP(); err == nil {
				err = capture()
			}
		}
	case CmdAppend:
		err = mailbox()
		for err == nil && !r.AtEnd() {
			var m AppendMessage
			if m, err = r.AppendMessage(); err != nil {
				break
			}
			b = append(b, " flags:"...)
			for v := m.Flags; v.More(); {
				f, _ := v.Next()
				b = append(append(b, f.Bytes...), ',')
			}
			word([]byte(`date:"`), m.Date, []byte(`"`))
			b, err = takeString(b, r, m.Literal, nil)
		}
	case CmdFetch:
		if err = seq(); err == nil {
			err = r.SP()
		}
		atts := r.FetchAtts()
		for err == nil && atts.Next() {
			it := atts.Item()
			word([]byte(fetchNames[it.Att]))
			if it.Peek {
				b = append(b, ".PEEK"...)
			}
			if it.Section.Raw != nil {
				b = append(append(append(append(b, '['), it.Section.Raw...), '|'), it.Section.Part...)
				b = append(strconv.AppendUint(append(b, '|'), uint64(it.Section.Text), 10), ']')
			}
			if it.Partial {
				b = strconv.AppendUint(append(b, '<'), uint64(it.Offset), 10)
				b = append(strconv.AppendUint(append(b, '.'), uint64(it.Count), 10), '>')
			}
		}
		if err == nil {
			err = atts.Err()
		}
		if err == nil && r.Peek() == ' ' {
			r.p++
			err = capture()
		}
	case CmdStore:
		if err = seq(); err == nil {
			err = r.SP()
		}
		if err == nil && r.Peek() == '(' {
			if err = capture(); err == nil {
				err = r.SP()
			}
		}
		if err == nil {
			var s Store
			if s, err = r.Store(); err == nil {
				b = append(b, ' ', s.Op)
				b = strconv.AppendBool(append(b, " silent="...), s.Silent)
				for v := s.Flags; v.More(); {
					f, _ := v.Next()
					word(f.Bytes)
				}
			}
		}
	case CmdSearch:
		var o SearchOptions
		if o, err = r.SearchOptions(); err == nil {
			word([]byte("return="), o.Return, []byte(" charset="), o.Charset)
		}
		for err == nil {
			var k SearchKey
			var ok bool
			if k, ok, err = r.NextSearchKey(); !ok || err != nil {
				break
			}
			b = strconv.AppendInt(append(b, ' '), int64(k.Depth), 10)
			b = strconv.AppendInt(append(b, ':'), int64(k.Key), 10)
			if k.Set.raw != nil || k.Date != nil || k.Atom != nil || k.Num != 0 {
				b = append(append(append(append(b, '('), k.Set.Bytes()...), k.Date...), k.Atom...)
				b = append(strconv.AppendUint(b, k.Num, 10), ')')
			}
			for range k.Strings {
				t, e := r.SearchString()
				b, err = takeString(b, r, t, e)
			}
		}
		return b, err
	case CmdEnable:
		var w Words
		if w, err = r.Words(); err == nil {
			for x, ok := w.Next(); ok; x, ok = w.Next() {
				word(x)
			}
		}
		return b, err
	case CmdAuthenticate:
		var a []byte
		if err = r.SP(); err == nil {
			a, err = r.Atom()
			word(a)
		}
		if err == nil && r.Peek() == ' ' {
			r.p++
			if r.Peek() == '=' {
				r.p++
				b = append(b, " ="...)
			} else {
				a, err = r.Atom()
				word(a)
			}
		}
	case CmdID, CmdCompress:
		if err = r.SP(); err == nil {
			err = capture()
		}
	default:
		for err == nil {
			var t Token
			if t, err = r.Next(); err == nil && t.Kind == KindEnd {
				return b, nil
			}
		}
	}
	if err == nil {
		err = r.End()
	}
	return b, err
}

// RFC 9051 and RFC 3501 command examples, and extension ones.
var commandCases = []struct{ in, want string }{
	{"a001 CAPABILITY\r\n", "a001 CAPABILITY"},
	{"a002 noop\r\n", "a002 NOOP"},
	{"A023 LOGOUT\r\n", "A023 LOGOUT"},
	{"a002 STARTTLS\r\n", "a002 STARTTLS"},
	{"a001 LOGIN SMITH SESAME\r\n", "a001 LOGIN atom:SMITH atom:SESAME"},
	{"a001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n", "a001 LOGIN literal:FRED FOOBAR literal:fat man"},
	{"a001 LOGIN {5+}\r\nalice \"pa\\\"ss\"\r\n", `a001 LOGIN literal:alice quoted:pa"ss`},
	{"A142 SELECT INBOX\r\n", "A142 SELECT atom:INBOX"},
	{"A142 SELECT INBOX (CONDSTORE)\r\n", "A142 SELECT atom:INBOX raw:(CONDSTORE)"},
	{"A932 EXAMINE blurdybloop\r\n", "A932 EXAMINE atom:blurdybloop"},
	{"A003 CREATE owatagusiam/\r\n", "A003 CREATE atom:owatagusiam/"},
	{"A683 DELETE blurdybloop\r\n", "A683 DELETE atom:blurdybloop"},
	{"A683 RENAME blurdybloop sarasoop\r\n", "A683 RENAME atom:blurdybloop atom:sarasoop"},
	{"A002 SUBSCRIBE #news.comp.mail.mime\r\n", "A002 SUBSCRIBE atom:#news.comp.mail.mime"},
	{"A002 UNSUBSCRIBE #news.comp.mail.mime\r\n", "A002 UNSUBSCRIBE atom:#news.comp.mail.mime"},
	{"A101 LIST \"\" \"\"\r\n", `A101 LIST quoted: quoted:`},
	{"A102 LIST #news.comp.mail.misc \"\"\r\n", "A102 LIST atom:#news.comp.mail.misc quoted:"},
	{"A202 LIST ~/Mail/ %\r\n", "A202 LIST atom:~/Mail/ atom:%"},
	{"A203 LSUB \"#news.\" \"comp.mail.*\"\r\n", "A203 LSUB quoted:#news. quoted:comp.mail.*"},
	{"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n", "A042 STATUS atom:blurdybloop raw:(UIDNEXT MESSAGES)"},
	{"A003 APPEND saved-messages (\\Seen) {23}\r\nDate: Mon, 7 Feb 1994\r\n\r\n",
		`A003 APPEND atom:saved-messages flags:\Seen, date:"" literal:Date: Mon, 7 Feb 1994` + "\r\n"},
	{"A003 APPEND INBOX (\\Seen $x) \" 7-Feb-1994 21:52:25 -0800\" ~{3}\r\na\x00b {1+}\r\nc\r\n",
		`A003 APPEND atom:INBOX flags:\Seen,$x, date:" 7-Feb-1994 21:52:25 -0800" literal:a` + "\x00" + `b flags: date:"" literal:c`},
	{"FXXZ CHECK\r\n", "FXXZ CHECK"},
	{"A341 CLOSE\r\n", "A341 CLOSE"},
	{"A342 UNSELECT\r\n", "A342 UNSELECT"},
	{"A202 EXPUNGE\r\n", "A202 EXPUNGE"},
	{"A003 UID EXPUNGE 3000:3002\r\n", "A003 EXPUNGE UID set:3000:3002"},
	{"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
		`A282 SEARCH return= charset= 0:9 0:26(1-Feb-19940) 0:16 1:10 quoted:Smith`},
	{"A283 SEARCH TEXT \"string not in mailbox\"\r\n", `A283 SEARCH return= charset= 0:29 quoted:string not in mailbox`},
	{"A284 SEARCH CHARSET UTF-8 TEXT {12}\r\nXXXXXXXXXXXX\r\n", `A284 SEARCH return= charset=UTF-8 0:29 literal:XXXXXXXXXXXX`},
	{"A285 UID SEARCH RETURN (MIN COUNT) OR (SEEN 1:5) NOT UID 7,9:* HEADER X-A \"b c\"\r\n",
		`A285 SEARCH UID return=(MIN COUNT) charset= 0:20 1:39 2:22 2:0(1:50) 1:16 2:31(7,9:*0) 0:11 atom:X-A quoted:b c`},
	{"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 LARGER 9 $\r\n",
		`a SEARCH return= charset= 0:14(/flags/\\draft620162338) 0:13(9) 0:0($0)`},
	{"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
		"A654 FETCH set:2:4 FLAGS BODY[HEADER.FIELDS (DATE FROM)||2]"},
	{"A654 FETCH 2:4 ALL\r\n", "A654 FETCH set:2:4 ALL"},
	{"A655 UID FETCH 1:* (UID BODY.PEEK[1.2.MIME] BODY[]<0.2048> BINARY.PEEK[1]<0.5> BINARY.SIZE[2] RFC822.SIZE ENVELOPE MODSEQ) (CHANGEDSINCE 12345)\r\n",
		"A655 FETCH UID set:1:* UID BODY.PEEK[1.2.MIME|1.2|5] BODY[||0]<0.2048> BINARY.PEEK[1|1|0]<0.5> BINARY.SIZE[2|2|0] RFC822.SIZE ENVELOPE MODSEQ raw:(CHANGEDSINCE 12345)"},
	{"A003 STORE 2:4 +FLAGS (\\Deleted)\r\n", `A003 STORE set:2:4 + silent=false \Deleted`},
	{"A004 UID STORE 1 (UNCHANGEDSINCE 5) -FLAGS.SILENT \\Seen $Junk\r\n", `A004 STORE UID set:1 raw:(UNCHANGEDSINCE 5) - silent=true \Seen $Junk`},
	{"A003 COPY 2:4 MEETING\r\n", "A003 COPY set:2:4 atom:MEETING"},
	{"a UID MOVE 42:69 foo\r\n", "a MOVE UID set:42:69 atom:foo"},
	{"t1 ENABLE CONDSTORE UTF8=ACCEPT\r\n", "t1 ENABLE CONDSTORE UTF8=ACCEPT"},
	{"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\")\r\n", `a023 ID raw:("name" "sodr" "version" "19.34")`},
	{"a023 ID NIL\r\n", "a023 ID raw:NIL"},
	{"A001 NAMESPACE\r\n", "A001 NAMESPACE"},
	{"a002 IDLE\r\n", "a002 IDLE"},
	{"a001 AUTHENTICATE GSSAPI\r\n", "a001 AUTHENTICATE GSSAPI"},
	{"a001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n", "a001 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA=="},
	{"a001 AUTHENTICATE PLAIN =\r\n", "a001 AUTHENTICATE PLAIN ="},
	{"a COMPRESS DEFLATE\r\n", "a COMPRESS raw:DEFLATE"},
	{"a XSTAFF (2)\r\n", "a UNKNOWN"},
}

func TestCommands(t *testing.T) {
	for _, tt := range commandCases {
		for _, sizes := range [][]int{nil, {4096}} {
			r := NewReader(chunked.NewReader([]byte(tt.in), sizes...), ServerSide, Options{ExtraCommands: extraCommands})
			c, err := r.ReadCommand()
			require.NoError(t, err, tt.in)
			got, err := describe(nil, r, c)
			require.NoError(t, err, tt.in)
			assert.Equal(t, tt.want, string(got), tt.in)
			_, err = r.ReadCommand()
			require.ErrorIs(t, err, io.EOF, tt.in)
		}
	}
}

// extraCommands is what the case tables' server implements itself.
var extraCommands = []string{"xstaff"}

// An unknown command is a typed, non-fatal error with its reply; the rest
// of it (a non-synchronizing literal's data too) is consumed, so the
// reader goes on with the next command and nothing of the first is read
// as one.
func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		in, tag, name string
		uid           bool
	}{
		{"a XYZZY 1 (2)\r\n", "a", "XYZZY", false},
		{"a1 xyzzy\r\n", "a1", "xyzzy", false},
		{"a UID XYZZY 1\r\n", "a", "XYZZY", true},
		{"a XYZZY {28+}\r\nb DELETE INBOX\r\nc DELETE x\r\n {2+}\r\nzz\r\n", "a", "XYZZY", false},
		{"a XYZZY {30}\r\n", "a", "XYZZY", false}, // a synchronizing literal is never sent
		{"a XSTAFF 1\r\n", "a", "XSTAFF", true},   // extra commands take no UID
	}
	for _, tt := range tests {
		in := tt.in + "n NOOP\r\n"
		if tt.uid {
			in = strings.Replace(in, "XSTAFF", "UID XSTAFF", 1)
		}
		r := NewReader(chunked.NewReader([]byte(in), 3, 5), ServerSide, Options{ExtraCommands: extraCommands})
		c, err := r.ReadCommand()
		require.ErrorIs(t, err, ErrUnknownCommand, tt.in)
		assert.Equal(t, tt.tag, string(c.Tag))
		assert.Equal(t, tt.name, string(c.Name))
		assert.Equal(t, CmdUnknown, c.ID)
		assert.Equal(t, tt.uid, c.UID, tt.in)
		assert.Equal(t, Reply{"BAD", "", "Unknown command", false}, ReplyFor(err))
		var se *SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, strings.Index(in, tt.name), se.Offset)
		c, err = r.ReadCommand()
		require.NoError(t, err, "the next command after %q", tt.in)
		assert.Equal(t, CmdNoop, c.ID, tt.in)
		assert.Equal(t, "n", string(c.Tag))
	}
	// An extra command is the caller's to read.
	r := NewReader(strings.NewReader("a XStaff 1 2\r\n"), ServerSide, Options{ExtraCommands: extraCommands})
	c, err := r.ReadCommand()
	require.NoError(t, err)
	assert.Equal(t, CmdUnknown, c.ID)
	assert.Equal(t, "XStaff", string(c.Name))
	require.NoError(t, r.SP())
	n, err := r.Number()
	require.NoError(t, err)
	assert.Equal(t, uint32(1), n)
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		in  string
		tag string
		err error
	}{
		{"\r\n", "", ErrSyntax},
		{"+ NOOP\r\n", "", ErrSyntax},
		{"a\r\n", "a", ErrSyntax},
		{"a  NOOP\r\n", "a", ErrSyntax},
		{strings.Repeat("t", 200) + " NOOP\r\n", "", ErrTagTooLong},
		{"a UID NOOP\r\n", "a", ErrSyntax},
		{"a UID\r\n", "a", ErrSyntax},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.in+"b NOOP\r\n"), ServerSide, Options{})
		c, err := r.ReadCommand()
		require.ErrorIs(t, err, tt.err, tt.in)
		assert.Equal(t, tt.tag, string(c.Tag), tt.in)
		c, err = r.ReadCommand()
		require.NoError(t, err, "the next command reads fine after %q", tt.in)
		assert.Equal(t, CmdNoop, c.ID)
	}
}

func TestCommandArgumentErrors(t *testing.T) {
	for _, in := range []string{
		"a FETCH 1 (FLAGS\r\n",
		"a FETCH 1 (ALL)\r\n",
		"a FETCH 1 ()\r\n",
		"a FETCH 1 BODY[HEADER.FIELDS ()]\r\n",
		"a FETCH 1 BODY[1.]\r\n",
		"a FETCH 1 BODY[MIME]\r\n",
		"a FETCH 1 BODY.PEEK\r\n",
		"a FETCH 1 BINARY[TEXT]\r\n",
		"a FETCH 1 BODY[]<0.0>\r\n",
		"a FETCH 0 FLAGS\r\n",
		"a STORE 1 FLAGS (\\*)\r\n",
		"a STORE 1 XFLAGS \\Seen\r\n",
		"a SEARCH\r\n",
		"a SEARCH NOT\r\n",
		"a SEARCH OR ALL\r\n",
		"a SEARCH (ALL\r\n",
		"a SEARCH ()\r\n",
		"a SEARCH ALL)\r\n",
		"a SEARCH SINCE 1-Foo-1994\r\n",
		"a SEARCH XYZ\r\n",
		"a SEARCH " + strings.Repeat("NOT ", 40) + "ALL\r\n",
		"a APPEND INBOX \"bad date\" {1}\r\n",
		"a APPEND INBOX (\\Seen) x\r\n",
		"a ENABLE\r\n",
		"a SELECT \"a\x00\"\r\n",
	} {
		r := NewReader(strings.NewReader(in+"b NOOP\r\n"), ServerSide, Options{})
		c, err := r.ReadCommand()
		require.NoError(t, err, in)
		_, err = describe(nil, r, c)
		if in == "a ENABLE\r\n" {
			require.NoError(t, err, "ENABLE may name nothing")
		} else {
			require.Error(t, err, in)
			assert.Equal(t, "BAD", ReplyFor(err).Cond, in)
		}
		c, err = r.ReadCommand()
		require.NoError(t, err, in)
		assert.Equal(t, CmdNoop, c.ID, in)
	}
}

func TestIdleAndAuthenticateLines(t *testing.T) {
	r := NewReader(strings.NewReader("done\r\nDONE x\r\ndGVzdA==\r\n*\r\n!!\r\n"), ServerSide, Options{})
	require.NoError(t, r.ReadIdleDone())
	require.ErrorIs(t, r.ReadIdleDone(), ErrSyntax)
	got, err := r.ReadAuthLine()
	require.NoError(t, err)
	assert.Equal(t, "dGVzdA==", string(got))
	_, err = r.ReadAuthLine()
	require.ErrorIs(t, err, ErrAuthCanceled)
	_, err = r.ReadAuthLine()
	require.ErrorIs(t, err, ErrSyntax)
	assert.Equal(t, "FETCH", CmdFetch.String())
	assert.Equal(t, "UNKNOWN", CmdUnknown.String())
}

func TestCommandAllocs(t *testing.T) {
	stream := commandStream()
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{ExtraCommands: extraCommands})
	out := make([]byte, 0, 64<<10)
	allocs := testing.AllocsPerRun(20, func() {
		for range commandCases {
			c, err := r.ReadCommand()
			require.NoError(t, err)
			out, err = describe(out[:0], r, c)
			require.NoError(t, err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkReadCommands(b *testing.B) {
	stream := commandStream()
	r := NewReader(chunked.NewLoop(stream), ServerSide, Options{ExtraCommands: extraCommands})
	out := make([]byte, 0, 64<<10)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		for range commandCases {
			c, err := r.ReadCommand()
			if err != nil {
				b.Fatal(err)
			}
			if out, err = describe(out[:0], r, c); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// commandStream is every case of commandCases in one stream, for the steady-state
// allocation test and the benchmark.
func commandStream() []byte {
	var b []byte
	for _, tt := range commandCases {
		b = append(b, tt.in...)
	}
	return b
}
