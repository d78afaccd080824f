package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUTF7(t *testing.T) {
	tests := []struct{ utf8, wire string }{
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
		{"INBOX", "INBOX"},
		{"R&D", "R&-D"},
		{"Entwürfe", "Entw&APw-rfe"},
		{"😀", "&2D3eAA-"},
		{"a\tb", "a&AAk-b"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.wire, string(AppendUTF7Encode(nil, []byte(tt.utf8))), tt.utf8)
		got, err := AppendUTF7Decode(nil, []byte(tt.wire))
		require.NoError(t, err, tt.wire)
		assert.Equal(t, tt.utf8, string(got))
	}
}

func TestUTF7Rejects(t *testing.T) {
	for _, in := range []string{
		"&U,BTFw",     // unterminated
		"&AGE-",       // "a" must be written directly
		"&-&",         // unterminated after a valid &-
		"&APw-&APw-",  // adjacent encoded runs
		"&2D0-",       // lone high surrogate
		"&3gA-",       // lone low surrogate
		"&APx-",       // non-zero padding bits
		"&A-",         // too few bits for a character
		"&A*w-",       // not base64
		"caf\xc3\xa9", // 8-bit
		"a\x00b",      // control
		"&AP,-",       // "," is valid base64 here, but bits left over
	} {
		_, err := AppendUTF7Decode(nil, []byte(in))
		assert.ErrorIs(t, err, ErrUTF7, in)
	}
}

func TestMailboxName(t *testing.T) {
	got, err := AppendMailboxName(nil, []byte("R&D"), true)
	require.NoError(t, err)
	assert.Equal(t, "R&D", string(got), "UTF8=ACCEPT: no mUTF-7")
	_, err = AppendMailboxName(nil, []byte("R&D"), false)
	assert.ErrorIs(t, err, ErrUTF7)
	got, err = AppendMailboxName(nil, []byte("Entw&APw-rfe"), false)
	require.NoError(t, err)
	assert.Equal(t, "Entwürfe", string(got))
	_, err = AppendMailboxName(nil, []byte("\xff"), true)
	assert.ErrorIs(t, err, ErrUTF7)
	assert.True(t, IsInbox([]byte("iNbOx")))
}

func TestUTF7Allocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	name := []byte("~peter/mail/台北/日本語")
	wire := []byte("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		buf = AppendUTF7Encode(buf[:0], name)
		buf, _ = AppendUTF7Decode(buf[:0], wire)
	}))
}

func BenchmarkUTF7(b *testing.B) {
	buf := make([]byte, 0, 64)
	wire := []byte("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendUTF7Decode(buf[:0], wire)
		buf = AppendUTF7Encode(buf[:0], buf)
	}
}
