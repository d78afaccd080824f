package headers

import (
	"testing"
)

func benchHeader(b *testing.B) []byte {
	header, _, err := Split(readFixture(b, "list3k.eml"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return header
}

func BenchmarkScanner(b *testing.B) {
	header := benchHeader(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(header)))
	var s Scanner
	for b.Loop() {
		s.Reset(header, Options{})
		for s.Next() {
		}
	}
}

func BenchmarkScannerUnfold(b *testing.B) {
	header := benchHeader(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(header)))
	var s Scanner
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		s.Reset(header, Options{})
		for s.Next() {
			buf = AppendUnfold(buf[:0], s.Field().Value)
		}
	}
}

func BenchmarkSanitize(b *testing.B) {
	header := benchHeader(b)
	s := Sanitizer{Rules: SubmissionRules(Submission{Domain: "example.org", Hosts: []string{"mx.example.net"}, Secret: []byte("k")})}
	var rep Report
	buf := make([]byte, 0, 2*len(header))
	b.ReportAllocs()
	b.SetBytes(int64(len(header)))
	for b.Loop() {
		var err error
		if buf, _, err = s.Append(buf[:0], header, &rep); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendField(b *testing.B) {
	value := []byte("Re: [PATCH v2 3/7] net: fix the use-after-free in the tunnel teardown path when the device goes away")
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		buf, _ = AppendField(buf[:0], "Subject", value)
	}
}
