package pop3

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendStatus(t *testing.T) {
	tests := []struct {
		name string
		got  func() ([]byte, error)
		want string
	}{
		{"ok", func() ([]byte, error) { return AppendOK(nil, "", "") }, "+OK\r\n"},
		{"ok text", func() ([]byte, error) { return AppendOK(nil, "", "maildrop locked and ready") }, "+OK maildrop locked and ready\r\n"},
		{"ok bytes", func() ([]byte, error) { return AppendOK(nil, "", []byte("bye")) }, "+OK bye\r\n"},
		{"err", func() ([]byte, error) { return AppendErr(nil, "", "no such message") }, "-ERR no such message\r\n"},
		{"err code", func() ([]byte, error) { return AppendErr(nil, CodeInUse, "maildrop already locked") }, "-ERR [IN-USE] maildrop already locked\r\n"},
		{"err code only", func() ([]byte, error) { return AppendErr(nil, CodeSysPerm, "") }, "-ERR [SYS/PERM]\r\n"},
		{"err code bracket text", func() ([]byte, error) { return AppendErr(nil, CodeAuth, "[sic]") }, "-ERR [AUTH] [sic]\r\n"},
		{"utf8", func() ([]byte, error) { return AppendErr(nil, CodeUTF8, "UTF8 first") }, "-ERR [UTF8] UTF8 first\r\n"},
		{"login delay", func() ([]byte, error) { return AppendErr(nil, CodeLoginDelay, "wait") }, "-ERR [LOGIN-DELAY] wait\r\n"},
		{"sys temp", func() ([]byte, error) { return AppendErr(nil, CodeSysTemp, "later") }, "-ERR [SYS/TEMP] later\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestAppendStatusRefuses(t *testing.T) {
	dst := []byte("kept")
	for _, tt := range []struct {
		code Code
		text string
	}{
		{"", "a\r\nDELE 1"},
		{"", "a\nb"},
		{"", "nul\x00"},
		{"", "[IN-USE] forged"},
		{"BAD CODE", "x"},
		{"A]B", "x"},
	} {
		got, err := AppendErr(dst, tt.code, tt.text)
		require.ErrorIs(t, err, ErrInjection, tt.text)
		assert.Equal(t, "kept", string(got))
	}
}

func TestAppendReply(t *testing.T) {
	assert.Equal(t, "-ERR Invalid message number\r\n", string(AppendReply(nil, ReplyOf(ErrMessageNumber))))
	assert.Equal(t, "-ERR [SYS/TEMP] busy\r\n", string(AppendReply(nil, Reply{Code: CodeSysTemp, Text: "busy"})))
	assert.Empty(t, AppendReply(nil, Reply{Fatal: true}))
	assert.Empty(t, AppendReply(nil, Reply{Text: "bad\r\n"}))
}

func TestAppendListings(t *testing.T) {
	assert.Equal(t, "+OK 2 320\r\n", string(AppendStat(nil, 2, 320)))
	assert.Equal(t, "1 120\r\n", string(AppendScan(nil, Scan{Msg: 1, Size: 120})))
	assert.Equal(t, "+OK 2 200\r\n", string(AppendScanOK(nil, Scan{Msg: 2, Size: 200})))
	got, err := AppendUID(nil, 1, "whqtswO00WBw418f9t5JxYwZ")
	require.NoError(t, err)
	assert.Equal(t, "1 whqtswO00WBw418f9t5JxYwZ\r\n", string(got))
	got, err = AppendUIDOK(nil, 2, []byte("QhdPYR:00WBw1Ph7x7"))
	require.NoError(t, err)
	assert.Equal(t, "+OK 2 QhdPYR:00WBw1Ph7x7\r\n", string(got))
	for _, id := range []string{"", "a b", "a\r\n", string(make70()) + "x"} {
		got, err = AppendUIDOK([]byte("x"), 1, id)
		assert.ErrorIs(t, err, ErrInjection)
		assert.Equal(t, "x", string(got))
	}
	assert.Equal(t, ".\r\n", string(AppendEnd(nil)))
}

func TestAppendCapabilities(t *testing.T) {
	got, err := AppendCapabilities(nil, "TOP", "USER", "SASL PLAIN SCRAM-SHA-256", "RESP-CODES", "PIPELINING", "UIDL", "STLS")
	require.NoError(t, err)
	assert.Equal(t, "+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\n"+
		"RESP-CODES\r\nPIPELINING\r\nUIDL\r\nSTLS\r\n.\r\n", string(got))
	for _, bad := range []string{"", ".HIDDEN", "TOP\r\nX"} {
		got, err = AppendCapabilities([]byte("x"), "TOP", bad)
		assert.ErrorIs(t, err, ErrInjection)
		assert.Equal(t, "x", string(got))
	}
}

func TestAppendBody(t *testing.T) {
	got, err := AppendBody(nil, []byte("Subject: x\r\n\r\n.leading dot\r\nlast"))
	require.NoError(t, err)
	assert.Equal(t, "Subject: x\r\n\r\n..leading dot\r\nlast\r\n.\r\n", string(got))
	_, err = AppendBody(nil, []byte("bare\nLF\r\n"))
	assert.ErrorIs(t, err, ErrBareLF)
	_, err = AppendBody(nil, []byte("bare\rCR\r\n"))
	assert.ErrorIs(t, err, ErrBareCR)
}

func TestBodyWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewBodyWriter(&out)
	for _, piece := range []string{"a\r", "\n.", "b\r\n", "."} {
		_, err := w.Write([]byte(piece))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	assert.Equal(t, "a\r\n..b\r\n..\r\n.\r\n", out.String())

	out.Reset()
	w.Reset(&out)
	_, err := w.Write([]byte("x\ny"))
	assert.ErrorIs(t, err, ErrBareLF)
	assert.ErrorIs(t, w.Close(), ErrBareLF)
	assert.NotContains(t, out.String(), ".\r\n")
}

func TestAppendCommand(t *testing.T) {
	tests := []struct {
		cmd  Command
		want string
	}{
		{Command{Verb: VerbUSER, Arg: bs("bob")}, "USER bob"},
		{Command{Verb: VerbPASS, Arg: bs("two words ")}, "PASS two words "},
		{Command{Verb: VerbAPOP, Arg: bs("mrose"), Arg2: bs("c4c9334bac560ecc979e58001b3e22fb")}, "APOP mrose c4c9334bac560ecc979e58001b3e22fb"},
		{Command{Verb: VerbSTAT}, "STAT"},
		{Command{Verb: VerbLIST}, "LIST"},
		{Command{Verb: VerbLIST, Msg: 3}, "LIST 3"},
		{Command{Verb: VerbRETR, Msg: 1}, "RETR 1"},
		{Command{Verb: VerbTOP, Msg: 1, Lines: 0}, "TOP 1 0"},
		{Command{Verb: VerbAUTH}, "AUTH"},
		{Command{Verb: VerbAUTH, Arg: bs("PLAIN"), Arg2: bs("=")}, "AUTH PLAIN ="},
		{Command{Verb: VerbLANG, Arg: bs("en")}, "LANG en"},
		{Command{Verb: VerbUnknown, Name: bs("XOIP"), Args: bs("192.0.2.1")}, "XOIP 192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, err := AppendCommand(nil, tt.cmd)
			require.NoError(t, err)
			assert.Equal(t, tt.want+"\r\n", string(got))
		})
	}
}

func TestAppendCommandRefuses(t *testing.T) {
	long := make([]byte, 260)
	for i := range long {
		long[i] = 'a'
	}
	for _, c := range []Command{
		{Verb: VerbUSER, Arg: bs("bob\r\nDELE 1")},
		{Verb: VerbUSER, Arg: bs("two words")},
		{Verb: VerbUSER},
		{Verb: VerbPASS, Arg: bs("x\x00")},
		{Verb: VerbPASS, Arg: long},
		{Verb: VerbRETR},
		{Verb: VerbRETR, Msg: -1},
		{Verb: VerbTOP, Msg: 1, Lines: -1},
		{Verb: VerbSTAT, Msg: 1},
		{Verb: VerbAPOP, Arg: bs("bob"), Arg2: bs("short")},
		{Verb: VerbAUTH, Arg2: bs("=")},
		{Verb: VerbUnknown, Name: bs("RETR"), Args: bs("1")},
		{Verb: VerbUnknown},
		{Verb: Verb(99)},
	} {
		got, err := AppendCommand([]byte("x"), c)
		assert.ErrorIs(t, err, ErrInjection, c)
		assert.Equal(t, "x", string(got))
	}
}

func TestWritersAllocs(t *testing.T) {
	dst := make([]byte, 0, 4096)
	body := bytes.Repeat([]byte("Line of a message body.\r\n.dot\r\n"), 20)
	var sink bytes.Buffer
	sink.Grow(8192)
	w := NewBodyWriter(&sink)
	allocs := testing.AllocsPerRun(100, func() {
		out, _ := AppendOK(dst[:0], "", "hello")
		out, _ = AppendErr(out, CodeInUse, []byte("locked"))
		out = AppendStat(out, 2, 320)
		out = AppendScan(out, Scan{Msg: 1, Size: 120})
		out = AppendScanOK(out, Scan{Msg: 1, Size: 120})
		out, _ = AppendUID(out, 1, "abc")
		out, _ = AppendUIDOK(out, 1, "abc")
		out = AppendEnd(out)
		out = AppendReply(out, ReplyOf(ErrSyntax))
		out, _ = AppendCapabilities(out, "TOP", "UIDL")
		out, _ = AppendCommand(out, Command{Verb: VerbTOP, Msg: 1, Lines: 10})
		out, err := AppendBody(out, body)
		if err != nil {
			t.Fatal(err)
		}
		sink.Reset()
		w.Reset(&sink)
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		_ = out
	})
	assert.Zero(t, allocs)
}

func BenchmarkAppendBody(b *testing.B) {
	body := bytes.Repeat([]byte("Line of a message body, about seventy octets long, as mail is.\r\n"), 64)
	dst := make([]byte, 0, 2*len(body))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := AppendBody(dst[:0], body); err != nil {
			b.Fatal(err)
		}
	}
}
