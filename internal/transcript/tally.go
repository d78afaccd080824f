package transcript

import (
	"maps"
	"slices"
)

// Tally adds up a replay test's counts per peer name (a transcript's
// Client or Server), for the log that says what each real peer sent.
type Tally[C any] map[string]*C

// Of returns peer's counts, made on first use.
func (t Tally[C]) Of(peer string) *C {
	c := t[peer]
	if c == nil {
		c = new(C)
		t[peer] = c
	}
	return c
}

// Peers returns the peer names, sorted.
func (t Tally[C]) Peers() []string { return slices.Sorted(maps.Keys(t)) }
