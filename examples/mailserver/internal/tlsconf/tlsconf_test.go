package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateAndReuse(t *testing.T) {
	dir := t.TempDir()
	cfg, info, err := Load(dir, "mail.example.test", "", "")
	require.NoError(t, err)
	assert.True(t, info.Generated)
	assert.True(t, info.SelfSigned)
	assert.Len(t, info.Fingerprint, 64)
	assert.Equal(t, filepath.Join(dir, "tls", CertFile), info.CertPath)
	assert.Equal(t, uint16(tls.VersionTLS12), cfg.MinVersion)
	st, err := os.Stat(filepath.Join(dir, "tls", KeyFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "key private")

	_, again, err := Load(dir, "mail.example.test", "", "")
	require.NoError(t, err)
	assert.False(t, again.Generated, "reused")
	assert.Equal(t, info.Fingerprint, again.Fingerprint)

	leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	require.NoError(t, err)
	assert.Equal(t, []string{"mail.example.test"}, leaf.DNSNames)
	require.Len(t, leaf.IPAddresses, 2)
	assert.True(t, leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)))
	assert.True(t, leaf.IPAddresses[1].Equal(net.IPv6loopback))
	pool := x509.NewCertPool()
	pemBytes, err := os.ReadFile(info.CertPath)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(pemBytes))
	for _, name := range []string{"mail.example.test", "127.0.0.1", "::1"} {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name})
		assert.NoError(t, err, name)
	}
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "other.test"})
	assert.Error(t, err)
}

// TestConcurrentFirstStart: processes starting at once on a fresh data
// directory end up with one certificate (the generation is under a flock).
func TestConcurrentFirstStart(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	fps := make([]string, 4)
	gens := make([]bool, 4)
	for i := range fps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, info, err := Load(dir, "localhost", "", "")
			assert.NoError(t, err)
			fps[i], gens[i] = info.Fingerprint, info.Generated
		}()
	}
	wg.Wait()
	n := 0
	for i := range fps {
		assert.Equal(t, fps[0], fps[i])
		if gens[i] {
			n++
		}
	}
	assert.Equal(t, 1, n, "generated once")
}

func TestGivenFiles(t *testing.T) {
	dir := t.TempDir()
	cert, key, err := Generate("given.test", time.Now())
	require.NoError(t, err)
	cf, kf := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	require.NoError(t, os.WriteFile(cf, cert, 0o600))
	require.NoError(t, os.WriteFile(kf, key, 0o600))
	_, info, err := Load(dir, "ignored", cf, kf)
	require.NoError(t, err)
	assert.False(t, info.SelfSigned)
	assert.Equal(t, cf, info.CertPath)
	assert.NoDirExists(t, filepath.Join(dir, "tls"), "nothing generated")

	_, _, err = Load(dir, "x", cf, "")
	assert.Error(t, err)
	_, _, err = Load(dir, "x", cf, filepath.Join(dir, "missing"))
	assert.Error(t, err)
	other, _, err := Generate("other", time.Now())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cf, other, 0o600))
	_, _, err = Load(dir, "x", cf, kf)
	assert.Error(t, err, "key does not match the certificate")
}

func TestGenerateIPHostname(t *testing.T) {
	cert, _, err := Generate("192.0.2.7", time.Now())
	require.NoError(t, err)
	block, _ := pem.Decode(cert)
	require.NotNil(t, block)
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.Empty(t, leaf.DNSNames)
	require.Len(t, leaf.IPAddresses, 3)
	assert.True(t, leaf.IPAddresses[2].Equal(net.ParseIP("192.0.2.7")))
}

// TestHostnameChanged: a generated certificate that does not name the
// hostname any more is generated again.
func TestHostnameChanged(t *testing.T) {
	dir := t.TempDir()
	_, a, err := Load(dir, "localhost", "", "")
	require.NoError(t, err)
	_, b, err := Load(dir, "mail.example.test", "", "")
	require.NoError(t, err)
	assert.True(t, b.Generated)
	assert.NotEqual(t, a.Fingerprint, b.Fingerprint)
	_, c, err := Load(dir, "mail.example.test", "", "")
	require.NoError(t, err)
	assert.False(t, c.Generated)
	assert.Equal(t, b.Fingerprint, c.Fingerprint)
}
