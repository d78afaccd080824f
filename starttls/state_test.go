package starttls

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStateString(t *testing.T) {
	tests := []struct {
		s    State
		want string
	}{
		{StatePlain, "plain"},
		{StateRequested, "requested"},
		{StateHandshaking, "handshaking"},
		{StateSecure, "secure"},
		{StateFailed, "failed"},
		{State(9), "State(9)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.String())
	}
	assert.Equal(t, StatePlain, State(0), "the zero State is plain")
}
