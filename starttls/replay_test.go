package starttls

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"
)

// recordedTurns is a recorded session cut where the client machine looks:
// the greeting, the answer to the first capability command and, in the
// STARTTLS sessions, the go-ahead, each with the chunk sizes the real
// server wrote. IMAP tags are rewritten to the client's S1 and S2.
type recordedTurns struct {
	name                             string
	greeting, capabilities, goAhead  []byte
	greetingSizes, capSizes, goSizes []int
}

// cutTranscript finds the turns of tr. A turn is the server bytes between
// one client chunk and the next.
func cutTranscript(p Protocol, tr *transcript.Transcript) recordedTurns {
	turns := recordedTurns{name: filepath.Base(tr.Path)}
	var command []byte // the last client chunk; nil before the first
	var reply *[]byte
	var sizes *[]int
	for _, c := range tr.Chunks {
		if c.Dir == transcript.ClientToServer {
			command, reply, sizes = c.Data, nil, nil
			switch {
			case turns.capabilities == nil && isCapabilityCommand(p, command):
				reply, sizes = &turns.capabilities, &turns.capSizes
			case turns.goAhead == nil && isUpgradeCommand(p, command):
				reply, sizes = &turns.goAhead, &turns.goSizes
			}
			continue
		}
		if command == nil {
			reply, sizes = &turns.greeting, &turns.greetingSizes
		}
		if reply != nil {
			data := c.Data
			if p == IMAP {
				tag := imapCapabilityTag
				if reply == &turns.goAhead {
					tag = imapStartTLSTag
				}
				data = retag(data, firstWord(command), tag)
			}
			*reply = append(*reply, data...)
			*sizes = append(*sizes, len(data))
		}
	}
	return turns
}

func isCapabilityCommand(p Protocol, cmd []byte) bool {
	switch p {
	case SMTP:
		return equalFoldASCII(firstWord(bytes.TrimSuffix(cmd, []byte("\r\n"))), "EHLO")
	case POP3:
		return equalFoldASCII(bytes.TrimSuffix(cmd, []byte("\r\n")), "CAPA")
	}
	_, rest, _ := bytes.Cut(bytes.TrimSuffix(cmd, []byte("\r\n")), []byte(" "))
	return equalFoldASCII(rest, "CAPABILITY")
}

func isUpgradeCommand(p Protocol, cmd []byte) bool {
	cmd = bytes.TrimSuffix(cmd, []byte("\r\n"))
	switch p {
	case SMTP:
		return equalFoldASCII(cmd, "STARTTLS")
	case POP3:
		return equalFoldASCII(cmd, "STLS")
	}
	_, rest, _ := bytes.Cut(cmd, []byte(" "))
	return equalFoldASCII(rest, "STARTTLS")
}

// retag replaces the tag from at the start of each line of data with to.
func retag(data, from []byte, to string) []byte {
	lines := strings.SplitAfter(string(data), "\r\n")
	for i, line := range lines {
		if rest, ok := strings.CutPrefix(line, string(from)+" "); ok {
			lines[i] = to + " " + rest
		}
	}
	return []byte(strings.Join(lines, ""))
}

// TestReplayRecordedServers reads what real Postfix and Dovecot servers sent
// (testdata/transcripts) through the client's reply readers, split as the
// server split it and one byte at a time: every greeting is a greeting,
// every first capability list is positive and offers the upgrade, and every
// recorded go-ahead is one with nothing behind it.
func TestReplayRecordedServers(t *testing.T) {
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		transcripts, err := transcript.Discover(strings.ToLower(p.String()))
		require.NoError(t, err)
		var capabilityLists, goAheads int
		for _, tr := range transcripts {
			turns := cutTranscript(p, tr)
			for _, oneByte := range []bool{false, true} {
				read := func(data []byte, sizes []int, s step) (bool, bool, int) {
					if oneByte {
						sizes = []int{1}
					}
					lr := newLineReader(chunked.NewReader(data, sizes...), Limits{}.withDefaults(p).MaxLine)
					ok, advertised, err := p.readReply(lr, defaultMaxLines, s)
					require.NoError(t, err, "%s %v", turns.name, s)
					return ok, advertised, lr.buffered()
				}
				ok, _, left := read(turns.greeting, turns.greetingSizes, stepGreeting)
				require.True(t, ok, turns.name)
				require.Zero(t, left, turns.name)
				if turns.capabilities != nil {
					ok, advertised, _ := read(turns.capabilities, turns.capSizes, stepCapabilities)
					require.True(t, ok, turns.name)
					require.True(t, advertised, turns.name)
					capabilityLists++
				}
				if turns.goAhead != nil {
					ok, _, left := read(turns.goAhead, turns.goSizes, stepGoAhead)
					require.True(t, ok, turns.name)
					require.Zero(t, left, turns.name)
					goAheads++
				}
			}
		}
		require.NotZero(t, capabilityLists, "%v: no capability list recorded", p)
		require.NotZero(t, goAheads, "%v: no go-ahead recorded", p)
	}
}

// TestUpgradeAgainstRecordedServers runs Client.Upgrade against the
// recorded STARTTLS sessions: the scripted server sends the real server's
// bytes as it wrote them, then completes a real handshake with the test
// certificate (the recorded TLS cannot be replayed).
func TestUpgradeAgainstRecordedServers(t *testing.T) {
	trusted, _ := pkis(t)
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		transcripts, err := transcript.Discover(strings.ToLower(p.String()))
		require.NoError(t, err)
		for _, tr := range transcripts {
			turns := cutTranscript(p, tr)
			if turns.goAhead == nil {
				continue
			}
			t.Run(turns.name, func(t *testing.T) {
				cconn, sconn := pair(t, false)
				script := []action{sendChunks(turns.greeting, turns.greetingSizes)}
				script = append(script, expect(string(p.appendCapabilityCommand(nil, "localhost"))), sendChunks(turns.capabilities, turns.capSizes))
				script = append(script, expect(string(p.appendStartTLS(nil))), sendChunks(turns.goAhead, turns.goSizes), tlsServer(trusted.serverConfig()))
				done := runPeer(sconn, script...)
				conn, rep, err := (&Client{Protocol: p, Policy: verifyPolicy(t)}).Upgrade(testContext(t), cconn)
				require.NoError(t, err)
				require.Equal(t, StateSecure, rep.State)
				require.NoError(t, conn.Close())
				res := <-done
				require.NoError(t, res.err)
				require.Empty(t, res.rest)
			})
		}
	}
}

// sendChunks writes data in writes of the given sizes.
func sendChunks(data []byte, sizes []int) action {
	return func(p *peer) error {
		for _, n := range sizes {
			if _, err := p.conn.Write(data[:n]); err != nil {
				return err
			}
			data = data[n:]
		}
		return nil
	}
}
