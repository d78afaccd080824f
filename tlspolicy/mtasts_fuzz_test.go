package tlspolicy

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParseMTASTS checks, for any body: reading it in the fuzzer's chunk
// sizes gives the parse result of the whole; errors are *MTASTSError with a
// sentinel and an offset inside the input; a parsed policy is within the
// limits, encodes, and parses back to itself; the size limit holds.
func FuzzParseMTASTS(f *testing.F) {
	seeds := []string{
		rfc8461Policy,
		strings.ReplaceAll(rfc8461Policy, "\n", "\r\n"),
		"version: STSv1\nmode: testing\nmx: *.mail.example\nmax_age: 86400",
		"version: STSv1\nmode: none\nmax_age: 9999999999\n",
		"version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1\nmax_age: 2\next_1: a=b; c\n",
		"version: STSv1\n\nmode: none\n",
		"version: STSv1\rmode: none\nmax_age: 1\n",
		"mx: -a.example\n",
		"\ufeffversion: STSv1\n",
		// Shapes of policies large providers publish.
		"version: STSv1\nmode: enforce\nmx: gmail-smtp-in.l.google.com\nmx: *.gmail-smtp-in.l.google.com\nmax_age: 86400\n",
		"version: STSv1\r\nmode: enforce\r\nmx: *.mail.protection.outlook.com\r\nmax_age: 604800\r\n",
		"version: STSv1\nmode: testing\nmx: mx01.mail.example.org\nmx: mx02.mail.example.org\nmax_age: 1209600\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), []byte{3, 1, 9})
	}
	f.Fuzz(func(t *testing.T, data, chunks []byte) {
		p, err := ParseMTASTS(data, MTASTSOptions{})
		read, readErr := ReadMTASTS(&chunkReader{data: data, sizes: chunks}, MTASTSOptions{})
		require.Equal(t, err, readErr)
		require.Equal(t, p, read)
		if err != nil {
			var se *MTASTSError
			require.ErrorAs(t, err, &se)
			require.True(t, errors.Is(err, ErrMTASTSSyntax) || errors.Is(err, ErrMTASTSVersion) ||
				errors.Is(err, ErrMTASTSMissing) || errors.Is(err, ErrMTASTSTooLarge), err.Error())
			require.GreaterOrEqual(t, se.Offset, 0)
			require.LessOrEqual(t, se.Offset, len(data))
			require.Positive(t, se.Line)
			return
		}
		require.LessOrEqual(t, p.MaxAge, MaxMTASTSAge)
		require.GreaterOrEqual(t, p.MaxAge, time.Duration(0))
		require.True(t, p.Mode == MTASTSNone || len(p.MX) > 0)
		total := 0
		for _, mx := range p.MX {
			require.True(t, bytes.Contains(data, []byte(mx)))
			total += len(mx)
		}
		require.LessOrEqual(t, total, len(data))

		enc, err := AppendMTASTS(nil, p)
		require.NoError(t, err)
		back, err := ParseMTASTS(enc, MTASTSOptions{})
		require.NoError(t, err)
		assert.Equal(t, p, back)

		if len(data) > 1 {
			_, err = ParseMTASTS(data, MTASTSOptions{MaxSize: len(data) - 1})
			require.ErrorIs(t, err, ErrMTASTSTooLarge)
		}
	})
}
