package smtpwire_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailwire/mailwire/smtpwire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Interop tests: smtpwire against a real Dovecot LMTP, and a real Postfix
// delivering over LMTP to a server made of smtpwire and taking XCLIENT
// from an smtpwire client (PEERS.md §8, §9). Every peer runs on loopback
// from a temp dir, on ports 20000-20999, and is stopped in Cleanup.

// requirePeer returns the path of a peer program, skipping the test when
// it is missing, or failing it when MAILWIRE_INTEROP=1 asks for peers.
func requirePeer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s is required with MAILWIRE_INTEROP=1: %v", name, err)
		}
		t.Skipf("%s not installed (see .ci/peers.sh); set MAILWIRE_INTEROP=1 to require it", name)
	}
	return path
}

// requireFile is requirePeer for a program outside PATH.
func requireFile(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("MAILWIRE_INTEROP") == "1" {
			t.Fatalf("%s (package %s) is required with MAILWIRE_INTEROP=1: %v", path, pkg, err)
		}
		t.Skipf("%s not installed (package %s, see .ci/peers.sh)", path, pkg)
	}
}

var (
	portMu   sync.Mutex
	nextPort = 20000 + os.Getpid()%500
)

// freePort returns a port of this package's range (20000-20999) that
// nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	for range 1000 {
		p := nextPort
		nextPort = 20000 + (nextPort-20000+1)%1000
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			require.NoError(t, ln.Close())
			return strconv.Itoa(p)
		}
	}
	t.Fatal("no free port in 20000-20999")
	return ""
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 15*time.Second, 20*time.Millisecond, "nothing listens on %s", addr)
}

// wireClient is an SMTP/LMTP client made of smtpwire's writers and reply
// reader, on one connection with a deadline.
type wireClient struct {
	t    *testing.T
	conn net.Conn
	rr   *smtpwire.ReplyReader
	buf  []byte
}

func dialWire(t *testing.T, addr string) *wireClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	return &wireClient{t: t, conn: conn, rr: smtpwire.NewReplyReader(conn, smtpwire.ReplyReaderOptions{})}
}

// send writes b (one or more complete lines).
func (c *wireClient) send(b []byte, err error) {
	c.t.Helper()
	require.NoError(c.t, err)
	_, err = c.conn.Write(b)
	require.NoError(c.t, err)
}

// reply reads one reply and checks its code.
func (c *wireClient) reply(code int) *smtpwire.Reply {
	c.t.Helper()
	r, err := c.rr.ReadReply()
	require.NoError(c.t, err)
	require.Equal(c.t, code, r.Code, "reply %q", r.Line(0))
	return r
}

func (c *wireClient) command(v smtpwire.Verb, arg string, code int) *smtpwire.Reply {
	c.t.Helper()
	c.send(smtpwire.AppendCommand(c.buf[:0], v, arg))
	return c.reply(code)
}

func (c *wireClient) capabilities(v smtpwire.Verb, domain string) smtpwire.Capabilities {
	c.t.Helper()
	caps, err := smtpwire.ParseCapabilities(c.command(v, domain, 250))
	require.NoError(c.t, err)
	return caps.Clone(nil)
}

