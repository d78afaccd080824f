package pop3

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReplyOf(t *testing.T) {
	tests := []struct {
		err   error
		text  string
		fatal bool
	}{
		{ErrLineTooLong, "Line too long", false},
		{ErrBareCR, "Bare CR or LF not allowed", false},
		{ErrBareLF, "Bare CR or LF not allowed", false},
		{ErrEmptyLine, "Empty command", false},
		{ErrUnknownCommand, "Unknown command", false},
		{ErrSyntax, "Syntax error", false},
		{ErrArguments, "Invalid arguments", false},
		{ErrMessageNumber, "Invalid message number", false},
		{ErrAuthCanceled, "Authentication canceled", false},
		{ErrBase64, "Invalid base64 data", false},
		{ErrPlain, "Malformed PLAIN credentials", false},
		{io.EOF, "", true},
		{io.ErrUnexpectedEOF, "", true},
		{errors.New("i/o timeout"), "", true},
		{clientError(ErrResponse, 0, "", true), "", true},
		{clientError(ErrResponse, 0, "", false), "", false},
		{fmt.Errorf("session: %w", syntaxError(ErrMessageNumber, 5, "")), "Invalid message number", false},
		{fmt.Errorf("session: %w", ErrAuthCanceled), "Authentication canceled", false},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			r := ReplyOf(tt.err)
			assert.Equal(t, tt.text, r.Text)
			assert.Equal(t, tt.fatal, r.Fatal)
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := syntaxError(ErrMessageNumber, 5, "a message number")
	assert.Equal(t, "pop3: bad message number at offset 5: expected a message number", err.Error())
	assert.ErrorIs(t, err, ErrMessageNumber)
	assert.Equal(t, "pop3: malformed response", clientError(ErrResponse, -1, "", true).Error())
}
