package headers

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type wantField struct{ name, value string }

func scanAll(t *testing.T, msg string, opt Options) ([]wantField, []Defect, Scanner) {
	t.Helper()
	s := NewScanner([]byte(msg), opt)
	var got []wantField
	var defects []Defect
	for s.Next() {
		f := s.Field()
		got = append(got, wantField{string(f.Name), string(f.Value)})
		defects = append(defects, f.Defects)
	}
	return got, defects, s
}

func TestScannerFields(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want []wantField
		body string
	}{
		{"simple", "From: a@b\r\nSubject: hi\r\n\r\nbody\r\n",
			[]wantField{{"From", "a@b"}, {"Subject", "hi"}}, "body\r\n"},
		{"folded", "Subject: one\r\n two\r\n\tthree\r\n\r\n",
			[]wantField{{"Subject", "one\r\n two\r\n\tthree"}}, ""},
		{"value on continuation", "Subject:\r\n  x\r\n\r\n", []wantField{{"Subject", "x"}}, ""},
		{"empty value", "X-Empty:\r\nX-Space:   \r\n\r\n", []wantField{{"X-Empty", ""}, {"X-Space", ""}}, ""},
		{"trailing space kept", "Subject: x \r\n\r\n", []wantField{{"Subject", "x "}}, ""},
		{"no body", "Subject: x\r\n", []wantField{{"Subject", "x"}}, ""},
		{"empty block", "\r\nbody", nil, "body"},
		{"colon in value", "Subject: a: b\r\n\r\n", []wantField{{"Subject", "a: b"}}, ""},
		{"utf8 value", "Subject: Grüße\r\n\r\n", []wantField{{"Subject", "Grüße"}}, ""},
		{"blank line ends block", "A: 1\r\n\r\nB: 2\r\n", []wantField{{"A", "1"}}, "B: 2\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, s := scanAll(t, tt.msg, Options{})
			require.NoError(t, s.Err())
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.body, string(s.Body()))
			assert.Equal(t, len(tt.msg)-len(tt.body), s.HeaderLen())
		})
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		name    string
		msg     string
		err     error
		offset  int
		defect  Defect
		onBlank bool // the defect is on the empty line, so no field reports it
	}{
		{"NUL", "A: x\x00y\r\n\r\n", ErrNUL, 0, DefectNUL, false},
		{"bare CR", "Subject: a\rBcc: evil@x\r\n\r\n", ErrBareCR, 0, DefectBareCR, false},
		{"bare LF", "A: 1\nB: 2\r\n\r\n", ErrBareLF, 0, DefectBareLF, false},
		{"bare LF blank line", "A: 1\r\n\nbody", ErrBareLF, 6, DefectBareLF, true},
		{"no colon", "A: 1\r\nnot a field\r\n\r\n", ErrNoColon, 6, DefectNoColon, false},
		{"space in name", "Bad Name: x\r\n\r\n", ErrFieldName, 0, DefectFieldName, false},
		{"empty name", ": x\r\n\r\n", ErrFieldName, 0, DefectFieldName, false},
		{"8-bit name", "Sübject: x\r\n\r\n", ErrFieldName, 0, DefectFieldName, false},
		{"space before colon", "X-Originating-IP : [1.2.3.4]\r\n\r\n", ErrSpaceBeforeColon, 0, DefectSpaceBeforeColon, false},
		{"leading continuation", " x\r\nA: 1\r\n\r\n", ErrLeadingContinuation, 0, DefectLeadingContinuation, false},
		{"NUL on continuation", "A: 1\r\n \x00\r\n\r\n", ErrNUL, 6, DefectNUL, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, s := scanAll(t, tt.msg, Options{})
			var se *SyntaxError
			require.ErrorAs(t, s.Err(), &se)
			assert.ErrorIs(t, se, tt.err)
			assert.Equal(t, tt.offset, se.Offset)
			assert.Equal(t, -1, s.HeaderLen())
			assert.Nil(t, s.Body())
			assert.Equal(t, replySyntax, ReplyOf(s.Err()))

			_, defects, s := scanAll(t, tt.msg, Options{Repair: tt.defect})
			require.NoError(t, s.Err())
			var all Defect
			for _, d := range defects {
				all |= d
			}
			if tt.onBlank {
				assert.Zero(t, all)
				assert.Equal(t, "body", string(s.Body()))
			} else {
				assert.Equal(t, tt.defect, all)
			}
		})
	}
}

