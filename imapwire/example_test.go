package imapwire_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imapwire"
)

// A server reads LOGIN whose user name comes as a synchronizing literal:
// it accepts the literal, writes its continuation, and takes the data.
func ExampleReader_ReadCommand() {
	conn := strings.NewReader("a1 LOGIN {5}\r\nalice \"s3cr3t\"\r\n")
	r := imapwire.NewReader(conn, imapwire.ServerSide, imapwire.Options{})
	var out []byte // what the server writes

	cmd, err := r.ReadCommand()
	if err != nil {
		panic(err)
	}
	var user, pass []byte
	for _, arg := range []*[]byte{&user, &pass} {
		if err := r.SP(); err != nil {
			panic(err)
		}
		tok, err := r.AString()
		if err != nil {
			panic(err)
		}
		if tok.Kind == imapwire.KindLiteral {
			if err := r.Accept(); err != nil {
				panic(err)
			}
			out, _ = imapwire.AppendContinuation(out, []byte("Ready"))
			if tok.Bytes, err = r.Inline(); err != nil {
				panic(err)
			}
		}
		*arg = tok.AppendValue(nil)
	}
	if err := r.End(); err != nil {
		panic(err)
	}
	out, _ = imapwire.AppendStatus(out, cmd.Tag, "OK", nil, []byte("LOGIN completed"))
	fmt.Printf("%s %s %s\n%q\n", cmd.ID, user, pass, out)
	// Output:
	// LOGIN alice s3cr3t
	// "+ Ready\r\na1 OK LOGIN completed\r\n"
}

// A server refuses a non-synchronizing literal that is larger than
// LITERAL- allows: its data is drained exactly, so none of it runs as a
// command, and the reply comes from ReplyFor.
func ExampleReader_Reject() {
	data := "x\r\nb DELETE INBOX\r\n" + strings.Repeat("y", 5000-18)
	conn := strings.NewReader("a APPEND INBOX {5000+}\r\n" + data + "\r\nc NOOP\r\n")
	r := imapwire.NewReader(conn, imapwire.ServerSide, imapwire.Options{})

	cmd, _ := r.ReadCommand()
	_ = r.SP()
	_, _ = r.Mailbox()
	_, err := r.AppendMessage()
	reply := imapwire.ReplyFor(err)
	fmt.Printf("%s %s [%s] %s\n", cmd.Tag, reply.Cond, reply.Code, reply.Text)
	if err := r.Reject(); err != nil {
		panic(err)
	}
	next, _ := r.ReadCommand()
	fmt.Println(string(next.Tag), next.ID)
	// Output:
	// a BAD [TOOBIG] Non-synchronizing literal too large
	// c NOOP
}

// A client reads a FETCH response: typed items, the envelope's addresses,
// the body structure's parts, and a BODY[] literal streamed.
func ExampleReader_ReadResponse() {
	conn := strings.NewReader("* 12 FETCH (UID 4 ENVELOPE (NIL \"Hi\" ((\"Ann\" NIL \"ann\" \"x.org\")) NIL NIL NIL NIL NIL NIL NIL) " +
		"BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1)(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 900) \"MIXED\") " +
		"BODY[] {5}\r\nhello)\r\n")
	r := imapwire.NewReader(conn, imapwire.ClientSide, imapwire.Options{})

	resp, err := r.ReadResponse()
	if err != nil || resp.Data != imapwire.DataFetch {
		panic(err)
	}
	items := r.FetchItems()
	for items.Next() {
		switch items.Item().Att {
		case imapwire.FetchUID:
			uid, _ := r.Number()
			fmt.Println("message", resp.Num, "uid", uid)
		case imapwire.FetchEnvelope:
			env, _ := r.Envelope()
			from, _ := env.From.Next()
			fmt.Printf("subject %s from %s@%s\n", env.Subject.Bytes, from.Mailbox.Bytes, from.Host.Bytes)
		case imapwire.FetchBodyStructure:
			bs, _ := r.BodyStructure()
			parts := bs.Children()
			for p, ok := parts.Next(); ok; p, ok = parts.Next() {
				fmt.Printf("part %s/%s %d octets\n", p.Type.Bytes, p.Subtype.Bytes, p.Size)
			}
		case imapwire.FetchBodySection:
			tok, _ := r.SectionData()
			body, _ := io.ReadAll(r.LiteralReader())
			fmt.Printf("body %s of %d: %s\n", tok.Kind, tok.Literal.Size, body)
		}
	}
	if err := items.Err(); err != nil {
		panic(err)
	}
	// Output:
	// message 12 uid 4
	// subject Hi from ann@x.org
	// part TEXT/PLAIN 5 octets
	// part IMAGE/PNG 900 octets
	// body literal of 5: hello
}

// The encoder picks the form a value needs.
func ExampleEncoder() {
	client := imapwire.Encoder{Side: imapwire.ClientSide, NonSync: imapwire.LiteralMinus}
	cmd := []byte("a2 SELECT ")
	for _, name := range []string{"INBOX", "Sent Items", "two\r\nlines"} {
		b, _ := client.AppendAString(cmd, []byte(name))
		fmt.Printf("%q\n", b)
	}
	_, err := imapwire.Encoder{Side: imapwire.ClientSide}.AppendString(nil, []byte("a\nb"))
	fmt.Println(err)
	// Output:
	// "a2 SELECT INBOX"
	// "a2 SELECT \"Sent Items\""
	// "a2 SELECT {10+}\r\ntwo\r\nlines"
	// synchronizing literal needed
}

