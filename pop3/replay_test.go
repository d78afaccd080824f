package pop3_test

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/pop3"
)

// TestReplayTranscripts replays every recorded POP3 session between real
// peers (testdata/transcripts, plus $MAILWIRE_TRANSCRIPTS when set): the
// commands the real client sent through the CommandReader, the responses,
// listings and bodies the real server sent through the ResponseReader,
// split as the peer split them and one byte at a time. The writers must give
// back every byte that was read, except the case of command names, which
// POP3 leaves to the client.
func TestReplayTranscripts(t *testing.T) {
	transcripts, err := transcript.Discover("pop3")
	require.NoError(t, err)

	type counts struct{ commands, authLines, responses, listingLines, bodies int }
	perClient, perServer := transcript.Tally[counts]{}, transcript.Tally[counts]{}
	for _, tr := range transcripts {
		for _, split := range tr.Splits() {
			t.Run(filepath.Base(tr.Path)+"/"+split.Name, func(t *testing.T) {
				r := replayPOP3(t, tr, split.Client, split.Server, true)
				if split.Name != "peer-chunks" {
					return
				}
				perClient.Of(tr.Client).commands += r.commands
				perClient.Of(tr.Client).authLines += r.authLines
				s := perServer.Of(tr.Server)
				s.responses += r.responses
				s.listingLines += r.listingLines
				s.bodies += r.bodies
			})
		}
	}
	for _, peer := range perClient.Peers() {
		c := perClient[peer]
		t.Logf("client %s: %d commands, %d AUTH response lines read", peer, c.commands, c.authLines)
	}
	for _, peer := range perServer.Peers() {
		s := perServer[peer]
		t.Logf("server %s: %d responses, %d listing lines, %d bodies read", peer, s.responses, s.listingLines, s.bodies)
	}
}

// pop3Replay walks one session in lockstep: each command, then its
// response and whatever follows it (a listing, a body, SASL challenges).
type pop3Replay struct {
	t          *testing.T
	cmds       *pop3.CommandReader
	resps      *pop3.ResponseReader
	client     []byte // the client stream rebuilt with the writers
	server     []byte // the server stream rebuilt with the writers
	status     []byte // the last status line, rebuilt
	peerSplits bool   // the streams are split as the peers sent them
	upgraded   bool   // the session ended in an STLS go-ahead

	commands, authLines, responses, listingLines, bodies int
}

// The Buffered checks at a TLS go-ahead hold only when each stream is
// split as the peer sent it (a reader split elsewhere reads TLS bytes
// ahead): peerSplits says so.
func replayPOP3(t *testing.T, tr *transcript.Transcript, client, server io.Reader, peerSplits bool) *pop3Replay {
	r := &pop3Replay{
		peerSplits: peerSplits,
		t:          t,
		cmds:       pop3.NewCommandReader(client, pop3.CommandReaderOptions{}),
		resps:      pop3.NewResponseReader(server, pop3.ResponseReaderOptions{}),
	}
	require.True(t, r.response().OK(), "greeting")
	for !r.upgraded {
		cmd, err := r.cmds.ReadCommand()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "command %d of %s", r.commands+1, tr.Client)
		r.command(cmd)
	}

	clientStream := tr.Bytes(transcript.ClientToServer)
	serverStream := tr.Bytes(transcript.ServerToClient)
	if r.upgraded {
		require.True(t, bytes.HasPrefix(clientStream, r.client), "the client plaintext, rebuilt")
		require.True(t, bytes.HasPrefix(serverStream, r.server), "the server plaintext, rebuilt")
		require.True(t, transcript.TLSHandshakeAt(clientStream, len(r.client)), "the client starts TLS after the go-ahead")
		require.True(t, transcript.TLSHandshakeAt(serverStream, len(r.server)), "the server answers with TLS")
		return r
	}
	_, err := r.resps.ReadResponse()
	require.ErrorIs(t, err, io.EOF, "a response without a command")
	require.Equal(t, string(clientStream), string(r.client), "the client stream, rebuilt")
	require.Equal(t, string(serverStream), string(r.server), "the server stream, rebuilt")
	return r
}

// response reads one status line or challenge and rewrites it.
func (r *pop3Replay) response() pop3.Response {
	t := r.t
	resp, err := r.resps.ReadResponse()
	require.NoError(t, err, "response %d", r.responses+1)
	var out []byte
	switch resp.Status {
	case pop3.StatusOK:
		out, err = pop3.AppendOK(nil, pop3.Code(resp.Code), resp.Text)
	case pop3.StatusErr:
		out, err = pop3.AppendErr(nil, pop3.Code(resp.Code), resp.Text)
	case pop3.StatusContinue:
		challenge, derr := pop3.DecodeSASL(nil, resp.Text)
		require.NoError(t, derr, "challenge %q", resp.Text)
		out = pop3.AppendChallenge(nil, challenge)
	}
	require.NoError(t, err)
	r.server = append(r.server, out...)
	r.status = out
	r.responses++
	return resp
}

