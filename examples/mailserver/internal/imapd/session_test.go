package imapd

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/examples/mailserver/internal/pipetest"
	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func deliverTo(t *testing.T, st *store.Store, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		require.NoError(t, st.Deliver([]string{"alice"}, strings.NewReader(m)))
	}
}

const msgA = "From: Ann <ann@example.org>\r\nTo: alice@localhost\r\nSubject: =?utf-8?q?caf=C3=A9?= menu\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\nsoup of the day\r\n"
const msgB = "From: bob@example.org\r\nTo: alice@localhost\r\nSubject: report\r\n\r\nnumbers\r\n"

func TestSessionDeepNesting(t *testing.T) {
	srv, _ := testServer(t)
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb SELECT INBOX\r\nc SEARCH "+strings.Repeat("(", 3000)+"ALL"+strings.Repeat(")", 3000)+"\r\nd NOOP\r\n", "d ")
	assert.Contains(t, out, "c BAD")
	assert.Contains(t, out, "d OK")
	assert.NotContains(t, out, "* BAD")
}

// TestSessionCommands runs command sequences and checks the replies.
func TestSessionCommands(t *testing.T) {
	for _, tc := range []struct {
		name, in, until string
		want, not       []string
	}{
		{"capability before login", "a CAPABILITY\r\n", "a ", []string{"AUTH=PLAIN SASL-IR", "IDLE", "a OK"}, []string{"LOGINDISABLED", "STARTTLS"}},
		{"wrong password", "a LOGIN alice nope\r\n", "a ", []string{"a NO [AUTHENTICATIONFAILED]"}, nil},
		{"authenticate with challenge", "a AUTHENTICATE PLAIN\r\nAGFsaWNlAHB3\r\n", "a ", []string{"+ \r\n", "a OK [CAPABILITY"}, nil},
		{"authenticate SASL-IR", "a AUTHENTICATE PLAIN AGFsaWNlAHB3\r\n", "a ", []string{"a OK [CAPABILITY"}, nil},
		{"authenticate canceled", "a AUTHENTICATE PLAIN\r\n*\r\nb NOOP\r\n", "b ", []string{"a BAD", "b OK"}, nil},
		{"authzid other user", "a AUTHENTICATE PLAIN Ym9iAGFsaWNlAHB3\r\n", "a ", []string{"a NO [AUTHENTICATIONFAILED]"}, nil},
		{"select before login", "a SELECT INBOX\r\n", "a ", []string{"a BAD"}, nil},
		{"unknown command", "a FROB\r\nb NOOP\r\n", "b ", []string{"a BAD", "b OK"}, nil},
		{"enable id namespace", "a LOGIN alice pw\r\nb ENABLE CONDSTORE UTF8=ACCEPT X-NONE\r\nc ID NIL\r\nd NAMESPACE\r\n", "d ",
			[]string{"* ENABLED CONDSTORE UTF8=ACCEPT\r\n", `* ID ("name" "mailwire")`, `* NAMESPACE (("" "/")) NIL NIL`, "d OK"}, nil},
		{"list special-use", "a LOGIN alice pw\r\nb LIST \"\" *\r\n", "b ",
			[]string{`* LIST (\HasNoChildren) "/" INBOX`, `* LIST (\HasNoChildren \Sent) "/" Sent`, `\Trash) "/" Trash`, "b OK"}, nil},
		{"list root", "a LOGIN alice pw\r\nb LIST \"\" \"\"\r\n", "b ", []string{`* LIST (\Noselect) "/" ""`}, nil},
		{"list-status and select options", "a LOGIN alice pw\r\nb LIST (SUBSCRIBED) \"\" \"%\" RETURN (STATUS (MESSAGES UIDNEXT))\r\n", "b ",
			[]string{`\Subscribed`, `* STATUS INBOX (MESSAGES 2 UIDNEXT `, "b OK"}, nil},
		{"create rename delete", "a LOGIN alice pw\r\nb CREATE a/b\r\nc LIST \"\" a*\r\nd RENAME a/b a/c\r\ne DELETE a/c\r\nf DELETE INBOX\r\ng CREATE Sent\r\n", "g ",
			[]string{"b OK", `* LIST (\HasChildren) "/" a`, `* LIST (\HasNoChildren) "/" a/b`, "d OK", "e OK", "f NO [CANNOT]", "g NO [ALREADYEXISTS]"}, nil},
		{"create special-use", "a LOGIN alice pw\r\nb CREATE Old (USE (\\Archive))\r\nc CREATE X (USE (\\Flagged))\r\nd LIST (SPECIAL-USE) \"\" *\r\n", "d ",
			[]string{"b OK", "c NO [USEATTR]", `\Archive) "/" Old`, `\Sent) "/" Sent`}, []string{`"/" INBOX`}},
		{"status", "a LOGIN alice pw\r\nb STATUS INBOX (MESSAGES UNSEEN UIDVALIDITY HIGHESTMODSEQ SIZE)\r\nc STATUS Nope (MESSAGES)\r\n", "c ",
			[]string{"* STATUS INBOX (MESSAGES 2 UNSEEN 2 UIDVALIDITY ", "c NO [NONEXISTENT]"}, nil},
		{"search keys", "a LOGIN alice pw\r\nb SELECT INBOX\r\nc SEARCH SUBJECT café\r\nd SEARCH CHARSET UTF-8 SUBJECT {5}\r\ncafé\r\ne SEARCH OR FROM bob BODY soup\r\nf SEARCH NOT SUBJECT report SENTBEFORE 8-Feb-1994\r\ng SEARCH CHARSET KOI8-R ALL\r\nh SEARCH LARGER 10 SMALLER 5\r\n", "h ",
			[]string{"c BAD", "+ Ready", "* SEARCH 1\r\nd OK", "* SEARCH 1 2\r\ne OK", "* SEARCH 1\r\nf OK", "g NO [BADCHARSET", "* SEARCH\r\nh OK"}, nil},
		{"esearch", "a LOGIN alice pw\r\nb SELECT INBOX\r\nc UID SEARCH RETURN (MIN MAX COUNT ALL) ALL\r\nd SEARCH RETURN () UNSEEN\r\ne SEARCH RETURN (COUNT) DELETED\r\n", "e ",
			[]string{`* ESEARCH (TAG "c") UID MIN 1 MAX 2 COUNT 2 ALL 1:2`, `* ESEARCH (TAG "d") ALL 1:2`, `* ESEARCH (TAG "e") COUNT 0`}, nil},
		{"fetch items", "a LOGIN alice pw\r\nb EXAMINE INBOX\r\nc FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)\r\nd FETCH 2 BODY[TEXT]\r\ne FETCH 2 FLAGS\r\nf FETCH 3 FLAGS\r\ng UID FETCH 9 FLAGS\r\n", "g ",
			[]string{`ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "=?utf-8?q?caf=C3=A9?= menu" (("Ann" NIL "ann" "example.org"))`, "BODY[TEXT] {9}\r\nnumbers\r\n)", "* 2 FETCH (FLAGS (\\Recent))", "f BAD", "g OK"}, []string{"FETCH (FLAGS (\\Seen"}},
		{"store and condstore", "a LOGIN alice pw\r\nb SELECT INBOX (CONDSTORE)\r\nc STORE 1 +FLAGS (\\Seen $Work)\r\nd STORE 1:2 (UNCHANGEDSINCE 3) +FLAGS (\\Flagged)\r\ne UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)\r\nf STORE 2 -FLAGS.SILENT (\\Flagged)\r\n", "f ",
			[]string{"* 1 FETCH (FLAGS (\\Seen $Work \\Recent) UID 1 MODSEQ (", "* 2 FETCH (FLAGS (\\Flagged \\Recent) UID 2 MODSEQ (", "d OK [MODIFIED 1]", "f OK"}, nil},
		{"expunge", "a LOGIN alice pw\r\nb SELECT INBOX\r\nc STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\nd UID EXPUNGE 2\r\ne EXPUNGE\r\nf SEARCH ALL\r\n", "f ",
			[]string{"* 2 EXPUNGE\r\nd OK", "* 1 EXPUNGE\r\ne OK", "* SEARCH\r\nf OK"}, nil},
		{"copy move", "a LOGIN alice pw\r\nb SELECT INBOX\r\nc COPY 1 Archive\r\nd MOVE 2 Trash\r\ne COPY 1 Nope\r\nf STATUS Archive (MESSAGES)\r\n", "f ",
			[]string{"c OK [COPYUID ", "* OK [COPYUID ", "* 2 EXPUNGE", "e NO [TRYCREATE]", "(MESSAGES 1)"}, nil},
		{"append multiappend", "a LOGIN alice pw\r\nb APPEND Drafts (\\Draft) \"07-Feb-1994 22:43:04 -0800\" {3+}\r\nabc {4+}\r\ndefg\r\nc EXAMINE Drafts\r\nd FETCH 1:* (FLAGS INTERNALDATE BODY.PEEK[])\r\ne APPEND Nope {1+}\r\nx\r\n", "e ",
			[]string{"b OK [APPENDUID ", " 1:2] APPEND", "* 2 EXISTS", `FLAGS (\Draft \Recent) INTERNALDATE " 8-Feb-1994 06:43:04 +0000" BODY[] {3}` + "\r\nabc", "e NO [TRYCREATE]"}, nil},
		{"append sync literal", "a LOGIN alice pw\r\nb APPEND INBOX {5}\r\n", "+ ", []string{"+ Ready"}, nil},
		{"searchres", "a LOGIN alice pw\r\nb SELECT INBOX\r\nc SEARCH RETURN (SAVE) SUBJECT report\r\nd FETCH $ (UID)\r\ne UID SEARCH RETURN (SAVE MIN) ALL\r\nf SEARCH $ UNSEEN\r\ng STORE $ +FLAGS (\\Seen)\r\nh SEARCH SEEN\r\n", "h ",
			[]string{"c OK", "* 2 FETCH (UID 2)\r\nd OK", `* ESEARCH (TAG "e") UID MIN 1` + "\r\n", "* SEARCH 1 2\r\nf OK", "* SEARCH 1 2\r\nh OK"}, []string{`(TAG "c")`}},
		{"imap4rev2", "a LOGIN alice pw\r\nb ENABLE IMAP4rev2\r\nc SELECT INBOX\r\nd SEARCH ALL\r\ne FETCH 1 FLAGS\r\nf CREATE \"Entwürfe\"\r\ng LIST \"\" Entw*\r\nh SELECT Sent\r\n", "h ",
			[]string{"* ENABLED IMAP4rev2", `* ESEARCH (TAG "d") ALL 1:2`, "* 1 FETCH (FLAGS ())", "f OK", `"/" "Entwürfe"`, "* OK [CLOSED]"}, []string{"RECENT", `\Recent`}},
		{"close unselect", "a LOGIN alice pw\r\nb SELECT INBOX\r\nc UNSELECT\r\nd FETCH 1 FLAGS\r\ne LOGOUT\r\n", "e ", []string{"c OK", "d BAD", "* BYE", "e OK"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, st := testServer(t)
			deliverTo(t, st, msgA, msgB)
			c, r := pipeSession(t, srv)
			out := exchange(t, c, r, tc.in, tc.until)
			for _, w := range tc.want {
				assert.True(t, strings.Contains(out, w), "want %q in\n%s", w, out)
			}
			for _, w := range tc.not {
				assert.False(t, strings.Contains(out, w), "unwanted %q in\n%s", w, out)
			}
		})
	}
}