func TestScannerLimits(t *testing.T) {
	long := "Subject: " + string(make([]byte, 980)) + "\r\n"
	tests := []struct {
		name  string
		msg   string
		opt   Options
		err   error
		reply Reply
	}{
		{"line too long", "A: " + stringOf('x', 996) + "\r\n\r\n", Options{}, ErrLineTooLong, replyLong},
		{"line too long without LF", "A: " + stringOf('x', 996), Options{}, ErrLineTooLong, replyLong},
		{"short line limit", "Subject: hello\r\n\r\n", Options{MaxLineLength: 10}, ErrLineTooLong, replyLong},
		{"truncated", "Subject: hi", Options{}, ErrTruncated, replySyntax},
		{"too many fields", "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", Options{MaxFields: 2}, ErrTooManyFields, replyTooLarge},
		{"too large", long + long, Options{MaxHeaderBytes: 1500, Repair: DefectNUL}, ErrHeaderTooLarge, replyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, s := scanAll(t, tt.msg, tt.opt)
			require.ErrorIs(t, s.Err(), tt.err)
			assert.Equal(t, tt.reply, ReplyOf(s.Err()))
		})
	}
	got, _, s := scanAll(t, "A: "+stringOf('x', 5000)+"\r\n\r\n", Options{MaxLineLength: math.MaxInt, MaxHeaderBytes: math.MaxInt})
	require.NoError(t, s.Err(), "limits up to MaxInt")
	assert.Len(t, got, 1)
	got, _, s = scanAll(t, "A: "+stringOf('x', 995)+"\r\n\r\n", Options{})
	require.NoError(t, s.Err(), "998 octets is allowed")
	assert.Len(t, got, 1)
}

func stringOf(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func fixtureNames(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// TestScannerFixturesExact checks that the raw fields, the empty line and the
// body put back together are the message, byte for byte.
func TestScannerFixturesExact(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			msg := readFixture(t, name)
			s := NewScanner(msg, Options{})
			var out []byte
			n := 0
			for s.Next() {
				f := s.Field()
				assert.Equal(t, len(out), f.Offset)
				out = append(out, f.Raw...)
				n++
			}
			require.NoError(t, s.Err())
			assert.Greater(t, n, 3)
			out = append(out, "\r\n"...)
			out = append(out, s.Body()...)
			assert.Equal(t, string(msg), string(out))
		})
	}
}

func TestScannerFixtureValues(t *testing.T) {
	got, _, s := scanAll(t, string(readFixture(t, "rfc5322_a5.eml")), Options{})
	require.NoError(t, s.Err())
	require.Len(t, got, 5)
	assert.Equal(t, "Date", got[3].name)
	var buf []byte
	assert.Equal(t, "Thu,      13        Feb          1969      23:32               -0330 (Newfoundland Time)",
		string(AppendUnfold(buf, []byte(got[3].value))))
}

func TestSplit(t *testing.T) {
	header, body, err := Split([]byte("A: 1\r\n\r\nbody"), Options{})
	require.NoError(t, err)
	assert.Equal(t, "A: 1\r\n\r\n", string(header))
	assert.Equal(t, "body", string(body))

	_, _, err = Split([]byte("A 1\r\n\r\n"), Options{})
	assert.ErrorIs(t, err, ErrNoColon)
}

func TestScannerAllocs(t *testing.T) {
	msg := readFixture(t, "outlook.eml")
	var s Scanner
	allocs := testing.AllocsPerRun(100, func() {
		s.Reset(msg, Options{})
		for s.Next() {
		}
	})
	require.NoError(t, s.Err())
	assert.Zero(t, allocs)

}
