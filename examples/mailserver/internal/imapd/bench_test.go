package imapd

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkFetchMailbox: one UID FETCH 1:* (UID FLAGS RFC822.SIZE
// BODY.PEEK[]) of a 1,000-message INBOX over a pipe, as a full sync
// does; SetBytes counts the message octets sent.
func BenchmarkFetchMailbox(b *testing.B) {
	srv, st := testServer(b)
	const n = 1000
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 60)
	var total int64
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("From: load%d@example.org\r\nSubject: load %d\r\n\r\n%s", i, i, body)
		total += int64(len(m))
		require.NoError(b, st.Deliver([]string{"alice"}, strings.NewReader(m)))
	}
	c, r := pipeSession(b, srv)
	out := exchange(b, c, r, "a LOGIN alice pw\r\nb SELECT INBOX\r\n", "b ")
	require.Contains(b, out, "b OK")
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		go c.Write([]byte("f UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[])\r\n"))
		for {
			l, err := r.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if len(l) > 2 && l[0] == 'f' && l[1] == ' ' {
				break
			}
			if k, ok := literalAt(l); ok {
				if _, err := io.CopyN(io.Discard, r, int64(k)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// literalAt reads "{n}" CRLF at the end of a line.
func literalAt(l []byte) (int, bool) {
	s := strings.TrimRight(string(l), "\r\n")
	if !strings.HasSuffix(s, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(s, '{')
	if i < 0 {
		return 0, false
	}
	var k int
	_, err := fmt.Sscanf(s[i+1:], "%d}", &k)
	return k, err == nil
}
