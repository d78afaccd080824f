package transcript_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/mailwire/mailwire/internal/transcript"
)

func Example() {
	tr := &transcript.Transcript{
		Header: transcript.Header{Protocol: "pop3", Server: "Dovecot 2.3.19.1", Client: "poplib",
			Date: time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC), Recorder: "example"},
		Chunks: []transcript.Chunk{
			{Dir: transcript.ServerToClient, Data: []byte("+OK ready\r\n")},
			{Dir: transcript.ClientToServer, Data: []byte("CAPA\r\n")},
			{Dir: transcript.ServerToClient, Data: []byte("+OK\r\nUSER\r\n")},
			{Dir: transcript.ServerToClient, Data: []byte(".\r\n")},
		},
	}
	file, err := tr.Append(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := transcript.Parse(bytes.NewReader(file), transcript.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Client, "->", back.Server)
	fmt.Printf("%q\n", back.Bytes(transcript.ServerToClient))
	fmt.Println(back.Sizes(transcript.ServerToClient))
	// Output:
	// poplib -> Dovecot 2.3.19.1
	// "+OK ready\r\n+OK\r\nUSER\r\n.\r\n"
	// [11 11 3]
}

func ExampleReader_Next() {
	var file []byte
	file, _ = transcript.AppendHeader(file, transcript.Header{Protocol: "smtp"})
	file = transcript.AppendChunk(file, transcript.ServerToClient, []byte("220 hi\r\n"))
	file = transcript.AppendChunk(file, transcript.ClientToServer, []byte("QUIT\r\n"))

	rd, err := transcript.NewReader(bytes.NewReader(file), transcript.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		dir, data, err := rd.Next()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v %q\n", dir, data)
	}
	// Output:
	// S>C "220 hi\r\n"
	// C>S "QUIT\r\n"
	// EOF
}
