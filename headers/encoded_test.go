package headers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendDecoded(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// RFC 2047 §8.
		{"us-ascii", "=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>"},
		{"latin1", "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen <keld@dkuug.dk>"},
		{"two charsets, folded", "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
			"If you can read this you understand the example."},
		{"adjacent words joined", "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"space kept between text and word", "=?ISO-8859-1?Q?a?= b", "a b"},
		{"iso-8859-2", "=?iso-8859-2?q?=BFaba?=", "żaba"},
		{"windows-1251", "=?windows-1251?b?z+Xy8A==?=", "Петр"},
		{"koi8-r", "=?koi8-r?b?8MXU0g==?=", "Петр"},
		{"gb18030", "=?gb18030?b?xOO6ww==?=", "你好"},
		{"shift_jis", "=?shift_jis?b?grGC8YLJgr+CzQ==?=", "こんにちは"},
		{"utf-8 plain", "Grüße", "Grüße"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendDecoded([]byte(">"), []byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, ">"+tt.want, string(got))
		})
	}
}

func TestAppendDecodedErrors(t *testing.T) {
	for _, in := range []string{"=?x-unknown-cs?q?a?=", "=?replacement?q?a?="} {
		got, err := AppendDecoded([]byte("kept"), []byte(in))
		assert.ErrorIs(t, err, ErrEncodedWord, in)
		assert.Equal(t, "kept", string(got))
	}
	got, err := AppendDecoded(nil, []byte("=?utf-8?b?!!!?="))
	require.NoError(t, err, "a malformed word is text, as RFC 2047 §6.3 allows")
	assert.Equal(t, "=?utf-8?b?!!!?=", string(got))
}

func TestAppendEncodedField(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"ascii unchanged", "Hello", "Subject: Hello\r\n"},
		{"utf-8", "Grüße aus München", "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendEncodedField(nil, "Subject", tt.value)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			s := NewScanner(got, Options{})
			require.True(t, s.Next())
			decoded, err := AppendDecoded(nil, s.Field().Value)
			require.NoError(t, err)
			assert.Equal(t, tt.value, string(decoded))
		})
	}

	long := "Ein sehr langer Betreff mit Umlauten: äöü ÄÖÜ ß, der über mehrere Wörter geht und gefaltet wird"
	got, err := AppendEncodedField(nil, "Subject", long)
	require.NoError(t, err)
	s := NewScanner(got, Options{})
	require.True(t, s.Next())
	assert.Contains(t, string(s.Field().Raw), "\r\n ", "folded between words")
	decoded, err := AppendDecoded(nil, s.Field().Value)
	require.NoError(t, err)
	assert.Equal(t, long, string(decoded))

	got, err = AppendEncodedField([]byte("kept"), "Subject", "ä\r\nBcc: x")
	assert.ErrorIs(t, err, ErrInjection)
	assert.Equal(t, "kept", string(got))
}