// TestSessionRequireTLS: under RequireTLS without TLS, LOGINDISABLED and
// no AUTH=, and LOGIN/AUTHENTICATE get [PRIVACYREQUIRED].
func TestSessionRequireTLS(t *testing.T) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	srv := New(Config{Users: testUsers{}, Store: StoreOf(st), RequireTLS: true})
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a CAPABILITY\r\nb LOGIN alice pw\r\nc AUTHENTICATE PLAIN AGFsaWNlAHB3\r\nd STARTTLS\r\n", "d ")
	assert.Contains(t, out, "LOGINDISABLED")
	assert.NotContains(t, out, "AUTH=")
	assert.Contains(t, out, "b NO [PRIVACYREQUIRED]")
	assert.Contains(t, out, "c NO [PRIVACYREQUIRED]")
	assert.Contains(t, out, "d NO", "no TLS configured: STARTTLS refused")
}

func TestSessionQResync(t *testing.T) {
	srv, st := testServer(t)
	deliverTo(t, st, msgA, msgB)
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb ENABLE QRESYNC\r\nc SELECT INBOX\r\n", "c ")
	m := regexp.MustCompile(`UIDVALIDITY (\d+)`).FindStringSubmatch(out)
	require.Len(t, m, 2)
	out = exchange(t, c, r, "d STORE 1 +FLAGS.SILENT (\\Deleted)\r\ne EXPUNGE\r\nf STORE 1 +FLAGS (\\Seen)\r\ng CLOSE\r\nh SELECT INBOX (QRESYNC ("+m[1]+" 3 1:5))\r\n", "h ")
	assert.Contains(t, out, "* VANISHED 1\r\ne OK")
	assert.NotContains(t, out, "* 1 EXPUNGE")
	assert.Contains(t, out, "* VANISHED (EARLIER) 1\r\n")
	assert.Regexp(t, `\* 1 FETCH \(FLAGS \(\\Seen\) UID 2 MODSEQ \(\d+\)\)`, out)
	assert.Contains(t, out, "h OK [READ-WRITE]")
	out = exchange(t, c, r, "i UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n", "i ")
	assert.Contains(t, out, "* VANISHED (EARLIER) 1\r\n")
	assert.Contains(t, out, "i OK")
}

