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

// testServer returns a service over a fresh store, plaintext allowed.
func testServer(t testing.TB) (*Server, *store.Store) {
	st, err := store.Open(t.TempDir())
	require.NoError(t, err)
	return New(Config{Users: testUsers{}, Store: StoreOf(st), Poll: 20 * time.Millisecond}), st
}

// pipeSession starts a session on one end of a pipe and returns the
// other end, with the greeting read.
func pipeSession(t testing.TB, srv *Server) (net.Conn, *bufio.Reader) {
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, a); close(done) }()
	t.Cleanup(func() { cancel(); b.Close(); <-done })
	r := bufio.NewReaderSize(b, 1<<20)
	b.SetDeadline(time.Now().Add(20 * time.Second))
	l, err := r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(l, "* OK [CAPABILITY "), l)
	return b, r
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
