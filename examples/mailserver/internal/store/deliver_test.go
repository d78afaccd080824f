package store

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"
)

func bufioWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }

func TestDeliverDurableAndIdentical(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	msg := []byte("Subject: x\r\n\r\nbody\r\n.\r\n")
	require.NoError(t, s.Deliver([]string{"alice", "bob", "alice"}, bytes.NewReader(msg)))
	for _, u := range []string{"alice", "bob"} {
		n := files(t, filepath.Join(dir, u, "new"))
		require.Len(t, n, 1, u)
		assert.Empty(t, files(t, filepath.Join(dir, u, "tmp")))
		got, err := os.ReadFile(filepath.Join(dir, u, "new", n[0]))
		require.NoError(t, err)
		assert.Equal(t, msg, got)
		for _, c := range n[0] {
			assert.True(t, c > 0x20 && c < 0x7f, "key %q printable", n[0])
		}
	}
}

func TestDeliverNormalizesLineEnds(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a\r\nb\r\n", "a\r\nb\r\n"},
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\rb\r", "a\r\nb\r\n"},
		{"a\r\r\nb", "a\r\n\r\nb"},
		{"\n\n", "\r\n\r\n"},
		{"", ""},
	} {
		var out bytes.Buffer
		w := bufioWriter(&out)
		c := &crlfWriter{w: w}
		// One octet at a time and whole: the same result.
		for i := range len(tc.in) {
			_, err := c.Write([]byte{tc.in[i]})
			require.NoError(t, err)
		}
		require.NoError(t, c.Close())
		require.NoError(t, w.Flush())
		assert.Equal(t, tc.want, out.String(), "%q", tc.in)
	}
}

func FuzzCRLFWriter(f *testing.F) {
	f.Add([]byte("a\r\nb\nc\rd"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		run := func(chunk int) string {
			var out bytes.Buffer
			w := bufioWriter(&out)
			c := &crlfWriter{w: w}
			for p := in; len(p) > 0; {
				n := min(chunk, len(p))
				_, _ = c.Write(p[:n])
				p = p[n:]
			}
			_ = c.Close()
			_ = w.Flush()
			return out.String()
		}
		whole := run(len(in) + 1)
		assert.Equal(t, whole, run(int(split)%7+1), "chunk-split invariance")
		// Every CR is followed by LF and every LF preceded by CR.
		for i := 0; i < len(whole); i++ {
			switch whole[i] {
			case '\r':
				require.True(t, i+1 < len(whole) && whole[i+1] == '\n')
			case '\n':
				require.True(t, i > 0 && whole[i-1] == '\r')
			}
		}
		// Only line ends change.
		strip := func(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }
		assert.Equal(t, strip(string(in)), strip(whole))
	})
}

// TestDeliverAllOrNothing: a reader that fails, or a rename that fails for
// the second user, leaves nothing in any new/ and nothing in tmp/.
func TestDeliverAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	err = s.Deliver([]string{"alice", "bob"}, io.MultiReader(strings.NewReader("Subject: x\r\n"), iotest.ErrReader(errors.New("client went away"))))
	require.Error(t, err)

	calls := 0
	rename = func(a, b string) error {
		calls++
		if calls == 2 {
			return errors.New("disk full")
		}
		return os.Rename(a, b)
	}
	t.Cleanup(func() { rename = os.Rename })
	err = s.Deliver([]string{"alice", "bob", "carol"}, strings.NewReader("Subject: y\r\n\r\n"))
	require.Error(t, err)
	for _, u := range []string{"alice", "bob", "carol"} {
		assert.Empty(t, files(t, filepath.Join(dir, u, "new")), u)
		assert.Empty(t, files(t, filepath.Join(dir, u, "tmp")), u)
	}
	require.ErrorIs(t, s.Deliver([]string{"../x"}, strings.NewReader("")), ErrUser)
	require.Error(t, s.Deliver(nil, strings.NewReader("")))
}

func BenchmarkDeliver(b *testing.B) {
	s, err := Open(b.TempDir())
	require.NoError(b, err)
	msg := bytes.Repeat([]byte("0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n"), 64<<10/78)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := s.Deliver([]string{"alice"}, bytes.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}
