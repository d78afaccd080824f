package record

import (
	"strconv"
	"strings"
	"testing"
)

// unquote reverses Quote.
func unquote(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		i++
		switch s[i] {
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '\\':
			b.WriteByte('\\')
		case 'x':
			if i+2 >= len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 2
		default:
			return "", false
		}
	}
	return b.String(), true
}

// Quote is printable ASCII and reversible; Format gives the same rows
// however the bytes were split into reads, and the rows put back together
// are the bytes.
func FuzzQuoteFormat(f *testing.F) {
	for _, s := range []string{"220 ok\r\n250-a\r\n250 b\r\n", "probe\n.\nX\r\n", "\x00\xff\\", ""} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		q := Quote(data)
		for i := 0; i < len(q); i++ {
			if q[i] < 0x20 || q[i] >= 0x7f {
				t.Fatalf("Quote(%q) has byte %#x", data, q[i])
			}
		}
		back, ok := unquote(q)
		if !ok || back != string(data) {
			t.Fatalf("unquote(Quote(%q)) = %q, %v", data, back, ok)
		}
		var whole, split Log
		whole.Add(Received, false, data)
		n := int(step%16) + 1
		for i := 0; i < len(data); i += n {
			split.Add(Received, false, data[i:min(i+n, len(data))])
		}
		a, b := Format(whole.Entries()), Format(split.Entries())
		if strings.Join(a, "|") != strings.Join(b, "|") {
			t.Fatalf("split by %d: %q != %q", n, b, a)
		}
		var joined strings.Builder
		for _, row := range a {
			s, ok := unquote(strings.TrimPrefix(row, "S: "))
			if !ok {
				t.Fatalf("row %q", row)
			}
			joined.WriteString(s)
		}
		if len(data) <= MaxLog && joined.String() != string(data) {
			t.Fatalf("rows %q do not give back %q", a, data)
		}
	})
}
