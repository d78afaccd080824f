package bench

import (
	"bytes"
	"testing"
)

// The limit for a line-oriented parser on one core: a loop that finds every
// '\n' with bytes.IndexByte and does nothing else ("indexbyte"), and, lower
// still, bytes.Count of the '\n' ("count", one vectorized pass with no
// per-line work). Every corpus the other benchmarks read has both rows
// here, so `go run ./cmd/benchtable` can give each parser's speed as a
// multiple of the scan of the very bytes it read.

// scanCorpora names every corpus of this folder. A pop3 session is both of
// its streams, as its benchmarks count them; a writer's corpus is what it
// writes.
func scanCorpora(b *testing.B) []scanCorpus {
	pop3Bytes := func(s pop3Session) []byte { return append(append([]byte{}, s.commands...), s.responses...) }
	resp, err := newImapwireSession().write(nil)
	if err != nil {
		b.Fatal(err)
	}
	return []scanCorpus{
		{"smtp-data", smtpDataStream},
		{"smtp-body", smtpBody},
		{"smtp-commands", smtpCommandStream},
		{"smtp-dsn", smtpDSNStream},
		{"smtp-replies", smtpReplyStream},
		{"pop3-retr", pop3Bytes(pop3RETRSession)},
		{"pop3-listing", pop3Bytes(pop3ListingSession)},
		{"headers", headerBlock(b)},
		{"imap-fetch", imapFetchSync},
		{"imap-commands", imapCommands},
		{"imap-responses", resp},
		{"imap-message", imapNestedMsg},
	}
}

type scanCorpus struct {
	name string
	data []byte
}

// scanLines counts the lines of p by finding each '\n' with
// bytes.IndexByte, as a line reader must at the least.
func scanLines(p []byte) int {
	n := 0
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return n
		}
		n++
		p = p[i+1:]
	}
}

func BenchmarkScan(b *testing.B) {
	lf := []byte{'\n'}
	for _, c := range scanCorpora(b) {
		want := bytes.Count(c.data, lf)
		if want == 0 {
			b.Fatalf("%s: no lines", c.name)
		}
		b.Run(c.name+"/indexbyte", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				if n := scanLines(c.data); n != want {
					b.Fatalf("%d lines, want %d", n, want)
				}
			}
		})
		b.Run(c.name+"/count", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				if n := bytes.Count(c.data, lf); n != want {
					b.Fatalf("%d lines, want %d", n, want)
				}
			}
		})
	}
}

func TestScanLines(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 0}, {"a", 0}, {"\n", 1}, {"a\r\nb\r\n", 2}, {"a\nb", 1}, {"\n\n\n", 3}} {
		if got := scanLines([]byte(tc.in)); got != tc.want {
			t.Errorf("scanLines(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
