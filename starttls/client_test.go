package starttls

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"

	"github.com/mailwire/mailwire/tlspolicy"
)

// clientCase is a hostile or honest server, written as the bytes it sends
// and expects, and what the client must make of it.
type clientCase struct {
	name   string
	proto  Protocol
	policy tlspolicy.Policy // zero: verifyPolicy
	limits Limits
	server []action
	state  State // StateSecure, StatePlain or StateFailed
	err    error // the sentinel in the error (Failed) or the Reason (Plain)
	// tcpOnly: the client rejects the certificate while the server's
	// flight is partly unread; over net.Pipe, which has no buffer, the
	// client's alert and the server's flight would wait on each other.
	tcpOnly bool
	// peerCut: the client rightly walks away before the server's script
	// ends; the server may then have received TLS records (an alert), but
	// never plaintext.
	peerCut bool
}

func smtpOpen(caps string) []action {
	return []action{send("220 mx.example.test ESMTP\r\n"), expect("EHLO localhost\r\n"), send(caps)}
}

func pop3Open(capa string) []action {
	return []action{send("+OK POP3 ready\r\n"), expect("CAPA\r\n"), send(capa)}
}

func imapOpen(caps string) []action {
	return []action{send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"), expect("S1 CAPABILITY\r\n"), send(caps)}
}

func then(head []action, tail ...action) []action {
	return append(append([]action(nil), head...), tail...)
}

const (
	smtpCaps = "250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n"
	pop3Capa = "+OK\r\nUSER\r\nSTLS\r\n.\r\n"
	imapCaps = "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nS1 OK done\r\n"
)

func clientCases(t testing.TB) []clientCase {
	trusted, rogue := pkis(t)
	good, bad := trusted.serverConfig(), rogue.serverConfig()
	may := mayPolicy()
	encrypt := tlspolicy.Policy{Level: tlspolicy.LevelEncrypt, Transport: tlspolicy.TransportSTARTTLS}
	wrongName := verifyPolicy(t)
	wrongName.ServerName = "other.example.test"
	dane := tlspolicy.Policy{Level: tlspolicy.LevelDANEOnly, Transport: tlspolicy.TransportSTARTTLS, ServerName: testHost, TLSA: []tlspolicy.TLSA{trusted.tlsa()}}
	pinned := tlspolicy.Policy{Level: tlspolicy.LevelFingerprint, Transport: tlspolicy.TransportSTARTTLS, Fingerprints: [][]byte{trusted.fingerprint()}}
	smtpGo := then(smtpOpen(smtpCaps), expect("STARTTLS\r\n"))
	pop3Go := then(pop3Open(pop3Capa), expect("STLS\r\n"))
	imapGo := then(imapOpen(imapCaps), expect("S2 STARTTLS\r\n"))

	cases := []clientCase{
		// Honest servers.
		{name: "smtp/upgrade", proto: SMTP, server: then(smtpGo, send("220 2.0.0 Ready to start TLS\r\n"), tlsServer(good)), state: StateSecure},
		{name: "smtp/multi-line go-ahead", proto: SMTP, server: then(smtpGo, send("220-Ready\r\n220 go\r\n"), tlsServer(good)), state: StateSecure},
		{name: "smtp/bare 220 and lower-case keyword", proto: SMTP, server: then(smtpOpen("250-mx\r\n250 starttls\r\n"), expect("STARTTLS\r\n"), send("220\r\n"), tlsServer(good)), state: StateSecure},
		{name: "pop3/upgrade", proto: POP3, server: then(pop3Go, send("+OK Begin TLS negotiation\r\n"), tlsServer(good)), state: StateSecure},
		{name: "imap/upgrade", proto: IMAP, server: then(imapGo, send("S2 OK Begin TLS negotiation now\r\n"), tlsServer(good)), state: StateSecure},
		{name: "encrypt accepts any certificate", proto: SMTP, policy: encrypt, server: then(smtpGo, send("220 go\r\n"), tlsServer(bad)), state: StateSecure},
		{name: "fingerprint match", proto: POP3, policy: pinned, server: then(pop3Go, send("+OK\r\n"), tlsServer(good)), state: StateSecure},
		{name: "dane-only EE match", proto: SMTP, policy: dane, server: then(smtpGo, send("220 go\r\n"), tlsServer(good)), state: StateSecure},
		{name: "may upgrades when offered", proto: IMAP, policy: may, server: then(imapGo, send("S2 OK go\r\n"), tlsServer(bad)), state: StateSecure},

		// Stripping: STARTTLS hidden or refused (NO STARTTLS class 3).
		{name: "smtp/stripped advert, sent anyway, 502", proto: SMTP, server: then(smtpOpen("250-mx\r\n250 PIPELINING\r\n"), expect("STARTTLS\r\n"), send("502 5.5.1 unknown\r\n")), state: StateFailed, err: ErrNotAdvertised},
		{name: "smtp/stripped advert under may", proto: SMTP, policy: may, server: smtpOpen("250-mx\r\n250 PIPELINING\r\n"), state: StatePlain, err: ErrNotAdvertised},
		{name: "smtp/EHLO refused (HELO would follow)", proto: SMTP, server: smtpOpen("500 5.5.1 what\r\n"), state: StateFailed, err: ErrCapabilities},
		{name: "smtp/EHLO refused under may", proto: SMTP, policy: may, server: smtpOpen("502 no ESMTP\r\n"), state: StatePlain, err: ErrCapabilities},
		{name: "pop3/CAPA hidden", proto: POP3, server: then(pop3Open("+OK\r\nUSER\r\n.\r\n"), expect("STLS\r\n"), send("-ERR unknown\r\n")), state: StateFailed, err: ErrNotAdvertised},
		{name: "pop3/CAPA refused", proto: POP3, server: pop3Open("-ERR no CAPA\r\n"), state: StateFailed, err: ErrCapabilities},
		{name: "pop3/dot-stuffed STLS is not STLS", proto: POP3, policy: may, server: pop3Open("+OK\r\n..STLS\r\n.\r\n"), state: StatePlain, err: ErrNotAdvertised},
		{name: "imap/STARTTLS hidden", proto: IMAP, server: then(imapOpen("* CAPABILITY IMAP4rev1\r\nS1 OK\r\n"), expect("S2 STARTTLS\r\n"), send("S2 BAD unknown\r\n")), state: StateFailed, err: ErrNotAdvertised},
		{name: "imap/STARTTLS only in an untagged CAPABILITY before the tag NO", proto: IMAP, server: imapOpen("* CAPABILITY STARTTLS\r\nS1 NO\r\n"), state: StateFailed, err: ErrCapabilities},
		{name: "imap/referral instead of capabilities", proto: IMAP, server: imapOpen("S1 NO [REFERRAL IMAP://;AUTH=*@attacker.example/] go there\r\n"), state: StateFailed, err: ErrCapabilities},
		{name: "imap/hidden under may", proto: IMAP, policy: may, server: imapOpen("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nS1 OK\r\n"), state: StatePlain, err: ErrNotAdvertised},
		{name: "imap/PREAUTH", proto: IMAP, server: []action{send("* PREAUTH [CAPABILITY IMAP4rev1] logged in\r\n")}, state: StateFailed, err: ErrPreauth},
		{name: "imap/PREAUTH under may", proto: IMAP, policy: may, server: []action{send("* PREAUTH hi\r\n")}, state: StatePlain, err: ErrPreauth},
		{name: "pop3/-ERR to STLS under may", proto: POP3, policy: may, server: then(pop3Go, send("-ERR later\r\n")), state: StatePlain, err: ErrRefused},
		{name: "imap/NO to STARTTLS", proto: IMAP, server: then(imapGo, send("S2 NO not now\r\n")), state: StateFailed, err: ErrRefused},
		{name: "imap/BAD to STARTTLS under may", proto: IMAP, policy: may, server: then(imapGo, send("S2 BAD no\r\n")), state: StatePlain, err: ErrRefused},
		{name: "imap/continuation to STARTTLS", proto: IMAP, server: then(imapGo, send("+ continue\r\n")), state: StateFailed, err: ErrSyntax},
		{name: "imap/BYE to STARTTLS", proto: IMAP, policy: may, server: then(imapGo, send("* BYE going away\r\n")), state: StateFailed, err: ErrServerClosing},
		{name: "smtp/421 to EHLO", proto: SMTP, policy: may, server: smtpOpen("421 4.3.2 shutting down\r\n"), state: StateFailed, err: ErrServerClosing},

		// Response injection after the go-ahead (class 2).
		{name: "smtp/B_1 capabilities after 220", proto: SMTP, policy: may, server: then(smtpGo, send("220 Ready to start TLS\r\n250-example.org\r\n250 AUTH LOGIN\r\n")), state: StateFailed, err: ErrResponseInjection},
		{name: "pop3/B_1 CAPA after +OK", proto: POP3, server: then(pop3Go, send("+OK Begin fake TLS negotiation now.\r\n+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n")), state: StateFailed, err: ErrResponseInjection},
		{name: "pop3/B_2 garbage after +OK", proto: POP3, server: then(pop3Go, send("+OK\r\n\x00\x01not tls")), state: StateFailed, err: ErrResponseInjection},
		{name: "imap/B_1 CAPABILITY after OK", proto: IMAP, server: then(imapGo, send("S2 OK begin STARTTLS now.\r\n* CAPABILITY IMAP4REV1 AUTH=PLAIN AUTH=LOGIN\r\n2 OK capability done.\r\n")), state: StateFailed, err: ErrResponseInjection},
		{name: "imap/B_2 ALERT suffix", proto: IMAP, server: then(imapGo, send("S2 OK go\r\n* OK [ALERT] suffix.\r\n")), state: StateFailed, err: ErrResponseInjection},
		{name: "imap/B_3 BYE after OK", proto: IMAP, server: then(imapGo, send("S2 OK begin STARTTLS now.\r\n* BYE close the connection please.\r\n")), state: StateFailed, err: ErrResponseInjection},
		{name: "smtp/injection after a refusal under may", proto: SMTP, policy: may, server: then(smtpGo, send("454 4.7.0 no\r\n250 AUTH PLAIN\r\n")), state: StateFailed, err: ErrResponseInjection},

		// UI spoofing and tampering: dropped or refused, never kept.
		{name: "imap/B_2 ALERT prefix is dropped", proto: IMAP, server: then(imapGo, send("* OK [ALERT] Attacker-controlled text\r\nS2 OK go\r\n"), tlsServer(good)), state: StateSecure},
		{name: "imap/untagged CAPABILITY before the go-ahead is ignored", proto: IMAP, server: then(imapGo, send("* CAPABILITY IDLE AUTH=PLAIN\r\nS2 OK ready for starttls\r\n"), tlsServer(good)), state: StateSecure},
		{name: "imap/untagged FETCH with literal before the go-ahead", proto: IMAP, server: then(imapGo, send("* 1 FETCH (BODY[] {28}\r\nFrom: Injected\r\n\r\nInjected\r\n)\r\nS2 OK ready\r\n")), state: StateFailed, err: ErrSyntax},
		{name: "imap/untagged EXISTS after the greeting", proto: IMAP, server: []action{send("* OK hi\r\n"), expect("S1 CAPABILITY\r\n"), send("* 23 EXISTS\r\nS1 OK\r\n")}, state: StateFailed, err: ErrSyntax},
		{name: "imap/wrong tag", proto: IMAP, server: then(imapGo, send("S1 OK go\r\n")), state: StateFailed, err: ErrSyntax},
		{name: "imap/odd status after the tag", proto: IMAP, server: then(imapGo, send("S2 MAYBE\r\n")), state: StateFailed, err: ErrSyntax},

		// Greeting tampering and malformed replies (class 7).
		{name: "smtp/554 greeting", proto: SMTP, policy: may, server: []action{send("554 5.3.2 go away\r\n")}, state: StateFailed, err: ErrGreeting},
		{name: "smtp/garbage greeting", proto: SMTP, server: []action{send("HTTP/1.1 400 Bad Request\r\n")}, state: StateFailed, err: ErrSyntax},
		{name: "smtp/bare LF", proto: SMTP, server: []action{send("220 hi\n")}, state: StateFailed, err: ErrSyntax},
		{name: "smtp/bare CR", proto: SMTP, server: []action{send("220 h\ri\r\n")}, state: StateFailed, err: ErrSyntax},
		{name: "smtp/codes differ across lines", proto: SMTP, server: smtpOpen("250-mx\r\n220 STARTTLS\r\n"), state: StateFailed, err: ErrSyntax},
		{name: "smtp/220 to EHLO", proto: SMTP, server: smtpOpen("220 mx\r\n"), state: StateFailed, err: ErrCapabilities},
		{name: "smtp/too many lines", proto: SMTP, limits: Limits{MaxLines: 3}, server: smtpOpen("250-a\r\n250-b\r\n250-c\r\n250 STARTTLS\r\n"), state: StateFailed, err: ErrTooManyLines},
		{name: "smtp/line too long", proto: SMTP, server: []action{send("220 " + strings.Repeat("x", 600) + "\r\n")}, state: StateFailed, err: ErrLineTooLong, peerCut: true},
		{name: "smtp/eof after greeting", proto: SMTP, server: []action{send("220 hi\r\n"), expect("EHLO localhost\r\n"), func(p *peer) error { return p.conn.Close() }}, state: StateFailed, err: io.EOF},
		{name: "pop3/-ERR greeting", proto: POP3, policy: may, server: []action{send("-ERR busy\r\n")}, state: StateFailed, err: ErrGreeting},
		{name: "pop3/+OKAY is not +OK", proto: POP3, server: []action{send("+OKAY\r\n")}, state: StateFailed, err: ErrSyntax},
		{name: "imap/BYE greeting", proto: IMAP, policy: may, server: []action{send("* BYE busy\r\n")}, state: StateFailed, err: ErrGreeting},
		{name: "imap/tagged greeting", proto: IMAP, server: []action{send("S1 OK hi\r\n")}, state: StateFailed, err: ErrSyntax},
		{name: "imap/odd greeting", proto: IMAP, server: []action{send("* HELLO\r\n")}, state: StateFailed, err: ErrSyntax},
		{name: "imap/BYE during CAPABILITY", proto: IMAP, server: imapOpen("* BYE no\r\n"), state: StateFailed, err: ErrServerClosing},

		// Handshake and certificate failures close the connection.
		{name: "smtp/plaintext instead of a ServerHello", proto: SMTP, policy: may, server: then(smtpGo, send("220 go\r\n"), readSome(), send("250 AUTH PLAIN\r\n")), state: StateFailed, err: ErrHandshake},
		{name: "pop3/untrusted certificate", proto: POP3, server: then(pop3Go, send("+OK\r\n"), tlsServer(bad)), state: StateFailed, err: ErrHandshake, tcpOnly: true, peerCut: true},
		{name: "imap/name mismatch", proto: IMAP, policy: wrongName, server: then(imapGo, send("S2 OK\r\n"), tlsServer(good)), state: StateFailed, err: ErrHandshake, tcpOnly: true, peerCut: true},
		{name: "smtp/DANE mismatch", proto: SMTP, policy: dane, server: then(smtpGo, send("220 go\r\n"), tlsServer(bad)), state: StateFailed, err: tlspolicy.ErrDANEMismatch, tcpOnly: true, peerCut: true},
		{name: "smtp/fingerprint mismatch", proto: SMTP, policy: pinned, server: then(smtpGo, send("220 go\r\n"), tlsServer(bad)), state: StateFailed, err: ErrHandshake, tcpOnly: true, peerCut: true},
	}
	for i := range cases {
		if cases[i].policy.Transport == tlspolicy.TransportPlain {
			cases[i].policy = verifyPolicy(t)
		}
	}
	return cases
}

// TLS record content types (RFC 8446 §5.1).
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
)

