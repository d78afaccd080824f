//go:build race

package privacy

// raceEnabled: the race detector makes sync.Pool drop items on purpose.
const raceEnabled = true