// command checks one command with its writer, then reads the response and
// what the response opens.
func (r *pop3Replay) command(cmd pop3.Command) {
	t := r.t
	r.commands++
	original := append([]byte(nil), cmd.Name...)
	if len(cmd.Args) > 0 {
		original = append(append(original, ' '), cmd.Args...)
	}
	original = append(original, "\r\n"...)
	r.client = append(r.client, original...)
	require.NotEqual(t, pop3.VerbUnknown, cmd.Verb, "a real client sent a command the reader does not know: %q", original)
	written, err := pop3.AppendCommand(nil, cmd)
	require.NoError(t, err)
	canonical := append(bytes.ToUpper(cmd.Name), original[len(cmd.Name):]...)
	require.Equal(t, string(canonical), string(written), "the writer, from the parsed command")

	resp := r.response()
	switch {
	case resp.Status == pop3.StatusContinue && cmd.Verb == pop3.VerbAUTH:
		r.auth(resp)
	case !resp.OK():
	case cmd.Verb == pop3.VerbCAPA:
		r.capabilities()
	case cmd.Verb == pop3.VerbSTAT:
		count, size, err := pop3.ParseStat(resp.Text)
		require.NoError(t, err)
		require.Equal(t, string(r.status), string(pop3.AppendStat(nil, count, size)))
	case cmd.Verb == pop3.VerbLIST && cmd.Msg > 0:
		scan, err := pop3.ParseScan(resp.Text)
		require.NoError(t, err)
		require.Equal(t, cmd.Msg, scan.Msg)
		require.Equal(t, string(r.status), string(pop3.AppendScanOK(nil, scan)))
	case cmd.Verb == pop3.VerbLIST:
		r.scanListing()
	case cmd.Verb == pop3.VerbUIDL && cmd.Msg > 0:
		uid, err := pop3.ParseUID(resp.Text)
		require.NoError(t, err)
		out, err := pop3.AppendUIDOK(nil, uid.Msg, uid.ID)
		require.NoError(t, err)
		require.Equal(t, string(r.status), string(out))
	case cmd.Verb == pop3.VerbUIDL:
		r.uidListing()
	case cmd.Verb == pop3.VerbRETR || cmd.Verb == pop3.VerbTOP:
		body, err := io.ReadAll(r.resps.Body())
		require.NoError(t, err, "body of %s", original)
		stuffed, err := pop3.AppendBody(nil, body)
		require.NoError(t, err)
		r.server = append(r.server, stuffed...)
		r.bodies++
	case cmd.Verb == pop3.VerbSTLS:
		if r.peerSplits {
			require.Zero(t, r.cmds.Buffered(), "client bytes pipelined after STLS")
			require.Zero(t, r.resps.Buffered(), "server bytes after the go-ahead")
		}
		r.upgraded = true
	}
}

func (r *pop3Replay) auth(resp pop3.Response) {
	t := r.t
	for resp.Status == pop3.StatusContinue {
		data, err := r.cmds.ReadAuthResponse(nil)
		require.NoError(t, err, "AUTH response")
		r.client = pop3.AppendAuthResponse(r.client, data)
		r.authLines++
		resp = r.response()
	}
}

func (r *pop3Replay) capabilities() {
	t := r.t
	var caps pop3.Capabilities
	require.NoError(t, r.resps.ReadCapabilities(&caps))
	var lines []string
	for line := range caps.Lines() {
		lines = append(lines, string(line))
		r.server = append(append(r.server, line...), "\r\n"...)
		r.listingLines++
	}
	r.server = pop3.AppendEnd(r.server)
	written, err := pop3.AppendCapabilities(nil, lines...)
	require.NoError(t, err)
	_, listing, _ := bytes.Cut(written, []byte("\r\n"))
	require.True(t, bytes.HasSuffix(r.server, listing), "AppendCapabilities gives the listing back")
}

func (r *pop3Replay) scanListing() {
	for {
		scan, err := r.resps.ReadScan()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(r.t, err, "LIST line")
		r.server = pop3.AppendScan(r.server, scan)
		r.listingLines++
	}
	r.server = pop3.AppendEnd(r.server)
}

func (r *pop3Replay) uidListing() {
	t := r.t
	for {
		uid, err := r.resps.ReadUID()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "UIDL line")
		r.server, err = pop3.AppendUID(r.server, uid.Msg, uid.ID)
		require.NoError(t, err)
		r.listingLines++
	}
	r.server = pop3.AppendEnd(r.server)
}

// FuzzReplaySplits replays the recorded sessions with both streams cut into
// chunks of the fuzzer's choosing: however the network splits real traffic,
// every command and every response must read the same.
func FuzzReplaySplits(f *testing.F) {
	transcripts, err := transcript.DiscoverBeside("pop3")
	require.NoError(f, err)
	for i := range transcripts {
		f.Add(uint16(i), []byte{0, 3, 200}, []byte{1, 255, 7})
	}
	f.Fuzz(func(t *testing.T, i uint16, clientSplits, serverSplits []byte) {
		// go-118-fuzz-build's F ignores require's failure above.
		require.NotEmpty(t, transcripts, "no %s transcripts: %v", "pop3", err)
		tr := transcripts[int(i)%len(transcripts)]
		replayPOP3(t, tr,
			chunked.NewReader(tr.Bytes(transcript.ClientToServer), chunked.SizesFrom(clientSplits)...),
			chunked.NewReader(tr.Bytes(transcript.ServerToClient), chunked.SizesFrom(serverSplits)...), false)
	})
}

func TestReplayTranscriptsCoverThePeers(t *testing.T) {
	transcripts, err := transcript.Discover("pop3")
	require.NoError(t, err)
	clients := map[string]bool{}
	for _, tr := range transcripts {
		assert.Contains(t, tr.Server, "Dovecot")
		clients[tr.Client] = true
	}
	assert.GreaterOrEqual(t, len(clients), 2, "poplib and curl at least")
}