// TestInteropDovecotLMTP delivers to a real Dovecot LMTP server with
// smtpwire's client side: EHLO refused with 500 5.5.1 (as
// CommandReaderOptions.LMTP refuses it), LHLO, MAIL, three RCPTs (one
// unknown user, refused at RCPT time), DATA, and one reply per accepted
// recipient, which must name the right recipient; then the same with BDAT
// LAST; then both messages must be in both Maildirs Dovecot wrote.
func TestInteropDovecotLMTP(t *testing.T) {
	dovecot := requirePeer(t, "dovecot")
	requireFile(t, "/usr/lib/dovecot/lmtp", "dovecot-lmtpd")
	dir, err := os.MkdirTemp("", "lm") // short: Dovecot's socket paths stay under 108 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // Dovecot's unprivileged processes traverse it
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "mail"), 0o755))
	require.NoError(t, os.Chown(filepath.Join(dir, "mail"), 8, 8)) // mail:mail delivers
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users"), []byte("alice:{PLAIN}alicepw\nbob:{PLAIN}bobpw\n"), 0o644))
	port := freePort(t)
	conf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`protocols = lmtp
listen = 127.0.0.1
base_dir = `+dir+`/run
state_dir = `+dir+`/state
log_path = /dev/stderr
ssl = no
hostname = lmtp.example.test
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n `+dir+`/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=`+dir+`/mail/%n
}
first_valid_uid = 8
mail_location = maildir:~/Maildir
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = `+port+`
  }
}
`), 0o644))
	var log syncBuffer
	cmd := exec.Command(dovecot, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("dovecot log:\n%s", log.String())
		}
	})
	waitListening(t, "127.0.0.1:"+port)

	c := dialWire(t, "127.0.0.1:"+port)
	c.reply(220)
	r := c.command(smtpwire.VerbEHLO, "client.example.test", 500)
	t.Logf("Dovecot LMTP answers EHLO: %d %s", r.Code, r.Line(0))
	caps := c.capabilities(smtpwire.VerbLHLO, "client.example.test")
	assert.True(t, caps.Has(smtpwire.ExtPipelining))
	assert.True(t, caps.Has(smtpwire.ExtEnhancedStatusCodes))
	c.send(smtpwire.AppendMailFrom(nil, "sender@example.org", nil))
	c.reply(250)
	rcpts := []string{"alice@example.test", "nobody@example.test", "bob@example.test"}
	var accepted []string
	for _, rcpt := range rcpts {
		c.send(smtpwire.AppendRcptTo(nil, rcpt, false, nil))
		r, err := c.rr.ReadReply()
		require.NoError(t, err)
		if r.Code/100 == 2 {
			accepted = append(accepted, rcpt)
			continue
		}
		assert.Equal(t, 550, r.Code, "%s", r.Line(0))
		assert.Equal(t, smtpwire.EnhancedCode{Class: 5, Subject: 1, Detail: 1}, r.Enhanced)
	}
	require.Equal(t, []string{"alice@example.test", "bob@example.test"}, accepted)
	c.command(smtpwire.VerbDATA, "", 354)
	body := "From: sender@example.org\r\nTo: alice@example.test, bob@example.test\r\nSubject: smtpwire over LMTP\r\n\r\n.hello from smtpwire\r\n"
	c.send(smtpwire.AppendData(nil, []byte(body)))
	l := c.rr.LMTPReplies(len(accepted))
	for want := range accepted {
		i, r, err := l.Next()
		require.NoError(t, err)
		require.Equal(t, want, i)
		assert.Equal(t, 250, r.Code, "%s", r.Line(0))
		assert.Contains(t, string(r.Line(0)), "<"+accepted[i]+">", "Dovecot names the recipient in its reply")
	}
	_, _, err = l.Next()
	require.ErrorIs(t, err, io.EOF)
	assert.Zero(t, c.rr.Buffered())

	// The same after the last BDAT chunk (RFC 2033 §4.3 with RFC 3030).
	require.True(t, caps.Has(smtpwire.ExtChunking))
	c.send(smtpwire.AppendMailFrom(nil, "sender@example.org", nil))
	c.reply(250)
	for _, rcpt := range accepted {
		c.send(smtpwire.AppendRcptTo(nil, rcpt, false, nil))
		c.reply(250)
	}
	chunk := "From: sender@example.org\r\nSubject: smtpwire BDAT over LMTP\r\n\r\nchunked\r\n"
	c.send(append(smtpwire.AppendBDAT(nil, uint64(len(chunk)), true), chunk...), nil)
	l = c.rr.LMTPReplies(len(accepted))
	for l.Remaining() > 0 {
		i, r, err := l.Next()
		require.NoError(t, err)
		assert.Equal(t, 250, r.Code, "%s", r.Line(0))
		assert.Contains(t, string(r.Line(0)), "<"+accepted[i]+">")
	}
	c.command(smtpwire.VerbQUIT, "", 221)

	for _, user := range []string{"alice", "bob"} {
		files, err := filepath.Glob(filepath.Join(dir, "mail", user, "Maildir", "new", "*"))
		require.NoError(t, err)
		require.Len(t, files, 2, user)
		var msgs []string
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			msgs = append(msgs, string(b))
		}
		if !strings.Contains(msgs[0], "Subject: smtpwire over LMTP\n") {
			msgs[0], msgs[1] = msgs[1], msgs[0]
		}
		msg := msgs[0]
		assert.Contains(t, msgs[1], "Subject: smtpwire BDAT over LMTP\n", user)
		assert.Contains(t, msg, "Subject: smtpwire over LMTP\n", user) // Dovecot stores LF line ends
		assert.Contains(t, msg, "\n.hello from smtpwire\n", "the stuffed dot removed once")
		assert.Contains(t, msg, "with LMTP", "Dovecot's Received header")
	}
	_, err = os.Stat(filepath.Join(dir, "mail", "nobody"))
	assert.True(t, errors.Is(err, os.ErrNotExist), "no mail for the refused recipient")
}

