package smtpwire_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/smtpwire"
)

// A server reads commands, checks MAIL and RCPT, takes a DATA body, and
// answers errors with the reply StatusOf gives.
func ExampleCommandReader() {
	client := "EHLO client.example\r\n" +
		"MAIL FROM:<alice@example.org> SIZE=20 BODY=8BITMIME\r\n" +
		"RCPT TO:<bob@example.net> SIZE=1\r\n" +
		"RCPT TO:<bob@example.net>\r\n" +
		"DATA\r\n" +
		"Subject: hi\r\n\r\n..hello\r\n.\r\n" +
		"QUIT\r\n"
	c := smtpwire.NewCommandReader(strings.NewReader(client), smtpwire.CommandReaderOptions{})
	var out []byte
	reply := func(code int, text string) {
		out, _ = smtpwire.AppendReply(out[:0], code, smtpwire.EnhancedCode{}, text)
		fmt.Print(strings.ReplaceAll(string(out), "\r\n", "\n"))
	}
	fail := func(err error) {
		st := smtpwire.StatusOf(err)
		out, _ = smtpwire.AppendReply(out[:0], st.Code, st.Enhanced, st.Text)
		fmt.Print(strings.ReplaceAll(string(out), "\r\n", "\n"))
	}
	for {
		cmd, err := c.ReadCommand()
		if err != nil {
			fail(err)
			continue
		}
		switch cmd.Verb {
		case smtpwire.VerbEHLO:
			reply(250, "mx.example")
		case smtpwire.VerbMAIL:
			m, err := smtpwire.ParseMailFrom(cmd.Args, smtpwire.PathOptions{})
			if err != nil {
				fail(err)
				continue
			}
			size, _ := m.Params.Get(smtpwire.ParamSize)
			reply(250, fmt.Sprintf("sender %s, %d octets", m.From.Mailbox, size.Size()))
		case smtpwire.VerbRCPT:
			r, err := smtpwire.ParseRcptTo(cmd.Args, smtpwire.PathOptions{})
			if err != nil {
				fail(err)
				continue
			}
			reply(250, "recipient "+string(r.To.Mailbox))
		case smtpwire.VerbDATA:
			reply(354, "go ahead")
			body, err := io.ReadAll(c.Data(1 << 20))
			if err != nil {
				fail(err)
				continue
			}
			reply(250, fmt.Sprintf("got %q", body))
		case smtpwire.VerbQUIT:
			reply(221, "bye")
			return
		}
	}
	// Output:
	// 250 mx.example
	// 250 sender alice@example.org, 20 octets
	// 555 5.5.4 Parameter not recognized or not implemented
	// 250 recipient bob@example.net
	// 354 go ahead
	// 250 got "Subject: hi\r\n\r\n.hello\r\n"
	// 221 bye
}

// A body that hides a second message behind <LF>.<CR><LF> is read to its
// real end and refused; the smuggled commands are never seen.
func ExampleCommandReader_Data() {
	wire := "Subject: x\r\n\r\nhello\n.\r\nMAIL FROM:<admin@bank.example>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n"
	c := smtpwire.NewCommandReader(strings.NewReader(wire), smtpwire.CommandReaderOptions{})
	_, err := io.ReadAll(c.Data(0))
	st := smtpwire.StatusOf(err)
	fmt.Println(st.Code, st.Enhanced, st.Text)
	cmd, _ := c.ReadCommand()
	fmt.Println("next command:", cmd.Verb)
	// Output:
	// 554 5.5.0 Bare CR or LF in message, refused
	// next command: QUIT
}

// A client reads the EHLO reply into capabilities.
func ExampleParseCapabilities() {
	server := "250-mx.example at your service\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"
	rr := smtpwire.NewReplyReader(strings.NewReader(server), smtpwire.ReplyReaderOptions{})
	r, err := rr.ReadReply()
	if err != nil {
		panic(err)
	}
	caps, err := smtpwire.ParseCapabilities(r)
	if err != nil {
		panic(err)
	}
	size, _ := caps.MaxSize()
	fmt.Printf("%s\n", caps.Greeting())
	fmt.Println(caps.Has(smtpwire.ExtStartTLS), caps.Has(smtpwire.ExtChunking), size, caps.HasAuth("PLAIN"))
	// Output:
	// mx.example at your service
	// true false 10240000 true
}

// A client reads a multi-line reply with an enhanced status code.
func ExampleReplyReader() {
	rr := smtpwire.NewReplyReader(strings.NewReader("550-5.1.1 The email account does not exist.\r\n550 5.1.1 Please check the address.\r\n"), smtpwire.ReplyReaderOptions{})
	r, _ := rr.ReadReply()
	fmt.Println(r.Code, r.Enhanced, r.Len())
	for i := range r.Len() { // or: for line := range r.Lines()
		fmt.Printf("%s\n", r.Line(i))
	}
	// Output:
	// 550 5.1.1 2
	// 5.1.1 The email account does not exist.
	// 5.1.1 Please check the address.
}

