package pop3

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSASL(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{"=", "", nil},
		{"", "", nil},
		{"AGJv", "\x00bo", nil},
		{"QQ==", "A", nil},
		{"*", "", ErrAuthCanceled},
		{"QQ=", "", ErrBase64},
		{"QR==", "", ErrBase64}, // padding bits set: not strict
		{"QQ==QQ==", "", ErrBase64},
		{"QU\nJD", "", ErrBase64},
		{"!!!!", "", ErrBase64},
		{"QUFBQUFB", "", ErrAuthTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := DecodeSASL(make([]byte, 4), []byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.NotEmpty(t, ReplyOf(err).Text)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestDecodeSASLExactFit(t *testing.T) {
	got, err := DecodeSASL(make([]byte, 1), []byte("QQ=="))
	require.NoError(t, err)
	assert.Equal(t, "A", string(got))
	got, err = DecodeSASL(make([]byte, 11), []byte("AGJvYgBzZWNyZXQ="))
	require.NoError(t, err)
	assert.Equal(t, "\x00bob\x00secret", string(got))
	_, err = DecodeSASL(make([]byte, 10), []byte("AGJvYgBzZWNyZXQ="))
	assert.ErrorIs(t, err, ErrAuthTooLong)
}

func TestSASLWriters(t *testing.T) {
	assert.Equal(t, "=", string(AppendSASL(nil, nil)))
	assert.Equal(t, "AGJvYgBzZWNyZXQ=", string(AppendSASL(nil, []byte("\x00bob\x00secret"))))
	assert.Equal(t, "\r\n", string(AppendAuthResponse(nil, nil)))
	assert.Equal(t, "QQ==\r\n", string(AppendAuthResponse(nil, []byte("A"))))
	assert.Equal(t, "*\r\n", string(AppendAuthCancel(nil)))
	assert.Equal(t, "+ \r\n", string(AppendChallenge(nil, nil)))
	assert.Equal(t, "+ QQ==\r\n", string(AppendChallenge(nil, []byte("A"))))
}

func TestSASLAllocs(t *testing.T) {
	dst := make([]byte, 0, 64)
	var buf [64]byte
	data := []byte("\x00bob\x00secret")
	allocs := testing.AllocsPerRun(100, func() {
		out := AppendChallenge(dst[:0], data)
		out = AppendAuthResponse(out, data)
		out = AppendSASL(out, data)
		if _, err := DecodeSASL(buf[:], out[len(out)-16:]); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
