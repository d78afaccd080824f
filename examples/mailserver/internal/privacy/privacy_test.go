package privacy

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mailwire/mailwire/headers"
)

var date = time.Date(2025, 10, 14, 9, 12, 44, 0, time.UTC)

func run(t *testing.T, p *Pipeline, in string) (string, error) {
	t.Helper()
	m, err := p.Open(strings.NewReader(in), Trace{With: "ESMTPSA", ID: "q1", Date: date})
	if err != nil {
		return "", err
	}
	defer m.Close()
	b, err := io.ReadAll(m)
	require.NoError(t, err)
	return string(b), nil
}

const received = "Received: by mail.example with ESMTPSA id q1;\r\n Tue, 14 Oct 2025 09:12:44 +0000\r\n"

func TestPipeline(t *testing.T) {
	p := New("mail.example", []byte("secret"))
	signed := "Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsigned \xc3\xa9 text  \r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--b--\r\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"kept as is", "Date: x\r\nMessage-ID: <a@mail.example>\r\nSubject: s\r\n\r\nbody\r\n", received + "Date: x\r\nMessage-ID: <a@mail.example>\r\nSubject: s\r\n\r\nbody\r\n"},
		{"client fields dropped", "Date: x\r\nMessage-ID: <a@mail.example>\r\nX-Originating-IP: [192.0.2.1]\r\nUser-Agent: Mutt\r\nReceived: from laptop (laptop [192.0.2.1]) by laptop; x\r\n\r\nbody\r\n", received + "Date: x\r\nMessage-ID: <a@mail.example>\r\n\r\nbody\r\n"},
		{"signed body byte for byte", "Date: x\r\nMessage-ID: <a@mail.example>\r\nMIME-Version: 1.0\r\n" + signed, received + "Date: x\r\nMessage-ID: <a@mail.example>\r\nMIME-Version: 1.0\r\n" + signed},
		{"date and id added", "Subject: s\r\n\r\nbody\r\n", ""},
		{"header only", "Date: x\r\nMessage-ID: <a@mail.example>\r\n", received + "Date: x\r\nMessage-ID: <a@mail.example>\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(t, p, tc.in)
			require.NoError(t, err)
			if tc.want != "" {
				assert.Equal(t, tc.want, got)
			}
			assert.True(t, strings.HasPrefix(got, received))
			assert.NotContains(t, got, "192.0.2.1")
			assert.NotContains(t, got, "laptop")
		})
	}
	got, err := run(t, p, "Subject: s\r\n\r\nbody\r\n")
	require.NoError(t, err)
	assert.Regexp(t, `^`+strings.ReplaceAll(received, "+", `\+`)+`Subject: s\r\nDate: Tue, 14 Oct 2025 09:12:44 \+0000\r\nMessage-ID: <[0-9a-f]{32}@mail\.example>\r\n\r\nbody\r\n$`, got)

	// A Message-ID naming the client's machine is rewritten, the same
	// way every time.
	a, err := run(t, p, "Date: x\r\nMessage-ID: <1@laptop.home.example>\r\n\r\nb\r\n")
	require.NoError(t, err)
	b, err := run(t, p, "Date: x\r\nMessage-ID: <1@laptop.home.example>\r\n\r\nb\r\n")
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Regexp(t, `\r\nMessage-ID: <[0-9A-V]{32}@mail\.example>\r\n`, a)
}

func TestPipelineRefuses(t *testing.T) {
	p := New("mail.example", nil)
	for _, in := range []string{
		"Subject: s\r\nno colon\r\n\r\nb\r\n",
		"Subject: a\x00b\r\n\r\nb\r\n",
		"Subject: " + strings.Repeat("x", DefaultMaxHeader) + "\r\n\r\nb\r\n",
		"Subject: truncated",
	} {
		_, err := run(t, p, in)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrHeader)
		assert.NotZero(t, headers.ReplyOf(err).Code, "%v", err)
	}
	// An error of the source passes through.
	_, err := p.Open(io.MultiReader(strings.NewReader("Subject: "), &errReader{}), Trace{ID: "x", Date: date})
	assert.ErrorIs(t, err, errBroken)
}

var errBroken = errors.New("connection reset")

type errReader struct{}

func (*errReader) Read([]byte) (int, error) { return 0, errBroken }

func BenchmarkPipeline(b *testing.B) {
	p := New("mail.example", []byte("k"))
	msg := "From: a@mail.example\r\nTo: b@x.example\r\nDate: x\r\nMessage-ID: <1@laptop.example>\r\nUser-Agent: x\r\nSubject: s\r\n\r\n" + strings.Repeat("body line\r\n", 1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	r := strings.NewReader(msg)
	buf := make([]byte, 4096)
	for b.Loop() {
		r.Reset(msg)
		m, err := p.Open(r, Trace{With: "ESMTPSA", ID: "q", Date: date})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := m.Read(buf); err != nil {
				break
			}
		}
		m.Close()
	}
}

// TestPipelineAllocs: in steady state a message with a Date and a
// Message-ID goes through Open, Read and Close without allocating.
func TestPipelineAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items, so it allocates")
	}
	p := New("mail.example", []byte("k"))
	msg := "From: a@mail.example\r\nDate: x\r\nMessage-ID: <1@laptop.example>\r\nUser-Agent: x\r\nSubject: s\r\n\r\n" + strings.Repeat("body line\r\n", 100)
	r := strings.NewReader(msg)
	buf := make([]byte, 512)
	run := func() {
		r.Reset(msg)
		m, err := p.Open(r, Trace{With: "ESMTPSA", ID: "q", Date: date})
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := m.Read(buf); err != nil {
				break
			}
		}
		m.Close()
	}
	run()
	assert.Zero(t, testing.AllocsPerRun(100, run))
}
