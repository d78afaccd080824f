package imapwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCmd writes a decoded command back with the command writers.
func writeCmd(e Encoder, dst []byte, c *Cmd, msgs []AppendData) ([]byte, error) {
	if c.ID == CmdAppend {
		return e.AppendAppendCommand(dst, c.Tag, c.Append.Mailbox, msgs...)
	}
	return e.AppendCommand(dst, c)
}

var writeEncoders = []struct {
	name string
	e    Encoder
}{
	{"sync", Encoder{Side: ClientSide}},
	{"literal+", Encoder{Side: ClientSide, NonSync: LiteralPlus}},
	{"literal-", Encoder{Side: ClientSide, NonSync: LiteralMinus}},
	{"utf8", Encoder{Side: ClientSide, NonSync: LiteralMinus, UTF8: true}},
}

// roundTrip decodes in, writes the command back, decodes that, and
// returns both renderings, the written command and how many continuations
// the second decoding gave.
func roundTrip(t *testing.T, in []byte, e Encoder, lim Limits) (first, second string, written []byte, waits int, ok bool) {
	d := NewDecoder(NewReader(bytes.NewReader(in), ServerSide, Options{Limits: lim, UTF8: e.UTF8}))
	d.Continue = acceptAll
	var msgs []AppendData
	out, c, err := decodeCase(d, nil, &msgs)
	if err != nil {
		return "", "", nil, 0, false
	}
	written, err = writeCmd(e, nil, c, msgs)
	require.NoError(t, err, "write %q", out)
	d2 := NewDecoder(NewReader(bytes.NewReader(written), ServerSide, Options{UTF8: e.UTF8}))
	d2.Continue = func(Literal) error { waits++; return nil }
	out2, c2, err := decodeCase(d2, nil, nil)
	require.NoError(t, err, "decode %q written from %q", written, in)
	if c2.ID == CmdAppend {
		waits = strings.Count(string(written), "}\r\n") - strings.Count(string(written), "+}\r\n")
	}
	return string(out), string(out2), written, waits, true
}

func TestWriteRoundTrip(t *testing.T) {
	for _, tt := range cmdCases {
		if tt.want == "" {
			continue
		}
		for _, enc := range writeEncoders {
			first, second, written, waits, ok := roundTrip(t, []byte(tt.in), enc.e, Limits{})
			require.True(t, ok, tt.in)
			assert.Equal(t, first, second, "%s: %q written as %q", enc.name, tt.in, written)
			var joined []byte
			n := 0
			for p := CommandParts(written); p.Next(); {
				joined = append(joined, p.Part()...)
				if p.Wait() {
					n++
				}
			}
			assert.Equal(t, string(written), string(joined), "the parts make the command")
			assert.Equal(t, waits, n, "%s: a wait for each synchronizing literal of %q", enc.name, written)
		}
	}
}

func TestWriteAllocs(t *testing.T) {
	for _, tt := range cmdCases {
		if tt.want == "" {
			continue
		}
		t.Run(strings.Join(strings.Fields(tt.want)[:2], "_"), func(t *testing.T) {
			d := NewDecoder(NewReader(chunked.NewReader([]byte(tt.in), 1<<20), ServerSide, Options{}))
			d.Continue = acceptAll
			var msgs []AppendData
			_, c, err := decodeCase(d, nil, &msgs)
			require.NoError(t, err)
			e := Encoder{Side: ClientSide, NonSync: LiteralMinus}
			buf := make([]byte, 0, 4096)
			allocs := testing.AllocsPerRun(50, func() {
				buf, err = writeCmd(e, buf[:0], c, msgs)
			})
			require.NoError(t, err)
			assert.Zero(t, allocs, tt.in)
		})
	}
}

