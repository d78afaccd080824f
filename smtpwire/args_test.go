package smtpwire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHello(t *testing.T) {
	for _, ok := range []string{"client.example", "[192.0.2.1]", "[IPv6:::1]", "localhost", "bücher.example"} {
		d, err := ParseHello([]byte(ok))
		require.NoError(t, err, ok)
		assert.Equal(t, ok, string(d))
	}
	for _, bad := range []string{"", "a b", "-x.example", "x..example", "[1.2.3]", "x_y"} {
		_, err := ParseHello([]byte(bad))
		require.ErrorIs(t, err, ErrArguments, bad)
	}
}

func TestParseBDAT(t *testing.T) {
	tests := []struct {
		args  string
		size  uint64
		last  bool
		err   error
		fatal bool
	}{
		{args: "0", size: 0},
		{args: "1000", size: 1000},
		{args: "1000 LAST", size: 1000, last: true},
		{args: "5 last", size: 5, last: true},
		{args: "18446744073709551615", size: 1<<64 - 1},
		{args: "18446744073709551616", err: ErrChunkSize, fatal: true},
		{args: "x", err: ErrChunkSize, fatal: true},
		{args: " 5", err: ErrChunkSize, fatal: true},
		{args: "-5", err: ErrChunkSize, fatal: true},
		{args: "5 LAST x", size: 5, err: ErrArguments},
		{args: "5 FIRST", size: 5, err: ErrArguments},
		{args: "5  LAST", size: 5, err: ErrArguments},
		{args: "5x", size: 5, err: ErrArguments},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			size, last, err := ParseBDAT([]byte(tt.args))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, tt.fatal, StatusOf(err).Fatal)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.last, last)
			}
			assert.Equal(t, tt.size, size, "the size is known whenever the error is not fatal")
		})
	}
}

func TestParseAuth(t *testing.T) {
	tests := []struct {
		args, mech, initial string
		err                 bool
	}{
		{args: "PLAIN", mech: "PLAIN"},
		{args: "plain AHVAcA==", mech: "plain", initial: "AHVAcA=="},
		{args: "EXTERNAL =", mech: "EXTERNAL", initial: "="},
		{args: "SCRAM-SHA-256", mech: "SCRAM-SHA-256"},
		{args: "X_Y", mech: "X_Y"},
		{args: "PLAIN ", err: true},
		{args: strings.Repeat("A", 21), err: true},
		{args: "PL@IN", err: true},
		{args: " PLAIN", err: true},
	}
	for _, tt := range tests {
		mech, initial, err := ParseAuth([]byte(tt.args))
		if tt.err {
			require.ErrorIs(t, err, ErrArguments, tt.args)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.mech, string(mech))
		assert.Equal(t, tt.initial, string(initial))
	}
}
