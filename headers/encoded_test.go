package headers

import (
	"errors"
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

// TestAppendDecodedWithoutWords is the regression test for issue 11: a value
// with no encoded word is unfolded straight into dst, without allocating.
func TestAppendDecodedWithoutWords(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello world", "Hello world"},
		{"folded", "Hello\r\n world\r\n\tagain", "Hello world\tagain"},
		{"lone LF fold", "a\n b", "a b"},
		{"utf-8", "Grüße\r\n aus München", "Grüße aus München"},
		{"=? without a word", "a =? b ?= c", "a =? b ?= c"},
		{"no encoding letter", "=?utf-8??x?=", "=?utf-8??x?="},
		{"unterminated", "=?utf-8?q?abc", "=?utf-8?q?abc"},
		{"first =? is not a word", "x=?y z =?utf-8?q?a?=", "x=?y z =?utf-8?q?a?="},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			dst := make([]byte, 0, 64)
			dst = append(dst, "pre:"...)
			got, err := AppendDecoded(dst, in)
			require.NoError(t, err)
			assert.Equal(t, "pre:"+tt.want, string(got))
			want, err := wordDecoder.DecodeHeader(string(AppendUnfold(nil, in)))
			require.NoError(t, err)
			assert.Equal(t, want, tt.want, "what mime.WordDecoder makes of it")
			allocs := testing.AllocsPerRun(100, func() {
				if _, err := AppendDecoded(dst[:4], in); err != nil {
					t.Fatal(err)
				}
			})
			assert.Zero(t, allocs)
		})
	}
}

// TestAppendDecodedHonoursDst checks that every path appends to dst: the
// plain one, the decoding one (folded words across lines) and the error one.
func TestAppendDecodedHonoursDst(t *testing.T) {
	prefix := []byte("keep|")
	got, err := AppendDecoded(prefix, []byte("=?utf-8?q?a?=\r\n =?utf-8?q?b?= c\r\n d"))
	require.NoError(t, err)
	assert.Equal(t, "keep|ab c d", string(got))
	assert.Equal(t, "keep|", string(prefix), "the caller's bytes are not touched")

	buf := make([]byte, 5, 64)
	copy(buf, "keep|")
	got, err = AppendDecoded(buf, []byte("=?x-unknown?q?a?= tail"))
	require.ErrorIs(t, err, ErrEncodedWord)
	assert.Equal(t, "keep|", string(got), "dst as given on error")
	assert.Equal(t, 5, len(got))
}

// FuzzAppendDecoded checks AppendDecoded against mime.WordDecoder over the
// unfolded value: the same text, appended after dst, dst as given on error,
// and the allocation-free path taken only where the decoder would change
// nothing.
func FuzzAppendDecoded(f *testing.F) {
	for _, s := range []string{"Hello\r\n world", "=?utf-8?q?a?= =?utf-8?b?Yg==?=", "x=?y z =?utf-8?q?a?=",
		"=?ISO-8859-1?Q?Keld_J=F8rn?=", "=?utf-8??x?=", "=?koi8-r?b?8MXU0g==?=", "=?x?q?a?=", "a=?b?c?d?=e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		unfolded := AppendUnfold(nil, []byte(in))
		want, wantErr := wordDecoder.DecodeHeader(string(unfolded))
		if !hasEncodedWord(unfolded) && (wantErr != nil || want != string(unfolded)) {
			t.Fatalf("%q: the plain path would give %q, the decoder %q, %v", in, unfolded, want, wantErr)
		}
		got, err := AppendDecoded([]byte("pre"), []byte(in))
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, the decoder's %v", in, err, wantErr)
		}
		if err != nil {
			if string(got) != "pre" || !errors.Is(err, ErrEncodedWord) {
				t.Fatalf("%q: %q, %v on error", in, got, err)
			}
			return
		}
		if string(got) != "pre"+want {
			t.Fatalf("%q: got %q, want %q", in, got, want)
		}
	})
}
