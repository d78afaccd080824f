package smtpwire_test

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
	"github.com/mailwire/mailwire/smtpwire"
)

// TestReplayTranscripts replays every recorded SMTP session between real
// peers (testdata/transcripts, plus $MAILWIRE_TRANSCRIPTS when set): the
// commands the real client sent through the CommandReader, the replies the
// real server sent through the ReplyReader, split as the peer split them and
// one byte at a time. The writers must give back every byte that was read,
// except the case of verbs and keywords, which SMTP leaves to the client.
func TestReplayTranscripts(t *testing.T) {
	transcripts, err := transcript.Discover("smtp")
	require.NoError(t, err)

	type counts struct{ commands, authLines, bodies, replies int }
	perClient, perServer := transcript.Tally[counts]{}, transcript.Tally[counts]{}
	for _, tr := range transcripts {
		for _, split := range tr.Splits() {
			t.Run(filepath.Base(tr.Path)+"/"+split.Name, func(t *testing.T) {
				r := replaySMTP(t, tr, split.Client, split.Server, true)
				if split.Name != "peer-chunks" {
					return
				}
				c := perClient.Of(tr.Client)
				c.commands += r.commands
				c.authLines += r.authLines
				c.bodies += r.bodies
				perServer.Of(tr.Server).replies += r.replies
			})
		}
	}
	for _, peer := range perClient.Peers() {
		c := perClient[peer]
		t.Logf("client %s: %d commands, %d AUTH response lines, %d DATA bodies read", peer, c.commands, c.authLines, c.bodies)
	}
	for _, peer := range perServer.Peers() {
		t.Logf("server %s: %d replies read", peer, perServer[peer].replies)
	}
}

// replayOptions are the defaults but for the DATA line limit, set to
// Postfix's line_length_limit (2048): .ci/record.sh sends one message with
// an unfolded 1104-octet header line, past RFC 5321's 1000, and Postfix
// accepted it. TestReplayLongLineNeedsTheOption checks the default refuses it.
var replayOptions = smtpwire.CommandReaderOptions{MaxDataLine: 2048}

// smtpReplay walks one session in lockstep: each command is followed by its
// reply, in both streams' own order, which pipelining does not change.
type smtpReplay struct {
	t          *testing.T
	cmds       *smtpwire.CommandReader
	replyR     *smtpwire.ReplyReader
	client     []byte // the client stream rebuilt from what was read
	server     []byte // the server stream rebuilt with AppendReply
	utf8       bool   // the current transaction's MAIL carried SMTPUTF8
	peerSplits bool   // the streams are split as the peers sent them
	upgraded   bool   // the session ended in a STARTTLS go-ahead

	commands, authLines, bodies, replies int
}

// The Buffered checks at a TLS go-ahead hold only when each stream is
// split as the peer sent it (a reader split elsewhere reads TLS bytes
// ahead): peerSplits says so.
func replaySMTP(t *testing.T, tr *transcript.Transcript, client, server io.Reader, peerSplits bool) *smtpReplay {
	r := &smtpReplay{
		peerSplits: peerSplits,
		t:          t,
		cmds:       smtpwire.NewCommandReader(client, replayOptions),
		replyR:     smtpwire.NewReplyReader(server, smtpwire.ReplyReaderOptions{}),
	}
	require.Equal(t, 220, r.reply().Code, "greeting")
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
	_, err := r.replyR.ReadReply()
	require.ErrorIs(t, err, io.EOF, "a reply without a command")
	require.Equal(t, string(clientStream), string(r.client), "the client stream, rebuilt")
	require.Equal(t, string(serverStream), string(r.server), "the server stream, rebuilt")
	return r
}

// reply reads one reply, rewrites it with AppendReply and counts it.
func (r *smtpReplay) reply() *smtpwire.Reply {
	rep, err := r.replyR.ReadReply()
	require.NoError(r.t, err, "reply %d", r.replies+1)
	require.True(r.t, rep.Enhanced.IsZero() || rep.Enhanced.Valid(), "enhanced code %v", rep.Enhanced)
	var lines []string
	for line := range rep.Lines() {
		lines = append(lines, string(line))
	}
	written, err := smtpwire.AppendReply(nil, rep.Code, smtpwire.EnhancedCode{}, lines...)
	require.NoError(r.t, err)
	r.server = append(r.server, written...)
	r.replies++
	return rep
}