func TestSessionIdle(t *testing.T) {
	srv, st := testServer(t)
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb SELECT INBOX\r\nc IDLE\r\n", "+ ")
	assert.Contains(t, out, "* 0 EXISTS")
	deliverTo(t, st, msgA)
	l, err := r.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "* 1 EXISTS\r\n", l)
	out = exchange(t, c, r, "DONE\r\n", "c ")
	assert.Contains(t, out, "c OK")
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"*", "a/b/c", true}, {"%", "a/b", false}, {"%", "a", true}, {"a/%", "a/b", true}, {"a/%", "a/b/c", false},
		{"a*", "a/b/c", true}, {"inbox", "INBOX", true}, {"INBOX*", "INBOX", true}, {"*b", "a/b", true}, {"x", "a", false},
		{"%/%", "a/b", true}, {"", "a", false}, {"Sent", "sent", false},
	} {
		assert.Equal(t, tc.want, match(tc.pattern, tc.name), "%q %q", tc.pattern, tc.name)
	}
}

// A client that pipelines and then stops sending, its last line unended,
// gets every reply, whole: at the end of its input the session sends what
// it kept back while more octets were buffered.
func TestRepliesSentAtEndOfInput(t *testing.T) {
	srv, _ := testServer(t)
	client, server := pipetest.HalfPipe()
	go srv.Serve(context.Background(), server)
	go func() {
		client.Write([]byte(strings.Repeat("a NOOP\r\n", 200) + "a NOOP"))
		client.CloseWrite()
	}()
	out, err := io.ReadAll(client)
	require.NoError(t, err)
	assert.Equal(t, 200, strings.Count(string(out), "\r\na OK "), "one reply per NOOP")
	assert.True(t, strings.HasSuffix(string(out), "\r\n"), "%q", out)
}