// A client writes its commands and a dot-stuffed body.
func ExampleAppendMailFrom() {
	var b []byte
	b, _ = smtpwire.AppendCommand(b, smtpwire.VerbEHLO, "client.example")
	b, _ = smtpwire.AppendMailFrom(b, "alice@example.org", &smtpwire.MailParams{Size: 1234, Body: smtpwire.Body8BitMIME, EnvID: "id+1"})
	b, _ = smtpwire.AppendRcptTo(b, "bob@example.net", false, &smtpwire.RcptParams{Notify: smtpwire.NotifyFailure | smtpwire.NotifyDelay})
	b, _ = smtpwire.AppendCommand(b, smtpwire.VerbDATA, "")
	b, _ = smtpwire.AppendData(b, []byte("Subject: hi\r\n\r\n.leading dot"))
	fmt.Print(strings.ReplaceAll(string(b), "\r\n", "\n"))

	_, err := smtpwire.AppendMailFrom(nil, "a@b.example> SIZE=1", nil)
	fmt.Println(err)
	_, err = smtpwire.AppendData(nil, []byte("hello\n.\r\nMAIL FROM:<x@y>"))
	fmt.Println(err)
	// Output:
	// EHLO client.example
	// MAIL FROM:<alice@example.org> SIZE=1234 BODY=8BITMIME ENVID=id+2B1
	// RCPT TO:<bob@example.net> NOTIFY=FAILURE,DELAY
	// DATA
	// Subject: hi
	//
	// ..leading dot
	// .
	// smtpwire: value would inject into the protocol line: expected a valid mailbox
	// bare LF
}

// A server reads BDAT chunks exactly, and consumes a rejected one.
func ExampleParseBDAT() {
	c := smtpwire.NewCommandReader(strings.NewReader("BDAT 9\r\nSubject: BDAT 3 LAST\r\nabcQUIT\r\n"), smtpwire.CommandReaderOptions{})
	for {
		cmd, _ := c.ReadCommand()
		if cmd.Verb != smtpwire.VerbBDAT {
			fmt.Println(cmd.Verb)
			return
		}
		size, last, _ := smtpwire.ParseBDAT(cmd.Args)
		if size > 5 { // over this server's limit: drain, then refuse
			_ = c.Chunk(size).Discard()
			st := smtpwire.StatusOf(smtpwire.ErrTooLarge)
			fmt.Println(st.Code, st.Text)
			continue
		}
		chunk, _ := io.ReadAll(c.Chunk(size))
		fmt.Printf("%q last=%v\n", chunk, last)
	}
	// Output:
	// 552 Message too big
	// "abc" last=true
	// QUIT
}

// An LMTP client reads one reply per accepted recipient after the end of
// DATA, and knows whose each is.
func ExampleReplyReader_LMTPReplies() {
	rcpts := []string{"alice@example.test", "nobody@example.test", "bob@example.test"}
	server := "250 2.1.5 OK\r\n550 5.1.1 <nobody@example.test> User doesn't exist\r\n250 2.1.5 OK\r\n354 OK\r\n" +
		"250 2.0.0 <alice@example.test> Saved\r\n452 4.2.2 <bob@example.test> Quota exceeded\r\n"
	rr := smtpwire.NewReplyReader(strings.NewReader(server), smtpwire.ReplyReaderOptions{})
	var accepted []string
	for _, rcpt := range rcpts { // the replies to the pipelined RCPTs
		if r, _ := rr.ReadReply(); r.Code/100 == 2 {
			accepted = append(accepted, rcpt)
		}
	}
	rr.ReadReply() // 354, then the body is sent
	l := rr.LMTPReplies(len(accepted))
	for {
		i, r, err := l.Next()
		if err != nil {
			break // io.EOF after the last one
		}
		fmt.Println(accepted[i], r.Code, r.Enhanced)
	}
	// Output:
	// alice@example.test 250 2.0.0
	// bob@example.test 452 4.2.2
}

// A proxy tells Postfix who the real client is; long values go in several
// XCLIENT commands, each answered by a new 220 greeting.
func ExampleAppendXCLIENT() {
	fields := []smtpwire.XCLIENTField{
		{Attr: smtpwire.XCLIENTName, Value: "mx.example.net"},
		{Attr: smtpwire.XCLIENTAddr, Value: "IPV6:2001:db8::5"},
		{Attr: smtpwire.XCLIENTHelo, Value: "mx.example.net"},
		{Attr: smtpwire.XCLIENTLogin, Value: smtpwire.XCLIENTUnavailable},
	}
	for rest := fields; len(rest) > 0; {
		line, n, err := smtpwire.AppendXCLIENT(nil, rest, 60)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(strings.ReplaceAll(string(line), "\r\n", "\n")) // send, then read the 220
		rest = rest[n:]
	}
	cmd, _ := smtpwire.ParseCommand([]byte("XCLIENT ADDR=192.0.2.7 PORT=99999"))
	_, err := smtpwire.ParseXCLIENT(cmd.Args)
	st := smtpwire.StatusOf(err)
	fmt.Println(st.Code, st.Enhanced)
	// Output:
	// XCLIENT NAME=mx.example.net ADDR=IPV6:2001:db8::5
	// XCLIENT HELO=mx.example.net LOGIN=[UNAVAILABLE]
	// 501 5.5.4
}
