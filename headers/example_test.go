package headers_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/headers"
)

// lf shows CRLF-terminated output as lines.
func lf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

func ExampleScanner() {
	msg := []byte("Received: from a by b; Tue, 14 Oct 2025 09:12:44 +0200\r\n" +
		"Subject: a folded\r\n subject\r\n" +
		"X-Originating-IP : [192.0.2.7]\r\n" +
		"\r\n" +
		"body\r\n")
	s := headers.NewScanner(msg, headers.Options{Repair: headers.DefectSpaceBeforeColon})
	var buf []byte
	for s.Next() {
		f := s.Field()
		buf = headers.AppendUnfold(buf[:0], f.Value)
		fmt.Printf("%s = %q (defects %b)\n", f.Name, buf, f.Defects)
	}
	if err := s.Err(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("body %q\n", s.Body())
	// Output:
	// Received = "from a by b; Tue, 14 Oct 2025 09:12:44 +0200" (defects 0)
	// Subject = "a folded subject" (defects 0)
	// X-Originating-IP = "[192.0.2.7]" (defects 100000)
	// body "body\r\n"
}

func ExampleScanner_strict() {
	s := headers.NewScanner([]byte("Subject: hi\rBcc: victim@example.com\r\n\r\n"), headers.Options{})
	for s.Next() {
	}
	fmt.Println(s.Err())
	fmt.Printf("%+v\n", headers.ReplyOf(s.Err()))
	// Output:
	// headers: bare CR in header at offset 0
	// {Code:554 Enhanced:5.6.0 Text:Malformed message header Fatal:false}
}

func ExampleAppendField() {
	subject := "Quarterly report\r\nBcc: everyone@example.com" // from a web form
	_, err := headers.AppendField(nil, "Subject", subject)
	fmt.Println(err)

	out, _ := headers.AppendField(nil, "Subject", "A long subject line that a user typed into a form, which is folded at 78 octets")
	fmt.Print(lf(out))
	// Output:
	// headers: value would inject into the header at offset 16
	// Subject: A long subject line that a user typed into a form, which is folded at
	//  78 octets
}

func ExampleSanitizer() {
	msg := []byte("Received: from DESKTOP-7H3K2LQ (pool.isp.example [198.51.100.23])\r\n" +
		"\tby mail.example.org (Postfix) with ESMTPSA id 4F2K;\r\n" +
		"\tTue, 14 Oct 2025 09:12:44 +0200\r\n" +
		"From: Anna <anna@example.org>\r\n" +
		"Message-ID: <20251014071244.GA1234@laptop.home.example>\r\n" +
		"X-Mailer: Microsoft Outlook 16.0\r\n" +
		"X-Originating-IP: [198.51.100.23]\r\n" +
		"\r\n" +
		"Hello\r\n")
	s := headers.Sanitizer{Rules: headers.SubmissionRules(headers.Submission{
		Domain: "example.org",
		Hosts:  []string{"mail.example.org"},
		Secret: []byte("a secret of the service"),
	})}
	var rep headers.Report
	out, body, err := s.Append(nil, msg, &rep)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(lf(out), lf(body))
	for _, c := range rep.Changes {
		fmt.Printf("%s %s", c.Action, c.Name)
		if c.Action == headers.Trim {
			fmt.Printf(": cut %q", c.Removed)
		}
		fmt.Println()
	}
	// Output:
	// Received: by mail.example.org (Postfix) with ESMTPSA id 4F2K;
	// 	Tue, 14 Oct 2025 09:12:44 +0200
	// From: Anna <anna@example.org>
	// Message-ID: <4SDNFDM3G77OUR7G3L339R1ML9C31VP7@example.org>
	//
	// Hello
	// trim Received: cut "from DESKTOP-7H3K2LQ (pool.isp.example [198.51.100.23])\r\n\t"
	// rewrite Message-ID
	// drop X-Mailer
	// drop X-Originating-IP
}

func ExampleAppendReceived() {
	out, err := headers.AppendReceived(nil, headers.Received{
		By:   "mail.example.org",
		With: "ESMTPSA",
		ID:   "4F2Kq8",
		Date: time.Date(2025, 10, 14, 9, 12, 44, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(lf(out))
	// Output:
	// Received: by mail.example.org with ESMTPSA id 4F2Kq8;
	//  Tue, 14 Oct 2025 09:12:44 +0000
}

func ExampleAppendDecoded() {
	out, err := headers.AppendDecoded(nil, []byte("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"))
	fmt.Println(string(out), err)
	out, err = headers.AppendDecoded(nil, []byte("=?koi8-r?b?8MXU0g==?="))
	fmt.Println(string(out), err)
	// Output:
	// Keld Jørn Simonsen <keld@dkuug.dk> <nil>
	// Петр <nil>
}

func ExampleAppendASCIIDomains() {
	out, err := headers.AppendASCIIDomains(nil, []byte("Jörg <jörg@bücher.example>"))
	fmt.Println(string(out), err)
	// Output:
	// Jörg <jörg@xn--bcher-kva.example> <nil>
}

// A submission server streams each message: it reads the header block into
// a bounded buffer, writes its own Received field and the sanitized block,
// then copies the body without looking at it. The result goes to the DKIM
// signer next.
func ExampleReadBlock() {
	data := strings.NewReader("User-Agent: Mutt/2.2.12\r\n" +
		"Subject: hi\r\n" +
		"\r\n" +
		"a body of any size, never held whole\r\n")

	buf := make([]byte, 64<<10) // the largest header block accepted
	block, extra, err := headers.ReadBlock(data, buf)
	if err != nil {
		fmt.Println(headers.ReplyOf(err))
		return
	}
	out, err := headers.AppendReceived(nil, headers.Received{
		By: "mail.example.org", With: "ESMTPSA", Date: time.Date(2025, 10, 14, 9, 12, 44, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	san := headers.Sanitizer{Rules: headers.SubmissionRules(headers.Submission{Domain: "example.org"})}
	if out, _, err = san.Append(out, block, nil); err != nil {
		fmt.Println(headers.ReplyOf(err))
		return
	}
	var signed bytes.Buffer // stands for the DKIM signer and the queue
	signed.Write(out)
	signed.Write(extra)
	if _, err := io.Copy(&signed, data); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(lf(signed.Bytes()))
	// Output:
	// Received: by mail.example.org with ESMTPSA;
	//  Tue, 14 Oct 2025 09:12:44 +0000
	// Subject: hi
	//
	// a body of any size, never held whole
}
