package headers

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendReceived(t *testing.T) {
	date := time.Date(2025, 10, 14, 9, 12, 44, 0, time.FixedZone("", 2*3600))
	tests := []struct {
		name string
		r    Received
		want string
	}{
		{"full", Received{By: "mail.example.org", With: "ESMTPSA", ID: "4F2Kq8", Date: date},
			"Received: by mail.example.org with ESMTPSA id 4F2Kq8;\r\n Tue, 14 Oct 2025 09:12:44 +0200\r\n"},
		{"by only", Received{By: "mx.example", Date: date.UTC()},
			"Received: by mx.example;\r\n Tue, 14 Oct 2025 07:12:44 +0000\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendReceived(nil, tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.True(t, validFields(got))
		})
	}
	for _, bad := range []Received{{}, {By: "a b"}, {By: "x", With: "ESMTP\r\nBcc: y"}, {By: "x", ID: "(1)"}, {By: "x;"}} {
		got, err := AppendReceived([]byte("kept"), bad)
		assert.ErrorIs(t, err, ErrInjection, "%+v", bad)
		assert.Equal(t, "kept", string(got))
	}
}

func TestAppendReceivedAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	r := Received{By: "mail.example.org", With: "ESMTPSA", ID: "4F2Kq8", Date: time.Unix(0, 0).UTC()}
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = AppendReceived(buf[:0], r)
	})
	assert.Zero(t, allocs)
}

func TestStripReceived(t *testing.T) {
	tests := []struct {
		name  string
		hosts []string
		in    string
		want  string
	}{
		{"postfix authenticated", []string{"mail.example.org"},
			"Received: from DESKTOP-7H3K2LQ (dynamic.pool.example [89.14.22.117])\r\n\t(Authenticated sender: anna@example.org)\r\n\tby mail.example.org (Postfix) with ESMTPSA id 4F2K\r\n\tfor <j@example.net>; Tue, 14 Oct 2025 09:12:44 +0200\r\n",
			"Received: by mail.example.org (Postfix) with ESMTPSA id 4F2K\r\n\tfor <j@example.net>; Tue, 14 Oct 2025 09:12:44 +0200\r\n"},
		{"host case ignored", []string{"MAIL.example.org"},
			"Received: from [192.0.2.7] by mail.example.org; Tue, 14 Oct 2025 09:12:44 +0200\r\n",
			"Received: by mail.example.org; Tue, 14 Oct 2025 09:12:44 +0200\r\n"},
		{"client-side field dropped", []string{"mail.example.org"},
			"Received: from localhost (localhost [127.0.0.1])\r\n\tby laptop.home.example (Postfix) with ESMTP id 3A1B\r\n",
			""},
		{"no by clause dropped", []string{"mail.example.org"},
			"Received: from x; Tue, 14 Oct 2025 09:12:44 +0200\r\n", ""},
		{"no hosts: from cut, date kept", nil,
			"Received: from x (y [192.0.2.1]); Tue, 14 Oct 2025 09:12:44 +0200\r\n",
			"Received: ; Tue, 14 Oct 2025 09:12:44 +0200\r\n"},
		{"HELO named like a keyword", nil,
			"Received: from by (h [192.0.2.1]) by mx.example; Tue, 14 Oct 2025\r\n",
			"Received: by mx.example; Tue, 14 Oct 2025\r\n"},
		{"no from clause kept", []string{"mx.example"},
			"Received: by mx.example with HTTP; Thu, 16 Oct 2025\r\n",
			"Received: by mx.example with HTTP; Thu, 16 Oct 2025\r\n"},
		{"nothing after from dropped", nil, "Received: from x (y)\r\n", ""},
		{"comments and quotes skipped", nil,
			"Received: from \"a by b\" (c (by) \\) d) with ESMTP; x\r\n",
			"Received: with ESMTP; x\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Sanitizer{Rules: []Rule{StripReceived(tt.hosts...)}}
			out, _, err := s.Append(nil, []byte(tt.in), nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestReceivedClause(t *testing.T) {
	for tok, want := range map[string]string{
		"by": "by", "BY": "by", "Id": "id", "via": "via", "FOR": "for", "With": "with",
		"from": "", "b": "", "bx": "", "ix": "", "vib": "", "fox": "", "withx": "", "": "", "wi h": "", "b\x02": "",
	} {
		assert.Equal(t, want, receivedClause([]byte(tok)), "%q", tok)
	}
}

// skipCommentRef is skipComment byte by byte, as it was first written.
func skipCommentRef(v []byte, i int) int {
	depth := 0
	for ; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(v)
}

// TestSkipComment compares skipComment, which tests words, with the byte
// by byte version on every string of up to 6 of the bytes that matter
// (and a "]" just above a "\"), at every offset within a word.
func TestSkipComment(t *testing.T) {
	alphabet := []byte("()\\]a")
	var walk func(prefix []byte)
	walk = func(s []byte) {
		for pad := range 9 {
			v := append(bytes.Repeat([]byte{'x'}, pad), '(')
			v = append(v, s...)
			v = append(v, "xxxxxxxxx"...)
			for _, end := range []int{len(v), len(v) - 9, len(v) - 4} {
				require.Equal(t, skipCommentRef(v[:end], pad), skipComment(v[:end], pad), "%q at %d", v[:end], pad)
			}
		}
		if len(s) == 6 {
			return
		}
		for _, c := range alphabet {
			walk(append(s, c))
		}
	}
	walk(nil)
}
