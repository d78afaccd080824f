package smtpwire

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err      error
		code     int
		enhanced EnhancedCode
		fatal    bool
	}{
		{ErrLineTooLong, 500, EnhancedCode{5, 5, 6}, false},
		{ErrBareCR, 500, EnhancedCode{5, 5, 2}, false},
		{ErrBareLF, 500, EnhancedCode{5, 5, 2}, false},
		{errDataBareLF, 554, EnhancedCode{5, 5, 0}, false},
		{ErrTooLarge, 552, EnhancedCode{5, 3, 4}, false},
		{ErrUnknownCommand, 500, EnhancedCode{5, 5, 1}, false},
		{ErrEmptyLine, 500, EnhancedCode{5, 5, 2}, false},
		{ErrArguments, 501, EnhancedCode{5, 5, 4}, false},
		{ErrAddress, 501, EnhancedCode{5, 1, 3}, false},
		{ErrParameter, 501, EnhancedCode{5, 5, 4}, false},
		{ErrDuplicateParameter, 501, EnhancedCode{5, 5, 4}, false},
		{ErrParameterNotAllowed, 555, EnhancedCode{5, 5, 4}, false},
		{ErrUnknownParameter, 555, EnhancedCode{5, 5, 4}, false},
		{ErrBase64, 501, EnhancedCode{5, 5, 2}, false},
		{ErrPlain, 501, EnhancedCode{5, 5, 2}, false},
		{ErrXCLIENT, 501, EnhancedCode{5, 5, 4}, false},
		{ErrAuthCanceled, 501, EnhancedCode{5, 0, 0}, false},
		{ErrChunkSize, 501, EnhancedCode{5, 5, 4}, true},
		{fmt.Errorf("wrapped: %w", ErrTooLarge), 552, EnhancedCode{5, 3, 4}, false},
		{io.EOF, 0, EnhancedCode{}, true},
		{context.DeadlineExceeded, 0, EnhancedCode{}, true},
		{ErrReply, 0, EnhancedCode{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			st := StatusOf(tt.err)
			assert.Equal(t, tt.code, st.Code)
			assert.Equal(t, tt.enhanced, st.Enhanced)
			assert.Equal(t, tt.fatal, st.Fatal)
			if st.Code != 0 {
				assert.NotEmpty(t, st.Text)
				_, err := AppendReply(nil, st.Code, st.Enhanced, st.Text)
				require.NoError(t, err, "every status must be writable")
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := ParseMailFrom([]byte("FROM:<a@b.example> SIZE=x"), PathOptions{})
	assert.Equal(t, "smtpwire: bad parameter at offset 24: expected a valid SIZE value", err.Error())
	assert.Equal(t, "smtpwire: bare LF", errDataBareLF.Error())
}
