package headers

import (
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSyntaxError(t *testing.T) {
	err := error(&SyntaxError{Err: ErrBareCR, Offset: 12})
	assert.Equal(t, "headers: bare CR in header at offset 12", err.Error())
	assert.ErrorIs(t, err, ErrBareCR)
}

func TestReplyOf(t *testing.T) {
	tests := []struct {
		err  error
		want Reply
	}{
		{ErrNUL, replySyntax},
		{ErrLeadingContinuation, replySyntax},
		{&SyntaxError{Err: ErrTruncated}, replySyntax},
		{ErrLineTooLong, replyLong},
		{ErrHeaderTooLarge, replyTooLarge},
		{ErrTooManyFields, replyTooLarge},
		{ErrRewrite, replyLocal},
		{ErrInjection, Reply{}},
		{io.EOF, Reply{}},
		{errors.New("other"), Reply{}},
	}
	for _, tt := range tests {
		got := ReplyOf(tt.err)
		assert.Equal(t, tt.want, got, "%v", tt.err)
		assert.False(t, got.Fatal)
	}
}
