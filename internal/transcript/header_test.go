package transcript

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sampleHeader = Header{
	Protocol: "smtp",
	Server:   "Postfix 3.7.11",
	Client:   "swaks 20201014.0",
	Date:     time.Date(2026, 11, 23, 18, 4, 5, 0, time.UTC),
	Recorder: "mailrecord (.ci/record.sh)",
	Note:     "port 12525, STARTTLS offered — not used",
}

const sampleHeaderText = "mailwire-transcript 1\n" +
	"protocol: smtp\n" +
	"server: Postfix 3.7.11\n" +
	"client: swaks 20201014.0\n" +
	"date: 2026-11-23T18:04:05Z\n" +
	"recorder: mailrecord (.ci/record.sh)\n" +
	"note: port 12525, STARTTLS offered — not used\n" +
	"\n"

func TestAppendHeader(t *testing.T) {
	got, err := AppendHeader(nil, sampleHeader)
	require.NoError(t, err)
	assert.Equal(t, sampleHeaderText, string(got))

	local := sampleHeader
	local.Date = sampleHeader.Date.In(time.FixedZone("CET", 3600)).Add(500 * time.Millisecond)
	got, err = AppendHeader(nil, local)
	require.NoError(t, err)
	assert.Equal(t, sampleHeaderText, string(got), "the date is written in UTC, to the second")
}

func TestAppendHeaderRefuses(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Header)
	}{
		{"LF in server", func(h *Header) { h.Server = "a\nb" }},
		{"CR in client", func(h *Header) { h.Client = "a\rb" }},
		{"NUL in protocol", func(h *Header) { h.Protocol = "smtp\x00" }},
		{"DEL in recorder", func(h *Header) { h.Recorder = "x\x7f" }},
		{"invalid UTF-8 in note", func(h *Header) { h.Note = "\xff" }},
		// "note: " + value + LF over the reader's 1024-byte line bound.
		{"note too long to read back", func(h *Header) { h.Note = strings.Repeat("n", maxLine-len("note: ")) }},
		{"protocol too long to read back", func(h *Header) { h.Protocol = strings.Repeat("p", 3000) }},
		{"year before 0000", func(h *Header) { h.Date = time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC) }},
		{"year after 9999", func(h *Header) { h.Date = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sampleHeader
			tt.modify(&h)
			_, err := AppendHeader(nil, h)
			require.ErrorIs(t, err, ErrBadHeaderValue)
		})
	}
}

// The longest value the reader takes is written and read back.
func TestAppendHeaderLongestValue(t *testing.T) {
	h := sampleHeader
	h.Note = strings.Repeat("n", maxLine-len("note: ")-1)
	file, err := AppendHeader(nil, h)
	require.NoError(t, err)
	tr, err := Parse(bytes.NewReader(file), Options{})
	require.NoError(t, err)
	require.Equal(t, h.Note, tr.Note)
}

func TestAppendHeaderAllocs(t *testing.T) {
	dst := make([]byte, 0, 512)
	allocs := testing.AllocsPerRun(100, func() {
		dst, _ = AppendHeader(dst[:0], sampleHeader)
	})
	require.Zero(t, allocs)
}
