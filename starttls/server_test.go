package starttls

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/tlspolicy"
)

// serverCase is a hostile or honest client, written as the bytes it sends
// and expects, and what the server machine must make of it.
type serverCase struct {
	name    string
	proto   Protocol
	tag     string
	noTLS   bool // the server has no TLS configuration
	client  []action
	state   State
	err     error
	after   string // the line the server must read over TLS after the upgrade
	tcpOnly bool   // see clientCase.tcpOnly
}

func serverCases(t testing.TB) []serverCase {
	trusted, rogue := pkis(t)
	good := &tls.Config{RootCAs: trusted.roots, ServerName: testHost}
	bad := &tls.Config{RootCAs: rogue.roots, ServerName: testHost}
	return []serverCase{
		{name: "smtp/upgrade", proto: SMTP, client: []action{send("STARTTLS\r\n"), expect("220 2.0.0 Ready to start TLS\r\n"), tlsClient(good), send("EHLO again\r\n")}, state: StateSecure, after: "EHLO again\r\n"},
		{name: "pop3/upgrade", proto: POP3, client: []action{send("STLS\r\n"), expect("+OK Begin TLS negotiation\r\n"), tlsClient(good), send("CAPA\r\n")}, state: StateSecure, after: "CAPA\r\n"},
		{name: "imap/upgrade", proto: IMAP, tag: "a1", client: []action{send("a1 STARTTLS\r\n"), expect("a1 OK Begin TLS negotiation now\r\n"), tlsClient(good), send("a2 CAPABILITY\r\n")}, state: StateSecure, after: "a2 CAPABILITY\r\n"},

		// Command injection: bytes pipelined behind the command (CVE-2011-0411).
		{name: "smtp/STARTTLS then RSET", proto: SMTP, client: []action{send("STARTTLS\r\nRSET\r\n"), expect("554 5.5.0 Error: pipelined data after STARTTLS\r\n")}, state: StateFailed, err: ErrCommandInjection},
		{name: "smtp/STARTTLS then MAIL", proto: SMTP, client: []action{send("STARTTLS\r\nMAIL FROM:<x@evil.example>\r\n"), expect("554 5.5.0 Error: pipelined data after STARTTLS\r\n")}, state: StateFailed, err: ErrCommandInjection},
		{name: "pop3/STLS then USER", proto: POP3, client: []action{send("STLS\r\nUSER victim\r\n"), expect("-ERR pipelined data after STLS\r\n")}, state: StateFailed, err: ErrCommandInjection},
		{name: "imap/STARTTLS then LOGIN", proto: IMAP, tag: "a1", client: []action{send("a1 STARTTLS\r\na2 LOGIN u p\r\n"), expect("* BYE pipelined data after STARTTLS\r\n")}, state: StateFailed, err: ErrCommandInjection},
		{name: "smtp/one byte of injection", proto: SMTP, client: []action{send("STARTTLS\r\nX"), expect("554 5.5.0 Error: pipelined data after STARTTLS\r\n")}, state: StateFailed, err: ErrCommandInjection},

		// Injection that arrives after the check meets the handshake.
		{name: "smtp/plaintext instead of a ClientHello", proto: SMTP, client: []action{send("STARTTLS\r\n"), expect("220 2.0.0 Ready to start TLS\r\n"), send("MAIL FROM:<x@evil.example>\r\n")}, state: StateFailed, err: ErrHandshake},
		{name: "pop3/eof instead of a ClientHello", proto: POP3, client: []action{send("STLS\r\n"), expect("+OK Begin TLS negotiation\r\n"), func(p *peer) error { return p.conn.Close() }}, state: StateFailed, err: ErrHandshake},
		{name: "imap/client rejects the certificate", proto: IMAP, tag: "x", client: []action{send("x STARTTLS\r\n"), expect("x OK Begin TLS negotiation now\r\n"), tlsClient(bad)}, state: StateFailed, err: ErrHandshake, tcpOnly: true},

		// Refusals that keep the session.
		{name: "smtp/no TLS configured", proto: SMTP, noTLS: true, client: []action{send("STARTTLS\r\n"), expect("454 4.7.0 TLS not available due to temporary reason\r\n"), send("QUIT\r\n")}, state: StatePlain, err: ErrUnavailable, after: "QUIT\r\n"},
		{name: "pop3/no TLS configured", proto: POP3, noTLS: true, client: []action{send("STLS\r\n"), expect("-ERR TLS not available\r\n"), send("QUIT\r\n")}, state: StatePlain, err: ErrUnavailable, after: "QUIT\r\n"},
		{name: "imap/no TLS configured", proto: IMAP, tag: "t", noTLS: true, client: []action{send("t STARTTLS\r\n"), expect("t NO TLS not available\r\n"), send("u LOGOUT\r\n")}, state: StatePlain, err: ErrUnavailable, after: "u LOGOUT\r\n"},
	}
}

