package imapwire

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// respCase is one writer call: write appends to dst; want is the output
// ("" with err set).
type respCase struct {
	name  string
	write func(dst []byte) ([]byte, error)
	want  string
	err   error
}

// checkResp runs cases: the output on success, dst unchanged (length and
// content) on error.
func checkResp(t *testing.T, cases []respCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte("keep")
			out, err := tc.write(prefix)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, "keep", string(out), "dst unchanged on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "keep"+tc.want, string(out))
		})
	}
}

func TestAppendTagged(t *testing.T) {
	tag := []byte("a1")
	checkResp(t, []respCase{
		{"ok", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "LOGIN completed") }, "a1 OK LOGIN completed\r\n", nil},
		{"no code", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeNonExistent}, "No such mailbox")
		}, "a1 NO [NONEXISTENT] No such mailbox\r\n", nil},
		{"bad", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondBad, Code{ID: CodeClientBug}, "x") }, "a1 BAD [CLIENTBUG] x\r\n", nil},
		{"empty text", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{ID: CodeReadWrite}, "") }, "a1 OK [READ-WRITE] OK\r\n", nil},
		{"bracket after code", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{ID: CodeAlert}, "[x]") }, "a1 OK [ALERT] [x]\r\n", nil},
		{"utf8 text", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "fertig ✓") }, "a1 OK fertig ✓\r\n", nil},
		{"appenduid", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeAppendUID, Num: 38505, UIDs: []uint32{3955}}, "APPEND completed")
		}, "a1 OK [APPENDUID 38505 3955] APPEND completed\r\n", nil},
		{"copyuid", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeCopyUID, Num: 38505, UIDs: []uint32{304, 319, 320, 321}, DstUIDs: []uint32{3956, 3957, 3958, 3959}}, "Done")
		}, "a1 OK [COPYUID 38505 304,319:321 3956:3959] Done\r\n", nil},
		{"modified", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeModified, UIDs: []uint32{7, 9}}, "Conditional STORE failed")
		}, "a1 OK [MODIFIED 7,9] Conditional STORE failed\r\n", nil},
		{"capability", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeCapability, Words: bs("IMAP4rev1", "IDLE")}, "Logged in")
		}, "a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n", nil},
		{"badcharset list", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeBadCharset, Words: bs("UTF-8", "US-ASCII")}, "x")
		}, "a1 NO [BADCHARSET (UTF-8 US-ASCII)] x\r\n", nil},
		{"badcharset bare", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondNo, Code{ID: CodeBadCharset}, "x") }, "a1 NO [BADCHARSET] x\r\n", nil},
		{"other", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeOther, Name: []byte("METADATA"), Arg: []byte("LONGENTRIES 2000")}, "x")
		}, "a1 NO [METADATA LONGENTRIES 2000] x\r\n", nil},
		{"other bare", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeOther, Name: []byte("X-FOO")}, "x")
		}, "a1 NO [X-FOO] x\r\n", nil},
		{"other empty arg", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeOther, Name: []byte("X-FOO"), Arg: []byte{}}, "x")
		}, "a1 NO [X-FOO] x\r\n", nil},

		{"CR in text", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "a\r\n* BYE") }, "", ErrInjection},
		{"NUL in text", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "a\x00") }, "", ErrInjection},
		{"bad UTF-8 text", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "a\xff") }, "", ErrInjection},
		{"text looks like code", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "[ALERT] x") }, "", ErrInjection},
		{"tag with SP", func(d []byte) ([]byte, error) { return AppendTagged(d, []byte("a 1"), CondOK, Code{}, "x") }, "", ErrInjection},
		{"tag with +", func(d []byte) ([]byte, error) { return AppendTagged(d, []byte("a+"), CondOK, Code{}, "x") }, "", ErrInjection},
		{"empty tag", func(d []byte) ([]byte, error) { return AppendTagged(d, nil, CondOK, Code{}, "x") }, "", ErrInjection},
		{"tagged BYE", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondBye, Code{}, "x") }, "", ErrInjection},
		{"uidnext 0", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{ID: CodeUIDNext}, "x") }, "", ErrInjection},
		{"uidnext 2^32", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeUIDNext, Num: 1 << 32}, "x")
		}, "", ErrInjection},
		{"modseq 2^63", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeHighestModSeq, Num: 1 << 63}, "x")
		}, "", ErrInjection},
		{"appenduid no uids", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeAppendUID, Num: 1}, "x")
		}, "", ErrInjection},
		{"copyuid uneven", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeCopyUID, Num: 1, UIDs: []uint32{1, 2}, DstUIDs: []uint32{3}}, "x")
		}, "", ErrInjection},
		{"copyuid zero uid", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeCopyUID, Num: 1, UIDs: []uint32{0}, DstUIDs: []uint32{3}}, "x")
		}, "", ErrInjection},
		{"capability empty", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{ID: CodeCapability}, "x") }, "", ErrInjection},
		{"capability not atom", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeCapability, Words: bs("A]B")}, "x")
		}, "", ErrInjection},
		{"permanentflags bad", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodePermanentFlags, Words: bs("\\Seen)")}, "x")
		}, "", ErrInjection},
		{"other arg ]", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeOther, Name: []byte("X"), Arg: []byte("a] b")}, "x")
		}, "", ErrInjection},
		{"other arg CRLF", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeOther, Name: []byte("X"), Arg: []byte("a\r\n")}, "x")
		}, "", ErrInjection},
		{"other name", func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondNo, Code{ID: CodeOther, Name: []byte("X Y")}, "x")
		}, "", ErrInjection},
		{"unknown id", func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondNo, Code{ID: 200}, "x") }, "", ErrInjection},
	})
}

