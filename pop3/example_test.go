package pop3_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/pop3"
)

// A server reads commands and answers each, errors included.
func ExampleCommandReader() {
	client := strings.NewReader("USER bob\r\nPASS open sesame\r\nRETR 0\r\nLAST\r\nLIST 2\r\nQUIT\r\n")
	cr := pop3.NewCommandReader(client, pop3.CommandReaderOptions{})
	var out []byte
	for {
		cmd, err := cr.ReadCommand()
		if err == io.EOF {
			break
		}
		if err != nil {
			r := pop3.ReplyOf(err)
			out = pop3.AppendReply(out, r)
			if r.Fatal {
				break
			}
			continue
		}
		switch cmd.Verb {
		case pop3.VerbUSER:
			out, _ = pop3.AppendOK(out, "", cmd.Arg)
		case pop3.VerbPASS:
			out, _ = pop3.AppendOK(out, "", "maildrop ready")
		case pop3.VerbLIST:
			out = pop3.AppendScanOK(out, pop3.Scan{Msg: cmd.Msg, Size: 200})
		case pop3.VerbQUIT:
			out, _ = pop3.AppendOK(out, "", "bye")
		}
	}
	fmt.Print(strings.ReplaceAll(string(out), "\r\n", "\n"))
	// Output:
	// +OK bob
	// +OK maildrop ready
	// -ERR Invalid message number
	// -ERR Unknown command: LAST
	// +OK 2 200
	// +OK bye
}

// A client reads a greeting, a STAT response and a message.
func ExampleResponseReader() {
	server := strings.NewReader("+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n" +
		"+OK 1 27\r\n" +
		"+OK 27 octets\r\nSubject: hi\r\n\r\n..dot\r\n.\r\n")
	rr := pop3.NewResponseReader(server, pop3.ResponseReaderOptions{})

	greeting, _ := rr.ReadResponse()
	fmt.Printf("APOP timestamp %s\n", pop3.APOPTimestamp(greeting.Text))

	stat, _ := rr.ReadResponse()
	count, size, _ := pop3.ParseStat(stat.Text)
	fmt.Println(count, "message,", size, "octets")

	if resp, _ := rr.ReadResponse(); resp.OK() {
		body, err := io.ReadAll(rr.Body())
		fmt.Printf("%q %v\n", body, err)
	}
	// Output:
	// APOP timestamp <1896.697170952@dbc.mtview.ca.us>
	// 1 message, 27 octets
	// "Subject: hi\r\n\r\n.dot\r\n" <nil>
}

func ExampleResponseReader_ReadCapabilities() {
	server := strings.NewReader("+OK Capability list follows\r\n" +
		"TOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nRESP-CODES\r\nEXPIRE 30 USER\r\nSTLS\r\n.\r\n")
	rr := pop3.NewResponseReader(server, pop3.ResponseReaderOptions{})
	if _, err := rr.ReadResponse(); err != nil {
		panic(err)
	}
	var caps pop3.Capabilities
	if err := rr.ReadCapabilities(&caps); err != nil {
		panic(err)
	}
	fmt.Println("STLS:", caps.Has(pop3.CapSTLS), "PIPELINING:", caps.Has(pop3.CapPipelining))
	for m := range caps.Mechanisms() {
		fmt.Printf("SASL %s\n", m)
	}
	exp, _ := caps.Expire()
	fmt.Printf("%+v\n", exp)
	// Output:
	// STLS: true PIPELINING: false
	// SASL PLAIN
	// SASL SCRAM-SHA-256
	// {Days:30 Never:false PerUser:true}
}

func ExampleAppendErr() {
	out, _ := pop3.AppendErr(nil, pop3.CodeInUse, "maildrop already locked")
	fmt.Printf("%q\n", out)
	_, err := pop3.AppendErr(nil, "", "no\r\n+OK forged")
	fmt.Println(err)
	// Output:
	// "-ERR [IN-USE] maildrop already locked\r\n"
	// value would inject into the protocol line
}

func ExampleAppendBody() {
	out := []byte("+OK message follows\r\n")
	out, _ = pop3.AppendBody(out, []byte("Subject: x\r\n\r\n.hidden?\r\n"))
	fmt.Printf("%q\n", out)
	// Output:
	// "+OK message follows\r\nSubject: x\r\n\r\n..hidden?\r\n.\r\n"
}

func ExampleCheckAPOP() {
	stamp := pop3.APOPTimestamp([]byte("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"))
	digest := pop3.AppendAPOPDigest(nil, stamp, "tanstaaf")
	fmt.Printf("APOP mrose %s\n", digest)
	fmt.Println(pop3.CheckAPOP(stamp, "tanstaaf", digest))
	// Output:
	// APOP mrose c4c9334bac560ecc979e58001b3e22fb
	// true
}

