package imapd

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fetchFlagsSession runs cmd on a selected 20-message INBOX over a pipe and
// returns a func that runs it again, reading the answer with ReadSlice,
// and returns the octets of the answer.
func fetchFlagsSession(t testing.TB, cmd string) func() int {
	srv, st := testServer(t)
	for i := 0; i < 20; i++ {
		require.NoError(t, st.Deliver([]string{"alice"}, strings.NewReader(fmt.Sprintf("Subject: %d\r\n\r\nhi\r\n", i))))
	}
	c, r := tcpSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb SELECT INBOX\r\n", "b ")
	require.Contains(t, out, "b OK")
	in := []byte(cmd)
	return func() int {
		if _, err := c.Write(in); err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			l, err := r.ReadSlice('\n')
			if err != nil {
				t.Fatal(err)
			}
			n += len(l)
			if l[0] == 'f' {
				if string(l) != "f OK FETCH completed\r\n" {
					t.Fatalf("%q", l)
				}
				return n
			}
		}
	}
}

// tcpSession is pipeSession on a loopback TCP connection, whose
// deadlines (set before every command) allocate nothing, unlike a pipe's.
func tcpSession(t testing.TB, srv *Server) (net.Conn, *bufio.Reader) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if a, err := ln.Accept(); err == nil {
			srv.Serve(ctx, a)
		}
	}()
	b, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { cancel(); b.Close(); <-done })
	require.NoError(t, b.SetDeadline(time.Now().Add(20*time.Second)))
	r := bufio.NewReaderSize(b, 1<<20)
	l, err := r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(l, "* OK [CAPABILITY "), l)
	return b, r
}

// TestFetchFlagsCommandAllocs measures a whole UID FETCH 1:* (FLAGS UID)
// of a selected mailbox, reader, decoder, resolve and writes included, on
// a loopback TCP connection (a net.Pipe's SetDeadline allocates a timer).
// FETCH by sequence number first takes a store snapshot (update), which
// reads the folder and is not measured here.
func TestFetchFlagsCommandAllocs(t *testing.T) {
	run := fetchFlagsSession(t, "f UID FETCH 1:* (FLAGS UID)\r\n")
	run()
	allocs := testing.AllocsPerRun(50, func() { run() })
	t.Logf("UID FETCH 1:* (FLAGS UID), 20 messages: %.1f allocs/command", allocs)
	require.Zero(t, allocs)
}

func BenchmarkUIDFetchFlags(b *testing.B) {
	run := fetchFlagsSession(b, "f UID FETCH 1:* (FLAGS UID)\r\n")
	b.SetBytes(int64(run()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
}
