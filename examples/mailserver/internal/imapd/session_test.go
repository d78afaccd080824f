package imapd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSessionDeepNesting(t *testing.T) {
	srv, _ := testServer(t)
	c, r := pipeSession(t, srv)
	out := exchange(t, c, r, "a LOGIN alice pw\r\nb SELECT INBOX\r\nc SEARCH "+strings.Repeat("(", 1500)+"ALL"+strings.Repeat(")", 1500)+"\r\nd NOOP\r\n", "d ")
	assert.Contains(t, out, "c BAD")
	assert.Contains(t, out, "d OK")
	assert.NotContains(t, out, "* BAD")
}
