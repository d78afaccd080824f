package pop3

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		in    string
		count int
		size  int64
		ok    bool
	}{
		{"2 320", 2, 320, true},
		{"0 0", 0, 0, true},
		{"3 9223372036854775807 octets", 3, 1<<63 - 1, true},
		{"2", 0, 0, false},
		{"2 ", 0, 0, false},
		{"x 1", 0, 0, false},
		{"1 -1", 0, 0, false},
		{"1 9223372036854775808", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			count, size, err := ParseStat([]byte(tt.in))
			if !tt.ok {
				require.ErrorIs(t, err, ErrResponse)
				assert.False(t, ReplyOf(err).Fatal)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.count, count)
			assert.Equal(t, tt.size, size)
		})
	}
}

func TestParseScan(t *testing.T) {
	tests := []struct {
		in   string
		want Scan
		ok   bool
	}{
		{"1 120", Scan{Msg: 1, Size: 120, Raw: bs("1 120")}, true},
		{"2 200 extra info", Scan{Msg: 2, Size: 200, Raw: bs("2 200 extra info")}, true},
		{"0 120", Scan{}, false},
		{"1", Scan{}, false},
		{"1  120", Scan{}, false},
		{"1 12x", Scan{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseScan([]byte(tt.in))
			if !tt.ok {
				require.ErrorIs(t, err, ErrResponse)
				assert.Equal(t, Scan{Raw: bs(tt.in)}, got, "the line, for the log")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseUID(t *testing.T) {
	tests := []struct {
		in  string
		msg int
		id  string
		ok  bool
	}{
		{"1 whqtswO00WBw418f9t5JxYwZ", 1, "whqtswO00WBw418f9t5JxYwZ", true},
		{"2 QhdPYR:00WBw1Ph7x7", 2, "QhdPYR:00WBw1Ph7x7", true},
		{"3 " + string(make70()), 3, string(make70()), true},
		{"3 " + string(make70()) + "x", 0, "", false},
		{"1", 0, "", false},
		{"1 ", 0, "", false},
		{"1 a b", 0, "", false},
		{"0 a", 0, "", false},
		{"1 \x80", 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseUID([]byte(tt.in))
			if !tt.ok {
				require.ErrorIs(t, err, ErrResponse)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.msg, got.Msg)
			assert.Equal(t, tt.id, string(got.ID))
		})
	}
}

func make70() []byte {
	id := make([]byte, MaxUIDLen)
	for i := range id {
		id[i] = byte('!' + i)
	}
	return id
}

func TestListingAllocs(t *testing.T) {
	stat, scan, uid := []byte("2 320"), []byte("1 120"), []byte("1 whqtswO00WBw418f9t5JxYwZ")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_, _, err1 := ParseStat(stat)
		_, err2 := ParseScan(scan)
		_, err3 := ParseUID(uid)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatal(err1, err2, err3)
		}
	}))
}

func TestUIDPrefix(t *testing.T) {
	all := make([]byte, 0, 256)
	for c := range 256 {
		all = append(all, byte(c))
	}
	for c := range 256 {
		for _, at := range []int{0, 1, 7, 8, 9, 15, 16, 30} {
			b := []byte(strings.Repeat("a", 40))
			b[at] = byte(c)
			want := at
			if c >= 0x21 && c <= 0x7e {
				want = 40
			}
			require.Equal(t, want, uidPrefix(b), "byte %#x at %d", c, at)
		}
	}
	assert.Equal(t, 0x7f-0x21, uidPrefix(all[0x21:]))
	assert.Zero(t, uidPrefix(nil))
}