func TestWriteSimple(t *testing.T) {
	e := Encoder{Side: ClientSide}
	got, err := e.AppendLoginCommand(nil, []byte("a1"), []byte("alice"), []byte("two\r\nlines"))
	require.NoError(t, err)
	assert.Equal(t, "a1 LOGIN alice {10}\r\ntwo\r\nlines\r\n", string(got))
	var parts []string
	var waits []bool
	for p := CommandParts(got); p.Next(); {
		parts, waits = append(parts, string(p.Part())), append(waits, p.Wait())
	}
	assert.Equal(t, []string{"a1 LOGIN alice {10}\r\n", "two\r\nlines\r\n"}, parts)
	assert.Equal(t, []bool{true, false}, waits)

	got, err = Encoder{Side: ClientSide, NonSync: LiteralPlus}.AppendLoginCommand(nil, []byte("a1"), []byte("NIL"), []byte(`p"w`))
	require.NoError(t, err)
	assert.Equal(t, "a1 LOGIN \"NIL\" \"p\\\"w\"\r\n", string(got))

	got, err = e.AppendMailboxCommand(nil, []byte("a2"), CmdDelete, []byte("Entwürfe"))
	require.NoError(t, err)
	assert.Equal(t, "a2 DELETE Entw&APw-rfe\r\n", string(got))
	got, err = Encoder{UTF8: true}.AppendMailboxCommand(nil, []byte("a2"), CmdSubscribe, []byte("Entwürfe"))
	require.NoError(t, err)
	assert.Equal(t, "a2 SUBSCRIBE \"Entwürfe\"\r\n", string(got))
	got, err = e.AppendMailboxCommand(nil, []byte("a2"), CmdCreate, []byte("R&D \"x\""))
	require.NoError(t, err)
	assert.Equal(t, "a2 CREATE \"R&-D \\\"x\\\"\"\r\n", string(got))

	got, err = e.AppendSimpleCommand([]byte("x"), []byte("a3"), CmdIdle)
	require.NoError(t, err)
	assert.Equal(t, "xa3 IDLE\r\n", string(got))
	assert.Equal(t, "DONE\r\n", string(AppendIdleDone(nil)))
	assert.Equal(t, "AGE=\r\n", string(AppendAuthResponse(nil, []byte("\x00a"))))
	assert.Equal(t, "*\r\n", string(AppendAuthCancel(nil)))

	got, err = e.AppendAuthenticateCommand(nil, []byte("a4"), &AuthenticateArgs{Mechanism: []byte("PLAIN"), HasInitial: true})
	require.NoError(t, err)
	assert.Equal(t, "a4 AUTHENTICATE PLAIN =\r\n", string(got))

	set, _ := ParseSeqSet([]byte("1:*"))
	got, err = e.AppendSearchCommand(nil, []byte("a5"), true, &SearchArgs{Charset: []byte("UTF-8"), Terms: []SearchTerm{
		{Key: SearchOr}, {Key: SearchOpen}, {Key: SearchSeen}, {Key: SearchUID, Set: set}, {Key: SearchClose},
		{Key: SearchNot}, {Key: SearchSubject, Str: [2][]byte{[]byte("größe")}},
	}})
	require.NoError(t, err)
	assert.Equal(t, "a5 UID SEARCH CHARSET UTF-8 OR (SEEN UID 1:*) NOT SUBJECT {7}\r\ngröße\r\n", string(got))
}

