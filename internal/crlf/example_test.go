package crlf_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/internal/crlf"
)

// A server reads command lines; an over-long line and a bare LF are refused
// without losing step, and STARTTLS checks that nothing is pipelined behind.
func ExampleReader_ReadLine() {
	conn := strings.NewReader("EHLO client.example\r\n" + strings.Repeat("x", 600) + "\r\nNOOP\nSTARTTLS\r\nEHLO evil\r\n")
	r := crlf.NewReader(conn, crlf.Options{MaxLine: 512})
	for {
		line, err := r.ReadLine()
		if err == io.EOF {
			return
		}
		if err != nil {
			fmt.Println("refused:", err)
			continue
		}
		fmt.Printf("%s (%d octets buffered behind it)\n", line, r.Buffered())
		if string(line) == "STARTTLS" && r.Buffered() > 0 {
			fmt.Println("plaintext pipelined after STARTTLS: close")
			return
		}
	}
	// Output:
	// EHLO client.example (628 octets buffered behind it)
	// refused: line too long
	// refused: bare LF
	// STARTTLS (11 octets buffered behind it)
	// plaintext pipelined after STARTTLS: close
}
