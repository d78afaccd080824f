package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLimitsDefaults(t *testing.T) {
	r := NewReader(nil, ServerSide, Options{Limits: Limits{MaxLine: 100}})
	got := r.Limits()
	want := ServerLimits()
	want.MaxLine = 100
	assert.Equal(t, want, got)
	c := NewReader(nil, ClientSide, Options{}).Limits()
	assert.Equal(t, ClientLimits(), c)
	small := Limits{MaxLine: 100, MaxMessage: 10, MaxInlineLiteral: 1000}.withDefaults(ServerLimits())
	assert.Equal(t, 100, small.MaxMessage, "a message holds at least a line")
	assert.Equal(t, 100, small.MaxInlineLiteral, "an inline literal fits a message")
}
