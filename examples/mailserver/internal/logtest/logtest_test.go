package logtest

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeT struct {
	testing.TB
	errors int
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.errors++ }

func TestRecorder(t *testing.T) {
	rec := New()
	log := slog.New(rec).With("proto", "pop3")
	view := []byte("alice")
	log.Info("login", "user", string(view))
	log.Info("bad", "user", view)
	require.Len(t, rec.Records(""), 2)
	login := rec.Records("login")
	require.Len(t, login, 1)
	assert.Equal(t, "pop3", login[0]["proto"].String())
	assert.Equal(t, "alice", login[0]["user"].String())

	ft := &fakeT{TB: t}
	AssertNoViews(ft, rec.Records("login"))
	assert.Zero(t, ft.errors, "a string copy is fine")
	AssertNoViews(ft, rec.Records("bad"))
	assert.Equal(t, 1, ft.errors, "a []byte view is reported")
}