// command checks one command with its parser and writer, reads its reply,
// and then whatever the reply lets the client send: AUTH responses, a DATA
// body, or nothing more at all after a STARTTLS go-ahead.
func (r *smtpReplay) command(cmd smtpwire.Command) {
	t := r.t
	r.commands++
	original := append([]byte(nil), cmd.Name...)
	if len(cmd.Args) > 0 {
		original = append(append(original, ' '), cmd.Args...)
	}
	original = append(original, "\r\n"...)
	r.client = append(r.client, original...)
	written, params := r.write(cmd)
	require.Equal(t, string(canonicalCase(cmd, params)), string(written), "the writer, from the parsed values")

	rep := r.reply()
	switch cmd.Verb {
	case smtpwire.VerbEHLO:
		if rep.Code == 250 {
			caps, err := smtpwire.ParseCapabilities(rep)
			require.NoError(t, err)
			n := 0
			for range caps.All() {
				n++
			}
			require.Equal(t, rep.Len()-1, n, "one capability per line after the greeting")
		}
	case smtpwire.VerbDATA:
		if rep.Code == 354 {
			body, err := io.ReadAll(r.cmds.Data(0))
			require.NoError(t, err, "DATA body")
			stuffed, err := smtpwire.AppendData(nil, body)
			require.NoError(t, err)
			r.client = append(r.client, stuffed...)
			r.bodies++
			r.reply()
		}
	case smtpwire.VerbAUTH:
		for rep.Code == 334 {
			line, err := r.cmds.ReadAuthResponse()
			require.NoError(t, err, "AUTH response")
			decoded, err := smtpwire.DecodeSASL(nil, line)
			require.NoError(t, err)
			want := append(append([]byte(nil), line...), "\r\n"...)
			require.Equal(t, string(want), string(smtpwire.AppendAuthResponse(nil, decoded)))
			r.client = append(r.client, want...)
			r.authLines++
			rep = r.reply()
		}
	case smtpwire.VerbSTARTTLS:
		if rep.Code == 220 {
			if r.peerSplits {
				require.Zero(t, r.cmds.Buffered(), "client bytes pipelined after STARTTLS")
				require.Zero(t, r.replyR.Buffered(), "server bytes after the go-ahead")
			}
			r.upgraded = true
		}
	}
}

// write parses the arguments of cmd and writes the command again from the
// parsed values. For MAIL and RCPT it also returns the parameters as sent.
func (r *smtpReplay) write(cmd smtpwire.Command) (out, params []byte) {
	t := r.t
	var err error
	switch cmd.Verb {
	case smtpwire.VerbEHLO, smtpwire.VerbHELO:
		_, err = smtpwire.ParseHello(cmd.Args)
		require.NoError(t, err, "%s %q", cmd.Name, cmd.Args)
		out, err = smtpwire.AppendCommand(nil, cmd.Verb, string(cmd.Args))
	case smtpwire.VerbMAIL:
		out, params = r.writeMail(cmd.Args)
	case smtpwire.VerbRCPT:
		out, params = r.writeRcpt(cmd.Args)
	case smtpwire.VerbAUTH:
		mechanism, initial, perr := smtpwire.ParseAuth(cmd.Args)
		require.NoError(t, perr, "AUTH %q", cmd.Args)
		var decoded []byte
		if initial != nil {
			decoded, err = smtpwire.DecodeSASL(nil, initial)
			require.NoError(t, err)
		}
		out, err = smtpwire.AppendAuth(nil, string(mechanism), decoded, initial != nil)
	case smtpwire.VerbUnknown:
		t.Fatalf("a real client sent a command the reader does not know: %q %q", cmd.Name, cmd.Args)
	default:
		out, err = smtpwire.AppendCommand(nil, cmd.Verb, string(cmd.Args))
	}
	require.NoError(t, err, "writing %s", cmd.Verb)
	return out, params
}

// canonicalCase returns the command line as sent with the parts whose case
// SMTP leaves to the client in upper case, as the writers spell them: the
// verb, "FROM:" and "TO:", and the ESMTP parameter keywords. Everything
// else must come back from the writers byte for byte.
func canonicalCase(cmd smtpwire.Command, params []byte) []byte {
	line := bytes.ToUpper(cmd.Name)
	if len(cmd.Args) > 0 {
		line = append(line, ' ')
		head := cmd.Args[:len(cmd.Args)-len(params)]
		prefix := map[smtpwire.Verb]int{smtpwire.VerbMAIL: len("FROM:"), smtpwire.VerbRCPT: len("TO:")}[cmd.Verb]
		line = append(line, bytes.ToUpper(head[:prefix])...)
		line = append(line, head[prefix:]...)
		for i, param := range bytes.Split(params, []byte(" ")) {
			if len(params) == 0 {
				break
			}
			if i > 0 {
				line = append(line, ' ')
			}
			keyword, value, hasValue := bytes.Cut(param, []byte("="))
			line = append(line, bytes.ToUpper(keyword)...)
			if hasValue {
				line = append(append(line, '='), value...)
			}
		}
	}
	return append(line, "\r\n"...)
}

