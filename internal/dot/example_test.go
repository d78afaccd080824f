package dot_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/internal/crlf"
	"github.com/mailwire/mailwire/internal/dot"
)

// A DATA body that tries to end early with <LF>.<CR><LF> and smuggle a
// second message: the reader hands out what came before, reads on to the
// real end, fails, and the next command is the client's own.
func ExampleReader() {
	conn := strings.NewReader("Subject: hi\r\n\r\nfirst\n.\r\nMAIL FROM:<ceo@victim.example>\r\n.\r\nQUIT\r\n")
	src := crlf.NewReader(conn, crlf.Options{})
	body, err := io.ReadAll(dot.NewReader(src, dot.Options{MaxSize: 10 << 20}))
	next, _ := src.ReadLine()
	fmt.Printf("%q\n%v\nnext: %s\n", body, err, next)
	// Output:
	// "Subject: hi\r\n\r\nfirst"
	// bare LF
	// next: QUIT
}

// Append dot-stuffs a body for sending and refuses a lone CR or LF.
func ExampleAppend() {
	wire, err := dot.Append(nil, []byte(".hidden line\r\nlast line"))
	fmt.Printf("%q %v\n", wire, err)
	_, err = dot.Append(nil, []byte("a\nb"))
	fmt.Println(err)
	// Output:
	// "..hidden line\r\nlast line\r\n.\r\n" <nil>
	// bare LF
}
