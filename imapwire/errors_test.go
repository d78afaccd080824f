package imapwire

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplyFor(t *testing.T) {
	tests := []struct {
		err  error
		cond string
		code string
		dead bool
	}{
		{syntaxErr(ErrLineTooLong, 3, ""), "BYE", "", true},
		{ErrMessageTooLong, "BYE", "", true},
		{ErrUnusable, "BYE", "", true},
		{ErrNonSyncTooLarge, "BAD", "TOOBIG", false},
		{ErrLiteralTooLarge, "NO", "TOOBIG", false},
		{ErrTooDeep, "BAD", "CLIENTBUG", false},
		{ErrTagTooLong, "BAD", "", false},
		{ErrBareLF, "BAD", "", false},
		{ErrAuthCanceled, "BAD", "", false},
		{ErrUTF7, "BAD", "", false},
		{syntaxErr(ErrSyntax, 0, "SP"), "BAD", "", false},
		{ErrLiteralNUL, "BAD", "CLIENTBUG", false},
		{syntaxErr(ErrUnknownCommand, 2, ""), "BAD", "", false},
		{syntaxErr(ErrEightBit, 4, ""), "BAD", "", false},
		{syntaxErr(ErrInvalidUTF8, 4, ""), "BAD", "", false},
		{ErrAuthFailed, "NO", "AUTHENTICATIONFAILED", false},
		{io.EOF, "", "", true},
		{io.ErrUnexpectedEOF, "", "", true},
		{&ConnError{Err: errors.New("tls: bad record MAC")}, "", "", true},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), "", "", true},
		{&net.OpError{Op: "read", Err: errors.New("connection reset")}, "", "", true},
		{net.ErrClosed, "", "", true},
		// Not this package's and not the connection's: the command fails,
		// the session goes on.
		{errors.New("store: disk full"), "NO", "SERVERBUG", false},
	}
	for _, tt := range tests {
		got := ReplyFor(tt.err)
		assert.Equal(t, tt.cond, got.Cond, tt.err.Error())
		assert.Equal(t, tt.code, got.Code, tt.err.Error())
		assert.Equal(t, tt.dead, got.Fatal, tt.err.Error())
	}
}

func TestSyntaxError(t *testing.T) {
	err := syntaxErr(ErrSyntax, 7, "SP")
	assert.Equal(t, "imapwire: syntax error at offset 7: expected SP", err.Error())
	var se *SyntaxError
	assert.True(t, errors.As(err, &se))
	assert.Equal(t, 7, se.Offset)
	assert.ErrorIs(t, err, ErrSyntax)
}

// failingReader fails once with err after the first n octets of b.
type failingReader struct {
	b   []byte
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 && f.err != nil {
		err := f.err
		f.err = nil
		return 0, err
	}
	k := copy(p[:min(len(p), max(f.n, 1))], f.b)
	f.b, f.n = f.b[k:], f.n-k
	if k == 0 {
		return 0, io.EOF
	}
	return k, nil
}

// An error of the underlying reader comes back as *ConnError (the original
// seen through errors.Is), ReplyFor calls it fatal, and the call can be
// repeated.
func TestConnError(t *testing.T) {
	tlsErr := errors.New("tls: bad record MAC")
	r := NewReader(&failingReader{b: []byte("a NOOP\r\n"), n: 3, err: tlsErr}, ServerSide, Options{})
	_, err := r.ReadCommand()
	var ce *ConnError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, tlsErr)
	assert.True(t, ReplyFor(err).Fatal)
	c, err := r.ReadCommand()
	require.NoError(t, err, "the read resumes")
	assert.Equal(t, CmdNoop, c.ID)
	_, err = r.ReadCommand()
	assert.Equal(t, io.EOF, err, "a clean end is io.EOF itself")
}
