package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imapwire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordShMessages runs the message generator of .ci/record.sh (its
// Python messages()) and returns the messages with CRLF line ends.
func recordShMessages(t *testing.T, python string) [][]byte {
	t.Helper()
	script := `
import sys
src = open(sys.argv[1]).read()
ns = {}
exec(src[src.index("def crlf(s):"):src.index("FLAGS = [")], ns)
for m in ns["messages"]():
    m = ns["crlf"](m)
    sys.stdout.buffer.write(b"%d\n" % len(m))
    sys.stdout.buffer.write(m)
`
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", script, "../../.ci/record.sh").Output()
	require.NoError(t, err)
	var msgs [][]byte
	for len(out) > 0 {
		nl := bytes.IndexByte(out, '\n')
		require.Positive(t, nl)
		n, err := strconv.Atoi(string(out[:nl]))
		require.NoError(t, err)
		msgs = append(msgs, out[nl+1:nl+1+n])
		out = out[nl+1+n:]
	}
	require.NotEmpty(t, msgs)
	return msgs
}

// startDovecotWith runs Dovecot on 127.0.0.1:port (plaintext, user alice
// password alicepw) with msgs in alice's INBOX.
func startDovecotWith(t *testing.T, dovecot string, port int, msgs [][]byte) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dci") // short: socket paths stay under 108 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	md := filepath.Join(dir, "mail", "alice", "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(md, sub), 0o755))
	}
	for i, m := range msgs {
		require.NoError(t, os.WriteFile(filepath.Join(md, "cur", fmt.Sprintf("%d.M%dP1.mw:2,S", 1700000000+i, i)), m, 0o644))
	}
	exec.Command("chown", "-R", "mail:mail", filepath.Join(dir, "mail")).Run()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}alicepw\n"), 0o644))
	conf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`protocols = imap
listen = 127.0.0.1
base_dir = `+dir+`/run
state_dir = `+dir+`/state
log_path = /dev/stderr
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u `+dir+`/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=`+dir+`/mail/%u
}
first_valid_uid = 8
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    port = `+strconv.Itoa(port)+`
  }
  inet_listener imaps {
    port = 0
  }
}
`), 0o644))
	var log bytes.Buffer
	cmd := exec.Command(dovecot, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("dovecot log:\n%s", log.String())
		}
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "Dovecot does not listen on %s", addr)
	return addr
}

// structure is a message's ENVELOPE and BODYSTRUCTURE, flattened.
type structure struct{ env, bs string }

