package imapwire_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/imapwire"
)

// A minimal IMAP server: each command is decoded whole into typed values,
// the server is a switch over them, and literals are accepted through the
// Decoder (LOGIN's password) or streamed (APPEND's message).
func ExampleDecoder() {
	client := strings.NewReader("a1 CAPABILITY\r\n" +
		"a2 LOGIN alice {6}\r\nsecret\r\n" +
		"a3 SELECT \"Entw&APw-rfe\" (CONDSTORE)\r\n" +
		"a4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n" +
		"a5 APPEND INBOX (\\Seen) {11}\r\nHello world\r\n" +
		"a6 FROB\r\n" +
		"a7 LOGOUT\r\n")
	var out bytes.Buffer // the connection's write side
	r := imapwire.NewReader(client, imapwire.ServerSide, imapwire.Options{})
	d := imapwire.NewDecoder(r)
	d.Continue = func(l imapwire.Literal) error {
		_, err := out.WriteString("+ Ready\r\n") // and flush, on a real connection
		return err
	}
	var b []byte
	for {
		c, err := d.Decode()
		if err != nil {
			var fatal bool
			b, fatal = imapwire.AppendCommandError(b[:0], c.Tag, err)
			out.Write(b)
			if fatal {
				break
			}
			continue
		}
		b = b[:0]
		switch c.ID {
		case imapwire.CmdCapability:
			b = append(b, "* CAPABILITY IMAP4rev1 LITERAL- CONDSTORE\r\n"...)
		case imapwire.CmdLogin:
			fmt.Printf("login %s/%s\n", c.Login.User, c.Login.Password)
		case imapwire.CmdSelect:
			fmt.Printf("select %s condstore=%v\n", c.Select.Mailbox, c.Select.CondStore)
		case imapwire.CmdFetch:
			for _, it := range c.Fetch.Items {
				fmt.Printf("fetch %s uid=%v item %s peek=%v\n", c.Fetch.Set.Bytes(), c.UID, it.Name, it.Peek)
			}
		case imapwire.CmdAppend:
			for more := true; more && err == nil; more, err = d.NextMessage() {
				if !c.Append.Literal.NonSync {
					out.WriteString("+ Ready\r\n")
				}
				if err = r.Accept(); err == nil {
					var msg []byte
					msg, err = io.ReadAll(r.LiteralReader()) // a real server streams to its store
					fmt.Printf("append to %s flags %s: %q\n", c.Append.Mailbox, c.Append.Flags, msg)
				}
			}
			if err != nil {
				b, _ = imapwire.AppendCommandError(b, c.Tag, err)
				out.Write(b)
				continue
			}
		case imapwire.CmdLogout:
			b = append(b, "* BYE\r\n"...)
		}
		b, _ = imapwire.AppendStatus(b, c.Tag, "OK", nil, []byte(c.ID.String()+" completed"))
		out.Write(b)
		if c.ID == imapwire.CmdLogout {
			break
		}
	}
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// login alice/secret
	// select Entwürfe condstore=true
	// fetch 1:* uid=true item FLAGS peek=false
	// fetch 1:* uid=true item BODY.PEEK peek=true
	// append to INBOX flags [\Seen]: "Hello world"
	// * CAPABILITY IMAP4rev1 LITERAL- CONDSTORE
	// a1 OK CAPABILITY completed
	// + Ready
	// a2 OK LOGIN completed
	// a3 OK SELECT completed
	// a4 OK FETCH completed
	// + Ready
	// a5 OK APPEND completed
	// a6 BAD Unknown command at octet 3: expected a known command
	// * BYE
	// a7 OK LOGOUT completed
}

// A client writes commands with the Encoder's command writers; a
// synchronizing literal splits the command into parts, each sent after the
// server's "+".
func ExampleEncoder_AppendLoginCommand() {
	e := imapwire.Encoder{Side: imapwire.ClientSide} // the server offers no LITERAL+
	cmd, err := e.AppendLoginCommand(nil, []byte("a1"), []byte("alice"), []byte("pass\"word\r\n"))
	if err != nil {
		panic(err)
	}
	for parts := imapwire.CommandParts(cmd); parts.Next(); {
		fmt.Printf("send %q wait=%v\n", parts.Part(), parts.Wait())
	}
	set, _ := imapwire.ParseSeqSet([]byte("1:*"))
	cmd, _ = e.AppendSearchCommand(cmd[:0], []byte("a2"), true, &imapwire.SearchArgs{
		HasReturn: true, Return: imapwire.SearchReturnMin | imapwire.SearchReturnCount,
		Terms: []imapwire.SearchTerm{{Key: imapwire.SearchNot}, {Key: imapwire.SearchSeen}, {Key: imapwire.SearchUID, Set: set}},
	})
	fmt.Printf("%q\n", cmd)
	// Output:
	// send "a1 LOGIN alice {11}\r\n" wait=true
	// send "pass\"word\r\n\r\n" wait=false
	// "a2 UID SEARCH RETURN (MIN COUNT) NOT SEEN UID 1:*\r\n"
}
