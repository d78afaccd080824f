package pop3

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func addAll(t *testing.T, c *Capabilities, lines ...string) {
	t.Helper()
	for _, l := range lines {
		require.NoError(t, c.Add([]byte(l)), l)
	}
}

func TestCapabilitiesRFC2449(t *testing.T) {
	var c Capabilities
	// RFC 2449 §5 example, plus STLS, UTF8 and the rest.
	addAll(t, &c, "TOP", "USER", "SASL CRAM-MD5 KERBEROS_V4", "RESP-CODES", "LOGIN-DELAY 900",
		"PIPELINING", "EXPIRE 60", "UIDL", "IMPLEMENTATION Shlemazle-Plotz-v302",
		"STLS", "utf8 user", "LANG", "AUTH-RESP-CODE", "X-UNKNOWN a b")
	for k := range numCaps {
		assert.True(t, c.Has(k), k.String())
	}
	assert.False(t, c.Has(numCaps))
	assert.Equal(t, []string{"CRAM-MD5", "KERBEROS_V4"}, collect(c.Mechanisms()))
	assert.True(t, c.HasMechanism("cram-md5"))
	assert.False(t, c.HasMechanism("PLAIN"))
	seconds, perUser, ok := c.LoginDelay()
	assert.Equal(t, 900, seconds)
	assert.False(t, perUser)
	assert.True(t, ok)
	exp, ok := c.Expire()
	assert.True(t, ok)
	assert.Equal(t, Expire{Days: 60}, exp)
	assert.Equal(t, "Shlemazle-Plotz-v302", string(c.Implementation()))
	assert.True(t, c.UTF8User())
	lines := collect(c.Lines())
	assert.Len(t, lines, 14)
	assert.Equal(t, "X-UNKNOWN a b", lines[13])
}

func collect(seq func(func([]byte) bool)) []string {
	var out []string
	for b := range seq {
		out = append(out, string(b))
	}
	return out
}

func TestCapabilitiesParams(t *testing.T) {
	tests := []struct {
		line   string
		expire Expire
		delay  int
		user   bool
	}{
		{"EXPIRE NEVER", Expire{Never: true}, 0, false},
		{"EXPIRE 0", Expire{}, 0, false},
		{"EXPIRE 30 USER", Expire{Days: 30, PerUser: true}, 0, false},
		{"LOGIN-DELAY 60 USER", Expire{}, 60, true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var c Capabilities
			addAll(t, &c, tt.line)
			exp, _ := c.Expire()
			assert.Equal(t, tt.expire, exp)
			delay, user, _ := c.LoginDelay()
			assert.Equal(t, tt.delay, delay)
			assert.Equal(t, tt.user, user)
		})
	}
}

func TestCapabilitiesMalformed(t *testing.T) {
	for _, line := range []string{"EXPIRE", "EXPIRE soon", "EXPIRE 5 ALL", "LOGIN-DELAY", "LOGIN-DELAY -1",
		"LOGIN-DELAY 5 x", "UTF8 ALL", "TOP\x00"} {
		t.Run(line, func(t *testing.T) {
			var c Capabilities
			err := c.Add([]byte(line))
			require.ErrorIs(t, err, ErrCapability)
			assert.False(t, ReplyOf(err).Fatal)
			assert.False(t, c.Has(CapExpire) || c.Has(CapLoginDelay) || c.Has(CapUTF8) || c.Has(CapTop))
		})
	}
}

func TestCapabilitiesReset(t *testing.T) {
	var c Capabilities
	addAll(t, &c, "SASL PLAIN", "IMPLEMENTATION x")
	c.Reset()
	assert.Zero(t, c.Len())
	assert.False(t, c.Has(CapSASL))
	assert.Nil(t, c.Implementation())
	assert.Empty(t, collect(c.Mechanisms()))
	assert.False(t, c.HasMechanism("PLAIN"))
	assert.Empty(t, collect(c.Lines()))
}

func TestCapString(t *testing.T) {
	assert.Equal(t, "RESP-CODES", CapRespCodes.String())
	assert.Empty(t, Cap(99).String())
	assert.True(t, slices.Contains(capNames[:], "STLS"))
}

func TestCapabilitiesAllocs(t *testing.T) {
	lines := [][]byte{bs("TOP"), bs("SASL PLAIN SCRAM-SHA-256"), bs("RESP-CODES"), bs("EXPIRE NEVER"), bs("IMPLEMENTATION x")}
	var c Capabilities
	for _, l := range lines {
		require.NoError(t, c.Add(l))
	}
	allocs := testing.AllocsPerRun(100, func() {
		c.Reset()
		for _, l := range lines {
			if err := c.Add(l); err != nil {
				t.Fatal(err)
			}
		}
		if !c.HasMechanism("PLAIN") {
			t.Fatal("no PLAIN")
		}
		for m := range c.Mechanisms() {
			_ = m
		}
		for l := range c.Lines() {
			_ = l
		}
	})
	assert.Zero(t, allocs)
}
