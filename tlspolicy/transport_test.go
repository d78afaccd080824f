package tlspolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTransportString(t *testing.T) {
	tests := []struct {
		t    Transport
		want string
	}{
		{TransportPlain, "plain"},
		{TransportSTARTTLS, "starttls"},
		{TransportImplicit, "implicit"},
		{TransportImplicit + 1, "Transport(3)"},
		{-1, "Transport(-1)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.t.String())
	}
}