// TestClientScripts runs every scripted server over net.Pipe and loopback
// TCP, with real handshakes, and checks the outcome and that the client
// sent nothing beyond what the script expected.
func TestClientScripts(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		for _, tc := range clientCases(t) {
			if tc.tcpOnly && !tcp {
				continue
			}
			name := tc.name + map[bool]string{false: "/pipe", true: "/tcp"}[tcp]
			t.Run(name, func(t *testing.T) {
				cconn, sconn := pair(t, tcp)
				done := runPeer(sconn, tc.server...)
				c := &Client{Protocol: tc.proto, Policy: tc.policy, Limits: tc.limits}
				conn, rep, err := c.Upgrade(testContext(t), cconn)
				assert.Equal(t, tc.proto, rep.Protocol)
				require.Equal(t, tc.state, rep.State, "error: %v", err)
				extra := ""
				switch tc.state {
				case StateSecure:
					require.NoError(t, err)
					require.Nil(t, rep.Reason)
					require.True(t, rep.TLS.HandshakeComplete)
					require.IsType(t, &tls.Conn{}, conn)
					require.NoError(t, conn.Close())
				case StatePlain:
					require.NoError(t, err)
					require.ErrorIs(t, rep.Reason, tc.err)
					require.Same(t, cconn, conn)
					extra = "QUIT\r\n" // the session goes on in plaintext
					_, err = conn.Write([]byte(extra))
					require.NoError(t, err)
					require.NoError(t, conn.Close())
				case StateFailed:
					require.ErrorIs(t, err, tc.err)
					require.Nil(t, conn)
					var e *Error
					require.ErrorAs(t, err, &e)
					require.True(t, e.Fatal())
					require.Equal(t, err, rep.Reason)
					_, werr := cconn.Write([]byte("AUTH PLAIN secret\r\n"))
					require.Error(t, werr, "the connection must be closed")
				}
				res := <-done
				if tc.peerCut {
					if len(res.rest) > 0 {
						require.Contains(t, []byte{recordChangeCipherSpec, recordAlert}, res.rest[0], "only TLS records may follow: %q", res.rest)
					}
					return
				}
				require.NoError(t, res.err)
				require.Equal(t, extra, string(res.rest), "bytes sent beyond the script")
			})
		}
	}
}

