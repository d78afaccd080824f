package mime

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addrString renders an address list as "name|route|mailbox|domain" per
// entry, NIL for absent parts.
func addrString(v string) string {
	it := Addresses([]byte(v))
	var out []string
	var buf []byte
	for {
		var a Address
		var ok bool
		buf, a, ok = it.Next(buf[:0])
		if !ok {
			break
		}
		part := func(has bool, s [2]int) string {
			if !has {
				return "NIL"
			}
			return string(buf[s[0]:s[1]])
		}
		out = append(out, part(a.HasName, a.Name)+"|"+part(a.HasRoute, a.Route)+"|"+part(a.HasMailbox, a.Mailbox)+"|"+part(a.HasDomain, a.Domain))
	}
	return strings.Join(out, " ; ")
}

func TestAddresses(t *testing.T) {
	tests := map[string]string{
		"a@example.test":                           "NIL|NIL|a|example.test",
		"Ann <ann@example.test>":                   "Ann|NIL|ann|example.test",
		`"Last, First" (c) <f.l@example.test>`:     "Last, First|NIL|f.l|example.test",
		"bob@example.test (Bob B)":                 "Bob B|NIL|bob|example.test",
		"<@r1.example,@r2.example:d@example.test>": "NIL|@r1.example,@r2.example|d|example.test",
		"Team: a@x, B <b@y>;, c@z":                 "NIL|NIL|Team|NIL ; NIL|NIL|a|x ; B|NIL|b|y ; NIL|NIL|NIL|NIL ; NIL|NIL|c|z",
		"undisclosed-recipients:;":                 "NIL|NIL|undisclosed-recipients|NIL ; NIL|NIL|NIL|NIL",
		"nodomain":                                 "NIL|NIL|nodomain|MISSING_DOMAIN",
		"<>":                                       "NIL|NIL|MISSING_MAILBOX|MISSING_DOMAIN",
		"Broken <x@":                               "Broken|NIL|x|SYNTAX_ERROR",
		`"quoted local"@example.test`:              "NIL|NIL|quoted local|example.test",
		"s@[192.0.2.1]":                            "NIL|NIL|s|[192.0.2.1]",
		"=?UTF-8?Q?J=C3=B6rg?= <j@example.test>":   "=?UTF-8?Q?J=C3=B6rg?=|NIL|j|example.test",
		"a@x,\r\n b@y":                             "NIL|NIL|a|x ; NIL|NIL|b|y",
		"":                                         "",
		"a@x garbage, b@y":                         "NIL|NIL|a|x",
		"first.last . name@example.test":           "NIL|NIL|first.last.name|example.test",
	}
	for in, want := range tests {
		assert.Equal(t, want, addrString(in), in)
	}
}

func TestAddressesAllocs(t *testing.T) {
	v := []byte(`"Last, First" <f@x>, Team: a@x, b@y;, c@z (C)`)
	buf := make([]byte, 0, 256)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		it := Addresses(v)
		for {
			var ok bool
			if buf, _, ok = it.Next(buf[:0]); !ok {
				break
			}
		}
	}))
}
