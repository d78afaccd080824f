package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validConfig() config {
	cfg := defaultConfig()
	cfg.target = "127.0.0.1:25"
	cfg.outDir = "/tmp/x"
	cfg.name = "smtp-test"
	cfg.header.Protocol = "smtp"
	return cfg
}

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*config)
		wantErr string
	}{
		{"valid", func(*config) {}, ""},
		{"IPv6 loopback", func(c *config) { c.target = "[::1]:25" }, ""},
		{"public listen", func(c *config) { c.listen = "0.0.0.0:25" }, "-listen"},
		{"host name target", func(c *config) { c.target = "localhost:25" }, "-target"},
		{"remote target", func(c *config) { c.target = "192.0.2.1:25" }, "not a loopback"},
		{"no port", func(c *config) { c.target = "127.0.0.1" }, "-target"},
		{"no out", func(c *config) { c.outDir = "" }, "-out"},
		{"no name", func(c *config) { c.name = "" }, "-name"},
		{"no protocol", func(c *config) { c.header.Protocol = "" }, "-protocol"},
		{"zero sessions", func(c *config) { c.sessions = 0 }, "-sessions"},
		{"zero timeout", func(c *config) { c.timeout = 0 }, "positive"},
		{"zero max bytes", func(c *config) { c.maxBytes = 0 }, "positive"},
		{"LF in note", func(c *config) { c.header.Note = "a\nb" }, "bad header value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			err := cfg.check()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestDefaultConfigIsBounded(t *testing.T) {
	cfg := defaultConfig()
	assert.Positive(t, cfg.timeout)
	assert.Positive(t, cfg.sessionTimeout)
	assert.Positive(t, cfg.grace)
	assert.Positive(t, cfg.maxBytes)
	assert.Equal(t, 1, cfg.sessions)
}
