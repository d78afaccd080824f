package imapd

import (
	"io"
	"log/slog"
	"testing"

	"github.com/mailwire/mailwire/imapwire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quietSession is a session with only what the response helpers use.
func quietSession() *session {
	return &session{log: slog.New(slog.NewTextHandler(io.Discard, nil)), out: make([]byte, 0, 1024)}
}

func TestTaggedRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		cond imapwire.Cond
		code imapwire.Code
		text string
		want string
	}{
		{"plain", imapwire.CondOK, noCode, "NOOP completed", "a OK NOOP completed\r\n"},
		{"code", imapwire.CondNo, codeOnly(imapwire.CodeTryCreate), "no such mailbox", "a NO [TRYCREATE] no such mailbox\r\n"},
		{"appenduid", imapwire.CondOK, imapwire.Code{ID: imapwire.CodeAppendUID, Num: 7, UIDs: []uint32{3, 4, 5, 9}}, "APPEND completed",
			"a OK [APPENDUID 7 3:5,9] APPEND completed\r\n"},
		// The command succeeded: its code is dropped, it is not turned into NO.
		{"zero uidvalidity", imapwire.CondOK, imapwire.Code{ID: imapwire.CodeAppendUID, UIDs: []uint32{3}}, "APPEND completed", "a OK APPEND completed\r\n"},
		{"copyuid mismatch", imapwire.CondOK, imapwire.Code{ID: imapwire.CodeCopyUID, Num: 1, UIDs: []uint32{1, 2}, DstUIDs: []uint32{5}}, "COPY completed", "a OK COPY completed\r\n"},
		{"ok text CRLF", imapwire.CondOK, noCode, "x\r\n* OK y", "a NO [SERVERBUG] internal error\r\n"},
		{"ok code and text CRLF", imapwire.CondOK, codeOnly(imapwire.CodeReadOnly), "x\r\ny", "a NO [SERVERBUG] internal error\r\n"},
		{"no text LF", imapwire.CondNo, codeOnly(imapwire.CodeCannot), "x\ny", "a NO [SERVERBUG] internal error\r\n"},
		{"bad text NUL", imapwire.CondBad, noCode, "FETCH item not supported: \x00", "a BAD command refused\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := quietSession()
			ss.tagged([]byte("a"), tc.cond, tc.code, tc.text)
			assert.Equal(t, tc.want, string(ss.out))
		})
	}
}

func TestUntaggedRefused(t *testing.T) {
	ss := quietSession()
	ss.out = append(ss.out, "* 1 EXISTS\r\n"...)
	assert.True(t, ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDNext, Num: 4}, "predicted next UID"))
	assert.False(t, ss.untagged(imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDValidity}, "UIDs valid"), "UIDVALIDITY 0")
	assert.False(t, ss.untagged(imapwire.CondBye, noCode, "why\r\n* OK"), "text with CRLF")
	assert.False(t, ss.put(imapwire.AppendVanishedData(ss.out, false, nil)), "empty VANISHED")
	assert.False(t, ss.put(ss.enc().AppendListData(ss.out, false, &imapwire.ListItem{Delim: '/', Mailbox: []byte("\xff")})), "name not UTF-8")
	assert.Equal(t, "* 1 EXISTS\r\n* OK [UIDNEXT 4] predicted next UID\r\n", string(ss.out), "refused responses leave nothing behind")
}

func TestAppendFlagsItem(t *testing.T) {
	for _, tc := range []struct {
		name   string
		flags  []string
		recent bool
		rev2   bool
		want   string
	}{
		{"none", nil, false, false, "FLAGS ()"},
		{"recent", nil, true, false, `FLAGS (\Recent)`},
		{"rev2 has no recent", []string{`\Seen`}, true, true, `FLAGS (\Seen)`},
		{"keywords", []string{`\Deleted`, `\Seen`, "$Junk", "foo"}, true, false, `FLAGS (\Deleted \Seen $Junk foo \Recent)`},
		// A stored flag that is no atom is left out, never written raw.
		{"refused", []string{`\Seen`, "a b", "x)\r\n* BYE", `\*`, "ok"}, false, false, `FLAGS (\Seen ok)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := quietSession()
			ss.rev2 = tc.rev2
			ss.sel = &selected{recent: map[uint32]bool{9: tc.recent}}
			m := Msg{UID: 9, Flags: tc.flags}
			assert.Equal(t, "* 1 FETCH ("+tc.want, string(ss.appendFlagsItem([]byte("* 1 FETCH ("), &m)))
			assert.Equal(t, "(UID 1 "+tc.want, string(ss.appendFlagsItem([]byte("(UID 1"), &m)), "separated from the item before")
		})
	}
}

// The steady-state write of one message's flags (the answer to FETCH
// (FLAGS UID) and the unsolicited FETCH after a STORE) allocates nothing.
func TestFetchFlagsAllocs(t *testing.T) {
	ss := quietSession()
	ss.sel = &selected{recent: map[uint32]bool{42: true}}
	m := Msg{UID: 42, ModSeq: 17, Flags: []string{`\Answered`, `\Seen`, "$Forwarded", "project-x"}}
	ss.fetchFlags(3, &m, true)
	require.Equal(t, `* 3 FETCH (FLAGS (\Answered \Seen $Forwarded project-x \Recent) UID 42 MODSEQ (17))`+"\r\n", string(ss.out))
	allocs := testing.AllocsPerRun(200, func() {
		ss.out = ss.out[:0]
		ss.fetchFlags(3, &m, true)
	})
	assert.Zero(t, allocs)
}

func BenchmarkFetchFlags(b *testing.B) {
	ss := quietSession()
	ss.sel = &selected{recent: map[uint32]bool{42: true}}
	m := Msg{UID: 42, ModSeq: 17, Flags: []string{`\Answered`, `\Seen`, "$Forwarded", "project-x"}}
	ss.fetchFlags(3, &m, true)
	b.SetBytes(int64(len(ss.out)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ss.out = ss.out[:0]
		ss.fetchFlags(uint32(i), &m, true)
	}
}