// Mailbox names are modified UTF-7 for IMAP4rev1 peers and raw UTF-8 once
// UTF8=ACCEPT is enabled.
func ExampleAppendMailboxName() {
	name, _ := imapwire.AppendMailboxName(nil, []byte("Entw&APw-rfe"), false)
	fmt.Println(string(name))
	raw, _ := imapwire.AppendMailboxName(nil, []byte("R&D"), true)
	fmt.Println(string(raw))
	fmt.Println(string(imapwire.AppendUTF7Encode(nil, []byte("台北"))))
	// Output:
	// Entwürfe
	// R&D
	// &U,BTFw-
}

// A server meets a command it does not know: the error says so and names
// the reply, the rest of the command is consumed, and the session goes on.
// An error of the server's own is never fatal by accident.
func ExampleReplyFor() {
	conn := strings.NewReader("a1 XYZZY {5+}\r\nb2 DELETE INBOX\r\nc3 NOOP\r\n")
	r := imapwire.NewReader(conn, imapwire.ServerSide, imapwire.Options{})
	cmd, err := r.ReadCommand()
	reply := imapwire.ReplyFor(err)
	fmt.Printf("%s %s %s fatal=%v\n", cmd.Tag, reply.Cond, reply.Text, reply.Fatal)
	next, _ := r.ReadCommand()
	fmt.Println(string(next.Tag), next.ID)
	store := imapwire.ReplyFor(errors.New("disk full"))
	fmt.Printf("%s [%s] fatal=%v\n", store.Cond, store.Code, store.Fatal)
	// Output:
	// a1 BAD Unknown command fatal=false
	// c3 NOOP
	// NO [SERVERBUG] fatal=false
}

// ENABLE UTF8=ACCEPT turns the Reader's UTF-8 mode on mid-session: the
// same quoted name is refused before and read as UTF-8 after, and mailbox
// names are decoded in the mode in force.
func ExampleReader_SetUTF8() {
	conn := strings.NewReader("a SELECT \"Entw\xc3\xbcrfe\"\r\nb ENABLE UTF8=ACCEPT\r\nc SELECT \"Entw\xc3\xbcrfe\"\r\nd SELECT Entw&APw-rfe\r\n")
	r := imapwire.NewReader(conn, imapwire.ServerSide, imapwire.Options{})
	var name []byte
	for range 4 {
		cmd, _ := r.ReadCommand()
		if cmd.ID == imapwire.CmdEnable {
			_, _ = r.Words()
			r.SetUTF8(true)
			fmt.Println(string(cmd.Tag), "UTF-8 on")
			continue
		}
		_ = r.SP()
		tok, err := r.Mailbox()
		if err != nil {
			fmt.Println(string(cmd.Tag), imapwire.ReplyFor(err).Cond, imapwire.ReplyFor(err).Text)
			continue
		}
		name, _ = r.AppendMailboxName(name[:0], tok)
		fmt.Printf("%s %s\n", cmd.Tag, name)
		_ = r.End()
	}
	// Output:
	// a BAD 8-bit octets need a literal or UTF8=ACCEPT
	// b UTF-8 on
	// c Entwürfe
	// d Entw&APw-rfe
}

// INTERNALDATE and APPEND dates parse without allocating: the instant in
// UTC and the zone apart.
func ExampleParseDateTime() {
	t, zone, err := imapwire.ParseDateTime([]byte("17-Jul-1996 02:44:25 -0700"))
	if err != nil {
		panic(err)
	}
	fmt.Println(t, zone/3600)
	fmt.Println(t.In(time.FixedZone("", zone)))
	fmt.Printf("%s\n", imapwire.AppendDateTime(nil, t.In(time.FixedZone("", zone))))
	// Output:
	// 1996-07-17 09:44:25 +0000 UTC -7
	// 1996-07-17 02:44:25 -0700 -0700
	// "17-Jul-1996 02:44:25 -0700"
}

// AUTHENTICATE PLAIN: the client writes its response, the server decodes
// and splits it; "*" cancels with a BAD.
func ExampleDecodeSASL() {
	resp, _ := imapwire.AppendPlainResponse([]byte("a AUTHENTICATE PLAIN "), "", "alice", "s3cr3t")
	fmt.Printf("%s\n", resp)
	msg, _ := imapwire.DecodeSASL(nil, resp[len("a AUTHENTICATE PLAIN "):])
	p, _ := imapwire.ParsePlain(msg)
	fmt.Printf("user %s password %s\n", p.Authcid, p.Password)
	_, err := imapwire.DecodeSASL(nil, []byte("*"))
	fmt.Println(imapwire.ReplyFor(err).Cond, imapwire.ReplyFor(err).Text)
	// Output:
	// a AUTHENTICATE PLAIN AGFsaWNlAHMzY3IzdA==
	// user alice password s3cr3t
	// BAD Authentication canceled
}
