package imapwire

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noErr(b []byte) ([]byte, error) { return b, nil }

func TestAppendDataResponses(t *testing.T) {
	checkResp(t, []respCase{
		{"capability", func(d []byte) ([]byte, error) { return AppendCapabilityData(d, bs("IMAP4rev1", "AUTH=PLAIN", "ID")) }, "* CAPABILITY IMAP4rev1 AUTH=PLAIN ID\r\n", nil},
		{"capability none", func(d []byte) ([]byte, error) { return AppendCapabilityData(d, nil) }, "", ErrInjection},
		{"capability SP", func(d []byte) ([]byte, error) { return AppendCapabilityData(d, bs("IMAP4rev1", "A B")) }, "", ErrInjection},
		{"capability CRLF", func(d []byte) ([]byte, error) { return AppendCapabilityData(d, bs("A\r\n* OK")) }, "", ErrInjection},
		{"capability empty word", func(d []byte) ([]byte, error) { return AppendCapabilityData(d, bs("")) }, "", ErrInjection},
		{"enabled", func(d []byte) ([]byte, error) { return AppendEnabledData(d, bs("CONDSTORE", "UTF8=ACCEPT")) }, "* ENABLED CONDSTORE UTF8=ACCEPT\r\n", nil},
		{"enabled none", func(d []byte) ([]byte, error) { return AppendEnabledData(d, nil) }, "* ENABLED\r\n", nil},
		{"enabled bad", func(d []byte) ([]byte, error) { return AppendEnabledData(d, bs("(x")) }, "", ErrInjection},
		{"flags", func(d []byte) ([]byte, error) { return AppendFlagsData(d, bs(`\Answered`, `\Seen`, "$Forwarded")) }, "* FLAGS (\\Answered \\Seen $Forwarded)\r\n", nil},
		{"flags none", func(d []byte) ([]byte, error) { return AppendFlagsData(d, nil) }, "* FLAGS ()\r\n", nil},
		{"flags star", func(d []byte) ([]byte, error) { return AppendFlagsData(d, bs(`\*`)) }, "", ErrInjection},
		{"flags bad", func(d []byte) ([]byte, error) { return AppendFlagsData(d, bs("a)")) }, "", ErrInjection},
		{"flags backslash", func(d []byte) ([]byte, error) { return AppendFlagsData(d, bs(`\`)) }, "", ErrInjection},
		{"exists", func(d []byte) ([]byte, error) { return noErr(AppendExistsData(d, 23)) }, "* 23 EXISTS\r\n", nil},
		{"exists 0", func(d []byte) ([]byte, error) { return noErr(AppendExistsData(d, 0)) }, "* 0 EXISTS\r\n", nil},
		{"recent", func(d []byte) ([]byte, error) { return noErr(AppendRecentData(d, 5)) }, "* 5 RECENT\r\n", nil},
		{"expunge", func(d []byte) ([]byte, error) { return AppendExpungeData(d, 3) }, "* 3 EXPUNGE\r\n", nil},
		{"expunge 0", func(d []byte) ([]byte, error) { return AppendExpungeData(d, 0) }, "", ErrInjection},
		{"vanished", func(d []byte) ([]byte, error) {
			return AppendVanishedData(d, false, []uint32{405, 407, 408, 409, 410, 411})
		}, "* VANISHED 405,407:411\r\n", nil},
		{"vanished earlier", func(d []byte) ([]byte, error) { return AppendVanishedData(d, true, []uint32{41, 43}) }, "* VANISHED (EARLIER) 41,43\r\n", nil},
		{"vanished empty", func(d []byte) ([]byte, error) { return AppendVanishedData(d, true, nil) }, "", ErrInjection},
		{"search", func(d []byte) ([]byte, error) { return AppendSearchData(d, []uint32{2, 84, 882}, 0) }, "* SEARCH 2 84 882\r\n", nil},
		{"search none", func(d []byte) ([]byte, error) { return AppendSearchData(d, nil, 0) }, "* SEARCH\r\n", nil},
		{"search modseq", func(d []byte) ([]byte, error) { return AppendSearchData(d, []uint32{2, 5}, 917162500) }, "* SEARCH 2 5 (MODSEQ 917162500)\r\n", nil},
		{"search none modseq", func(d []byte) ([]byte, error) { return AppendSearchData(d, nil, 9) }, "* SEARCH\r\n", nil},
		{"search 0", func(d []byte) ([]byte, error) { return AppendSearchData(d, []uint32{1, 0}, 0) }, "", ErrInjection},
		{"search modseq 2^63", func(d []byte) ([]byte, error) { return AppendSearchData(d, []uint32{1}, 1<<63) }, "", ErrInjection},
	})
}

// The data responses read back with the client Reader.
func TestDataResponsesReadBack(t *testing.T) {
	var out []byte
	out, _ = AppendCapabilityData(out, bs("IMAP4rev1", "IDLE"))
	out, _ = AppendFlagsData(out, bs(`\Seen`, "$Junk"))
	out = AppendExistsData(out, 7)
	out = AppendRecentData(out, 1)
	out, _ = AppendExpungeData(out, 4)
	out, _ = AppendVanishedData(out, true, []uint32{1, 2, 3})
	out, _ = AppendSearchData(out, []uint32{3, 4}, 12)
	out, _ = AppendEnabledData(out, bs("QRESYNC"))
	r := NewReader(bytes.NewReader(out), ClientSide, Options{})

	resp, err := r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataCapability, resp.Data)
	w, err := r.Words()
	require.NoError(t, err)
	assert.Equal(t, []string{"IMAP4rev1", "IDLE"}, words(w))

	resp, err = r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataFlags, resp.Data)
	require.NoError(t, r.SP())
	raw, err := r.Capture()
	require.NoError(t, err)
	require.NoError(t, r.End())
	assert.Equal(t, []string{`\Seen`, "$Junk"}, values(t, ValuesOf(raw)))

	for _, want := range []struct {
		d DataID
		n uint32
	}{{DataExists, 7}, {DataRecent, 1}, {DataExpunge, 4}} {
		resp, err = r.ReadResponse()
		require.NoError(t, err)
		assert.Equal(t, want.d, resp.Data)
		assert.Equal(t, want.n, resp.Num)
	}

	resp, err = r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataVanished, resp.Data)
	earlier, set := readVanished(t, r)
	assert.True(t, earlier)
	assert.Equal(t, "1:3", string(set.Bytes()))

	resp, err = r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataSearch, resp.Data)
	nums, modseq, err := r.ReadSearchData()
	require.NoError(t, err)
	assert.Equal(t, uint64(12), modseq)
	var got []uint32
	for n, ok := nums.Next(); ok; n, ok = nums.Next() {
		got = append(got, n)
	}
	assert.Equal(t, []uint32{3, 4}, got)

	resp, err = r.ReadResponse()
	require.NoError(t, err)
	require.Equal(t, DataEnabled, resp.Data)
	w, err = r.Words()
	require.NoError(t, err)
	assert.Equal(t, []string{"QRESYNC"}, words(w))
}

// readVanished reads the rest of "* VANISHED [(EARLIER)] set" with the
// tokenizer, as the Reader's DataVanished doc says.
func readVanished(t *testing.T, r *Reader) (bool, SeqSet) {
	t.Helper()
	require.NoError(t, r.SP())
	earlier := false
	if r.Peek() == '(' {
		l := r.List()
		require.True(t, l.Next())
		require.True(t, r.Keyword("EARLIER"))
		require.False(t, l.Next())
		require.NoError(t, l.Err())
		require.NoError(t, r.SP())
		earlier = true
	}
	set, err := r.SeqSet()
	require.NoError(t, err)
	require.NoError(t, r.End())
	return earlier, set
}

func words(w Words) []string {
	var out []string
	for b, ok := w.Next(); ok; b, ok = w.Next() {
		out = append(out, string(b))
	}
	return out
}

// values returns the values of v, strings unescaped, NIL as "NIL".
func values(t *testing.T, v Values) []string {
	t.Helper()
	var out []string
	for tok, ok := v.Next(); ok; tok, ok = v.Next() {
		if tok.IsNil() {
			out = append(out, "NIL")
			continue
		}
		out = append(out, string(tok.AppendValue(nil)))
	}
	require.NoError(t, v.Err())
	return out
}
