package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInfo(t *testing.T) {
	for _, tc := range []struct {
		info  string
		flags Flags
		kw    uint32
		out   string
	}{
		{"2,", 0, 0, "2,"},
		{"2,S", FlagSeen, 0, "2,S"},
		{"2,TSRFD", FlagSeen | FlagAnswered | FlagFlagged | FlagDeleted | FlagDraft, 0, "2,DFRST"},
		{"2,Pab", FlagPassed, 3, "2,Pab"},
		{"2,zSa", FlagSeen, 1 | 1<<25, "2,Saz"},
		{"2,X?", 0, 0, "2,"}, // unknown letters dropped
		{"1,S", 0, 0, "2,"},  // experimental info: no flags
		{"", 0, 0, "2,"},
	} {
		f, kw := parseInfo(tc.info)
		assert.Equal(t, tc.flags, f, tc.info)
		assert.Equal(t, tc.kw, kw, tc.info)
		assert.Equal(t, tc.out, string(appendInfo(nil, f, kw)), tc.info)
	}
	assert.Equal(t, "k:2,FS", fileName("k", FlagSeen|FlagFlagged, 0))
}

func TestInfoAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		f, kw := parseInfo("2,DFRSTabc")
		buf = appendInfo(buf[:0], f, kw)
	}))
}

func BenchmarkInfo(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len("2,DFRSTabc")))
	buf := make([]byte, 0, 64)
	for b.Loop() {
		f, kw := parseInfo("2,DFRSTabc")
		buf = appendInfo(buf[:0], f, kw)
	}
}

// FuzzInfo: written info reads back to the same flags, and writing is
// canonical (a second round gives the same text).
func FuzzInfo(f *testing.F) {
	f.Add("2,DFRST")
	f.Add("2,Sab")
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, info string) {
		fl, kw := parseInfo(info)
		out := appendInfo(nil, fl, kw)
		fl2, kw2 := parseInfo(string(out))
		assert.Equal(t, fl, fl2)
		assert.Equal(t, kw, kw2)
		assert.Equal(t, string(out), string(appendInfo(nil, fl2, kw2)))
	})
}
