package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	imapv1 "github.com/emersion/go-imap"
	imapv2 "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailwire/mailwire/imapwire"
)

// ImapCmd: the 200-command client stream of ImapCommands (imapCommands)
// decoded by imapwire's Decoder, one Decode per command with every
// argument typed (LOGIN's strings unescaped, SELECT's and STATUS's names
// decoded from modified UTF-7, FETCH items with sections, STORE flags,
// SEARCH terms with their strings and dates, APPEND's literal taken
// inline, LIST patterns), beside the same stream through imapwire's
// argument helpers (wireCommands), go-imap v1's command parsers
// (v1Commands) and go-imap v2's server (go-imap-v2-server: its decoder is
// internal, so the server runs end to end over net.Pipe with a backend
// that does nothing; it also writes its responses, which the benchmark
// reads, so it does more than decode). Every run checks what it read
// against totals computed once.

// imapCmdWant is what decoderCommands sums over the 200 commands, from the
// values the corpus was written with.
var imapCmdWant = func() int {
	sum := 0
	for i := range 20 {
		for j := range 10 {
			sum += len(fmt.Sprintf("a%d%d", i, j))
		}
		sum += len("alice") + len("pass word")
		sum += len("INBOX")
		sum += len("1:*") + int(imapwire.FetchUID) + int(imapwire.FetchFlags) + int(imapwire.FetchInternalDate) +
			int(imapwire.FetchRFC822Size) + int(imapwire.FetchBodySection) + len("HEADER.FIELDS (FROM TO SUBJECT DATE)")
		sum += len("4:9") + len(`\Seen`) + len("$Junk")
		sum += int(imapwire.SearchUnseen) + int(imapwire.SearchSince) + len("1-Feb-2024") + int(imapwire.SearchNot) +
			int(imapwire.SearchFrom) + len("spam@example.com")
		sum += len("Sent Items") + 3
		sum += len("Drafts") + 1 + 2*len(imapAppendMsg)
		sum += len("") + len("*")
		sum += len("17") + len("Archive")
	}
	return sum
}()

// wireCmdWant and v1CmdWant are what wireCommands and v1Commands sum over
// the 200 commands, computed once on the corpus read from memory.
var wireCmdWant, v1CmdWant = func() (int, int) {
	w, err := wireCommands(imapwire.NewReader(bytes.NewReader(imapCommands), imapwire.ServerSide, imapwire.Options{}), 200)
	if err != nil {
		panic(err)
	}
	v, err := v1Commands(imapv1.NewReader(bufio.NewReader(bytes.NewReader(imapCommands))), 200)
	if err != nil {
		panic(err)
	}
	return w, v
}()

// checkSum fails b when a run's total is not the one computed once.
func checkSum(b *testing.B, got, want int, err error) {
	if err != nil {
		b.Fatal(err)
	}
	if got != want {
		b.Fatalf("read a total of %d, want %d", got, want)
	}
}

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
	if got != imapCmdWant {
		t.Fatalf("the Decoder read a total of %d, want %d", got, imapCmdWant)
	}
	if wireCmdWant == 0 || v1CmdWant == 0 {
		t.Fatal("nothing decoded")
	}
	if _, err := d.Decode(); err == nil {
		t.Fatal("the stream has 200 commands")
	}
	srv := newV2Server(t)
	defer srv.close()
	if err := srv.run(); err != nil {
		t.Fatal(err)
	}
	if err := srv.run(); err != nil {
		t.Fatal(err)
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
				n, err := decoderCommands(d, 200)
				checkSum(b, n, imapCmdWant, err)
			}
		}},
		{"imapwire-helpers", func(b *testing.B) {
			r := imapwire.NewReader(&loop{data: imapCommands}, imapwire.ServerSide, imapwire.Options{})
			for b.Loop() {
				n, err := wireCommands(r, 200)
				checkSum(b, n, wireCmdWant, err)
			}
		}},
		{"go-imap-v1", func(b *testing.B) {
			r := imapv1.NewReader(bufio.NewReader(&loop{data: imapCommands}))
			for b.Loop() {
				n, err := v1Commands(r, 200)
				checkSum(b, n, v1CmdWant, err)
			}
		}},
		{"go-imap-v2-server", func(b *testing.B) {
			srv := newV2Server(b)
			defer srv.close()
			for b.Loop() {
				if err := srv.run(); err != nil {
					b.Fatal(err)
				}
			}
		}},
	})
}

