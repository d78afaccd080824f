package imapwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStore(t *testing.T) {
	tests := []struct {
		in     string
		op     byte
		silent bool
		flags  []string
	}{
		{`FLAGS (\Seen)`, '=', false, []string{`\Seen`}},
		{`+flags.silent \Seen $Junk`, '+', true, []string{`\Seen`, `$Junk`}},
		{`-FLAGS ()`, '-', false, nil},
	}
	for _, tt := range tests {
		s, err := line(t, ServerSide, tt.in+"\r\n", Quirks{}).Store()
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.op, s.Op)
		assert.Equal(t, tt.silent, s.Silent)
		var flags []string
		for s.Flags.More() {
			f, _ := s.Flags.Next()
			flags = append(flags, string(f.Bytes))
		}
		assert.Equal(t, tt.flags, flags, tt.in)
	}
	for _, bad := range []string{`FLAGS`, `FLAGS \*`, `FLAGS ("x")`, `*FLAGS \Seen`, `FLAGS.LOUD \Seen`} {
		_, err := line(t, ServerSide, bad+"\r\n", Quirks{}).Store()
		assert.ErrorIs(t, err, ErrSyntax, bad)
	}
}