// TestClientPolicies covers the policy paths that send nothing.
func TestClientPolicies(t *testing.T) {
	tests := []struct {
		name   string
		client Client
		state  State
		err    error
	}{
		{"plain transport", Client{Protocol: SMTP}, StatePlain, tlspolicy.ErrNoTLS},
		{"verify without a name", Client{Protocol: SMTP, Policy: tlspolicy.Policy{Level: tlspolicy.LevelVerify, Transport: tlspolicy.TransportSTARTTLS}}, StateFailed, tlspolicy.ErrInvalidPolicy},
		{"may over implicit TLS", Client{Protocol: POP3, Policy: tlspolicy.Policy{Level: tlspolicy.LevelMay, Transport: tlspolicy.TransportImplicit}}, StateFailed, ErrPolicy},
		{"dane without records", Client{Protocol: SMTP, Policy: tlspolicy.Policy{Level: tlspolicy.LevelDANE, Transport: tlspolicy.TransportSTARTTLS, ServerName: testHost}}, StateFailed, ErrPolicy},
		{"unknown protocol", Client{Policy: mayPolicy()}, StateFailed, ErrPolicy},
		{"EHLO argument with a space", Client{Protocol: SMTP, Policy: mayPolicy(), Hello: "a b"}, StateFailed, ErrPolicy},
		{"EHLO argument with CRLF", Client{Protocol: SMTP, Policy: mayPolicy(), Hello: "a\r\nMAIL FROM:<x>"}, StateFailed, ErrPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cconn, sconn := pair(t, false)
			done := runPeer(sconn)
			conn, rep, err := tt.client.Upgrade(testContext(t), cconn)
			require.Equal(t, tt.state, rep.State)
			if tt.state == StatePlain {
				require.NoError(t, err)
				require.ErrorIs(t, rep.Reason, tt.err)
				require.Same(t, cconn, conn)
				require.NoError(t, conn.Close())
			} else {
				require.ErrorIs(t, err, tt.err)
				require.Nil(t, conn)
			}
			res := <-done
			require.Empty(t, res.rest, "nothing may be sent")
		})
	}
}