// v2Server is go-imap v2's server on one end of a net.Pipe, with
// v2Session as its backend, and the client's end.
type v2Server struct {
	srv    *imapserver.Server
	conn   net.Conn
	br     *bufio.Reader
	sess   *v2Session
	logged *v2Log
	errc   chan error
	runs   int
}

func newV2Server(tb testing.TB) *v2Server {
	server, client := net.Pipe()
	v := &v2Server{conn: client, br: bufio.NewReader(client), sess: &v2Session{}, logged: &v2Log{}, errc: make(chan error, 1)}
	v.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return v.sess, nil, nil
		},
		Caps:         imapv2.CapSet{imapv2.CapIMAP4rev1: {}, imapv2.CapMove: {}, imapv2.CapLiteralMinus: {}},
		InsecureAuth: true,
		Logger:       v.logged,
	})
	go v.srv.Serve(&oneListener{conn: server, closed: make(chan struct{})})
	line, err := v.br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "* OK") {
		tb.Fatalf("greeting %q: %v", line, err)
	}
	return v
}

// v2Authenticated is the reply to LOGIN once authenticated.
var v2Authenticated = []byte("BAD [CLIENTBUG] This command is only valid in the not authenticated state")

// run writes the 200 commands and reads the 200 tagged replies: OK for
// each, but for LOGIN once authenticated (go-imap v2 decodes LOGIN's
// arguments before it checks the state, then answers v2Authenticated). The backend's
// totals must grow by what the corpus holds.
func (v *v2Server) run() error {
	before := v.sess.sum
	go func() {
		_, err := v.conn.Write(imapCommands)
		v.errc <- err
	}()
	for i := range 20 {
		for j := range 10 {
			tag := fmt.Sprintf("a%d%d ", i, j)
			for {
				line, err := v.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if bytes.HasPrefix(line, []byte("* ")) {
					continue
				}
				if !bytes.HasPrefix(line, []byte(tag)) {
					return fmt.Errorf("reply %q, want tag %q", line, tag)
				}
				ok := bytes.HasPrefix(line[len(tag):], []byte("OK "))
				if !ok && !(j == 0 && (i > 0 || v.runs > 0) && bytes.HasPrefix(line[len(tag):], v2Authenticated)) {
					return fmt.Errorf("reply %q", line)
				}
				break
			}
		}
	}
	if err := <-v.errc; err != nil {
		return err
	}
	v.runs++
	if msg := v.logged.last(); msg != "" {
		return errors.New("go-imap v2 server: " + msg)
	}
	if got, want := v.sess.sum-before, 20*(len("INBOX")+5+2+2+len("Sent Items")+len(imapAppendMsg)+1+len("Archive")); got != want {
		return fmt.Errorf("the backend saw a total of %d, want %d", got, want)
	}
	return nil
}

func (v *v2Server) close() {
	v.conn.Close()
	v.srv.Close()
}

// oneListener hands out one connection, then waits to be closed.
type oneListener struct {
	conn   net.Conn
	once   sync.Once
	closed chan struct{}
}

