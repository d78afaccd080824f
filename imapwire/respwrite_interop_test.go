package imapwire

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The response writers against real clients: a small server on loopback
// (port 0) that decodes commands with the Decoder and answers every one
// with the response writers only, talked to by Python's imaplib and by
// curl. The clients' parsed results are compared with what was written.

var interopFolders = []ListItem{
	{Attrs: bs(`\HasNoChildren`), Delim: '/', Mailbox: []byte("INBOX")},
	{Attrs: bs(`\HasNoChildren`, `\Sent`), Delim: '/', Mailbox: []byte("Sent")},
	{Attrs: bs(`\HasChildren`), Delim: '/', Mailbox: []byte("Projekte"), ChildInfo: bs("SUBSCRIBED")},
	{Attrs: bs(`\HasNoChildren`), Delim: '/', Mailbox: []byte("Projekte/Übersicht")},
	{Attrs: bs(`\HasNoChildren`), Delim: '/', Mailbox: []byte(`My "Stuff"`)},
}

// interopServer answers one connection with the response writers; a
// writer's error goes to errs (not to t: the goroutine may outlive the
// test).
func interopServer(errs chan<- error, conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	bw := bufio.NewWriter(conn)
	r := NewReader(conn, ServerSide, Options{})
	d := NewDecoder(r)
	d.Continue = func(Literal) error {
		out, _ := AppendContinuation(nil, []byte("Ready"))
		_, _ = bw.Write(out)
		return bw.Flush()
	}
	var e Encoder
	caps := bs("IMAP4rev1", "ID", "ENABLE", "NAMESPACE", "UIDPLUS", "ESEARCH", "CONDSTORE", "LIST-EXTENDED")
	out := make([]byte, 0, 4096)
	put := func(b []byte, err error) {
		if err != nil {
			select {
			case errs <- err:
			default:
			}
			return
		}
		out = b
	}
	put(AppendUntagged(out, CondOK, Code{ID: CodeCapability, Words: caps}, "interop ready"))
	for {
		_, _ = bw.Write(out)
		if bw.Flush() != nil {
			return
		}
		out = out[:0]
		c, err := d.Decode()
		if err != nil {
			var fatal bool
			out, fatal = AppendCommandError(out, c.Tag, err)
			if fatal || ReplyFor(err).Cond == "" {
				_, _ = bw.Write(out)
				_ = bw.Flush()
				return
			}
			continue
		}
		tag := c.Tag
		switch c.ID {
		case CmdCapability:
			put(AppendCapabilityData(out, caps))
		case CmdLogin:
			put(AppendTagged(out, tag, CondOK, Code{ID: CodeCapability, Words: caps}, "Logged in"))
			continue
		case CmdNoop:
			out = AppendExistsData(out, 4)
			out = AppendRecentData(out, 0)
		case CmdID:
			put(e.AppendIDData(out, []IDParam{{Field: []byte("name"), Value: []byte("mailwire")}, {Field: []byte("os"), Nil: true}}))
		case CmdEnable:
			put(AppendEnabledData(out, bs("CONDSTORE")))
		case CmdNamespace:
			put(e.AppendNamespaceData(out, []Namespace{{Prefix: []byte(""), Delim: '/'}}, nil,
				[]Namespace{{Prefix: []byte("#shared/"), Delim: '/'}}))
		case CmdList, CmdLsub:
			for i := range interopFolders {
				l := interopFolders[i]
				if c.ID == CmdLsub {
					l.ChildInfo = nil
				}
				put(e.AppendListData(out, c.ID == CmdLsub, &l))
			}
		case CmdStatus:
			put(e.AppendStatusData(out, c.Status.Mailbox, []StatusValue{{StatusMessages, 3}, {StatusUIDNext, 44},
				{StatusUIDValidity, 3857529045}, {StatusUnseen, 1}}))
		case CmdSelect, CmdExamine:
			put(AppendFlagsData(out, bs(`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`)))
			out = AppendExistsData(out, 3)
			out = AppendRecentData(out, 1)
			put(AppendUntagged(out, CondOK, Code{ID: CodeUIDValidity, Num: 3857529045}, "UIDs valid"))
			put(AppendUntagged(out, CondOK, Code{ID: CodeUIDNext, Num: 44}, "Predicted next UID"))
			put(AppendUntagged(out, CondOK, Code{ID: CodePermanentFlags, Words: bs(`\Deleted`, `\Seen`, `\*`)}, "Limited"))
			put(AppendUntagged(out, CondOK, Code{ID: CodeHighestModSeq, Num: 715194045007}, "Highest"))
			put(AppendTagged(out, tag, CondOK, Code{ID: CodeReadWrite}, "SELECT completed"))
			continue
		case CmdSearch:
			if c.Search.HasReturn {
				put(e.AppendESearchData(out, &ESearchResult{Tag: tag, UID: c.UID, Return: c.Search.Return,
					Min: 1, Max: 3, Count: 3, All: []uint32{1, 2, 3}}))
			} else {
				put(AppendSearchData(out, []uint32{1, 2, 3}, 0))
			}
		case CmdExpunge:
			put(AppendExpungeData(out, 2))
			put(AppendExpungeData(out, 1))
		case CmdLogout:
			put(AppendUntagged(out, CondBye, Code{}, "Logging out"))
			put(AppendTagged(out, tag, CondOK, Code{}, "LOGOUT completed"))
			_, _ = bw.Write(out)
			_ = bw.Flush()
			return
		default:
			put(AppendTagged(out, tag, CondNo, Code{ID: CodeCannot}, "Not in this test"))
			continue
		}
		put(AppendTagged(out, tag, CondOK, Code{}, c.ID.String()+" completed"))
	}
}

