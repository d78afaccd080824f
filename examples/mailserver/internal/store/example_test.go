package store_test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
)

// Deliver a message to two users, then read one inbox as POP3 does.
func Example() {
	dir, _ := os.MkdirTemp("", "store-example-")
	defer os.RemoveAll(dir)
	s, _ := store.Open(dir)
	_ = s.Deliver([]string{"alice", "bob"}, strings.NewReader("Subject: hi\n\nhello\n"))

	m, err := s.OpenMaildrop("alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	_, err = s.OpenMaildrop("alice")
	fmt.Println("second session:", err)
	for i, msg := range m.Messages() {
		f, _ := m.Open(i)
		b, _ := io.ReadAll(f)
		f.Close()
		fmt.Printf("UID %d, %d octets: %q\n", msg.UID, msg.Size, b)
	}
	// Output:
	// second session: store: maildrop locked by another session
	// UID 1, 22 octets: "Subject: hi\r\n\r\nhello\r\n"
}