func TestAppendUntagged(t *testing.T) {
	checkResp(t, []respCase{
		{"greeting", func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodeCapability, Words: bs("IMAP4rev1", "STARTTLS", "LOGINDISABLED")}, "ready")
		}, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n", nil},
		{"preauth", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondPreauth, Code{}, "as joe") }, "* PREAUTH as joe\r\n", nil},
		{"bye", func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondBye, Code{ID: CodeUnavailable}, "shutting down")
		}, "* BYE [UNAVAILABLE] shutting down\r\n", nil},
		{"uidvalidity", func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodeUIDValidity, Num: 3857529045}, "UIDs valid")
		}, "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", nil},
		{"uidnext", func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodeUIDNext, Num: 4392}, "Predicted next UID")
		}, "* OK [UIDNEXT 4392] Predicted next UID\r\n", nil},
		{"unseen", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondOK, Code{ID: CodeUnseen, Num: 12}, "x") }, "* OK [UNSEEN 12] x\r\n", nil},
		{"highestmodseq", func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodeHighestModSeq, Num: 715194045007}, "x")
		}, "* OK [HIGHESTMODSEQ 715194045007] x\r\n", nil},
		{"nomodseq", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondOK, Code{ID: CodeNoModSeq}, "x") }, "* OK [NOMODSEQ] x\r\n", nil},
		{"permanentflags", func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodePermanentFlags, Words: bs(`\Deleted`, `\Seen`, `\*`)}, "Limited")
		}, "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n", nil},
		{"permanentflags none", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondOK, Code{ID: CodePermanentFlags}, "x") }, "* OK [PERMANENTFLAGS ()] x\r\n", nil},
		{"closed", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondOK, Code{ID: CodeClosed}, "x") }, "* OK [CLOSED] x\r\n", nil},
		{"bad cond", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondNone, Code{}, "x") }, "", ErrInjection},
		{"bad cond high", func(d []byte) ([]byte, error) { return AppendUntagged(d, CondPreauth+1, Code{}, "x") }, "", ErrInjection},
	})
}

// Every code without an argument is its name in brackets, as the Reader
// reads it back.
func TestCodeNames(t *testing.T) {
	args := map[CodeID]bool{CodeAppendUID: true, CodeCopyUID: true, CodeModified: true, CodeCapability: true,
		CodeUIDNext: true, CodeUIDValidity: true, CodeUnseen: true, CodeHighestModSeq: true}
	for id := CodeAlert; id < CodeOther; id++ {
		if args[id] {
			continue
		}
		out, err := AppendTagged(nil, []byte("t"), CondNo, Code{ID: id}, "x")
		require.NoError(t, err, id.String())
		r := NewReader(bytes.NewReader(out), ClientSide, Options{})
		resp, err := r.ReadResponse()
		require.NoError(t, err)
		assert.True(t, resp.CodeIs(id.String()), "%s: %q", id, out)
		assert.NotEmpty(t, id.String())
	}
	assert.Equal(t, "", CodeOther.String())
	assert.Equal(t, "CODE?", CodeID(250).String())
}