// TestServerScripts runs every scripted client against Server.Upgrade
// over net.Pipe and loopback TCP.
func TestServerScripts(t *testing.T) {
	trusted, _ := pkis(t)
	for _, tcp := range []bool{false, true} {
		for _, tc := range serverCases(t) {
			if tc.tcpOnly && !tcp {
				continue
			}
			t.Run(tc.name+map[bool]string{false: "/pipe", true: "/tcp"}[tcp], func(t *testing.T) {
				cconn, sconn := pair(t, tcp)
				_ = cconn.SetDeadline(time.Now().Add(10 * time.Second))
				done := runPeer(cconn, tc.client...)
				cfg := trusted.serverConfig()
				if tc.noTLS {
					cfg = nil
				}
				srv := NewServer(sconn, tc.proto, cfg)
				require.Equal(t, !tc.noTLS, srv.Advertise())
				br := bufio.NewReader(sconn)
				_, err := br.ReadString('\n') // the upgrade command, read by the caller's parser
				require.NoError(t, err)
				if tc.err == ErrCommandInjection {
					// The whole segment must be in the caller's buffer: that is the attack.
					for br.Buffered() == 0 {
						time.Sleep(time.Millisecond)
					}
				}
				conn, err := srv.Upgrade(testContext(t), []byte(tc.tag), br)
				require.Equal(t, tc.state, srv.State(), "error: %v", err)
				require.False(t, srv.Advertise() && tc.state != StatePlain)
				switch tc.state {
				case StateSecure:
					require.NoError(t, err)
					require.True(t, conn.ConnectionState().HandshakeComplete)
				default:
					require.ErrorIs(t, err, tc.err)
					require.Nil(t, conn)
					var e *Error
					require.ErrorAs(t, err, &e)
					require.Equal(t, tc.state == StateFailed, e.Fatal())
				}
				if tc.after != "" {
					line, err := br.ReadString('\n') // the same reader, Reset onto TLS after an upgrade
					require.NoError(t, err)
					require.Equal(t, tc.after, line)
				}
				if tc.state == StateFailed {
					_, werr := sconn.Write([]byte("250 OK\r\n"))
					require.Error(t, werr, "the connection must be closed")
					_, err = srv.Upgrade(testContext(t), []byte(tc.tag), br)
					require.ErrorIs(t, err, ErrClosed)
				}
				_ = sconn.Close()
				res := <-done
				if tc.tcpOnly {
					return // the client walked away mid-handshake
				}
				require.NoError(t, res.err)
				if len(res.rest) > 0 { // a TLS alert at most, never a plaintext reply
					require.Equal(t, byte(recordAlert), res.rest[0], "rest %q", res.rest)
				}
			})
		}
	}
}

// TestServerSecondUpgrade checks that after STARTTLS, or after implicit
// TLS, STARTTLS is neither advertised nor accepted, and the refusal goes
// over TLS.
func TestServerSecondUpgrade(t *testing.T) {
	trusted, _ := pkis(t)
	client := &tls.Config{RootCAs: trusted.roots, ServerName: testHost}
	refusals := map[Protocol]string{SMTP: "503 5.5.1 TLS already active\r\n", POP3: "-ERR TLS already active\r\n", IMAP: "b BAD TLS already active\r\n"}
	goAheads := map[Protocol]string{SMTP: "220 2.0.0 Ready to start TLS\r\n", POP3: "+OK Begin TLS negotiation\r\n", IMAP: "a OK Begin TLS negotiation now\r\n"}
	for _, implicit := range []bool{false, true} {
		for _, p := range []Protocol{SMTP, POP3, IMAP} {
			t.Run(p.String()+map[bool]string{false: "/starttls", true: "/implicit"}[implicit], func(t *testing.T) {
				cconn, sconn := pair(t, false)
				script := []action{tlsClient(client), send("again\r\n"), expect(refusals[p])}
				if !implicit {
					script = append([]action{expect(goAheads[p])}, script...)
				}
				done := runPeer(cconn, script...)
				srv := NewServer(sconn, p, trusted.serverConfig())
				br := bufio.NewReader(sconn)
				var err error
				if implicit {
					var tc *tls.Conn
					tc, err = srv.Handshake(testContext(t))
					br.Reset(tc)
				} else {
					_, err = srv.Upgrade(testContext(t), []byte("a"), br)
				}
				require.NoError(t, err)
				require.Equal(t, StateSecure, srv.State())
				require.False(t, srv.Advertise())
				line, err := br.ReadString('\n')
				require.NoError(t, err)
				require.Equal(t, "again\r\n", line)
				_, err = srv.Upgrade(testContext(t), []byte("b"), br)
				require.ErrorIs(t, err, ErrAlreadySecure)
				var e *Error
				require.ErrorAs(t, err, &e)
				require.False(t, e.Fatal())
				require.Equal(t, StateSecure, srv.State())
				_, err = srv.Handshake(testContext(t))
				require.ErrorIs(t, err, ErrAlreadySecure)
				require.NoError(t, sconn.Close())
				require.NoError(t, (<-done).err)
			})
		}
	}
}

