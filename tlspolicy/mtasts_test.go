package tlspolicy

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rfc8461Policy is the example policy of RFC 8461 §3.2.
const rfc8461Policy = "version: STSv1\n" +
	"mode: enforce\n" +
	"mx: mail.example.com\n" +
	"mx: *.example.net\n" +
	"mx: backupmx.example.com\n" +
	"max_age: 604800\n"

func TestParseMTASTS(t *testing.T) {
	rfc := MTASTSPolicy{Mode: MTASTSEnforce, MaxAge: 604800 * time.Second,
		MX: []string{"mail.example.com", "*.example.net", "backupmx.example.com"}}
	tests := []struct {
		name string
		in   string
		want MTASTSPolicy
	}{
		{"RFC 8461 example", rfc8461Policy, rfc},
		{"CRLF line ends", strings.ReplaceAll(rfc8461Policy, "\n", "\r\n"), rfc},
		{"no final line end", strings.TrimSuffix(rfc8461Policy, "\n"), rfc},
		{"mixed line ends", strings.Replace(rfc8461Policy, "\n", "\r\n", 2), rfc},
		{"whitespace after colon and value", "version:\tSTSv1 \nmode:  testing\t\nmx:   a.example\nmax_age: 0", MTASTSPolicy{Mode: MTASTSTesting, MX: []string{"a.example"}}},
		{"mode none needs no mx", "version: STSv1\nmode: none\nmax_age: 86400\n", MTASTSPolicy{Mode: MTASTSNone, MaxAge: 86400 * time.Second}},
		{"max_age capped", "version: STSv1\nmode: none\nmax_age: 9999999999\n", MTASTSPolicy{MaxAge: MaxMTASTSAge}},
		{"max_age at the cap", "version: STSv1\nmode: none\nmax_age: 31557600\n", MTASTSPolicy{MaxAge: MaxMTASTSAge}},
		{"first mode and max_age win", "version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 5\nmax_age: 6\n", MTASTSPolicy{Mode: MTASTSTesting, MaxAge: 5 * time.Second, MX: []string{"a.example"}}},
		{"fields in any order", "max_age: 7\nmx: A.Example\nmode: enforce\nversion: STSv1", MTASTSPolicy{Mode: MTASTSEnforce, MaxAge: 7 * time.Second, MX: []string{"A.Example"}}},
		{"extension fields ignored", "version: STSv1\nx-note: a=b; c d\nmode: none\nfoo.bar_baz-1: é\nmax_age: 1\n", MTASTSPolicy{MaxAge: time.Second}},
		{"mode-like extension ignored (names are case-sensitive)", "version: STSv1\nMode: enforce\nmode: none\nmax_age: 1\n", MTASTSPolicy{MaxAge: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMTASTS([]byte(tt.in), MTASTSOptions{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseMTASTSErrors(t *testing.T) {
	const head = "version: STSv1\nmode: enforce\n"
	tests := []struct {
		name   string
		in     string
		err    error
		line   int
		offset int
	}{
		{"empty", "", ErrMTASTSMissing, 1, 0},
		{"no version", "mode: none\nmax_age: 1\n", ErrMTASTSMissing, 2, 22},
		{"version 2", "version: STSv2\nmode: none\nmax_age: 1\n", ErrMTASTSVersion, 1, 9},
		{"version lower case", "version: stsv1\nmode: none\nmax_age: 1\n", ErrMTASTSVersion, 1, 9},
		{"no mode", "version: STSv1\nmax_age: 1\n", ErrMTASTSMissing, 2, 26},
		{"no max_age", "version: STSv1\nmode: none\n", ErrMTASTSMissing, 2, 26},
		{"enforce without mx", head + "max_age: 1\n", ErrMTASTSMissing, 3, 40},
		{"unknown mode", "version: STSv1\nmode: strict\n", ErrMTASTSSyntax, 2, 21},
		{"bad later mode", "version: STSv1\nmode: none\nmode: x\nmax_age: 1\n", ErrMTASTSSyntax, 3, 32},
		{"max_age 11 digits", head + "max_age: 12345678901\n", ErrMTASTSSyntax, 3, 38},
		{"max_age negative", head + "max_age: -1\n", ErrMTASTSSyntax, 3, 38},
		{"max_age with sign", head + "max_age: +1\n", ErrMTASTSSyntax, 3, 38},
		{"empty line", "version: STSv1\n\nmode: none\nmax_age: 1\n", ErrMTASTSSyntax, 2, 15},
		{"trailing empty line", "version: STSv1\nmode: none\nmax_age: 1\n\n", ErrMTASTSSyntax, 4, 37},
		{"bare CR line end", "version: STSv1\rmode: none\nmax_age: 1\n", ErrMTASTSSyntax, 1, 14},
		{"bare CR at the end", "version: STSv1\nmode: none\nmax_age: 1\r", ErrMTASTSSyntax, 3, 36},
		{"no colon", head + "max_age 1\n", ErrMTASTSSyntax, 3, 29},
		{"space before colon", head + "max_age : 1\n", ErrMTASTSSyntax, 3, 29},
		{"leading space", " version: STSv1\n", ErrMTASTSSyntax, 1, 0},
		{"byte order mark", "\ufeffversion: STSv1\n", ErrMTASTSSyntax, 1, 0},
		{"empty value", head + "mx:\n", ErrMTASTSSyntax, 3, 32},
		{"NUL in value", head + "x: a\x00b\n", ErrMTASTSSyntax, 3, 33},
		{"invalid UTF-8", head + "x: \xff\n", ErrMTASTSSyntax, 3, 32},
		{"name too long", head + strings.Repeat("n", 33) + ": 1\n", ErrMTASTSSyntax, 3, 29},
		{"mx with U-label", head + "mx: mäil.example\n", ErrMTASTSSyntax, 3, 33},
		{"mx with port", head + "mx: mail.example:25\n", ErrMTASTSSyntax, 3, 33},
		{"mx trailing dot", head + "mx: mail.example.\n", ErrMTASTSSyntax, 3, 33},
		{"mx wildcard inside", head + "mx: mail.*.example\n", ErrMTASTSSyntax, 3, 33},
		{"mx bare wildcard", head + "mx: *\n", ErrMTASTSSyntax, 3, 33},
		{"mx double wildcard", head + "mx: *.*.example\n", ErrMTASTSSyntax, 3, 33},
		{"mx hyphen edge", head + "mx: -mail.example\n", ErrMTASTSSyntax, 3, 33},
		{"mx label 64 bytes", head + "mx: " + strings.Repeat("a", 64) + ".example\n", ErrMTASTSSyntax, 3, 33},
		{"mx with space inside", head + "mx: a b\n", ErrMTASTSSyntax, 3, 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMTASTS([]byte(tt.in), MTASTSOptions{})
			require.ErrorIs(t, err, tt.err)
			var se *MTASTSError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.line, se.Line, "line")
			assert.Equal(t, tt.offset, se.Offset, "offset")
			assert.NotEmpty(t, se.Expected)
			assert.Equal(t, ResultSTSPolicyInvalid, ResultTypeOf(err))
		})
	}
}

func TestParseMTASTSSizeLimit(t *testing.T) {
	in := []byte(rfc8461Policy)
	_, err := ParseMTASTS(in, MTASTSOptions{MaxSize: len(in)})
	require.NoError(t, err)
	_, err = ParseMTASTS(in, MTASTSOptions{MaxSize: len(in) - 1})
	require.ErrorIs(t, err, ErrMTASTSTooLarge)

	big := []byte("version: STSv1\nmode: none\nmax_age: 1\n" + strings.Repeat("x: y\n", DefaultMTASTSMaxSize/5))
	require.Greater(t, len(big), DefaultMTASTSMaxSize)
	_, err = ParseMTASTS(big, MTASTSOptions{})
	require.ErrorIs(t, err, ErrMTASTSTooLarge)
	_, err = ReadMTASTS(bytes.NewReader(big), MTASTSOptions{})
	require.ErrorIs(t, err, ErrMTASTSTooLarge)
}

func TestReadMTASTS(t *testing.T) {
	want, err := ParseMTASTS([]byte(rfc8461Policy), MTASTSOptions{})
	require.NoError(t, err)
	for _, chunk := range []int{1, 2, 7, 1000} {
		got, err := ReadMTASTS(&chunkReader{data: []byte(rfc8461Policy), sizes: []byte{byte(chunk)}}, MTASTSOptions{})
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err = ReadMTASTS(io.MultiReader(strings.NewReader("version: STSv1\n"), errReader{}), MTASTSOptions{})
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestParseMTASTSAllocs(t *testing.T) {
	none := []byte("version: STSv1\nmode: none\nx-ext: 1\nmax_age: 86400\n")
	rfc := []byte(rfc8461Policy)
	var sink MTASTSPolicy
	assert.Zero(t, testing.AllocsPerRun(100, func() { sink, _ = ParseMTASTS(none, MTASTSOptions{}) }))
	// One string for all mx patterns and the slice of them.
	assert.Equal(t, 2.0, testing.AllocsPerRun(100, func() { sink, _ = ParseMTASTS(rfc, MTASTSOptions{}) }))
	_ = sink
}

func BenchmarkParseMTASTS(b *testing.B) {
	in := []byte(rfc8461Policy)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := ParseMTASTS(in, MTASTSOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// chunkReader returns data in reads whose sizes cycle through sizes (a 0
// size counts as 1).
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(r.sizes) > 0 {
		n = max(1, int(r.sizes[r.i%len(r.sizes)]))
		r.i++
	}
	n = min(n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