func TestAppendSeqSet(t *testing.T) {
	for _, tc := range []struct {
		nums []uint32
		want string
	}{
		{[]uint32{1}, "1"},
		{[]uint32{1, 2, 3, 5, 7, 8}, "1:3,5,7:8"},
		{[]uint32{5, 4, 3}, "5,4,3"},
		{[]uint32{3, 3}, "3,3"},
		{[]uint32{4294967294, 4294967295}, "4294967294:4294967295"},
		{[]uint32{4294967295, 1}, "4294967295,1"},
	} {
		out, err := AppendSeqSet([]byte("x"), tc.nums)
		require.NoError(t, err)
		assert.Equal(t, "x"+tc.want, string(out))
		s, ok := ParseSeqSet(out[1:])
		require.True(t, ok)
		var got []uint32
		for it := s.Ranges(); it.Next(); {
			for n := it.Lo; ; n++ {
				got = append(got, n)
				if n == it.Hi {
					break
				}
			}
		}
		assert.Equal(t, tc.nums, got)
	}
	for _, bad := range [][]uint32{nil, {}, {0}, {1, 0}} {
		out, err := AppendSeqSet([]byte("x"), bad)
		require.ErrorIs(t, err, ErrInjection)
		assert.Equal(t, "x", string(out))
	}
}

func TestAppendContinuationData(t *testing.T) {
	assert.Equal(t, "+ \r\n", string(AppendContinuationData(nil, nil)))
	assert.Equal(t, "+ aGk=\r\n", string(AppendContinuationData(nil, []byte("hi"))))
	r := NewReader(bytes.NewReader(AppendContinuationData(nil, []byte("<1896.697170952@postoffice.example.net>"))), ClientSide, Options{})
	resp, err := r.ReadResponse()
	require.NoError(t, err)
	assert.Equal(t, Continuation, resp.Kind)
	got, err := DecodeSASL(nil, resp.Text)
	require.NoError(t, err)
	assert.Equal(t, "<1896.697170952@postoffice.example.net>", string(got))
}

// respWriters calls every writer with typical values, built once, for
// the allocation tests and the benchmarks.
func respWriters() []respCase {
	tag := []byte("A0042")
	caps := bs("IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS",
		"MOVE", "CONDSTORE", "QRESYNC", "ESEARCH", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "UTF8=ACCEPT", "AUTH=PLAIN")
	flags := bs(`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`, "$Forwarded", "$Junk", "$NotJunk")
	perm := append(bs(`\*`), flags...)
	uids := []uint32{101, 102, 103, 104, 110, 111, 200, 201, 202, 203, 204, 205}
	dstUIDs := []uint32{5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010, 5011, 5012}
	nums := []uint32{2, 3, 4, 5, 9, 12, 13, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 100}
	list := &ListItem{Attrs: bs(`\HasNoChildren`, `\Sent`), Delim: '/', Mailbox: []byte("Archiv/Entwürfe 2026")}
	child := &ListItem{Attrs: bs(`\HasChildren`), Delim: '/', Mailbox: []byte("Projects"), ChildInfo: bs("SUBSCRIBED"), OldName: []byte("Old Projects")}
	status := []StatusValue{{StatusMessages, 231}, {StatusUIDNext, 44292}, {StatusUIDValidity, 3857529045},
		{StatusUnseen, 3}, {StatusSize, 92836712}, {StatusHighestModSeq, 7011231777}}
	es := &ESearchResult{Tag: tag, UID: true, Return: SearchReturnMin | SearchReturnMax | SearchReturnCount | SearchReturnAll,
		Min: 2, Max: 100, Count: 20, All: nums, ModSeq: 917162500}
	id := []IDParam{{Field: []byte("name"), Value: []byte("mailwire")}, {Field: []byte("version"), Value: []byte("0.12")},
		{Field: []byte("support-url"), Nil: true}}
	personal := []Namespace{{Prefix: []byte(""), Delim: '/'}}
	shared := []Namespace{{Prefix: []byte("#shared/"), Delim: '/'}}
	chal := []byte("<1896.697170952@postoffice.example.net>")
	e7, e8 := Encoder{}, Encoder{UTF8: true}
	return []respCase{
		{name: "Tagged", write: func(d []byte) ([]byte, error) { return AppendTagged(d, tag, CondOK, Code{}, "FETCH completed") }},
		{name: "TaggedCopyUID", write: func(d []byte) ([]byte, error) {
			return AppendTagged(d, tag, CondOK, Code{ID: CodeCopyUID, Num: 38505, UIDs: uids, DstUIDs: dstUIDs}, "COPY completed")
		}},
		{name: "UntaggedCapability", write: func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodeCapability, Words: caps}, "mailwire ready")
		}},
		{name: "UntaggedPermanentFlags", write: func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodePermanentFlags, Words: perm}, "Flags permitted")
		}},
		{name: "UntaggedUIDNext", write: func(d []byte) ([]byte, error) {
			return AppendUntagged(d, CondOK, Code{ID: CodeUIDNext, Num: 4392}, "Predicted next UID")
		}},
		{name: "Capability", write: func(d []byte) ([]byte, error) { return AppendCapabilityData(d, caps) }},
		{name: "Enabled", write: func(d []byte) ([]byte, error) { return AppendEnabledData(d, caps[10:12]) }},
		{name: "Flags", write: func(d []byte) ([]byte, error) { return AppendFlagsData(d, flags) }},
		{name: "Exists", write: func(d []byte) ([]byte, error) { return AppendExistsData(d, 172), nil }},
		{name: "Recent", write: func(d []byte) ([]byte, error) { return AppendRecentData(d, 1), nil }},
		{name: "Expunge", write: func(d []byte) ([]byte, error) { return AppendExpungeData(d, 44) }},
		{name: "Vanished", write: func(d []byte) ([]byte, error) { return AppendVanishedData(d, true, uids) }},
		{name: "Search", write: func(d []byte) ([]byte, error) { return AppendSearchData(d, nums, 917162500) }},
		{name: "ESearch", write: func(d []byte) ([]byte, error) { return e7.AppendESearchData(d, es) }},
		{name: "ListUTF7", write: func(d []byte) ([]byte, error) { return e7.AppendListData(d, false, list) }},
		{name: "ListUTF8", write: func(d []byte) ([]byte, error) { return e8.AppendListData(d, false, list) }},
		{name: "ListExtended", write: func(d []byte) ([]byte, error) { return e7.AppendListData(d, false, child) }},
		{name: "Status", write: func(d []byte) ([]byte, error) { return e7.AppendStatusData(d, list.Mailbox, status) }},
		{name: "ID", write: func(d []byte) ([]byte, error) { return e7.AppendIDData(d, id) }},
		{name: "Namespace", write: func(d []byte) ([]byte, error) { return e7.AppendNamespaceData(d, personal, nil, shared) }},
		{name: "ContinuationData", write: func(d []byte) ([]byte, error) { return AppendContinuationData(d, chal), nil }},
		{name: "SeqSet", write: func(d []byte) ([]byte, error) { return AppendSeqSet(d, nums) }},
	}
}

