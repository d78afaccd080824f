package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"valid", []string{"-target", "127.0.0.1:11143", "-out", "d", "-name", "n", "-protocol", "imap",
			"-server", "Dovecot", "-client", "curl", "-sessions", "3", "-timeout", "9s"}, ""},
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined"},
		{"extra argument", []string{"-target", "127.0.0.1:1", "-out", "d", "-name", "n", "-protocol", "imap", "x"}, "unexpected arguments"},
		{"missing target", []string{"-out", "d", "-name", "n", "-protocol", "imap"}, "-target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			cfg, err := parseFlags(tt.args, &errOut)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, "127.0.0.1:11143", cfg.target)
				assert.Equal(t, "imap", cfg.header.Protocol)
				assert.Equal(t, "Dovecot", cfg.header.Server)
				assert.Equal(t, 3, cfg.sessions)
				assert.Equal(t, 9*time.Second, cfg.timeout)
				return
			}
			require.Error(t, err)
			assert.Contains(t, errOut.String(), tt.wantErr)
		})
	}
}