// TestServerMisuse covers the calls that are refused before any I/O.
func TestServerMisuse(t *testing.T) {
	trusted, _ := pkis(t)
	tests := []struct {
		name  string
		proto Protocol
		tag   string
		buf   bool
		cfg   *tls.Config
		call  func(*Server, []byte, Buffer) error
	}{
		{"nil buffer", SMTP, "", false, trusted.serverConfig(), upgradeCall},
		{"IMAP without a tag", IMAP, "", true, trusted.serverConfig(), upgradeCall},
		{"IMAP tag with a space", IMAP, "a b", true, trusted.serverConfig(), upgradeCall},
		{"IMAP tag with CRLF", IMAP, "a\r\n* OK", true, trusted.serverConfig(), upgradeCall},
		{"IMAP tag +", IMAP, "+", true, trusted.serverConfig(), upgradeCall},
		{"unknown protocol", 0, "", true, trusted.serverConfig(), upgradeCall},
		{"implicit TLS without a configuration", SMTP, "", true, nil, func(s *Server, _ []byte, _ Buffer) error {
			_, err := s.Handshake(context.Background())
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cconn, sconn := pair(t, false)
			done := runPeer(cconn)
			srv := NewServer(sconn, tt.proto, tt.cfg)
			var buf Buffer
			if tt.buf {
				buf = bufio.NewReader(sconn)
			}
			err := tt.call(srv, []byte(tt.tag), buf)
			require.ErrorIs(t, err, ErrPolicy)
			require.Equal(t, StatePlain, srv.State())
			require.NoError(t, sconn.Close())
			require.Empty(t, (<-done).rest, "nothing may be written")
		})
	}
}

func upgradeCall(s *Server, tag []byte, buf Buffer) error {
	_, err := s.Upgrade(context.Background(), tag, buf)
	return err
}

// TestServerContext checks that the context bounds the handshake.
func TestServerContext(t *testing.T) {
	trusted, _ := pkis(t)
	cconn, sconn := pair(t, false)
	done := runPeer(cconn, expect("220 2.0.0 Ready to start TLS\r\n"))
	srv := NewServer(sconn, SMTP, trusted.serverConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := srv.Upgrade(ctx, nil, bufio.NewReader(sconn))
	require.ErrorIs(t, err, ErrHandshake)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, StateFailed, srv.State())
	require.NoError(t, (<-done).err)
}