// Every writer allocates nothing when dst has room.
func TestRespWritersAllocs(t *testing.T) {
	for _, w := range respWriters() {
		t.Run(w.name, func(t *testing.T) {
			buf := make([]byte, 0, 4096)
			out, err := w.write(buf)
			require.NoError(t, err)
			require.NotEmpty(t, out)
			allocs := testing.AllocsPerRun(100, func() {
				out, err = w.write(buf[:0])
			})
			require.NoError(t, err)
			assert.Zero(t, allocs)
		})
	}
}

// Every benchmarked response reads back as one response with the client
// Reader, so the benchmarks measure well-formed output.
func TestRespWritersReadBack(t *testing.T) {
	for _, w := range respWriters() {
		if w.name == "SeqSet" {
			continue
		}
		t.Run(w.name, func(t *testing.T) {
			out, err := w.write(nil)
			require.NoError(t, err)
			r := NewReader(bytes.NewReader(out), ClientSide, Options{UTF8: w.name == "ListUTF8"})
			_, err = r.ReadResponse()
			require.NoError(t, err)
			for first := true; ; first = false {
				tok, err := r.Next()
				if first && errors.Is(err, ErrNoMessage) {
					break // ReadResponse read it whole
				}
				require.NoError(t, err, "%q", out)
				if tok.Kind == KindEnd {
					break
				}
				if tok.Kind == KindLiteral {
					_, err = r.Inline()
					require.NoError(t, err)
				}
			}
			_, err = r.ReadResponse()
			require.ErrorIs(t, err, io.EOF)
		})
	}
}

func BenchmarkRespWriters(b *testing.B) {
	for _, w := range respWriters() {
		b.Run(w.name, func(b *testing.B) {
			buf := make([]byte, 0, 4096)
			out, err := w.write(buf)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(out)))
			for b.Loop() {
				out, _ = w.write(buf[:0])
			}
			_ = out
		})
	}
}