// fetchStructures logs in on conn, selects INBOX and returns every
// message's ENVELOPE and BODYSTRUCTURE keyed by its BODY[].
func fetchStructures(t *testing.T, conn net.Conn, user, pass string) map[string]structure {
	t.Helper()
	conn.SetDeadline(time.Now().Add(time.Minute))
	lim := imapwire.ClientLimits()
	lim.MaxMessage, lim.MaxInlineLiteral, lim.MaxLiteralTotal = 4<<20, 1<<20, 64<<20
	r := imapwire.NewReader(conn, imapwire.ClientSide, imapwire.Options{Limits: lim})
	w := bufio.NewWriter(conn)
	_, err := r.ReadResponse()
	require.NoError(t, err)
	out := map[string]structure{}
	for i, cmd := range []string{"LOGIN " + user + " " + pass, "SELECT INBOX", "FETCH 1:* (ENVELOPE BODYSTRUCTURE BODY.PEEK[])"} {
		tag := "s" + strconv.Itoa(i)
		w.WriteString(tag + " " + cmd + "\r\n")
		require.NoError(t, w.Flush())
		for {
			resp, err := r.ReadResponse()
			require.NoError(t, err, cmd)
			if resp.Kind == imapwire.Tagged {
				require.Equal(t, imapwire.CondOK, resp.Cond, "%s: %s", cmd, resp.Text)
				break
			}
			if resp.Data != imapwire.DataFetch {
				if resp.Cond != 0 || resp.Data == imapwire.DataExists || resp.Data == imapwire.DataRecent || resp.Data == imapwire.DataExpunge {
					continue // complete already
				}
				for !r.AtEnd() {
					if r.Peek() == ' ' {
						require.NoError(t, r.SP())
						continue
					}
					_, err := r.Capture()
					require.NoError(t, err)
				}
				require.NoError(t, r.End())
				continue
			}
			var s structure
			var body string
			items := r.FetchItems()
			for items.Next() {
				it := items.Item()
				switch it.Att {
				case imapwire.FetchEnvelope, imapwire.FetchBodyStructure:
					raw, err := r.Capture()
					require.NoError(t, err)
					if it.Att == imapwire.FetchEnvelope {
						s.env = strings.Join(flattenValue(raw), " ")
					} else {
						s.bs = strings.Join(flattenValue(raw), " ")
					}
				case imapwire.FetchBodySection:
					tok, err := r.SectionData()
					require.NoError(t, err)
					if tok.Kind == imapwire.KindLiteral {
						data, err := r.Inline()
						require.NoError(t, err)
						body = string(data)
					} else {
						body = string(tok.AppendValue(nil))
					}
				default:
					_, err := r.Capture()
					require.NoError(t, err)
				}
			}
			require.NoError(t, items.Err())
			out[body] = s
		}
	}
	return out
}

// flattenValue turns an IMAP value into tokens: strings by value
// (quoted or literal alike), lists, NIL and atoms; media type words in
// lower case (they are case-insensitive, RFC 2045 §5.1).
func flattenValue(raw []byte) []string {
	var out []string
	var walk func(v imapwire.Values, depth int)
	walk = func(v imapwire.Values, depth int) {
		for {
			t, ok := v.Next()
			if !ok {
				if v.Err() != nil {
					out = append(out, "<malformed>")
				}
				return
			}
			switch t.Kind {
			case imapwire.KindListOpen:
				out = append(out, "(")
				walk(imapwire.ValuesOf(t.Bytes), depth+1)
				out = append(out, ")")
			case imapwire.KindNil:
				out = append(out, "NIL")
			case imapwire.KindQuoted, imapwire.KindLiteral:
				out = append(out, strconv.Quote(string(t.AppendValue(nil))))
			default:
				out = append(out, string(t.Bytes))
			}
		}
	}
	walk(imapwire.ValuesOf(raw), 0)
	return out
}

// TestIMAPDovecotStructure: for every message .ci/record.sh generates,
// delivered to the service and to Dovecot, FETCH ENVELOPE and
// BODYSTRUCTURE over IMAP answer the same values (strings compared by
// value, media type words without regard to case).
func TestIMAPDovecotStructure(t *testing.T) {
	dovecot := peer(t, "dovecot")
	python := peer(t, "python3")
	msgs := recordShMessages(t, python)
	s := Start(t, Options{})
	deliver(t, s, "alice", msgs...)
	daddr := startDovecotWith(t, dovecot, 25144, msgs)

	ours := fetchStructures(t, s.Dial("imaps"), "alice", "alice-secret-pw")
	dc, err := net.Dial("tcp", daddr)
	require.NoError(t, err)
	defer dc.Close()
	theirs := fetchStructures(t, dc, "alice", "alicepw")
	require.Len(t, ours, len(msgs))
	require.Len(t, theirs, len(msgs))
	for i, m := range msgs {
		o, ok1 := ours[string(m)]
		d, ok2 := theirs[string(m)]
		require.True(t, ok1 && ok2, "message %d fetched byte for byte from both", i)
		assert.Equal(t, d.env, o.env, "ENVELOPE of record.sh message %d", i)
		assert.Equal(t, strings.ToLower(d.bs), strings.ToLower(o.bs), "BODYSTRUCTURE of record.sh message %d", i)
	}
}
