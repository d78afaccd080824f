package imapwire_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/mailwire/mailwire/imapwire"
)

// A server answers "FETCH 1 (UID BODYSTRUCTURE BODY[1.MIME])" for a
// stored message: one walk of the message, then each item written, the
// section streamed as a literal of exactly its size.
func ExampleMessage() {
	stored := []byte(strings.ReplaceAll("From: Ann <ann@example.test>\nSubject: report\n"+
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"+
		"--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/pdf\n\n%PDF\n--b--\n", "\n", "\r\n"))

	msg := imapwire.NewMessage(imapwire.MessageOptions{}) // once per connection
	if err := msg.Parse(stored); err != nil {             // or ParseReaderAt(file, size)
		panic(err)
	}
	var out bytes.Buffer
	dst := imapwire.AppendFetchStart(nil, 1)
	dst = imapwire.AppendFetchUID(dst, 42)
	dst, _ = imapwire.AppendFetchBodyStructure(dst, msg, true)
	sec := imapwire.Section{Raw: []byte("1.MIME"), Part: []byte("1"), Text: imapwire.SectionMIME}
	r, err := msg.Section(sec)
	if err != nil {
		panic(err)
	}
	dst = imapwire.AppendFetchSectionHeader(dst, imapwire.FetchItem{Att: imapwire.FetchBodySection, Section: sec}, r.Len)
	out.Write(dst)
	_ = msg.WriteSection(&out, r.Off, r.Len)
	out.Write(imapwire.AppendFetchEnd(nil))
	os.Stdout.WriteString(strings.ReplaceAll(out.String(), "\r\n", "⏎\n"))
	fmt.Println()
	// Output:
	// * 1 FETCH (UID 42 BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 12 0 NIL NIL NIL NIL)("application" "pdf" NIL NIL NIL "7bit" 4 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL) BODY[1.MIME] {28}⏎
	// Content-Type: text/plain⏎
	// ⏎
	// )⏎
}
