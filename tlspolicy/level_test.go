package tlspolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLevelOrderAndPredicates(t *testing.T) {
	tests := []struct {
		level                                          Level
		name                                           string
		required, opportunistic, mustVerify, daneBased bool
	}{
		{LevelNone, "none", false, false, false, false},
		{LevelMay, "may", false, true, false, false},
		{LevelEncrypt, "encrypt", true, false, false, false},
		{LevelFingerprint, "fingerprint", true, false, true, false},
		{LevelDANE, "dane", true, false, true, true},
		{LevelDANEOnly, "dane-only", true, false, true, true},
		{LevelVerify, "verify", true, false, true, false},
		{LevelSecure, "secure", true, false, true, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, Level(i), tt.level, "Postfix order")
			assert.Equal(t, tt.name, tt.level.String())
			assert.Equal(t, tt.required, tt.level.Required())
			assert.Equal(t, tt.opportunistic, tt.level.Opportunistic())
			assert.Equal(t, tt.mustVerify, tt.level.MustVerify())
			assert.Equal(t, tt.daneBased, tt.level.DANEBased())
			got, err := ParseLevel(tt.name)
			require.NoError(t, err)
			assert.Equal(t, tt.level, got)
		})
	}
}

func TestUndefinedLevel(t *testing.T) {
	for _, l := range []Level{-1, LevelSecure + 1} {
		assert.Contains(t, l.String(), "Level(")
		assert.False(t, l.Required())
		assert.False(t, l.MustVerify())
		assert.False(t, l.Opportunistic())
		assert.False(t, l.DANEBased())
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want Level
		err  error
	}{
		{"DANE-Only", LevelDANEOnly, nil},
		{"MAY", LevelMay, nil},
		{"halfdane", LevelNone, ErrUnknownLevel},
		{"", LevelNone, ErrUnknownLevel},
		{"may ", LevelNone, ErrUnknownLevel},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestLevelAllocs(t *testing.T) {
	var l Level
	assert.Zero(t, testing.AllocsPerRun(100, func() { l, _ = ParseLevel("Dane-Only") }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = l.String() }))
}