func ExampleDecodeSASL() {
	cr := pop3.NewCommandReader(strings.NewReader("AUTH PLAIN\r\nAGJvYgBzZWNyZXQ=\r\nAUTH PLAIN =\r\n"), pop3.CommandReaderOptions{})
	cmd, _ := cr.ReadCommand()
	fmt.Println(cmd.Verb, string(cmd.Arg))
	buf := make([]byte, 0, 64) // reused: decoding appends to it
	data, err := cr.ReadAuthResponse(buf)
	fmt.Printf("%q %v\n", data, err)
	cmd, _ = cr.ReadCommand()
	initial, err := pop3.DecodeSASL(buf, cmd.Arg2) // "=" is the empty initial response
	fmt.Printf("%q %v\n", initial, err)
	// Output:
	// AUTH PLAIN
	// "\x00bob\x00secret" <nil>
	// "" <nil>
}

func ExampleParsePlain() {
	// A server: AUTH PLAIN with an initial response.
	cr := pop3.NewCommandReader(strings.NewReader("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\nAUTH PLAIN AGJvYg==\r\n"), pop3.CommandReaderOptions{})
	buf := make([]byte, 0, pop3.DefaultMaxCommandLine)
	for range 2 {
		cmd, _ := cr.ReadCommand()
		msg, err := pop3.DecodeSASL(buf, cmd.Arg2)
		if err == nil {
			var p pop3.Plain
			if p, err = pop3.ParsePlain(msg); err == nil {
				fmt.Printf("user %s, password %s\n", p.Authcid, p.Password)
				continue
			}
		}
		out := pop3.AppendReply(nil, pop3.ReplyOf(err))
		fmt.Printf("%s", out)
	}
	// Output:
	// user bob, password secret
	// -ERR [AUTH] Malformed PLAIN credentials
}

func ExampleAppendPlainResponse() {
	// A client: the initial response of AUTH PLAIN.
	cmd := []byte("AUTH PLAIN ")
	cmd, err := pop3.AppendPlainResponse(cmd, "", "bob", "secret")
	fmt.Printf("%q %v\n", append(cmd, "\r\n"...), err)
	// Output:
	// "AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n" <nil>
}

func ExampleAppendCommand() {
	out, _ := pop3.AppendCommand(nil, pop3.Command{Verb: pop3.VerbTOP, Msg: 1, Lines: 0})
	fmt.Printf("%q\n", out)
	_, err := pop3.AppendCommand(nil, pop3.Command{Verb: pop3.VerbUSER, Arg: []byte("bob\r\nDELE 1")})
	fmt.Println(err)
	// Output:
	// "TOP 1 0\r\n"
	// value would inject into the protocol line
}

// At STLS a server must find nothing buffered: a command pipelined behind
// STLS came in plaintext and would otherwise be read as if it came over
// TLS (the CVE-2011-0411 class).
func ExampleCommandReader_Buffered() {
	client := strings.NewReader("STLS\r\nUSER injected\r\n")
	cr := pop3.NewCommandReader(client, pop3.CommandReaderOptions{})
	cmd, _ := cr.ReadCommand()
	if cmd.Verb == pop3.VerbSTLS && cr.Buffered() > 0 {
		fmt.Printf("log: %d octets pipelined after STLS: %q\n", cr.Buffered(), cr.ReadAhead())
		out, _ := pop3.AppendErr(nil, "", "Plaintext after STLS, closing")
		fmt.Printf("%q\n", out)
		return
	}
	fmt.Println("+OK Begin TLS negotiation")
	// Output:
	// log: 15 octets pipelined after STLS: "USER injected\r\n"
	// "-ERR Plaintext after STLS, closing\r\n"
}

// A client reads a LIST listing; Raw keeps each line for the log and for
// what a server writes after the size.
func ExampleResponseReader_ReadScan() {
	server := strings.NewReader("+OK 2 messages\r\n1 120\r\n2 3400 seen\r\n.\r\n")
	rr := pop3.NewResponseReader(server, pop3.ResponseReaderOptions{})
	if _, err := rr.ReadResponse(); err != nil {
		panic(err)
	}
	for {
		s, err := rr.ReadScan()
		if err == io.EOF {
			break
		}
		extra := strings.TrimSpace(strings.TrimPrefix(string(s.Raw), fmt.Sprint(s.Msg, " ", s.Size)))
		fmt.Printf("message %d: %d octets %v, line %q, extra %q\n", s.Msg, s.Size, err, s.Raw, extra)
	}
	// Output:
	// message 1: 120 octets <nil>, line "1 120", extra ""
	// message 2: 3400 octets <nil>, line "2 3400 seen", extra "seen"
}
