package mime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFields(t *testing.T) {
	msg := crlf("From: a\nTo: b,\n c\nno colon line\n" + strings.Repeat("x", 1200) + ": long name\nSubject :  s \n\nbody")
	for _, ra := range []bool{false, true} {
		var src Source
		if ra {
			src.ResetReaderAt(bytes.NewReader(msg), int64(len(msg)))
		} else {
			src.ResetBytes(msg)
		}
		fs := Fields(&src, 0, int64(len(msg)))
		var got []string
		for fs.Next() {
			v := fs.Value()
			e := fs.Extent()
			got = append(got, string(fs.Name())+"="+string(msg[v.Off:v.End])+"|"+string(msg[e.Off:e.End]))
		}
		require.NoError(t, src.Err())
		assert.Equal(t, []string{"From=a|From: a\r\n", "To=b,\r\n c|To: b,\r\n c\r\n", "Subject=s |Subject :  s \r\n"}, got, "ReaderAt %v", ra)
	}
}

func TestFieldsAllocs(t *testing.T) {
	var src Source
	src.ResetBytes(nested)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		fs := Fields(&src, 0, int64(len(nested)))
		for fs.Next() {
		}
	}))
}
