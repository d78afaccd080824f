package smtpwire

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBDAT(t *testing.T) {
	in := "BDAT 5\r\nab\r\n.BDAT 5 LAST\r\n.\r\n\r\nBDAT 4 LAST\r\nxxxxQUIT\r\n"
	for _, sizes := range [][]int{{4096}, {1}, {3, 2}} {
		c := NewCommandReader(chunked.NewReader([]byte(in), sizes...), CommandReaderOptions{})
		var chunks []string
		var lasts []bool
		for {
			cmd, err := c.ReadCommand()
			require.NoError(t, err)
			if cmd.Verb != VerbBDAT {
				assert.Equal(t, VerbQUIT, cmd.Verb)
				break
			}
			size, last, err := ParseBDAT(cmd.Args)
			require.NoError(t, err)
			r := c.Chunk(size)
			if len(chunks) == 2 { // the server rejects this one: it is still consumed
				require.NoError(t, r.Discard())
				assert.Zero(t, r.Remaining())
				chunks = append(chunks, "(rejected)")
			} else {
				b, err := io.ReadAll(r)
				require.NoError(t, err)
				chunks = append(chunks, string(b))
			}
			lasts = append(lasts, last)
		}
		assert.Equal(t, []string{"ab\r\n.", ".\r\n\r\n", "(rejected)"}, chunks)
		assert.Equal(t, []bool{false, true, true}, lasts)
	}
}

func TestChunkTruncated(t *testing.T) {
	c := NewCommandReader(strings.NewReader("abc"), CommandReaderOptions{})
	_, err := io.ReadAll(c.Chunk(10))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	c = NewCommandReader(strings.NewReader("abc"), CommandReaderOptions{})
	require.ErrorIs(t, c.Chunk(10).Discard(), io.ErrUnexpectedEOF)
	// A huge announced size allocates nothing; it is just counted down.
	c = NewCommandReader(strings.NewReader("abc"), CommandReaderOptions{})
	r := c.Chunk(1 << 62)
	require.ErrorIs(t, r.Discard(), io.ErrUnexpectedEOF)
}

func TestChunkAllocs(t *testing.T) {
	wire := []byte("BDAT 11\r\nhello world")
	src := bytes.NewReader(wire)
	c := NewCommandReader(src, CommandReaderOptions{})
	buf := make([]byte, 4)
	n := testing.AllocsPerRun(100, func() {
		src.Reset(wire)
		c.Reset(src)
		cmd, err := c.ReadCommand()
		if err != nil {
			t.Fatal(err)
		}
		size, _, err := ParseBDAT(cmd.Args)
		if err != nil {
			t.Fatal(err)
		}
		r := c.Chunk(size)
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
		}
	})
	assert.Zero(t, n)
}
