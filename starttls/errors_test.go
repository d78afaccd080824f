package starttls

import (
	"crypto/tls"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestError(t *testing.T) {
	tests := []struct {
		err   *Error
		msg   string
		fatal bool
	}{
		{&Error{State: StateFailed, Err: ErrResponseInjection}, "starttls: bytes after the server's last reply (response injection) (state failed)", true},
		{&Error{State: StateSecure, Err: ErrAlreadySecure}, "starttls: TLS already active (state secure)", false},
		{&Error{State: StatePlain, Err: ErrUnavailable}, "starttls: TLS not available (state plain)", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.msg, tt.err.Error())
		assert.Equal(t, tt.fatal, tt.err.Fatal())
		assert.ErrorIs(t, tt.err, tt.err.Err)
	}
	cause := tls.AlertError(42)
	err := error(&Error{State: StateFailed, Err: fmt.Errorf("%w: %w", ErrHandshake, cause)})
	require.ErrorIs(t, err, ErrHandshake)
	var alert tls.AlertError
	require.ErrorAs(t, err, &alert)
	require.Equal(t, cause, alert)
}

func TestSyntaxError(t *testing.T) {
	err := error(&SyntaxError{Offset: 12, Expected: "CR before LF"})
	assert.Equal(t, "starttls: syntax error at offset 12: expected CR before LF", err.Error())
	assert.ErrorIs(t, err, ErrSyntax)
	assert.False(t, errors.Is(err, ErrLineTooLong))
}
