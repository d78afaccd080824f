package users_test

import (
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

// A -users file line checked at login, by name or by address.
func Example() {
	h, _ := users.NewHash("correct horse", 1000)
	db := users.New("mail.example.test")
	_ = db.Load(strings.NewReader("alice:" + h.String() + "\n"))

	u, ok := db.Authenticate("alice@MAIL.example.test", "correct horse")
	fmt.Println(u.Address, ok)
	_, ok = db.Authenticate("alice", "wrong")
	fmt.Println(ok)
	_, ok = db.Lookup("bob@mail.example.test")
	fmt.Println(ok)
	// Output:
	// alice@mail.example.test true
	// false
	// false
}