// TestClientImplicit runs implicit TLS for each protocol: the handshake
// comes first, the greeting follows over TLS.
func TestClientImplicit(t *testing.T) {
	trusted, rogue := pkis(t)
	greetings := map[Protocol]string{SMTP: "220 mx ESMTP\r\n", POP3: "+OK ready\r\n", IMAP: "* OK ready\r\n"}
	for _, tcp := range []bool{false, true} {
		for _, p := range []Protocol{SMTP, POP3, IMAP} {
			t.Run(p.String(), func(t *testing.T) {
				policy := verifyPolicy(t)
				policy.Transport = tlspolicy.TransportImplicit
				cconn, sconn := pair(t, tcp)
				done := runPeer(sconn, tlsServer(trusted.serverConfig()), send(greetings[p]))
				conn, rep, err := (&Client{Protocol: p, Policy: policy}).Upgrade(testContext(t), cconn)
				require.NoError(t, err)
				require.Equal(t, StateSecure, rep.State)
				got := make([]byte, len(greetings[p]))
				_, err = io.ReadFull(conn, got)
				require.NoError(t, err)
				require.Equal(t, greetings[p], string(got))
				require.NoError(t, conn.Close())
				require.NoError(t, (<-done).err)
			})
		}
	}
	t.Run("untrusted", func(t *testing.T) {
		policy := verifyPolicy(t)
		policy.Transport = tlspolicy.TransportImplicit
		cconn, sconn := pair(t, true) // see clientCase.tcpOnly
		done := runPeer(sconn, tlsServer(rogue.serverConfig()))
		conn, rep, err := (&Client{Protocol: IMAP, Policy: policy}).Upgrade(testContext(t), cconn)
		require.ErrorIs(t, err, ErrHandshake)
		var unknown x509.UnknownAuthorityError
		require.ErrorAs(t, err, &unknown)
		require.Nil(t, conn)
		require.Equal(t, StateFailed, rep.State)
		require.Error(t, (<-done).err)
	})
}

