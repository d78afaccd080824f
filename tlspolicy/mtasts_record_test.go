package tlspolicy

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMTASTSRecord(t *testing.T) {
	tests := []struct {
		in string
		id string
	}{
		{"v=STSv1; id=20160831085700Z;", "20160831085700Z"}, // RFC 8461 §3.1
		{"v=STSv1; id=20160831085700Z", "20160831085700Z"},
		{"v=STSv1;id=a", "a"},
		{"v=STSv1 \t;\tid=abc \t; ", "abc"},
		{"v=STSv1; ext-1=a:b/c; id=X1; id=second;", "X1"},
		{"v=STSv1; id=" + string(bytes.Repeat([]byte("9"), 32)), string(bytes.Repeat([]byte("9"), 32))},
	}
	for _, tt := range tests {
		r, err := ParseMTASTSRecord([]byte(tt.in))
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.id, string(r.ID), tt.in)
	}
}

func TestParseMTASTSRecordErrors(t *testing.T) {
	tests := []struct {
		in     string
		err    error
		offset int
	}{
		{"", ErrMTASTSVersion, 0},
		{"v=STSv2; id=1", ErrMTASTSVersion, 0},
		{" v=STSv1; id=1", ErrMTASTSVersion, 0},
		{"v=STSv1", ErrMTASTSMissing, 7},
		{"v=STSv1;", ErrMTASTSMissing, 8},
		{"v=STSv1; x=y", ErrMTASTSMissing, 12},
		{"v=STSv10; id=1", ErrMTASTSSyntax, 7},
		{"v=STSv1 id=1", ErrMTASTSSyntax, 7},
		{"v=STSv1; id=1 2", ErrMTASTSSyntax, 13},
		{"v=STSv1;; id=1", ErrMTASTSSyntax, 8},
		{"v=STSv1; id=", ErrMTASTSSyntax, 12},
		{"v=STSv1; id=a-b", ErrMTASTSSyntax, 12},
		{"v=STSv1; id=" + string(bytes.Repeat([]byte("9"), 33)), ErrMTASTSSyntax, 12},
		{"v=STSv1; id=1; x=a=b", ErrMTASTSSyntax, 17},
		{"v=STSv1; id=1; x=\x7f", ErrMTASTSSyntax, 17},
		{"v=STSv1; id=1; =y", ErrMTASTSSyntax, 15},
		{"v=STSv1; id=1; x", ErrMTASTSSyntax, 15},
	}
	for _, tt := range tests {
		_, err := ParseMTASTSRecord([]byte(tt.in))
		require.ErrorIs(t, err, tt.err, "%q", tt.in)
		var se *MTASTSError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, tt.offset, se.Offset, "%q", tt.in)
	}
}

func TestSelectMTASTSRecord(t *testing.T) {
	spf := []byte("v=spf1 -all")
	good := []byte("v=STSv1; id=abc;")
	r, err := SelectMTASTSRecord([][]byte{spf, good, []byte("v=STSv10; id=x")})
	require.NoError(t, err)
	assert.Equal(t, "abc", string(r.ID))

	for _, txts := range [][][]byte{nil, {spf}, {good, []byte("v=STSv1; id=def")}} {
		_, err = SelectMTASTSRecord(txts)
		require.ErrorIs(t, err, ErrMTASTSRecordCount)
	}
	_, err = SelectMTASTSRecord([][]byte{spf, []byte("v=STSv1; id=!")})
	require.ErrorIs(t, err, ErrMTASTSSyntax)
}

func TestAppendMTASTSRecord(t *testing.T) {
	out, err := AppendMTASTSRecord([]byte("TXT "), MTASTSRecord{ID: []byte("20160831085700Z")})
	require.NoError(t, err)
	assert.Equal(t, "TXT v=STSv1; id=20160831085700Z;", string(out))
	for _, id := range []string{"", "a b", "a;b"} {
		out, err = AppendMTASTSRecord([]byte("keep"), MTASTSRecord{ID: []byte(id)})
		require.ErrorIs(t, err, ErrMTASTSInvalid)
		assert.Equal(t, "keep", string(out))
	}
}

func TestMTASTSRecordAllocs(t *testing.T) {
	txt := []byte("v=STSv1; id=20160831085700Z; ext=1;")
	buf := make([]byte, 0, 64)
	var r MTASTSRecord
	assert.Zero(t, testing.AllocsPerRun(100, func() { r, _ = ParseMTASTSRecord(txt) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf, _ = AppendMTASTSRecord(buf[:0], r) }))
}

// FuzzParseMTASTSRecord checks that errors carry an offset inside the
// input, that the ID is a view into it within the limits, and that
// encoding the record and parsing it again gives the same ID.
func FuzzParseMTASTSRecord(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1;id=a; x=b", "v=STSv1 ; id=1 ;", "v=STSv1;; id=1", "v=STSv2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, txt []byte) {
		r, err := ParseMTASTSRecord(txt)
		if err != nil {
			var se *MTASTSError
			require.ErrorAs(t, err, &se)
			require.GreaterOrEqual(t, se.Offset, 0)
			require.LessOrEqual(t, se.Offset, len(txt))
			return
		}
		require.True(t, validRecordID(r.ID))
		require.True(t, bytes.Contains(txt, r.ID))
		enc, err := AppendMTASTSRecord(nil, r)
		require.NoError(t, err)
		back, err := ParseMTASTSRecord(enc)
		require.NoError(t, err)
		assert.Equal(t, r, back)
	})
}

func BenchmarkParseMTASTSRecord(b *testing.B) {
	txt := []byte("v=STSv1; id=20160831085700Z;")
	b.ReportAllocs()
	b.SetBytes(int64(len(txt)))
	for b.Loop() {
		if _, err := ParseMTASTSRecord(txt); err != nil {
			b.Fatal(err)
		}
	}
}