// syncBuffer is a bytes.Buffer safe for a daemon's output and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lmtpSession is what the test LMTP server saw in one transaction.
type lmtpSession struct {
	lhlo    string
	from    string
	rcpts   []string
	body    string
	replies string
}

// lmtpServer is an LMTP server made of smtpwire: CommandReader in LMTP
// mode, AppendReply, and AppendLMTPReplies at the end of DATA, where every
// recipient whose local part starts with "bob" gets 550 5.1.1 and the
// others 250. Each finished transaction goes to sessions.
type lmtpServer struct {
	ln       net.Listener
	sessions chan lmtpSession
	errs     chan error
}

func startLMTPServer(t *testing.T, port string) *lmtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	s := &lmtpServer{ln: ln, sessions: make(chan lmtpSession, 16), errs: make(chan error, 16)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if err := s.serve(conn); err != nil {
					s.errs <- err
				}
			}()
		}
	}()
	return s
}

func (s *lmtpServer) serve(conn net.Conn) error {
	if err := conn.SetDeadline(time.Now().Add(60 * time.Second)); err != nil {
		return err
	}
	c := smtpwire.NewCommandReader(conn, smtpwire.CommandReaderOptions{LMTP: true})
	var out []byte
	reply := func(code int, e smtpwire.EnhancedCode, text ...string) error {
		var err error
		if out, err = smtpwire.AppendReply(out[:0], code, e, text...); err != nil {
			return err
		}
		_, err = conn.Write(out)
		return err
	}
	if err := reply(220, smtpwire.EnhancedCode{}, "lmtp.test smtpwire LMTP"); err != nil {
		return err
	}
	var sess lmtpSession
	for {
		cmd, err := c.ReadCommand()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			st := smtpwire.StatusOf(err)
			if st.Code == 0 {
				return err
			}
			if err := reply(st.Code, st.Enhanced, st.Text); err != nil || st.Fatal {
				return err
			}
			continue
		}
		switch cmd.Verb {
		case smtpwire.VerbLHLO:
			sess = lmtpSession{lhlo: string(cmd.Args)}
			err = reply(250, smtpwire.EnhancedCode{}, "lmtp.test", "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME")
		case smtpwire.VerbMAIL:
			m, perr := smtpwire.ParseMailFrom(cmd.Args, smtpwire.PathOptions{})
			if perr != nil {
				st := smtpwire.StatusOf(perr)
				err = reply(st.Code, st.Enhanced, st.Text)
				break
			}
			sess.from, sess.rcpts, sess.body = string(m.From.Mailbox), nil, ""
			err = reply(250, smtpwire.EnhancedCode{Class: 2, Subject: 1, Detail: 0}, "OK")
		case smtpwire.VerbRCPT:
			r, perr := smtpwire.ParseRcptTo(cmd.Args, smtpwire.PathOptions{})
			if perr != nil {
				st := smtpwire.StatusOf(perr)
				err = reply(st.Code, st.Enhanced, st.Text)
				break
			}
			sess.rcpts = append(sess.rcpts, string(r.To.Mailbox))
			err = reply(250, smtpwire.EnhancedCode{Class: 2, Subject: 1, Detail: 5}, "OK")
		case smtpwire.VerbDATA:
			if len(sess.rcpts) == 0 {
				err = reply(503, smtpwire.EnhancedCode{Class: 5, Subject: 5, Detail: 1}, "No valid recipients")
				break
			}
			if err = reply(354, smtpwire.EnhancedCode{}, "go ahead"); err != nil {
				return err
			}
			body, derr := io.ReadAll(c.Data(1 << 20))
			if derr != nil {
				return derr
			}
			sess.body = string(body)
			results := make([]smtpwire.RcptReply, len(sess.rcpts))
			for i, rcpt := range sess.rcpts {
				results[i] = smtpwire.RcptReply{Mailbox: rcpt, Code: 250, Enhanced: smtpwire.EnhancedCode{Class: 2, Subject: 0, Detail: 0}, Text: "stored"}
				if strings.HasPrefix(rcpt, "bob") {
					results[i] = smtpwire.RcptReply{Mailbox: rcpt, Code: 550, Enhanced: smtpwire.EnhancedCode{Class: 5, Subject: 1, Detail: 1}, Text: "no such mailbox here"}
				}
			}
			if out, err = smtpwire.AppendLMTPReplies(out[:0], results); err != nil {
				return err
			}
			sess.replies = string(out)
			if _, err = conn.Write(out); err != nil {
				return err
			}
			s.sessions <- sess
		case smtpwire.VerbRSET:
			sess.from, sess.rcpts = "", nil
			err = reply(250, smtpwire.EnhancedCode{Class: 2, Subject: 0, Detail: 0}, "OK")
		case smtpwire.VerbNOOP:
			err = reply(250, smtpwire.EnhancedCode{Class: 2, Subject: 0, Detail: 0}, "OK")
		case smtpwire.VerbQUIT:
			return reply(221, smtpwire.EnhancedCode{Class: 2, Subject: 0, Detail: 0}, "bye")
		default:
			err = reply(502, smtpwire.EnhancedCode{Class: 5, Subject: 5, Detail: 1}, "not implemented")
		}
		if err != nil {
			return err
		}
	}
}