// FuzzSession: any input gives CRLF-terminated output lines and never
// logs in without the password.
func FuzzSession(f *testing.F) {
	f.Add([]byte("a LOGIN alice pw\r\nb SELECT INBOX\r\nc FETCH 1:* (FLAGS BODY.PEEK[])\r\n"))
	f.Add([]byte("a LOGIN {3+}\r\nxyz pw\r\nb NOOP\r\n"))
	f.Add([]byte("a AUTHENTICATE PLAIN\r\n=\r\nb LOGIN alice pw\r\nc APPEND INBOX {2+}\r\nhi\r\nd IDLE\r\nDONE\r\n"))
	f.Add([]byte("a LOGIN alice pw\r\nb SELECT INBOX\r\nc SEARCH OR (FROM a) NOT BODY x\r\nd STORE 1 +FLAGS (\\Deleted)\r\ne EXPUNGE\r\n"))
	srv, st := testServer(f)
	require.NoError(f, st.Deliver([]string{"alice"}, strings.NewReader(msgA)))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, r, stop := openPipeSession(t, srv)
		defer stop()
		in = append(bytes.Clone(in), "\r\nzz9 LOGOUT\r\n"...)
		go func() { c.Write(in); c.Close() }()
		var out bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				break
			}
		}
		o := out.Bytes()
		if !bytes.Contains(in, []byte(" pw")) && !bytes.Contains(in, []byte("AGFsaWNlAHB3")) && !bytes.Contains(in, []byte("cHc")) {
			assert.NotContains(t, string(o), "completed\r\n* ENABLED", "")
			assert.NotRegexp(t, `(?m)^\S+ OK \[CAPABILITY [^\]]*\] (LOGIN|AUTHENTICATE) completed`, string(o))
		}
		for _, l := range bytes.SplitAfter(o, []byte("\n")) {
			if len(l) > 0 && l[len(l)-1] == '\n' {
				assert.True(t, bytes.HasSuffix(l, []byte("\r\n")), "%q", l)
			}
		}
	})
}

