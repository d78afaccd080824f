package imapwire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendListData(t *testing.T) {
	e7, e8 := Encoder{}, Encoder{UTF8: true}
	list := func(e Encoder, lsub bool, l ListItem) func([]byte) ([]byte, error) {
		return func(d []byte) ([]byte, error) { return e.AppendListData(d, lsub, &l) }
	}
	checkResp(t, []respCase{
		{"inbox", list(e7, false, ListItem{Attrs: bs(`\HasNoChildren`), Delim: '/', Mailbox: []byte("INBOX")}), "* LIST (\\HasNoChildren) \"/\" INBOX\r\n", nil},
		{"no attrs", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("a/b")}), "* LIST () \"/\" a/b\r\n", nil},
		{"nil delim", list(e7, false, ListItem{Attrs: bs(`\Noselect`, `\HasChildren`), Mailbox: []byte("x")}), "* LIST (\\Noselect \\HasChildren) NIL x\r\n", nil},
		{"quoted delim", list(e7, false, ListItem{Delim: '\\', Mailbox: []byte("x")}), "* LIST () \"\\\\\" x\r\n", nil},
		{"utf7", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("Entwürfe")}), "* LIST () \"/\" Entw&APw-rfe\r\n", nil},
		{"utf8", list(e8, false, ListItem{Delim: '/', Mailbox: []byte("Entwürfe")}), "* LIST () \"/\" \"Entwürfe\"\r\n", nil},
		{"quoted name", list(e7, false, ListItem{Delim: '/', Mailbox: []byte(`My "Stuff"`)}), "* LIST () \"/\" \"My \\\"Stuff\\\"\"\r\n", nil},
		{"empty name", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("")}), "* LIST () \"/\" \"\"\r\n", nil},
		{"NIL name", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("NIL")}), "* LIST () \"/\" \"NIL\"\r\n", nil},
		{"literal name", list(e8, false, ListItem{Delim: '/', Mailbox: []byte("a\rb")}), "* LIST () \"/\" {3}\r\na\rb\r\n", nil},
		{"lsub", list(e7, true, ListItem{Attrs: bs(`\Noselect`), Delim: '/', Mailbox: []byte("news")}), "* LSUB (\\Noselect) \"/\" news\r\n", nil},
		{"childinfo", list(e7, false, ListItem{Attrs: bs(`\HasChildren`), Delim: '/', Mailbox: []byte("Foo"), ChildInfo: bs("SUBSCRIBED")}),
			"* LIST (\\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", nil},
		{"oldname", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("New"), OldName: []byte("Ärger")}),
			"* LIST () \"/\" New (\"OLDNAME\" (&AMQ-rger))\r\n", nil},
		{"both", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("N"), ChildInfo: bs("SUBSCRIBED"), OldName: []byte("O")}),
			"* LIST () \"/\" N (\"CHILDINFO\" (\"SUBSCRIBED\") \"OLDNAME\" (O))\r\n", nil},
		{"special use", list(e7, false, ListItem{Attrs: bs(`\HasNoChildren`, `\Sent`), Delim: '/', Mailbox: []byte("Sent")}), "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n", nil},

		{"attr no backslash", list(e7, false, ListItem{Attrs: bs("Sent"), Mailbox: []byte("x")}), "", ErrInjection},
		{"attr star", list(e7, false, ListItem{Attrs: bs(`\*`), Mailbox: []byte("x")}), "", ErrInjection},
		{"attr paren", list(e7, false, ListItem{Attrs: bs(`\a)`), Mailbox: []byte("x")}), "", ErrInjection},
		{"delim LF", list(e7, false, ListItem{Delim: '\n', Mailbox: []byte("x")}), "", ErrInjection},
		{"delim 8-bit", list(e7, false, ListItem{Delim: 0xe4, Mailbox: []byte("x")}), "", ErrInjection},
		{"name bad UTF-8", list(e7, false, ListItem{Delim: '/', Mailbox: []byte("\xff")}), "", ErrUTF7},
		{"name bad UTF-8 utf8", list(e8, false, ListItem{Delim: '/', Mailbox: []byte("\xff")}), "", ErrUTF7},
		{"name NUL", list(e8, false, ListItem{Delim: '/', Mailbox: []byte("a\x00")}), "", ErrInjection},
		{"childinfo bad", list(e7, false, ListItem{Mailbox: []byte("x"), ChildInfo: bs(`a"b`)}), "", ErrInjection},
		{"lsub childinfo", list(e7, true, ListItem{Mailbox: []byte("x"), ChildInfo: bs("SUBSCRIBED")}), "", ErrInjection},
	})
}