// TestBothSides drives Client against Server for every protocol, for
// STARTTLS and implicit TLS, over net.Pipe and loopback TCP: the client's
// capabilities after the upgrade come only from the TLS session, where
// STARTTLS is no longer offered.
func TestBothSides(t *testing.T) {
	trusted, _ := pkis(t)
	for _, tcp := range []bool{false, true} {
		for _, transport := range []tlspolicy.Transport{tlspolicy.TransportSTARTTLS, tlspolicy.TransportImplicit} {
			for _, p := range []Protocol{SMTP, POP3, IMAP} {
				t.Run(p.String()+"/"+transport.String()+map[bool]string{false: "/pipe", true: "/tcp"}[tcp], func(t *testing.T) {
					cconn, sconn := pair(t, tcp)
					served := make(chan error, 1)
					go func() { served <- miniServer(testContext(t), sconn, p, trusted.serverConfig(), transport) }()
					policy := verifyPolicy(t)
					policy.Transport = transport
					conn, rep, err := (&Client{Protocol: p, Policy: policy, Hello: "client.example.test"}).Upgrade(testContext(t), cconn)
					require.NoError(t, err)
					require.Equal(t, StateSecure, rep.State)
					lr := newLineReader(conn, 512)
					if transport == tlspolicy.TransportImplicit {
						_, _, err = p.readReply(lr, 10, stepGreeting)
						require.NoError(t, err)
					}
					_, err = conn.Write(p.appendCapabilityCommand(nil, "client.example.test"))
					require.NoError(t, err)
					ok, advertised, err := p.readReply(lr, 10, stepCapabilities)
					require.NoError(t, err)
					require.True(t, ok)
					require.False(t, advertised, "STARTTLS offered over TLS")
					require.NoError(t, conn.Close())
					require.NoError(t, <-served)
				})
			}
		}
	}
}

// miniServer is the smallest server the machine supports: a greeting, a
// capability list that offers STARTTLS only while Advertise says so, the
// upgrade, the capability list again over TLS, and QUIT or LOGOUT.
func miniServer(ctx context.Context, conn net.Conn, p Protocol, cfg *tls.Config, transport tlspolicy.Transport) error {
	defer conn.Close()
	srv := NewServer(conn, p, cfg)
	var w io.Writer = conn
	br := bufio.NewReader(conn)
	if transport == tlspolicy.TransportImplicit {
		tc, err := srv.Handshake(ctx)
		if err != nil {
			return err
		}
		br.Reset(tc)
		w = tc
	}
	greeting := map[Protocol]string{SMTP: "220 mx.example.test ESMTP\r\n", POP3: "+OK ready\r\n", IMAP: "* OK ready\r\n"}[p]
	if _, err := io.WriteString(w, greeting); err != nil {
		return err
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil // the client hung up
		}
		fields := strings.Fields(line)
		verb := fields[0]
		tag := ""
		if p == IMAP {
			tag, verb = fields[0], fields[1]
		}
		switch strings.ToUpper(verb) {
		case "EHLO", "CAPA", "CAPABILITY":
			_, err = io.WriteString(w, capabilities(p, tag, srv.Advertise()))
		case "STARTTLS", "STLS":
			var tc *tls.Conn
			if tc, err = srv.Upgrade(ctx, []byte(tag), br); err == nil {
				w = tc
			}
		case "QUIT", "LOGOUT":
			bye := map[Protocol]string{SMTP: "221 2.0.0 bye\r\n", POP3: "+OK bye\r\n", IMAP: "* BYE bye\r\n" + tag + " OK done\r\n"}[p]
			_, err = io.WriteString(w, bye)
			return err
		default:
			return fmt.Errorf("unexpected command %q", line)
		}
		if err != nil {
			return err
		}
	}
}

func capabilities(p Protocol, tag string, offer bool) string {
	switch p {
	case SMTP:
		if offer {
			return "250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
		}
		return "250-mx.example.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"
	case POP3:
		if offer {
			return "+OK\r\nUSER\r\nSTLS\r\n.\r\n"
		}
		return "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"
	}
	if offer {
		return "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n" + tag + " OK done\r\n"
	}
	return "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + " OK done\r\n"
}

// BenchmarkUpgrade measures a whole SMTP STARTTLS exchange, Client against
// Server over net.Pipe, handshake included; bytes are those of the
// plaintext exchange.
func BenchmarkUpgrade(b *testing.B) {
	trusted, _ := pkis(b)
	serverCfg := trusted.serverConfig()
	policy := verifyPolicy(b)
	client := &Client{Protocol: SMTP, Policy: policy}
	plaintext := "220 mx.example.test ESMTP\r\nEHLO localhost\r\n" + capabilities(SMTP, "", true) + "STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n"
	b.ReportAllocs()
	b.SetBytes(int64(len(plaintext)))
	for b.Loop() {
		cconn, sconn := net.Pipe()
		served := make(chan error, 1)
		go func() {
			served <- miniServer(context.Background(), sconn, SMTP, serverCfg, tlspolicy.TransportSTARTTLS)
		}()
		conn, _, err := client.Upgrade(context.Background(), cconn)
		if err != nil {
			b.Fatal(err)
		}
		conn.Close()
		if err := <-served; err != nil {
			b.Fatal(err)
		}
	}
}
