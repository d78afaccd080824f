package session

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/imapwire"
)

// errIMAPLines bounds the untagged responses before a completion.
const maxIMAPLines = 1000

// readIMAP reads responses up to the completion tagged tag; with an empty
// tag it reads one response (the greeting). CAPABILITY data, and a
// CAPABILITY response code, are collected into the Reply's Caps.
func (c *Conn) readIMAP(tag string) (Reply, error) {
	r, _, err := c.readIMAPCaps(tag)
	return r, err
}

func (c *Conn) readIMAPCaps(tag string) (Reply, []string, error) {
	var r Reply
	var caps []string
	for i := 0; i < maxIMAPLines; i++ {
		resp, err := c.imap.ReadResponse()
		if err != nil {
			return r, caps, err
		}
		line, words, err := c.imapLine(resp)
		if err != nil {
			return r, caps, err
		}
		caps = append(caps, words...)
		r.Lines = append(r.Lines, line)
		switch resp.Kind {
		case imapwire.Continuation:
			r.Cond, r.OK = "+", true
			return r, caps, nil
		case imapwire.Tagged:
			r.Cond = resp.Cond.String()
			r.OK = resp.Cond == imapwire.CondOK
			if string(resp.Tag) != tag {
				return r, caps, fmt.Errorf("completion tagged %q, expected %q", resp.Tag, tag)
			}
			return r, caps, nil
		}
		if resp.Cond != imapwire.CondNone {
			r.Cond = resp.Cond.String()
			r.OK = resp.Cond == imapwire.CondOK || resp.Cond == imapwire.CondPreauth
			if tag == "" || resp.Cond == imapwire.CondBye {
				return r, caps, nil
			}
		}
	}
	return r, caps, errors.New("too many untagged responses")
}

// imapLine renders a response as a line and returns the capability words
// it carries.
func (c *Conn) imapLine(resp imapwire.Response) (string, []string, error) {
	var sb strings.Builder
	var words []string
	switch resp.Kind {
	case imapwire.Continuation:
		sb.WriteString("+ ")
		sb.Write(resp.Text)
		return sb.String(), nil, nil
	case imapwire.Tagged:
		sb.Write(resp.Tag)
	default:
		sb.WriteString("*")
	}
	if resp.Cond != imapwire.CondNone {
		sb.WriteString(" " + resp.Cond.String())
		if resp.Code != nil {
			sb.WriteString(" [")
			sb.Write(resp.Code)
			if len(resp.CodeArg) > 0 {
				sb.WriteString(" ")
				sb.Write(resp.CodeArg)
			}
			sb.WriteString("]")
			if resp.CodeIs("CAPABILITY") {
				w := resp.CodeWords()
				for x, ok := w.Next(); ok; x, ok = w.Next() {
					words = append(words, string(x))
				}
			}
		}
		if len(resp.Text) > 0 {
			sb.WriteString(" ")
			sb.Write(resp.Text)
		}
		return sb.String(), words, nil
	}
	if resp.Num != 0 {
		fmt.Fprintf(&sb, " %d", resp.Num)
	}
	sb.WriteString(" ")
	sb.Write(resp.Name)
	switch resp.Data {
	case imapwire.DataCapability:
		w, err := c.imap.Words()
		if err != nil {
			return sb.String(), nil, err
		}
		for x, ok := w.Next(); ok; x, ok = w.Next() {
			words = append(words, string(x))
			sb.WriteString(" ")
			sb.Write(x)
		}
	case imapwire.DataExists, imapwire.DataRecent, imapwire.DataExpunge:
	default:
		if err := c.skipIMAP(&sb); err != nil {
			return sb.String(), nil, err
		}
	}
	return sb.String(), words, nil
}

// skipIMAP reads the rest of a data response with the generic lexer.
func (c *Conn) skipIMAP(sb *strings.Builder) error {
	for i := 0; i < 100000; i++ {
		t, err := c.imap.Next()
		if err != nil {
			return err
		}
		switch t.Kind {
		case imapwire.KindEnd:
			return nil
		case imapwire.KindLiteral:
			if err := c.imap.Discard(); err != nil {
				return err
			}
			sb.WriteString("{literal}")
		case imapwire.KindQuoted:
			sb.WriteString(`"`)
			sb.Write(t.Bytes)
			sb.WriteString(`"`)
		default:
			sb.Write(t.Bytes)
		}
	}
	return errors.New("response too long")
}

// imapCaps sends CAPABILITY.
func (c *Conn) imapCaps() ([]string, Reply, error) {
	tag := c.TakeTag()
	if err := c.Write([]byte(tag + " CAPABILITY\r\n")); err != nil {
		return nil, Reply{}, err
	}
	r, caps, err := c.readIMAPCaps(tag)
	return caps, r, err
}

// GreetingCaps reads an IMAP greeting and returns the CAPABILITY code
// words in it, if any.
func (c *Conn) GreetingCaps() (Reply, []string, error) {
	if c.Proto != IMAP {
		r, err := c.Greeting()
		return r, nil, err
	}
	return c.readIMAPCaps("")
}
