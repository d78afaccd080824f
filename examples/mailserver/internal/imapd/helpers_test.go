package imapd

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/store"
	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
	"github.com/stretchr/testify/require"
)

type testUsers struct{}

func (testUsers) Authenticate(name, password string) (users.User, bool) {
	if name == "alice" && password == "pw" {
		return users.User{Name: "alice", Address: "alice@localhost"}, true
	}
	return users.User{}, false
}

// serverT is what testServer needs of a test. It is not testing.TB so that
// OSS-Fuzz's go-118-fuzz-build, whose "testing" has no TB, builds FuzzSession.
type serverT interface {
	require.TestingT
	TempDir() string
}

// testServer returns a service over a fresh store, plaintext allowed.
func testServer(t serverT) (*Server, *store.Store) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	return New(Config{Users: testUsers{}, Store: StoreOf(st), Poll: 20 * time.Millisecond}), st
}

// pipeSession starts a session on one end of a pipe and returns the
// other end, with the greeting read; the session ends at t's cleanup.
func pipeSession(t testing.TB, srv *Server) (net.Conn, *bufio.Reader) {
	c, r, stop := openPipeSession(t, srv)
	t.Cleanup(stop)
	return c, r
}

// openPipeSession is pipeSession with the ending returned rather than left
// to a cleanup: FuzzSession defers it, because go-118-fuzz-build's T runs a
// Cleanup function at once, which would end every session before its input.
func openPipeSession(t require.TestingT, srv *Server) (net.Conn, *bufio.Reader, func()) {
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, a); close(done) }()
	stop := func() { cancel(); b.Close(); <-done }
	r := bufio.NewReaderSize(b, 1<<20)
	b.SetDeadline(time.Now().Add(20 * time.Second))
	l, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(l, "* OK [CAPABILITY ") {
		stop()
	}
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(l, "* OK [CAPABILITY "), l)
	return b, r, stop
}

// exchange writes in (in a goroutine, as a client that pipelines) and
// reads lines until one starts with until.
func exchange(t testing.TB, c net.Conn, r *bufio.Reader, in, until string) string {
	t.Helper()
	go c.Write([]byte(in))
	var b strings.Builder
	for {
		l, err := r.ReadString('\n')
		b.WriteString(l)
		if err != nil || strings.HasPrefix(l, until) {
			return b.String()
		}
	}
}