func (l *oneListener) Accept() (net.Conn, error) {
	var c net.Conn
	l.once.Do(func() { c = l.conn })
	if c != nil {
		return c, nil
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

func (l *oneListener) Addr() net.Addr { return l.conn.LocalAddr() }

// v2Log keeps the last message go-imap v2's server logged.
type v2Log struct {
	mu  sync.Mutex
	msg string
}

func (l *v2Log) Printf(format string, args ...any) {
	l.mu.Lock()
	l.msg = fmt.Sprintf(format, args...)
	l.mu.Unlock()
}

func (l *v2Log) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.msg
}

// v2Session is a backend that does nothing but add up what it is given:
// the mailbox names, the FETCH items (sections and header fields), the
// STORE flags, the SEARCH keys with arguments, the APPEND literal's
// octets, the LIST patterns. Only the server's goroutine touches sum until
// the replies are read.
type v2Session struct{ sum int }

var errV2Unused = errors.New("not in the corpus")

func (s *v2Session) Close() error                          { return nil }
func (s *v2Session) Login(username, password string) error { return nil }
func (s *v2Session) Select(mailbox string, _ *imapv2.SelectOptions) (*imapv2.SelectData, error) {
	s.sum += len(mailbox)
	return &imapv2.SelectData{UIDValidity: 1, UIDNext: 1}, nil
}
func (s *v2Session) Create(string, *imapv2.CreateOptions) error         { return errV2Unused }
func (s *v2Session) Delete(string) error                                { return errV2Unused }
func (s *v2Session) Rename(string, string, *imapv2.RenameOptions) error { return errV2Unused }
func (s *v2Session) Subscribe(string) error                             { return errV2Unused }
func (s *v2Session) Unsubscribe(string) error                           { return errV2Unused }
func (s *v2Session) List(_ *imapserver.ListWriter, _ string, patterns []string, _ *imapv2.ListOptions) error {
	s.sum += len(patterns)
	return nil
}
func (s *v2Session) Status(mailbox string, _ *imapv2.StatusOptions) (*imapv2.StatusData, error) {
	s.sum += len(mailbox)
	var n uint32
	return &imapv2.StatusData{Mailbox: mailbox, NumMessages: &n, NumUnseen: &n, UIDNext: 1}, nil
}
func (s *v2Session) Append(_ string, r imapv2.LiteralReader, _ *imapv2.AppendOptions) (*imapv2.AppendData, error) {
	n, err := io.Copy(io.Discard, r)
	s.sum += int(n)
	return &imapv2.AppendData{}, err
}
func (s *v2Session) Poll(*imapserver.UpdateWriter, bool) error               { return nil }
func (s *v2Session) Idle(*imapserver.UpdateWriter, <-chan struct{}) error    { return errV2Unused }
func (s *v2Session) Unselect() error                                         { return nil }
func (s *v2Session) Expunge(*imapserver.ExpungeWriter, *imapv2.UIDSet) error { return errV2Unused }
func (s *v2Session) Search(kind imapserver.NumKind, c *imapv2.SearchCriteria, _ *imapv2.SearchOptions) (*imapv2.SearchData, error) {
	if !c.Since.IsZero() {
		s.sum++
	}
	s.sum += len(c.Not)
	if kind == imapserver.NumKindUID {
		return &imapv2.SearchData{All: imapv2.UIDSet{}}, nil
	}
	return &imapv2.SearchData{All: imapv2.SeqSet{}}, nil
}
func (s *v2Session) Fetch(_ *imapserver.FetchWriter, _ imapv2.NumSet, o *imapv2.FetchOptions) error {
	s.sum += len(o.BodySection)
	for _, sec := range o.BodySection {
		s.sum += len(sec.HeaderFields)
	}
	return nil
}
func (s *v2Session) Store(_ *imapserver.FetchWriter, _ imapv2.NumSet, f *imapv2.StoreFlags, _ *imapv2.StoreOptions) error {
	s.sum += len(f.Flags)
	return nil
}
func (s *v2Session) Copy(imapv2.NumSet, string) (*imapv2.CopyData, error) { return nil, errV2Unused }
func (s *v2Session) Move(_ *imapserver.MoveWriter, _ imapv2.NumSet, dest string) error {
	s.sum += len(dest)
	return nil
}
