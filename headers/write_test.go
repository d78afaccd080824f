package headers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendField(t *testing.T) {
	tests := []struct {
		name, field, value, want string
		wide                     bool // holds a word that cannot fit in FoldWidth
	}{
		{"short", "Subject", "hello", "Subject: hello\r\n", false},
		{"empty", "X-Empty", "", "X-Empty:\r\n", false},
		{"utf8", "Subject", "Grüße", "Subject: Grüße\r\n", false},
		{"fold at 78", "Subject", strings.Repeat("word ", 20) + "end",
			"Subject: word word word word word word word word word word word word word word\r\n" +
				" word word word word word word end\r\n", false},
		{"long word kept whole", "X-Token", strings.Repeat("a", 100) + " b",
			"X-Token: " + strings.Repeat("a", 100) + "\r\n b\r\n", true},
		{"no fold before trailing space", "Subject", strings.Repeat("x", 70) + "   ",
			"Subject: " + strings.Repeat("x", 70) + "   \r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendField([]byte("A: 1\r\n"), tt.field, tt.value)
			require.NoError(t, err)
			assert.Equal(t, "A: 1\r\n"+tt.want, string(got))
			for line := range strings.SplitSeq(strings.TrimSuffix(string(got), "\r\n"), "\r\n") {
				if !tt.wide {
					assert.LessOrEqual(t, len(line), FoldWidth)
				}
			}
			s := NewScanner(got, Options{})
			require.True(t, s.Next())
			require.True(t, s.Next())
			f := s.Field()
			assert.Equal(t, tt.field, string(f.Name))
			assert.Equal(t, strings.TrimLeft(tt.value, " \t"), string(AppendUnfold(nil, f.Value)))
		})
	}
}

func TestAppendFieldRefuses(t *testing.T) {
	tests := []struct {
		name, field, value string
		err                error
	}{
		{"CRLF injection", "Subject", "hi\r\nBcc: victim@example.com", ErrInjection},
		{"bare LF", "Subject", "hi\nBcc: x", ErrInjection},
		{"bare CR", "Subject", "hi\rx", ErrInjection},
		{"NUL", "Subject", "a\x00b", ErrInjection},
		{"colon in name", "Sub:ject", "x", ErrInjection},
		{"space in name", "Sub ject", "x", ErrInjection},
		{"empty name", "", "x", ErrInjection},
		{"unfoldable", "X-Long", strings.Repeat("z", 991), ErrLineTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("kept")
			got, err := AppendField(dst, tt.field, tt.value)
			assert.ErrorIs(t, err, tt.err)
			assert.Equal(t, "kept", string(got))
		})
	}
}

func TestAppendFieldAllocs(t *testing.T) {
	buf := make([]byte, 0, 512)
	value := []byte(strings.Repeat("folded words ", 12))
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		buf, err = AppendField(buf[:0], "Subject", value)
		if err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestFieldAppendToRepairs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"NUL removed", "A: x\x00y\r\n", "A: xy\r\n"},
		{"bare CR to space", "Subject: a\rBcc: evil@x\r\n", "Subject: a Bcc: evil@x\r\n"},
		{"bare LF to CRLF", "A: 1\n b\n", "A: 1\r\n b\r\n"},
		{"space before colon", "X-Originating-IP \t: [1.2.3.4]\r\n", "X-Originating-IP: [1.2.3.4]\r\n"},
		{"no colon dropped", "not a field\r\n", ""},
		{"bad name dropped", "Bad Name: x\r\n", ""},
		{"leading continuation dropped", " stray\r\n", ""},
		{"clean kept", "A:  b \r\n", "A:  b \r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewScanner([]byte(tt.in), Options{Repair: AllDefects})
			require.True(t, s.Next())
			got := s.Field().AppendTo([]byte("X: 0\r\n"))
			assert.Equal(t, "X: 0\r\n"+tt.want, string(got))
			assert.True(t, validFields(got), "repaired output parses strictly")
		})
	}
}

func TestFieldAppendToAllocs(t *testing.T) {
	s := NewScanner([]byte("X-Originating-IP : a\x00b\rc\n d\n"), Options{Repair: AllDefects})
	require.True(t, s.Next())
	f := s.Field()
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf = f.AppendTo(buf[:0])
	})
	assert.Zero(t, allocs)
	assert.Equal(t, "X-Originating-IP: ab c\r\n d\r\n", string(buf))
}
