package submission

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/users"
)

// FuzzSession runs a session over whatever a client sends (plaintext,
// -tls opportunistic, so that AUTH and messages are reachable). Properties:
// the session ends when the input does; every stored message starts with
// the service's Received field and holds no bare CR or LF (nothing
// smuggled, nothing half-read), and none holds the EHLO name.
func FuzzSession(f *testing.F) {
	login := "EHLO laptop.example\r\nAUTH PLAIN " + plain("alice", "alicepw") + "\r\nMAIL FROM:<alice@mail.example>\r\nRCPT TO:<bob@mail.example>\r\n"
	for _, s := range []string{
		login + "DATA\r\nSubject: a\r\n\r\nb\r\n.\r\nQUIT\r\n",
		login + "BDAT 14\r\nSubject: a\r\n\r\nBDAT 3 LAST\r\nb\r\nQUIT\r\n",
		login + "DATA\r\nSubject: a\r\n\r\nb\n.\r\nMAIL FROM:<alice@mail.example>\r\nRCPT TO:<bob@mail.example>\r\nDATA\r\nx\r\n.\r\n",
		login + "BDAT 5\r\nab\ncdBDAT 0 LAST\r\n",
		"EHLO x\r\nAUTH LOGIN\r\nYWxpY2U=\r\nYWxpY2Vwdw==\r\nRSET\r\nVRFY a\r\nSTARTTLS\r\n",
	} {
		f.Add([]byte(s))
	}
	db := users.New(host)
	for _, n := range []string{"alice", "bob"} {
		h, _ := users.NewHash(n+"pw", 1)
		_ = db.AddHash(n, h)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		store := &fakeStore{}
		srv := New(Config{Hostname: host, MaxMessage: 1 << 16, Users: db, Local: store, Queue: store, Idle: 2 * time.Second})
		a, b := net.Pipe()
		done := make(chan struct{})
		go func() { srv.Serve(context.Background(), a); close(done) }()
		go func() { _, _ = io.Copy(io.Discard, b) }()
		_, _ = b.Write(in)
		b.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("session did not end with its input")
		}
		for _, m := range store.all() {
			d := m.data
			if !bytes.HasPrefix(d, []byte("Received: by mail.example with ESMTPA id ")) {
				t.Fatalf("stored without our Received: %q", d)
			}
			for i, c := range d {
				if (c == '\r' && (i+1 >= len(d) || d[i+1] != '\n')) || (c == '\n' && (i == 0 || d[i-1] != '\r')) {
					t.Fatalf("bare CR or LF stored at %d: %q", i, d)
				}
			}
			if bytes.Contains(d, []byte("laptop.example")) && !bytes.Contains(in, []byte("\r\n\r\n")) {
				t.Fatalf("EHLO name in a message: %q", d)
			}
		}
	})
}
