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

// An IMAP session's view of a folder: select, flag, expunge, and the
// untagged responses another session's Sync yields.
func ExampleStore_Select() {
	dir, _ := os.MkdirTemp("", "store-example-")
	defer os.RemoveAll(dir)
	s, _ := store.Open(dir)
	_ = s.EnsureUser("alice")
	for range 3 {
		_ = s.Deliver([]string{"alice"}, strings.NewReader("Subject: hi\r\n\r\nhello\r\n"))
	}
	a, err := s.Select("alice", "INBOX", false)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	b, _ := s.Select("alice", "INBOX", false)
	defer b.Close()
	fmt.Println("EXISTS", len(a.Messages()), "RECENT", a.Recent(), "UIDNEXT", a.UIDNext())

	changed, _, _ := a.Store([]uint32{1, 2}, store.StoreAdd, store.FlagDeleted, nil, 0)
	fmt.Println("STORE changed UIDs", changed)
	_ = a.Expunge([]uint32{2}) // UID EXPUNGE 2
	c, _ := a.Sync(true)
	fmt.Println("a: EXPUNGE", c.Expunged)
	c, _ = b.Sync(true)
	fmt.Println("b: EXPUNGE", c.Expunged, "FETCH FLAGS", c.Flags)
	res, _ := b.Move("Trash", []uint32{1})
	fmt.Println("COPYUID", res.Src, res.Dst)
	// Output:
	// EXISTS 3 RECENT 3 UIDNEXT 4
	// STORE changed UIDs [1 2]
	// a: EXPUNGE [2]
	// b: EXPUNGE [2] FETCH FLAGS [1]
	// COPYUID [1] [1]
}
