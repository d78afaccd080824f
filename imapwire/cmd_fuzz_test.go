package imapwire

import (
	"bytes"
	"testing"

	"github.com/mailwire/mailwire/internal/chunked"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzCommandRoundTrip: any command that decodes, written back with the
// command writers (under each literal policy and in both mailbox modes)
// and decoded again, gives the same values; and decoding it from the
// input cut into chunks gives what decoding it whole gives.
func FuzzCommandRoundTrip(f *testing.F) {
	for _, c := range cmdCases {
		f.Add([]byte(c.in), []byte{3, 0, 9}, uint8(0))
	}
	f.Fuzz(func(t *testing.T, in, seed []byte, mode uint8) {
		enc := writeEncoders[int(mode)%len(writeEncoders)].e
		first, second, written, _, ok := roundTrip(t, in, enc, fuzzLimits)
		if ok {
			assert.Equal(t, first, second, "%q written as %q", in, written)
		}

		whole := decodeRendered(in, nil, enc.UTF8)
		cut := decodeRendered(in, chunked.SizesFrom(seed), enc.UTF8)
		require.Equal(t, whole, cut, "%q in chunks %v", in, chunked.SizesFrom(seed))
	})
}

// decodeRendered decodes the first command of in, fed in chunks of the
// given sizes, and renders it or its error.
func decodeRendered(in []byte, sizes []int, utf8Mode bool) string {
	r := NewReader(chunked.NewReader(bytes.Clone(in), sizes...), ServerSide, Options{Limits: fuzzLimits, UTF8: utf8Mode})
	d := NewDecoder(r)
	d.Continue = acceptAll
	out, _, err := decodeCase(d, nil, nil)
	if err != nil {
		out = append(out, " error: "+errorKind(err)...)
	}
	return string(out)
}