// TestClientContext checks that the context bounds the exchange and the
// handshake, and that a finished upgrade leaves no deadline behind.
func TestClientContext(t *testing.T) {
	t.Run("deadline while waiting for the greeting", func(t *testing.T) {
		cconn, sconn := pair(t, false)
		done := runPeer(sconn)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, rep, err := (&Client{Protocol: SMTP, Policy: verifyPolicy(t)}).Upgrade(ctx, cconn)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, StateFailed, rep.State)
		require.Empty(t, (<-done).rest)
	})
	t.Run("cancel during the handshake", func(t *testing.T) {
		cconn, sconn := pair(t, false)
		ctx, cancel := context.WithCancel(context.Background())
		done := runPeer(sconn, then(then(smtpOpen(smtpCaps), expect("STARTTLS\r\n")), send("220 go\r\n"), readSome(), func(*peer) error { cancel(); return nil })...)
		_, rep, err := (&Client{Protocol: SMTP, Policy: verifyPolicy(t)}).Upgrade(ctx, cconn)
		require.ErrorIs(t, err, ErrHandshake)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, StateFailed, rep.State)
		<-done
	})
	t.Run("no deadline is left on a secure session", func(t *testing.T) {
		trusted, _ := pkis(t)
		cconn, sconn := pair(t, false)
		done := runPeer(sconn, then(then(smtpOpen(smtpCaps), expect("STARTTLS\r\n")), send("220 go\r\n"), tlsServer(trusted.serverConfig()), expect("EHLO x\r\n"), send("250 ok\r\n"))...)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		conn, rep, err := (&Client{Protocol: SMTP, Policy: verifyPolicy(t)}).Upgrade(ctx, cconn)
		require.NoError(t, err)
		require.Equal(t, StateSecure, rep.State)
		<-ctx.Done()
		time.Sleep(10 * time.Millisecond)
		_, err = conn.Write([]byte("EHLO x\r\n"))
		require.NoError(t, err)
		got := make([]byte, len("250 ok\r\n"))
		_, err = io.ReadFull(conn, got)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		require.NoError(t, (<-done).err)
	})
	t.Run("no deadline is left on a plaintext session", func(t *testing.T) {
		cconn, sconn := pair(t, false)
		done := runPeer(sconn, then(smtpOpen("250 mx\r\n"), send("250 later\r\n"))...)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		conn, rep, err := (&Client{Protocol: SMTP, Policy: mayPolicy()}).Upgrade(ctx, cconn)
		require.NoError(t, err)
		require.Equal(t, StatePlain, rep.State)
		<-ctx.Done()
		time.Sleep(10 * time.Millisecond) // past the context's deadline, and any AfterFunc has run
		got := make([]byte, len("250 later\r\n"))
		_, err = io.ReadFull(conn, got)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		<-done
	})
}