func TestAppendStatusData(t *testing.T) {
	st := func(e Encoder, name string, items ...StatusValue) func([]byte) ([]byte, error) {
		return func(d []byte) ([]byte, error) { return e.AppendStatusData(d, []byte(name), items) }
	}
	e7 := Encoder{}
	all := []StatusValue{{StatusMessages, 231}, {StatusRecent, 0}, {StatusUIDNext, 44292}, {StatusUIDValidity, 1},
		{StatusUnseen, 3}, {StatusDeleted, 2}, {StatusSize, 1 << 40}, {StatusHighestModSeq, 7011231777},
		{StatusAppendLimit, 35882577}, {StatusDeletedStorage, 99}}
	checkResp(t, []respCase{
		{"two", st(e7, "blurdybloop", StatusValue{StatusMessages, 231}, StatusValue{StatusUIDNext, 44292}), "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n", nil},
		{"all", st(e7, "INBOX", all...), "* STATUS INBOX (MESSAGES 231 RECENT 0 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3 DELETED 2 SIZE 1099511627776 HIGHESTMODSEQ 7011231777 APPENDLIMIT 35882577 DELETED-STORAGE 99)\r\n", nil},
		{"none", st(e7, "x"), "* STATUS x ()\r\n", nil},
		{"utf8", st(Encoder{UTF8: true}, "Grüße"), "* STATUS \"Grüße\" ()\r\n", nil},
		{"utf7", st(e7, "Grüße"), "* STATUS Gr&APwA3w-e ()\r\n", nil},
		{"uidnext 0", st(e7, "x", StatusValue{StatusUIDNext, 0}), "", ErrInjection},
		{"messages 2^32", st(e7, "x", StatusValue{StatusMessages, 1 << 32}), "", ErrInjection},
		{"size 2^63", st(e7, "x", StatusValue{StatusSize, 1 << 63}), "", ErrInjection},
		{"mailboxid", st(e7, "x", StatusValue{StatusMailboxID, 1}), "", ErrInjection},
		{"unknown", st(e7, "x", StatusValue{0, 1}), "", ErrInjection},
	})
}

func TestAppendESearchData(t *testing.T) {
	es := func(r ESearchResult) func([]byte) ([]byte, error) {
		return func(d []byte) ([]byte, error) { return Encoder{}.AppendESearchData(d, &r) }
	}
	all := SearchReturnMin | SearchReturnMax | SearchReturnCount | SearchReturnAll
	checkResp(t, []respCase{
		{"rfc4731", es(ESearchResult{Tag: []byte("A282"), Return: SearchReturnMin | SearchReturnCount, Min: 2, Count: 3}), "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n", nil},
		{"all", es(ESearchResult{Tag: []byte("A283"), UID: true, Return: all, Min: 2, Max: 47, Count: 5, All: []uint32{2, 10, 11, 12, 47}, ModSeq: 9}),
			"* ESEARCH (TAG \"A283\") UID MIN 2 MAX 47 COUNT 5 ALL 2,10:12,47 MODSEQ 9\r\n", nil},
		{"nothing matched", es(ESearchResult{Tag: []byte("A284"), Return: all}), "* ESEARCH (TAG \"A284\") COUNT 0\r\n", nil},
		{"nothing asked", es(ESearchResult{Tag: []byte("A285"), Min: 3}), "* ESEARCH (TAG \"A285\")\r\n", nil},
		{"untagged", es(ESearchResult{UID: true, Return: SearchReturnCount, Count: 1}), "* ESEARCH UID COUNT 1\r\n", nil},
		{"bare", es(ESearchResult{}), "* ESEARCH\r\n", nil},
		{"tag with quote", es(ESearchResult{Tag: []byte(`a"`)}), "", ErrInjection},
		{"empty tag", es(ESearchResult{Tag: []byte{}}), "", ErrInjection},
		{"all zero", es(ESearchResult{Return: SearchReturnAll, All: []uint32{0}}), "", ErrInjection},
		{"modseq 2^63", es(ESearchResult{ModSeq: 1 << 63}), "", ErrInjection},
	})
}