const msgMultipart = "From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nsoup\r\n" +
	"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\nAwQ=\r\n" +
	"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--b--\r\n"

func TestSessionSearchDecodedBody(t *testing.T) {
	srv, st := testServer(t)
	latin := "From: a@example.org\r\nSubject: =?iso-8859-1?q?d=E9j=E0?= vu\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nla cr=E8me br=FBl=E9e\r\n"
	deliverTo(t, st, msgMultipart, latin)
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb EXAMINE INBOX\r\n"+
		"c SEARCH CHARSET UTF-8 BODY {5}\r\ncafé\r\n"+
		"d SEARCH CHARSET UTF-8 BODY {15}\r\ncrème brûlée\r\n"+
		"e SEARCH CHARSET UTF-8 SUBJECT {6}\r\nDÉJÀ\r\n"+
		"f SEARCH BODY AAEC\r\ng SEARCH TEXT soup\r\n", "g ")
	assert.Contains(t, out, "* SEARCH 1\r\nc OK")
	assert.Contains(t, out, "* SEARCH 2\r\nd OK")
	assert.Contains(t, out, "* SEARCH 2\r\ne OK")
	assert.Contains(t, out, "* SEARCH\r\nf OK", "a base64 attachment that is not text is not searched")
	assert.Contains(t, out, "* SEARCH 1\r\ng OK")
}

func TestSessionBinary(t *testing.T) {
	srv, st := testServer(t)
	deliverTo(t, st, msgMultipart)
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb EXAMINE INBOX\r\nc FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[2]<1.2>)\r\nd FETCH 1 BINARY.PEEK[3]\r\ne FETCH 1 BINARY.PEEK[9]\r\n", "e ")
	assert.True(t, strings.Contains(out, "* 1 FETCH (BINARY.SIZE[1] 10 BINARY[1] ~{10}\r\ncafé soup BINARY[2] ~{5}\r\n\x00\x01\x02\x03\x04 BINARY[2]<1> ~{2}\r\n\x01\x02)\r\nc OK"), "%q", out)
	assert.Contains(t, out, "d NO [UNKNOWN-CTE]")
	assert.Contains(t, out, "e NO [NONEXISTENT]")
	assert.NotContains(t, out, "* 1 FETCH (BINARY[3]")
}