func TestWriteErrors(t *testing.T) {
	e := Encoder{Side: ClientSide}
	set, _ := ParseSeqSet([]byte("1"))
	tests := []struct {
		name  string
		write func(dst []byte) ([]byte, error)
	}{
		{"tag with SP", func(b []byte) ([]byte, error) { return e.AppendSimpleCommand(b, []byte("a b"), CmdNoop) }},
		{"empty tag", func(b []byte) ([]byte, error) { return e.AppendSimpleCommand(b, nil, CmdNoop) }},
		{"not simple", func(b []byte) ([]byte, error) { return e.AppendSimpleCommand(b, []byte("a"), CmdLogin) }},
		{"NUL in a password", func(b []byte) ([]byte, error) {
			return e.AppendLoginCommand(b, []byte("a"), []byte("u"), []byte("p\x00"))
		}},
		{"invalid UTF-8 name", func(b []byte) ([]byte, error) {
			return e.AppendMailboxCommand(b, []byte("a"), CmdDelete, []byte("\xff"))
		}},
		{"mechanism not an atom", func(b []byte) ([]byte, error) {
			return e.AppendAuthenticateCommand(b, []byte("a"), &AuthenticateArgs{Mechanism: []byte("A B")})
		}},
		{"empty set", func(b []byte) ([]byte, error) {
			return e.AppendCopyCommand(b, []byte("a"), CmdCopy, false, &CopyArgs{Mailbox: []byte("x")})
		}},
		{"copy as delete", func(b []byte) ([]byte, error) {
			return e.AppendCopyCommand(b, []byte("a"), CmdDelete, false, &CopyArgs{Set: set, Mailbox: []byte("x")})
		}},
		{"no patterns", func(b []byte) ([]byte, error) { return e.AppendListCommand(b, []byte("a"), &ListArgs{}) }},
		{"no status items", func(b []byte) ([]byte, error) {
			return e.AppendStatusCommand(b, []byte("a"), &StatusArgs{Mailbox: []byte("x")})
		}},
		{"NOT alone", func(b []byte) ([]byte, error) {
			return e.AppendSearchCommand(b, []byte("a"), false, &SearchArgs{Terms: []SearchTerm{{Key: SearchNot}}})
		}},
		{"close without open", func(b []byte) ([]byte, error) {
			return e.AppendSearchCommand(b, []byte("a"), false, &SearchArgs{Terms: []SearchTerm{{Key: SearchAll}, {Key: SearchClose}}})
		}},
		{"empty group", func(b []byte) ([]byte, error) {
			return e.AppendSearchCommand(b, []byte("a"), false, &SearchArgs{Terms: []SearchTerm{{Key: SearchOpen}, {Key: SearchClose}}})
		}},
		{"bad date", func(b []byte) ([]byte, error) {
			return e.AppendSearchCommand(b, []byte("a"), false, &SearchArgs{Terms: []SearchTerm{{Key: SearchSince, Date: []byte("x")}}})
		}},
		{"flag with SP", func(b []byte) ([]byte, error) {
			return e.AppendStoreCommand(b, []byte("a"), false, &StoreArgs{Set: set, Op: '+', Flags: [][]byte{[]byte(`\A B`)}})
		}},
		{"store \\*", func(b []byte) ([]byte, error) {
			return e.AppendStoreCommand(b, []byte("a"), false, &StoreArgs{Set: set, Op: '+', Flags: [][]byte{[]byte(`\*`)}})
		}},
		{"no messages", func(b []byte) ([]byte, error) { return e.AppendAppendCommand(b, []byte("a"), []byte("x")) }},
		{"bad date-time", func(b []byte) ([]byte, error) {
			return e.AppendAppendCommand(b, []byte("a"), []byte("x"), AppendData{Date: []byte("today"), Data: []byte("m")})
		}},
		{"NUL without literal8", func(b []byte) ([]byte, error) {
			return e.AppendAppendCommand(b, []byte("a"), []byte("x"), AppendData{Data: []byte("\x00")})
		}},
		{"no capabilities", func(b []byte) ([]byte, error) { return e.AppendEnableCommand(b, []byte("a")) }},
		{"section part", func(b []byte) ([]byte, error) {
			return e.AppendFetchCommand(b, []byte("a"), false, &FetchArgs{Set: set, Items: []FetchItem{{Att: FetchBodySection, Section: Section{Part: []byte("0")}}}})
		}},
		{"QRESYNC without UIDVALIDITY", func(b []byte) ([]byte, error) {
			return e.AppendSelectCommand(b, []byte("a"), false, &SelectArgs{Mailbox: []byte("x"), QResync: true})
		}},
		{"decoded APPEND", func(b []byte) ([]byte, error) {
			return e.AppendCommand(b, &Cmd{Command: Command{Tag: []byte("a"), ID: CmdAppend}})
		}},
	}
	for _, tt := range tests {
		got, err := tt.write([]byte("keep"))
		want := ErrInjection
		if strings.Contains(tt.name, "UTF-8") {
			want = ErrUTF7
		}
		require.ErrorIs(t, err, want, tt.name)
		assert.Equal(t, "keep", string(got), "%s: dst is returned as it was", tt.name)
	}
}

// BenchmarkWriteCommands writes every command of cmdCases from its
// decoded values.
func BenchmarkWriteCommands(b *testing.B) {
	type decoded struct {
		c    *Cmd
		msgs []AppendData
	}
	var all []decoded
	for _, tt := range cmdCases {
		if tt.want == "" {
			continue
		}
		d := NewDecoder(NewReader(strings.NewReader(tt.in), ServerSide, Options{}))
		d.Continue = acceptAll
		var msgs []AppendData
		_, c, err := decodeCase(d, nil, &msgs)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, decoded{c, msgs})
	}
	e := Encoder{Side: ClientSide, NonSync: LiteralMinus}
	buf := make([]byte, 0, 64<<10)
	var err error
	for _, x := range all {
		if buf, err = writeCmd(e, buf, x.c, x.msgs); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, x := range all {
			buf, _ = writeCmd(e, buf, x.c, x.msgs)
		}
	}
}