// next waits for the next finished transaction.
func (s *lmtpServer) next(t *testing.T) lmtpSession {
	t.Helper()
	select {
	case sess := <-s.sessions:
		return sess
	case err := <-s.errs:
		t.Fatalf("LMTP server: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Postfix delivered nothing over LMTP within 30 s")
	}
	return lmtpSession{}
}

// postfixInstance is a private Postfix: smtpd on plain (no XCLIENT) and
// xclient (XCLIENT allowed from 127.0.0.1) ports, example.test delivered
// over LMTP to lmtp, everything else discarded.
type postfixInstance struct {
	dir, conf            string
	plain, xclient, lmtp string
}

func startPostfix(t *testing.T) *postfixInstance {
	postfix := requirePeer(t, "postfix")
	dir, err := os.MkdirTemp("", "pf")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // Postfix's unprivileged processes traverse it
	p := &postfixInstance{dir: dir, conf: filepath.Join(dir, "conf"), plain: freePort(t), xclient: freePort(t), lmtp: freePort(t)}
	require.NoError(t, os.MkdirAll(p.conf, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "queue"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(p.conf, "main.cf"), []byte(`compatibility_level = 3.6
queue_directory = `+dir+`/queue
data_directory = `+dir+`/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-mailwire-smtpwire
maillog_file = `+dir+`/maillog
maillog_file_prefixes = `+dir+`
myhostname = mx.example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
biff = no
virtual_mailbox_domains = example.test
virtual_mailbox_maps = static:accepted
virtual_transport = lmtp:inet:127.0.0.1:`+p.lmtp+`
default_transport = discard
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(p.conf, "master.cf"), []byte(`127.0.0.1:`+p.plain+` inet n - n - - smtpd
127.0.0.1:`+p.xclient+` inet n - n - - smtpd
  -o smtpd_authorized_xclient_hosts=127.0.0.1
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`), 0o644))
	out, err := exec.Command(postfix, "-c", p.conf, "start").CombinedOutput()
	require.NoError(t, err, "postfix start: %s", out)
	t.Cleanup(func() {
		_ = exec.Command(postfix, "-c", p.conf, "stop").Run()
		if t.Failed() {
			t.Logf("postfix maillog:\n%s", p.maillog())
		}
	})
	waitListening(t, "127.0.0.1:"+p.plain)
	waitListening(t, "127.0.0.1:"+p.xclient)
	return p
}

func (p *postfixInstance) maillog() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "maillog"))
	return string(b)
}

// waitLog waits until the maillog holds every one of want.
func (p *postfixInstance) waitLog(t *testing.T, want ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		log := p.maillog()
		for _, w := range want {
			if !strings.Contains(log, w) {
				return false
			}
		}
		return true
	}, 30*time.Second, 50*time.Millisecond, "maillog lacks %q", want)
}

// sendMessage runs one SMTP transaction on c.
func sendMessage(t *testing.T, c *wireClient, from string, rcpts []string, body string) {
	t.Helper()
	c.send(smtpwire.AppendMailFrom(nil, from, nil))
	c.reply(250)
	for _, rcpt := range rcpts {
		c.send(smtpwire.AppendRcptTo(nil, rcpt, false, nil))
		c.reply(250)
	}
	c.command(smtpwire.VerbDATA, "", 354)
	c.send(smtpwire.AppendData(nil, []byte(body)))
	c.reply(250)
}

// TestInteropPostfix runs a real Postfix against smtpwire on both sides:
// Postfix delivering over LMTP to an LMTP server made of smtpwire, and
// Postfix taking XCLIENT from an smtpwire client.
func TestInteropPostfix(t *testing.T) {
	p := startPostfix(t)
	lmtp := startLMTPServer(t, p.lmtp)

	// Postfix delivers to the smtpwire LMTP server: LHLO, its recipients,
	// one reply each at the end of DATA; alice's 250 makes her delivery
	// "sent", bob's 550 bounces him, both as the maillog says.
	t.Run("DeliversOverLMTP", func(t *testing.T) {
		c := dialWire(t, "127.0.0.1:"+p.plain)
		c.reply(220)
		c.capabilities(smtpwire.VerbEHLO, "client.example.test")
		sendMessage(t, c, "x@example.org", []string{"alice@example.test", "bob@example.test"},
			"From: x@example.org\r\nSubject: postfix to smtpwire LMTP\r\nMessage-ID: <lmtp1@client.example.test>\r\n\r\nhi\r\n")
		c.command(smtpwire.VerbQUIT, "", 221)

		sess := lmtp.next(t)
		t.Logf("LMTP server saw LHLO %s, MAIL FROM:<%s>, RCPT %q, answered:\n%s", sess.lhlo, sess.from, sess.rcpts, sess.replies)
		assert.Equal(t, "mx.example.test", sess.lhlo, "Postfix sends LHLO $myhostname")
		assert.Equal(t, "x@example.org", sess.from)
		assert.ElementsMatch(t, []string{"alice@example.test", "bob@example.test"}, sess.rcpts)
		assert.Contains(t, sess.body, "Subject: postfix to smtpwire LMTP\r\n")
		assert.Contains(t, sess.body, "Message-ID: <lmtp1@client.example.test>\r\n")
		assert.Equal(t, len(sess.rcpts), strings.Count(sess.replies, "\r\n"), "one reply per recipient")
		p.waitLog(t,
			"to=<alice@example.test>, relay=127.0.0.1[127.0.0.1]:"+p.lmtp,
			"status=sent (250 2.0.0 <alice@example.test> stored)",
			"to=<bob@example.test>",
			"status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <bob@example.test> no such mailbox here (in reply to end of DATA command))")
	})

	// An authorized client forwards the real client's identity in two
	// XCLIENT commands (AppendXCLIENT split at a short line limit); each
	// gets a new 220; the message then carries the forwarded address in
	// Postfix's Received header and log.
	t.Run("XCLIENT", func(t *testing.T) {
		c := dialWire(t, "127.0.0.1:"+p.xclient)
		c.reply(220)
		caps := c.capabilities(smtpwire.VerbEHLO, "proxy.example.test")
		attrs, ok := caps.XCLIENTAttrs()
		require.True(t, ok, "XCLIENT announced to the authorized client")
		for _, a := range []smtpwire.XCLIENTAttr{smtpwire.XCLIENTName, smtpwire.XCLIENTAddr, smtpwire.XCLIENTHelo, smtpwire.XCLIENTProto, smtpwire.XCLIENTLogin} {
			assert.True(t, attrs.Has(a), a.String())
		}
		// NAME and HELO first: ADDR stays 127.0.0.1, which keeps the
		// client authorized for the second command.
		fields := []smtpwire.XCLIENTField{
			{Attr: smtpwire.XCLIENTName, Value: "mx.example.net"},
			{Attr: smtpwire.XCLIENTHelo, Value: "mx.example.net"},
			{Attr: smtpwire.XCLIENTAddr, Value: "192.0.2.7"},
			{Attr: smtpwire.XCLIENTProto, Value: "ESMTP"},
		}
		commands := 0
		for rest := fields; len(rest) > 0; {
			line, n, err := smtpwire.AppendXCLIENT(nil, rest, 60)
			require.NoError(t, err)
			c.send(line, nil)
			r := c.reply(220)
			assert.Contains(t, string(r.Line(0)), "mx.example.test", "the greeting again")
			rest = rest[n:]
			commands++
		}
		require.Equal(t, 2, commands, "the line limit split the attributes")
		after := c.capabilities(smtpwire.VerbEHLO, "mx.example.net")
		_, still := after.XCLIENTAttrs()
		assert.False(t, still, "192.0.2.7 is not an authorized XCLIENT host")
		line, _, err := smtpwire.AppendXCLIENT(nil, []smtpwire.XCLIENTField{{Attr: smtpwire.XCLIENTLogin, Value: "alice"}}, 0)
		require.NoError(t, err)
		c.send(line, nil)
		c.reply(550) // judged as 192.0.2.7 now: why ADDR goes last (AppendXCLIENT's doc)
		sendMessage(t, c, "x@example.org", []string{"carol@example.test"},
			"From: x@example.org\r\nSubject: via xclient\r\nMessage-ID: <xc1@client.example.test>\r\n\r\nhi\r\n")
		c.command(smtpwire.VerbQUIT, "", 221)

		sess := lmtp.next(t)
		received, _, _ := strings.Cut(sess.body[strings.Index(sess.body, "Received:"):], "\r\n")
		t.Logf("delivered with %s", received)
		assert.Equal(t, []string{"carol@example.test"}, sess.rcpts)
		assert.Contains(t, sess.body, "Received: from mx.example.net (mx.example.net [192.0.2.7])\r\n",
			"Postfix took the forwarded name and address")
		assert.Contains(t, sess.body, "Message-ID: <xc1@client.example.test>\r\n")
		p.waitLog(t, "client=mx.example.net[192.0.2.7]", "status=sent (250 2.0.0 <carol@example.test> stored)")
	})

	// A client outside smtpd_authorized_xclient_hosts gets no XCLIENT in
	// EHLO, and 550 5.7.0 when it sends one anyway.
	t.Run("XCLIENTUnauthorized", func(t *testing.T) {
		c := dialWire(t, "127.0.0.1:"+p.plain)
		c.reply(220)
		caps := c.capabilities(smtpwire.VerbEHLO, "proxy.example.test")
		_, ok := caps.XCLIENTAttrs()
		assert.False(t, ok)
		line, n, err := smtpwire.AppendXCLIENT(nil, []smtpwire.XCLIENTField{{Attr: smtpwire.XCLIENTAddr, Value: "192.0.2.9"}}, 0)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		c.send(line, nil)
		r := c.reply(550)
		assert.Equal(t, smtpwire.EnhancedCode{Class: 5, Subject: 7, Detail: 0}, r.Enhanced)
		c.command(smtpwire.VerbQUIT, "", 221)
		p.waitLog(t, "disconnect from unknown[127.0.0.1] ehlo=1 xclient=0/1 quit=1") // the refused XCLIENT changed nothing
	})
}