func TestAppendIDData(t *testing.T) {
	id := func(e Encoder, p ...IDParam) func([]byte) ([]byte, error) {
		return func(d []byte) ([]byte, error) { return e.AppendIDData(d, p) }
	}
	many := make([]IDParam, 31)
	for i := range many {
		many[i] = IDParam{Field: []byte("f"), Nil: true}
	}
	checkResp(t, []respCase{
		{"nil", id(Encoder{}), "* ID NIL\r\n", nil},
		{"pairs", id(Encoder{}, IDParam{Field: []byte("name"), Value: []byte("mailwire")}, IDParam{Field: []byte("support-url"), Nil: true}),
			"* ID (\"name\" \"mailwire\" \"support-url\" NIL)\r\n", nil},
		{"8-bit value", id(Encoder{}, IDParam{Field: []byte("os"), Value: []byte("Übuntu")}), "* ID (\"os\" {7}\r\nÜbuntu)\r\n", nil},
		{"8-bit value utf8", id(Encoder{UTF8: true}, IDParam{Field: []byte("os"), Value: []byte("Übuntu")}), "* ID (\"os\" \"Übuntu\")\r\n", nil},
		{"server literal whatever NonSync", id(Encoder{Side: ClientSide, NonSync: LiteralPlus}, IDParam{Field: []byte("os"), Value: []byte("Übuntu")}),
			"* ID (\"os\" {7}\r\nÜbuntu)\r\n", nil},
		{"too many", id(Encoder{}, many...), "", ErrInjection},
		{"long field", id(Encoder{}, IDParam{Field: bytes.Repeat([]byte("f"), 31), Nil: true}), "", ErrInjection},
		{"long value", id(Encoder{}, IDParam{Field: []byte("f"), Value: bytes.Repeat([]byte("v"), 1025)}), "", ErrInjection},
		{"NUL value", id(Encoder{}, IDParam{Field: []byte("f"), Value: []byte("a\x00")}), "", ErrInjection},
	})
}

func TestAppendNamespaceData(t *testing.T) {
	ns := func(e Encoder, p, o, s []Namespace) func([]byte) ([]byte, error) {
		return func(d []byte) ([]byte, error) { return e.AppendNamespaceData(d, p, o, s) }
	}
	checkResp(t, []respCase{
		{"personal", ns(Encoder{}, []Namespace{{Prefix: []byte(""), Delim: '/'}}, nil, nil), "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n", nil},
		{"all three", ns(Encoder{}, []Namespace{{Prefix: []byte(""), Delim: '/'}}, []Namespace{{Prefix: []byte("~"), Delim: '/'}},
			[]Namespace{{Prefix: []byte("#shared/"), Delim: '/'}, {Prefix: []byte("#public/"), Delim: '/'}}),
			"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n", nil},
		{"nil delim", ns(Encoder{}, []Namespace{{Prefix: []byte("")}}, nil, nil), "* NAMESPACE ((\"\" NIL)) NIL NIL\r\n", nil},
		{"utf7", ns(Encoder{}, nil, nil, []Namespace{{Prefix: []byte("Öffentlich/"), Delim: '/'}}), "* NAMESPACE NIL NIL ((\"&ANY-ffentlich/\" \"/\"))\r\n", nil},
		{"utf8", ns(Encoder{UTF8: true}, nil, nil, []Namespace{{Prefix: []byte("Öffentlich/"), Delim: '/'}}), "* NAMESPACE NIL NIL ((\"Öffentlich/\" \"/\"))\r\n", nil},
		{"bad delim", ns(Encoder{}, []Namespace{{Delim: '\r'}}, nil, nil), "", ErrInjection},
		{"bad prefix", ns(Encoder{}, []Namespace{{Prefix: []byte("\xff"), Delim: '/'}}, nil, nil), "", ErrUTF7},
	})
}

// A long name is encoded in place, whatever its length.
func TestListDataLongName(t *testing.T) {
	name := strings.Repeat("ä", 3000)
	out, err := Encoder{}.AppendListData(nil, false, &ListItem{Delim: '/', Mailbox: []byte(name)})
	require.NoError(t, err)
	r := NewReader(bytes.NewReader(out), ClientSide, Options{})
	_, err = r.ReadResponse()
	require.NoError(t, err)
	d, err := r.ReadListData()
	require.NoError(t, err)
	got, err := r.AppendMailboxName(nil, d.Mailbox)
	require.NoError(t, err)
	assert.Equal(t, name, string(got))
}
