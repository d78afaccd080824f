package smtpwire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseEnhancedCode(t *testing.T) {
	tests := []struct {
		text string
		code EnhancedCode
		n    int
		ok   bool
	}{
		{"5.1.1 user unknown", EnhancedCode{5, 1, 1}, 5, true},
		{"2.0.0", EnhancedCode{2, 0, 0}, 5, true},
		{"4.999.999 x", EnhancedCode{4, 999, 999}, 9, true},
		{"3.1.1 x", EnhancedCode{}, 0, false},
		{"5.1.1000", EnhancedCode{}, 0, false},
		{"5.1.1x", EnhancedCode{}, 0, false},
		{"55.1.1", EnhancedCode{}, 0, false},
		{"5..1", EnhancedCode{}, 0, false},
		{"5.1", EnhancedCode{}, 0, false},
		{"", EnhancedCode{}, 0, false},
		{"ok", EnhancedCode{}, 0, false},
	}
	for _, tt := range tests {
		c, n, ok := parseEnhancedCode([]byte(tt.text))
		assert.Equal(t, tt.ok, ok, tt.text)
		assert.Equal(t, tt.code, c, tt.text)
		assert.Equal(t, tt.n, n, tt.text)
	}
}

func TestEnhancedCodeString(t *testing.T) {
	assert.Equal(t, "5.7.1", EnhancedCode{5, 7, 1}.String())
	assert.Equal(t, "x2.0.0", string(EnhancedCode{2, 0, 0}.Append([]byte("x"))))
	assert.True(t, EnhancedCode{}.IsZero())
	assert.False(t, EnhancedCode{}.Valid())
	assert.False(t, EnhancedCode{3, 0, 0}.Valid())
	assert.True(t, EnhancedCode{4, 7, 0}.Valid())
}
