package imapwire

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339 in the zone given
		zone int
		ok   bool
	}{
		{"17-Jul-1996 02:44:25 -0700", "1996-07-17T02:44:25-07:00", -7 * 3600, true},
		{`"17-Jul-1996 02:44:25 -0700"`, "1996-07-17T02:44:25-07:00", -7 * 3600, true},
		{" 4-dec-2026 18:32:45 +0530", "2026-12-04T18:32:45+05:30", 5*3600 + 30*60, true},
		{"29-Feb-2024 00:00:00 +0000", "2024-02-29T00:00:00Z", 0, true},
		{"31-Dec-1999 23:59:60 +0000", "2000-01-01T00:00:00Z", 0, true}, // a leap second
		{"29-Feb-2023 00:00:00 +0000", "", 0, false},
		{"31-Apr-2026 00:00:00 +0000", "", 0, false},
		{"00-Jan-2026 00:00:00 +0000", "", 0, false},
		{"4-Dec-2026 18:32:45 +0000", "", 0, false}, // the day is fixed width
		{"04-Dez-2026 18:32:45 +0000", "", 0, false},
		{"04-Dec-2026 24:00:00 +0000", "", 0, false},
		{"04-Dec-2026 18:60:00 +0000", "", 0, false},
		{"04-Dec-2026 18:32:45 +2400", "", 0, false},
		{"04-Dec-2026 18:32:45 +0060", "", 0, false},
		{"04-Dec-2026 18:32:45 0000", "", 0, false},
		{"04-Dec-2026 18:32:45 *0000", "", 0, false},
		{"04-Dec-2026T18:32:45 +0000", "", 0, false},
		{"04-Dec-2026 18:32:45 +0000\"", "", 0, false},
		{"", "", 0, false},
	}
	for _, tt := range tests {
		got, zone, err := ParseDateTime([]byte(tt.in))
		if !tt.ok {
			require.ErrorIs(t, err, ErrSyntax, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, time.UTC, got.Location(), tt.in)
		assert.Equal(t, tt.zone, zone, tt.in)
		assert.Equal(t, tt.want, got.In(time.FixedZone("", zone)).Format(time.RFC3339), tt.in)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"1-Feb-1994": "1994-02-01", `"01-feb-1994"`: "1994-02-01",
		"29-Feb-2000": "2000-02-29", "29-Feb-1900": "", "1-Feb-94": "", "1-Feb-1994 ": "", `"1-Feb-1994`: ""} {
		got, err := ParseDate([]byte(in))
		if want == "" {
			require.ErrorIs(t, err, ErrSyntax, in)
			continue
		}
		require.NoError(t, err, in)
		assert.Equal(t, want+"T00:00:00Z", got.Format(time.RFC3339), in)
	}
}

func TestAppendDateTime(t *testing.T) {
	pdt := time.FixedZone("PDT", -7*3600)
	ist := time.FixedZone("IST", 5*3600+30*60)
	lmt := time.FixedZone("LMT", 3600+24*60+17) // seconds are dropped
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(1996, 7, 17, 2, 44, 25, 0, pdt), `"17-Jul-1996 02:44:25 -0700"`},
		{time.Date(2026, 12, 4, 18, 32, 45, 999, ist), `"04-Dec-2026 18:32:45 +0530"`},
		{time.Date(1890, 1, 1, 0, 0, 0, 0, lmt), `"01-Jan-1890 00:00:00 +0124"`},
		{time.Date(2026, 1, 9, 8, 7, 6, 0, time.UTC), `"09-Jan-2026 08:07:06 +0000"`},
		{time.Date(12026, 1, 9, 8, 7, 6, 0, time.UTC), `"09-Jan-9999 08:07:06 +0000"`},
	} {
		got := AppendDateTime([]byte("x "), tt.t)
		assert.Equal(t, "x "+tt.want, string(got))
		back, zone, err := ParseDateTime(got[2:])
		require.NoError(t, err)
		if tt.t.Year() <= 9999 && tt.t.Location() != lmt {
			assert.True(t, back.Equal(tt.t.Truncate(time.Second)), "%s round trip: %s", tt.want, back)
			_, off := tt.t.Zone()
			assert.Equal(t, off, zone)
		}
	}
}

func TestDateTimeAllocs(t *testing.T) {
	in := []byte("17-Jul-1996 02:44:25 -0700")
	date := []byte("1-Feb-1994")
	buf := make([]byte, 0, 64)
	when := time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))
	n := testing.AllocsPerRun(100, func() {
		if _, _, err := ParseDateTime(in); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseDate(date); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ParseDateTime(date); err == nil {
			t.Fatal("accepted a date")
		}
		buf = AppendDateTime(buf[:0], when)
	})
	assert.Zero(t, n)
}

func BenchmarkDateTime(b *testing.B) {
	in := []byte("17-Jul-1996 02:44:25 -0700")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		t, zone, err := ParseDateTime(in)
		if err != nil || zone != -7*3600 {
			b.Fatal(err)
		}
		buf = AppendDateTime(buf[:0], t)
	}
}

// Every date-time ParseDateTime takes is written back by AppendDateTime
// (in its zone) to one that parses to the same instant and zone.
func FuzzDateTime(f *testing.F) {
	f.Add([]byte("17-Jul-1996 02:44:25 -0700"))
	f.Add([]byte(" 4-Dec-2026 18:32:45 +0530"))
	f.Add([]byte(`"29-Feb-2024 23:59:60 -2359"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		tm, zone, err := ParseDateTime(in)
		if err != nil {
			require.ErrorIs(t, err, ErrSyntax)
			return
		}
		require.Equal(t, time.UTC, tm.Location())
		local := tm.In(time.FixedZone("", zone))
		if local.Year() > 9999 {
			return // a leap second at the end of 9999 reads as 10000, which AppendDateTime clamps
		}
		out := AppendDateTime(nil, local)
		back, zone2, err := ParseDateTime(out)
		require.NoError(t, err, "%q", out)
		assert.True(t, back.Equal(tm), "%q -> %q", in, out)
		assert.Equal(t, zone, zone2)
	})
}

// monthByLoop is the month lookup monthOf replaced: each name compared
// with the first octet folded and the others folded against lower case.
func monthByLoop(a, b, c byte) time.Month {
	for k, name := range monthNames {
		if a|0x20 == name[0]|0x20 && b|0x20 == name[1] && c|0x20 == name[2] {
			return time.Month(k + 1)
		}
	}
	return 0
}

func TestMonthOf(t *testing.T) {
	letters := []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	for _, a := range letters {
		for _, b := range letters {
			for _, c := range letters {
				if monthOf(a, b, c) != monthByLoop(a, b, c) {
					t.Fatalf("%q: %v, want %v", []byte{a, b, c}, monthOf(a, b, c), monthByLoop(a, b, c))
				}
			}
		}
	}
	for _, m := range monthNames {
		for x := range 256 {
			for i := range 3 {
				w := []byte(m)
				w[i] = byte(x)
				if monthOf(w[0], w[1], w[2]) != monthByLoop(w[0], w[1], w[2]) {
					t.Fatalf("%q: %v, want %v", w, monthOf(w[0], w[1], w[2]), monthByLoop(w[0], w[1], w[2]))
				}
			}
		}
	}
}
