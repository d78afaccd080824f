package pop3d

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"testing"
)

type netipAddr = netip.Addr

func readFile(p string) ([]byte, error) { return os.ReadFile(p) }

// recorder is a slog.Handler that keeps every record as it was handed
// over, attribute values untouched, so that a test sees both what was
// logged and whether a value is a view ([]byte) that a later read would
// change under a handler that formats late (an asynchronous one).
type recorder struct {
	log  *recordLog
	with []slog.Attr
}

type recordLog struct {
	mu   sync.Mutex
	recs []map[string]slog.Value
}

func newRecorder() *recorder { return &recorder{log: &recordLog{}} }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
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

func (r *recorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &recorder{log: r.log, with: append(append([]slog.Attr(nil), r.with...), as...)}
}

func (r *recorder) WithGroup(string) slog.Handler { return r }

// records returns the records with message msg ("" for all).
func (r *recorder) records(msg string) []map[string]slog.Value {
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

// assertNoViews fails for any logged value that is a []byte or a
// Stringer: every value must be a copy made when the record was logged.
func assertNoViews(t *testing.T, recs []map[string]slog.Value) {
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