// startInteropServer listens on a free loopback port; at the end of the
// test no writer may have failed.
func startInteropServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	errs := make(chan error, 16)
	t.Cleanup(func() {
		ln.Close()
		select {
		case err := <-errs:
			t.Errorf("a response writer failed: %v", err)
		default:
		}
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go interopServer(errs, conn)
		}
	}()
	return ln.Addr().String()
}

const imaplibScript = `
import imaplib, json, sys
host, port = sys.argv[1].rsplit(":", 1)
c = imaplib.IMAP4(host, int(port), timeout=10)
res = {"welcome": c.welcome.decode(), "caps": sorted(c.capabilities)}
res["login"] = c.login("joe", "secret")[0]
t, d = c.xatom("ID", "NIL"); res["id"] = [x.decode() if isinstance(x, bytes) else x for x in c.untagged_responses.pop("ID", [])]
c.enable("CONDSTORE"); res["enable"] = [x.decode() for x in c.untagged_responses.pop("ENABLED", [])]
res["namespace"] = [x.decode() for x in c.namespace()[1]]
t, d = c.list()
res["list"] = [x.decode() if isinstance(x, bytes) else [y.decode() for y in x] for x in d]
t, d = c.lsub()
res["lsub"] = [x.decode() for x in d]
t, d = c.status('"Projekte/&ANw-bersicht"', "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
res["status"] = [x.decode() for x in d]
t, d = c.select("INBOX")
res["select"] = [t, [x.decode() for x in d]]
for code in ("FLAGS", "RECENT", "UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS", "HIGHESTMODSEQ", "READ-WRITE"):
    res[code] = [x.decode() if isinstance(x, bytes) else x for x in c.response(code)[1]]
res["search"] = [x.decode() for x in c.search(None, "ALL")[1]]
t, d = c._simple_command("SEARCH", "RETURN", "(MIN COUNT ALL)", "ALL")
res["esearch"] = [x.decode() for x in c.untagged_responses.pop("ESEARCH", [])]
res["noop"] = c.noop()[0]
res["expunge"] = [x.decode() for x in c.expunge()[1]]
res["logout"] = c.logout()[0]
print(json.dumps(res))
`

