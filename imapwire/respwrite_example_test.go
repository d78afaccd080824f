package imapwire_test

import (
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/imapwire"
)

// A server answers SELECT with the response writers, appending everything
// to one buffer that it then writes to the connection. The Encoder's UTF8
// is set once the client has enabled UTF8=ACCEPT; until then mailbox names
// go out in modified UTF-7.
func Example_responseWriters() {
	var enc imapwire.Encoder // UTF8: false
	tag := []byte("a7")
	out := make([]byte, 0, 1024)
	var err error

	out, _ = imapwire.AppendFlagsData(out, [][]byte{[]byte(`\Seen`), []byte(`\Deleted`), []byte("$Junk")})
	out = imapwire.AppendExistsData(out, 172)
	out, _ = imapwire.AppendUntagged(out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDValidity, Num: 3857529045}, "UIDs valid")
	out, _ = imapwire.AppendUntagged(out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDNext, Num: 4392}, "Predicted next UID")
	out, _ = imapwire.AppendUntagged(out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodePermanentFlags,
		Words: [][]byte{[]byte(`\Seen`), []byte(`\Deleted`), []byte(`\*`)}}, "Limited")
	out, _ = enc.AppendListData(out, false, &imapwire.ListItem{
		Attrs: [][]byte{[]byte(`\HasNoChildren`), []byte(`\Drafts`)}, Delim: '/', Mailbox: []byte("Entwürfe")})
	out, _ = imapwire.AppendTagged(out, tag, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeReadWrite}, "SELECT completed")

	// A value that would inject is refused, and out is left as it was.
	out, err = imapwire.AppendTagged(out, tag, imapwire.CondOK, imapwire.Code{}, "done\r\n* OK [ALERT] pwned")
	fmt.Println("refused:", err)

	fmt.Print(strings.ReplaceAll(string(out), "\r\n", "\n"))
	// Output:
	// refused: value would inject into the protocol
	// * FLAGS (\Seen \Deleted $Junk)
	// * 172 EXISTS
	// * OK [UIDVALIDITY 3857529045] UIDs valid
	// * OK [UIDNEXT 4392] Predicted next UID
	// * OK [PERMANENTFLAGS (\Seen \Deleted \*)] Limited
	// * LIST (\HasNoChildren \Drafts) "/" Entw&APw-rfe
	// a7 OK [READ-WRITE] SELECT completed
}
