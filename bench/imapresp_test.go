package bench

import (
	"bytes"
	"errors"
	"io"
	"testing"

	imapv1 "github.com/emersion/go-imap"
	"github.com/emersion/go-imap/responses"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/imapwire"
)

// ImapRespSession: the responses an IMAP server writes for a client's
// first minute, written by imapwire's response writers and by go-imap v1's
// server-side writers (responses.* and StatusResp through imap.Writer,
// which its server uses): the greeting with a CAPABILITY code, CAPABILITY,
// LIST of 12 folders (names in modified UTF-7), STATUS of each, SELECT
// (FLAGS, EXISTS, RECENT, UIDVALIDITY, UIDNEXT, PERMANENTFLAGS), a SEARCH
// of 200 numbers, 10 EXPUNGE and the tagged completions. go-imap v2 has no
// exported response writer (its encoder is internal), so it is not
// compared.

var respFolders = []string{"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive", "Archive/2025", "Archive/2026",
	"Entwürfe", "Projekte/Übersicht", "Reisen", "Rechnungen"}

var respCaps = []string{"IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE",
	"CONDSTORE", "ESEARCH", "SPECIAL-USE", "AUTH=PLAIN"}

var respFlags = []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`, "$Forwarded", "$Junk"}

var respSearch = func() []uint32 {
	n := make([]uint32, 200)
	for i := range n {
		n[i] = uint32(3*i + 1)
	}
	return n
}()

func byteList(s []string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// imapwireSession writes the session with imapwire; its inputs are built
// once, as a server holds them.
type imapwireSession struct {
	caps, flags, perm, attrs [][]byte
	folders                  [][]byte
	status                   []imapwire.StatusValue
}

func newImapwireSession() *imapwireSession {
	s := &imapwireSession{caps: byteList(respCaps), flags: byteList(respFlags),
		perm: byteList(append(append([]string{}, respFlags...), `\*`)), attrs: byteList([]string{`\HasNoChildren`}),
		folders: byteList(respFolders)}
	s.status = []imapwire.StatusValue{{Att: imapwire.StatusMessages, Value: 231}, {Att: imapwire.StatusUIDNext, Value: 44292},
		{Att: imapwire.StatusUIDValidity, Value: 3857529045}, {Att: imapwire.StatusUnseen, Value: 3}}
	return s
}

// sticky keeps the output and the first error of a run of writers.
type sticky struct {
	out []byte
	err error
}

func (s *sticky) put(b []byte, err error) {
	s.out = b
	if s.err == nil {
		s.err = err
	}
}

func (s *imapwireSession) write(out []byte) ([]byte, error) {
	var e imapwire.Encoder
	tag := []byte("a1")
	w := sticky{out: out}
	w.put(imapwire.AppendUntagged(w.out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeCapability, Words: s.caps}, "mailwire ready"))
	w.put(imapwire.AppendCapabilityData(w.out, s.caps))
	w.put(imapwire.AppendTagged(w.out, tag, imapwire.CondOK, imapwire.Code{}, "CAPABILITY completed"))
	for _, f := range s.folders {
		w.put(e.AppendListData(w.out, false, &imapwire.ListItem{Attrs: s.attrs, Delim: '/', Mailbox: f}))
	}
	w.put(imapwire.AppendTagged(w.out, tag, imapwire.CondOK, imapwire.Code{}, "LIST completed"))
	for _, f := range s.folders {
		w.put(e.AppendStatusData(w.out, f, s.status))
	}
	w.put(imapwire.AppendTagged(w.out, tag, imapwire.CondOK, imapwire.Code{}, "STATUS completed"))
	w.put(imapwire.AppendFlagsData(w.out, s.flags))
	w.out = imapwire.AppendExistsData(w.out, 231)
	w.out = imapwire.AppendRecentData(w.out, 2)
	w.put(imapwire.AppendUntagged(w.out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDValidity, Num: 3857529045}, "UIDs valid"))
	w.put(imapwire.AppendUntagged(w.out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeUIDNext, Num: 44292}, "Predicted next UID"))
	w.put(imapwire.AppendUntagged(w.out, imapwire.CondOK, imapwire.Code{ID: imapwire.CodePermanentFlags, Words: s.perm}, "Flags permitted."))
	w.put(imapwire.AppendTagged(w.out, tag, imapwire.CondOK, imapwire.Code{ID: imapwire.CodeReadWrite}, "SELECT completed"))
	w.put(imapwire.AppendSearchData(w.out, respSearch, 0))
	w.put(imapwire.AppendTagged(w.out, tag, imapwire.CondOK, imapwire.Code{}, "SEARCH completed"))
	for i := uint32(10); i > 0; i-- {
		w.put(imapwire.AppendExpungeData(w.out, i))
	}
	w.put(imapwire.AppendTagged(w.out, tag, imapwire.CondOK, imapwire.Code{}, "EXPUNGE completed"))
	return w.out, w.err
}

// goimapV1Session writes the same session with go-imap v1.
func goimapV1Session(w *imapv1.Writer) error {
	ok := func(code imapv1.StatusRespCode, args []interface{}, info string) error {
		return (&imapv1.StatusResp{Tag: "a1", Type: imapv1.StatusRespOk, Code: code, Arguments: args, Info: info}).WriteTo(w)
	}
	caps := make([]interface{}, len(respCaps))
	for i, c := range respCaps {
		caps[i] = imapv1.RawString(c)
	}
	greeting := &imapv1.StatusResp{Type: imapv1.StatusRespOk, Code: imapv1.CodeCapability, Arguments: caps, Info: "mailwire ready"}
	errs := []error{greeting.WriteTo(w), (&responses.Capability{Caps: respCaps}).WriteTo(w), ok("", nil, "CAPABILITY completed")}
	ch := make(chan *imapv1.MailboxInfo, len(respFolders))
	for _, f := range respFolders {
		ch <- &imapv1.MailboxInfo{Attributes: []string{`\HasNoChildren`}, Delimiter: "/", Name: f}
	}
	close(ch)
	errs = append(errs, (&responses.List{Mailboxes: ch}).WriteTo(w), ok("", nil, "LIST completed"))
	for _, f := range respFolders {
		st := imapv1.NewMailboxStatus(f, []imapv1.StatusItem{imapv1.StatusMessages, imapv1.StatusUidNext,
			imapv1.StatusUidValidity, imapv1.StatusUnseen})
		st.Messages, st.UidNext, st.UidValidity, st.Unseen = 231, 44292, 3857529045, 3
		errs = append(errs, (&responses.Status{Mailbox: st}).WriteTo(w))
	}
	errs = append(errs, ok("", nil, "STATUS completed"))
	sel := imapv1.NewMailboxStatus("INBOX", []imapv1.StatusItem{imapv1.StatusMessages, imapv1.StatusRecent,
		imapv1.StatusUidValidity, imapv1.StatusUidNext})
	sel.Flags, sel.PermanentFlags = respFlags, append(append([]string{}, respFlags...), `\*`)
	sel.Messages, sel.Recent, sel.UidValidity, sel.UidNext = 231, 2, 3857529045, 44292
	errs = append(errs, (&responses.Select{Mailbox: sel}).WriteTo(w), ok(imapv1.CodeReadWrite, nil, "SELECT completed"),
		(&responses.Search{Ids: respSearch}).WriteTo(w), ok("", nil, "SEARCH completed"))
	seqs := make(chan uint32, 10)
	for i := uint32(10); i > 0; i-- {
		seqs <- i
	}
	close(seqs)
	errs = append(errs, (&responses.Expunge{SeqNums: seqs}).WriteTo(w), ok("", nil, "EXPUNGE completed"))
	return errors.Join(errs...)
}

// countResponses reads a server's output with imapwire's client Reader and
// counts its responses, every one read through.
func countResponses(t *testing.T, out []byte) int {
	r := imapwire.NewReader(bytes.NewReader(out), imapwire.ClientSide, imapwire.Options{})
	n := 0
	for {
		_, err := r.ReadResponse()
		if errors.Is(err, io.EOF) {
			return n
		}
		require.NoError(t, err)
		for {
			tok, err := r.Next()
			if errors.Is(err, imapwire.ErrNoMessage) || tok.Kind == imapwire.KindEnd && err == nil {
				break
			}
			require.NoError(t, err)
		}
		n++
	}
}

// Both writers produce the same 56 responses, which imapwire's client
// Reader reads.
func TestImapRespSession(t *testing.T) {
	out, err := newImapwireSession().write(nil)
	require.NoError(t, err)
	var v1 bytes.Buffer
	require.NoError(t, goimapV1Session(imapv1.NewWriter(&v1)))
	want := 3 + len(respFolders) + 1 + len(respFolders) + 1 + 7 + 2 + 10 + 1
	require.Equal(t, want, countResponses(t, out))
	require.Equal(t, want, countResponses(t, v1.Bytes()))
}

func BenchmarkImapRespSession(b *testing.B) {
	s := newImapwireSession()
	size, err := s.write(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("imapwire", func(b *testing.B) {
		buf := make([]byte, 0, 2*len(size))
		b.ReportAllocs()
		b.SetBytes(int64(len(size)))
		for b.Loop() {
			out, err := s.write(buf[:0])
			if err != nil || len(out) != len(size) {
				b.Fatal(err, len(out))
			}
		}
	})
	b.Run("go-imap-v1", func(b *testing.B) {
		var buf bytes.Buffer
		buf.Grow(2 * len(size))
		w := imapv1.NewWriter(&buf)
		if err := goimapV1Session(w); err != nil {
			b.Fatal(err)
		}
		want := buf.Len() // TestImapRespSession holds it to the same responses
		b.ReportAllocs()
		b.SetBytes(int64(len(size)))
		for b.Loop() {
			buf.Reset()
			if err := goimapV1Session(w); err != nil || buf.Len() != want {
				b.Fatal(err, buf.Len())
			}
		}
	})
}