// TestClientTLSConfig checks that a caller's configuration replaces the
// policy's (for a client certificate, say).
func TestClientTLSConfig(t *testing.T) {
	trusted, _ := pkis(t)
	cconn, sconn := pair(t, true) // see clientCase.tcpOnly
	done := runPeer(sconn, then(then(smtpOpen(smtpCaps), expect("STARTTLS\r\n")), send("220 go\r\n"), tlsServer(trusted.serverConfig()))...)
	called := false
	cfg := &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
		called = true
		return errors.New("caller says no")
	}}
	_, rep, err := (&Client{Protocol: SMTP, Policy: verifyPolicy(t), TLSConfig: cfg}).Upgrade(testContext(t), cconn)
	require.ErrorIs(t, err, ErrHandshake)
	require.ErrorContains(t, err, "caller says no")
	require.True(t, called)
	require.Equal(t, StateFailed, rep.State)
	<-done
}

// scriptConn is a net.Conn whose peer is a fixed byte string, handed out
// in chunks; it records what is written and never blocks.
type scriptConn struct {
	in     *chunked.Reader
	out    bytes.Buffer
	closed bool
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.in.Read(p)
}

func (c *scriptConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.out.Write(p)
}

func (c *scriptConn) Close() error { c.closed = true; return nil }
func (c *scriptConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 25} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzClient feeds the client machine arbitrary server bytes, in arbitrary
// chunks, for each protocol and for levels may, encrypt and verify. It
// checks that the machine never panics, that it writes nothing in
// plaintext but its capability and upgrade commands (so nothing secret can
// leave before TLS), that anything after them is a TLS handshake record,
// that a required level never ends in plaintext, that Secure only follows
// a completed handshake, that every failure closes the connection, and
// that reading ahead only ever makes the machine stricter.
func FuzzClient(f *testing.F) {
	seeds := []struct {
		proto Protocol
		in    string
	}{
		{SMTP, "220 mx ESMTP\r\n" + smtpCaps + "220 2.0.0 go\r\n"},
		{SMTP, "220 mx ESMTP\r\n" + smtpCaps + "220 go\r\n250-example.org\r\n250 AUTH LOGIN\r\n"},
		{SMTP, "220 mx ESMTP\r\n250-mx\r\n250 PIPELINING\r\n502 no\r\n"},
		{SMTP, "220 mx ESMTP\r\n500 what\r\n"},
		{SMTP, "220-mx\r\n220 ESMTP\r\n250-mx\r\n250 STARTTLS\r\n454 4.7.0 later\r\n"},
		{POP3, "+OK ready\r\n" + pop3Capa + "+OK begin\r\n"},
		{POP3, "+OK ready\r\n" + pop3Capa + "+OK Begin fake TLS negotiation now.\r\n+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n"},
		{POP3, "+OK ready\r\n+OK\r\nUSER\r\n.\r\n-ERR no\r\n"},
		{IMAP, "* OK ready\r\n" + imapCaps + "S2 OK begin\r\n"},
		{IMAP, "* PREAUTH hi\r\n"},
		{IMAP, "* OK ready\r\n" + imapCaps + "* OK [ALERT] x\r\nS2 OK begin\r\n* CAPABILITY IMAP4REV1 AUTH=PLAIN\r\n"},
		{IMAP, "* OK ready\r\n" + imapCaps + "* 1 FETCH (BODY[] {28}\r\nFrom: Injected\r\n\r\nInjected\r\n)\r\nS2 OK\r\n"},
	}
	for _, s := range seeds {
		for level := range uint8(3) {
			f.Add([]byte(s.in), []byte{255}, uint8(s.proto), level)
		}
		f.Add([]byte(s.in), []byte{1, 7}, uint8(s.proto), uint8(2))
	}
	for _, p := range []Protocol{SMTP, POP3, IMAP} { // what real servers sent
		transcripts, err := transcript.Discover(strings.ToLower(p.String()))
		require.NoError(f, err)
		for _, tr := range transcripts {
			turns := cutTranscript(p, tr)
			f.Add(slices.Concat(turns.greeting, turns.capabilities, turns.goAhead), []byte{255}, uint8(p), uint8(2))
		}
	}
	roots := x509.NewCertPool()
	f.Fuzz(func(t *testing.T, data, sizes []byte, proto, level uint8) {
		p := Protocol(proto%3 + 1)
		policy := []tlspolicy.Policy{
			mayPolicy(),
			{Level: tlspolicy.LevelEncrypt, Transport: tlspolicy.TransportSTARTTLS},
			{Level: tlspolicy.LevelVerify, Transport: tlspolicy.TransportSTARTTLS, ServerName: testHost, RootCAs: roots},
		}[level%3]
		chunks := fuzzClientRun(t, p, policy, chunked.NewReader(data, chunked.SizesFrom(sizes)...))
		bytewise := fuzzClientRun(t, p, policy, chunked.NewReader(data, 1))
		// Read byte by byte, nothing is ever read ahead, so no injection is
		// seen before the handshake; read in larger chunks, the machine can
		// only be stricter: never plaintext where the other failed, and
		// plaintext only for the same reason.
		if chunks.State == StatePlain {
			require.Equal(t, StatePlain, bytewise.State)
			require.Equal(t, chunks.Reason, bytewise.Reason)
		}
		if bytewise.State == StateFailed {
			require.Equal(t, StateFailed, chunks.State)
		}
	})
}

