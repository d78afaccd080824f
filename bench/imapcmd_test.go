package bench

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	imapv1 "github.com/emersion/go-imap"

	"github.com/mailwire/mailwire/imapwire"
)

// ImapCmd: the 200-command client stream of ImapCommands (imapCommands)
// decoded by imapwire's Decoder, one Decode per command with every
// argument typed (LOGIN's strings unescaped, SELECT's and STATUS's names
// decoded from modified UTF-7, FETCH items with sections, STORE flags,
// SEARCH terms with their strings and dates, APPEND's literal taken
// inline, LIST patterns), beside the same stream through imapwire's
// argument helpers (wireCommands) and go-imap v1's command parsers
// (v1Commands). go-imap v2's server decoder is internal to its server,
// which runs commands against a backend, so it is not compared.

// decoderCommands decodes n commands with the Decoder and sums what they
// carry, so nothing is optimized away.
func decoderCommands(d *imapwire.Decoder, n int) (int, error) {
	r := d.Reader()
	sum := 0
	for range n {
		c, err := d.Decode()
		if err != nil {
			return sum, err
		}
		sum += len(c.Tag)
		switch c.ID {
		case imapwire.CmdNoop:
		case imapwire.CmdLogin:
			sum += len(c.Login.User) + len(c.Login.Password)
		case imapwire.CmdSelect:
			sum += len(c.Select.Mailbox)
		case imapwire.CmdFetch:
			sum += len(c.Fetch.Set.Bytes())
			for _, it := range c.Fetch.Items {
				sum += int(it.Att) + len(it.Section.Raw)
			}
		case imapwire.CmdStore:
			sum += len(c.Store.Set.Bytes())
			for _, f := range c.Store.Flags {
				sum += len(f)
			}
		case imapwire.CmdSearch:
			for _, t := range c.Search.Terms {
				sum += int(t.Key) + len(t.Date) + len(t.Str[0])
			}
		case imapwire.CmdStatus:
			sum += len(c.Status.Mailbox) + len(c.Status.Items)
		case imapwire.CmdAppend:
			for more := true; more; {
				sum += len(c.Append.Mailbox) + len(c.Append.Flags) + int(c.Append.Literal.Size)
				data, err := r.Inline()
				if err != nil {
					return sum, err
				}
				sum += len(data)
				if more, err = d.NextMessage(); err != nil {
					return sum, err
				}
			}
		case imapwire.CmdList:
			sum += len(c.List.Reference) + len(c.List.Patterns[0])
		case imapwire.CmdMove:
			sum += len(c.Copy.Set.Bytes()) + len(c.Copy.Mailbox)
		default:
			return sum, errors.New("unexpected command " + c.ID.String())
		}
	}
	return sum, nil
}

func newCmdDecoder() *imapwire.Decoder {
	d := imapwire.NewDecoder(imapwire.NewReader(&loop{data: imapCommands}, imapwire.ServerSide, imapwire.Options{}))
	d.Continue = func(imapwire.Literal) error { return nil }
	return d
}

func TestImapCmdAgrees(t *testing.T) {
	d := imapwire.NewDecoder(imapwire.NewReader(bytes.NewReader(imapCommands), imapwire.ServerSide, imapwire.Options{}))
	got, err := decoderCommands(d, 200)
	if err != nil {
		t.Fatal(err)
	}
	want, err := wireCommands(imapwire.NewReader(bytes.NewReader(imapCommands), imapwire.ServerSide, imapwire.Options{}), 200)
	if err != nil {
		t.Fatal(err)
	}
	if got == 0 || want == 0 {
		t.Fatal("nothing decoded")
	}
	if _, err := d.Decode(); err == nil {
		t.Fatal("the stream has 200 commands")
	}
}

func TestImapCmdAllocs(t *testing.T) {
	d := newCmdDecoder()
	for range 20 {
		if _, err := decoderCommands(d, 200); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := decoderCommands(d, 200); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per 200 commands", allocs)
	}
}

func BenchmarkImapCmd(b *testing.B) {
	imapRuns(b, len(imapCommands), []imapRun{
		{"imapwire", func(b *testing.B) {
			d := newCmdDecoder()
			for b.Loop() {
				if _, err := decoderCommands(d, 200); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"imapwire-helpers", func(b *testing.B) {
			r := imapwire.NewReader(&loop{data: imapCommands}, imapwire.ServerSide, imapwire.Options{})
			for b.Loop() {
				if _, err := wireCommands(r, 200); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"go-imap-v1", func(b *testing.B) {
			r := imapv1.NewReader(bufio.NewReader(&loop{data: imapCommands}))
			for b.Loop() {
				if _, err := v1Commands(r, 200); err != nil {
					b.Fatal(err)
				}
			}
		}},
	})
}
