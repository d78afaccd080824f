package imapwire

import (
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
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
		{io.EOF, "", "", true},
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