// fuzzClientRun runs the client over server bytes from in and checks what
// must hold whatever they are.
func fuzzClientRun(t *testing.T, p Protocol, policy tlspolicy.Policy, in *chunked.Reader) Report {
	sc := &scriptConn{in: in}
	conn, rep, err := (&Client{Protocol: p, Policy: policy}).Upgrade(context.Background(), sc)

	capCmd := string(p.appendCapabilityCommand(nil, "localhost"))
	script := capCmd + string(p.appendStartTLS(nil))
	out := sc.out.String()
	if len(out) <= len(script) {
		require.True(t, strings.HasPrefix(script, out), "plaintext written: %q", out)
	} else {
		require.Equal(t, script, out[:len(script)])
		require.Equal(t, byte(recordHandshake), out[len(script)], "only a TLS record may follow the upgrade command")
	}

	switch rep.State {
	case StateFailed:
		require.Error(t, err)
		require.Nil(t, conn)
		require.True(t, sc.closed)
	case StatePlain:
		require.NoError(t, err)
		require.False(t, policy.Level.Required(), "plaintext under a required level")
		require.Same(t, sc, conn)
		require.False(t, sc.closed)
		require.Contains(t, []string{"", capCmd, script}, out)
		ok := false
		for _, reason := range []error{ErrNotAdvertised, ErrRefused, ErrCapabilities, ErrPreauth} {
			ok = ok || errors.Is(rep.Reason, reason)
		}
		require.True(t, ok, "reason %v", rep.Reason)
	case StateSecure:
		require.NoError(t, err)
		require.True(t, rep.TLS.HandshakeComplete)
	default:
		t.Fatalf("ended in state %v", rep.State)
	}
	return rep
}