func (r *smtpReplay) writeMail(args []byte) (out, params []byte) {
	t := r.t
	m, err := smtpwire.ParseMailFrom(args, smtpwire.PathOptions{})
	require.NoError(t, err, "MAIL %q", args)
	p, err := m.Params.MailParams()
	require.NoError(t, err, "MAIL %q", args)
	r.utf8 = p.SMTPUTF8
	out, err = smtpwire.AppendMailFrom(nil, string(m.From.Mailbox), &p)
	require.NoError(t, err, "writing MAIL %q", args)
	require.True(t, bytes.HasSuffix(args, m.Params.Raw()), "parameters %q are separated by single spaces", args)
	return out, m.Params.Raw()
}

func (r *smtpReplay) writeRcpt(args []byte) (out, params []byte) {
	t := r.t
	rc, err := smtpwire.ParseRcptTo(args, smtpwire.PathOptions{SMTPUTF8: r.utf8})
	require.NoError(t, err, "RCPT %q", args)
	p, err := rc.Params.RcptParams()
	require.NoError(t, err, "RCPT %q", args)
	out, err = smtpwire.AppendRcptTo(nil, string(rc.To.Mailbox), r.utf8, &p)
	require.NoError(t, err, "writing RCPT %q", args)
	require.True(t, bytes.HasSuffix(args, rc.Params.Raw()), "parameters %q are separated by single spaces", args)
	return out, rc.Params.Raw()
}

// FuzzReplaySplits replays the recorded sessions with both streams cut into
// chunks of the fuzzer's choosing: however the network splits real traffic,
// every command and every reply must read the same.
func FuzzReplaySplits(f *testing.F) {
	transcripts, err := transcript.DiscoverBeside("smtp")
	require.NoError(f, err)
	for i := range transcripts {
		f.Add(uint16(i), []byte{0, 3, 200}, []byte{1, 255, 7})
	}
	f.Fuzz(func(t *testing.T, i uint16, clientSplits, serverSplits []byte) {
		// go-118-fuzz-build's F ignores require's failure above.
		require.NotEmpty(t, transcripts, "no %s transcripts: %v", "smtp", err)
		tr := transcripts[int(i)%len(transcripts)]
		replaySMTP(t, tr,
			chunked.NewReader(tr.Bytes(transcript.ClientToServer), chunked.SizesFrom(clientSplits)...),
			chunked.NewReader(tr.Bytes(transcript.ServerToClient), chunked.SizesFrom(serverSplits)...), false)
	})
}

func TestReplayTranscriptsCoverThePeers(t *testing.T) {
	transcripts, err := transcript.Discover("smtp")
	require.NoError(t, err)
	clients := map[string]bool{}
	for _, tr := range transcripts {
		assert.Contains(t, tr.Server, "Postfix")
		clients[tr.Client] = true
	}
	assert.GreaterOrEqual(t, len(clients), 4, "smtplib, swaks, curl and msmtp at least")
}

func TestReplayLongLineNeedsTheOption(t *testing.T) {
	transcripts, err := transcript.Discover("smtp")
	require.NoError(t, err)
	refused := 0
	for _, tr := range transcripts {
		c := smtpwire.NewCommandReader(bytes.NewReader(tr.Bytes(transcript.ClientToServer)), smtpwire.CommandReaderOptions{})
		for {
			cmd, err := c.ReadCommand()
			if err != nil {
				break
			}
			if cmd.Verb != smtpwire.VerbDATA {
				continue
			}
			_, err = io.Copy(io.Discard, c.Data(0))
			if errors.Is(err, smtpwire.ErrLineTooLong) {
				refused++
				st := smtpwire.StatusOf(err)
				require.Equal(t, 554, st.Code)
				require.False(t, st.Fatal, "the body was drained: the session goes on")
			}
		}
	}
	require.Positive(t, refused, "the recorded over-long header line is refused under the RFC default")
}
