// Package logtest is for the service's tests: a slog.Handler that keeps
// every record as it was handed over, attribute values untouched, so that a
// test sees both what was logged and whether a value is a view ([]byte)
// that a later read would change under a handler that formats late (an
// asynchronous one). Sessions must log copies, never views into a reader.
package logtest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
)

// Recorder is a slog.Handler that records; safe for concurrent use.
type Recorder struct {
	log  *recordLog
	with []slog.Attr
}

type recordLog struct {
	mu   sync.Mutex
	recs []map[string]slog.Value
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{log: &recordLog{}} }

// Enabled records every level.
func (r *Recorder) Enabled(context.Context, slog.Level) bool { return true }

// Handle keeps the record's message (under "msg") and attributes.
func (r *Recorder) Handle(_ context.Context, rec slog.Record) error {
	m := map[string]slog.Value{"msg": slog.StringValue(rec.Message)}
	for _, a := range r.with {
		m[a.Key] = a.Value
	}
	rec.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	r.log.recs = append(r.log.recs, m)
	return nil
}

// WithAttrs returns a Recorder into the same log that adds as to each record.
func (r *Recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &Recorder{log: r.log, with: append(append([]slog.Attr(nil), r.with...), as...)}
}

// WithGroup ignores groups: the service logs none.
func (r *Recorder) WithGroup(string) slog.Handler { return r }

// Records returns the records with message msg ("" for all).
func (r *Recorder) Records(msg string) []map[string]slog.Value {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	var out []map[string]slog.Value
	for _, m := range r.log.recs {
		if msg == "" || m["msg"].String() == msg {
			out = append(out, m)
		}
	}
	return out
}

// AssertNoViews fails t for any logged value that is a []byte or a
// Stringer: every value must be a copy made when the record was logged.
func AssertNoViews(t testing.TB, recs []map[string]slog.Value) {
	t.Helper()
	for _, m := range recs {
		for k, v := range m {
			if v.Kind() != slog.KindAny {
				continue
			}
			switch v.Any().(type) {
			case []byte, fmt.Stringer:
				t.Errorf("record %q: attribute %s is a %T, a view the next read may overwrite", m["msg"], k, v.Any())
			}
		}
	}
}