func TestRespWritersImaplib(t *testing.T) {
	python := messagePeer(t, "python3")
	addr := startInteropServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", imaplibScript, addr).CombinedOutput()
	require.NoError(t, err, "%s", out)
	var res map[string]any
	require.NoError(t, json.Unmarshal(out, &res), "%s", out)

	assert.Equal(t, "* OK [CAPABILITY IMAP4rev1 ID ENABLE NAMESPACE UIDPLUS ESEARCH CONDSTORE LIST-EXTENDED] interop ready", res["welcome"])
	assert.Contains(t, res["caps"], "LIST-EXTENDED")
	assert.Equal(t, "OK", res["login"])
	assert.Equal(t, []any{`("name" "mailwire" "os" NIL)`}, res["id"])
	assert.Equal(t, []any{"CONDSTORE"}, res["enable"])
	assert.Equal(t, []any{`(("" "/")) NIL (("#shared/" "/"))`}, res["namespace"])
	assert.Equal(t, []any{
		`(\HasNoChildren) "/" INBOX`,
		`(\HasNoChildren \Sent) "/" Sent`,
		`(\HasChildren) "/" Projekte ("CHILDINFO" ("SUBSCRIBED"))`,
		`(\HasNoChildren) "/" Projekte/&ANw-bersicht`,
		`(\HasNoChildren) "/" "My \"Stuff\""`,
	}, res["list"])
	assert.Len(t, res["lsub"], len(interopFolders))
	assert.Equal(t, []any{`Projekte/&ANw-bersicht (MESSAGES 3 UIDNEXT 44 UIDVALIDITY 3857529045 UNSEEN 1)`}, res["status"])
	assert.Equal(t, []any{"OK", []any{"3"}}, res["select"])
	assert.Equal(t, []any{`(\Answered \Flagged \Deleted \Seen \Draft)`}, res["FLAGS"])
	assert.Equal(t, []any{"1"}, res["RECENT"])
	assert.Equal(t, []any{"3857529045"}, res["UIDVALIDITY"])
	assert.Equal(t, []any{"44"}, res["UIDNEXT"])
	assert.Equal(t, []any{`(\Deleted \Seen \*)`}, res["PERMANENTFLAGS"])
	assert.Equal(t, []any{"715194045007"}, res["HIGHESTMODSEQ"])
	assert.Equal(t, []any{"1 2 3"}, res["search"])
	require.Len(t, res["esearch"], 1)
	assert.True(t, strings.HasSuffix(res["esearch"].([]any)[0].(string), `MIN 1 COUNT 3 ALL 1:3`), "%v", res["esearch"])
	assert.Equal(t, "OK", res["noop"])
	assert.Equal(t, []any{"2", "1"}, res["expunge"])
	assert.Equal(t, "BYE", res["logout"])
}

func TestRespWritersCurl(t *testing.T) {
	curl := messagePeer(t, "curl")
	addr := startInteropServer(t)
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "--user", "joe:secret"}, args...)...).CombinedOutput()
		var ee *exec.ExitError
		require.False(t, errors.As(err, &ee), "curl failed: %v\n%s", err, out)
		require.NoError(t, err, "%s", out)
		return strings.ReplaceAll(string(out), "\r\n", "\n")
	}
	assert.Equal(t, "* LIST (\\HasNoChildren) \"/\" INBOX\n"+
		"* LIST (\\HasNoChildren \\Sent) \"/\" Sent\n"+
		"* LIST (\\HasChildren) \"/\" Projekte (\"CHILDINFO\" (\"SUBSCRIBED\"))\n"+
		"* LIST (\\HasNoChildren) \"/\" Projekte/&ANw-bersicht\n"+
		"* LIST (\\HasNoChildren) \"/\" \"My \\\"Stuff\\\"\"\n", run("imap://"+addr+"/"))
	assert.Equal(t, "* SEARCH 1 2 3\n", run("imap://"+addr+"/INBOX", "-X", "SEARCH ALL"))
	assert.Equal(t, "* STATUS INBOX (MESSAGES 3 UIDNEXT 44 UIDVALIDITY 3857529045 UNSEEN 1)\n",
		run("imap://"+addr+"/", "-X", "STATUS INBOX (MESSAGES)"))
}
