package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// results holds every figure of a go test -bench run by benchmark name
// ("SmtpData/smtpwire": no "Benchmark" prefix, no -GOMAXPROCS suffix) and
// unit ("ns/op", "MB/s", "B/op", "allocs/op", custom metrics).
type results struct {
	goos, goarch, cpu, goVersion string
	figures                      map[string]map[string][]float64
}

func parse(r io.Reader) (*results, error) {
	run := &results{figures: map[string]map[string][]float64{}}
	err := readLines(r, func(line string) error {
		switch {
		case strings.HasPrefix(line, "goos: "):
			run.goos = strings.TrimPrefix(line, "goos: ")
		case strings.HasPrefix(line, "goarch: "):
			run.goarch = strings.TrimPrefix(line, "goarch: ")
		case strings.HasPrefix(line, "cpu: "):
			run.cpu = strings.TrimPrefix(line, "cpu: ")
		case strings.HasPrefix(line, "Benchmark"):
			return run.add(line)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(run.figures) == 0 {
		return nil, fmt.Errorf("no benchmark results in the input")
	}
	return run, nil
}

// add reads one result line: name, iterations, then value-unit pairs.
func (run *results) add(line string) error {
	f := strings.Fields(line)
	if len(f) < 4 || len(f)%2 != 0 {
		return nil // a benchmark's own log line, not a result
	}
	if _, err := strconv.Atoi(f[1]); err != nil {
		return nil
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	units := run.figures[name]
	if units == nil {
		units = map[string][]float64{}
		run.figures[name] = units
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return fmt.Errorf("%q: %v", line, err)
		}
		units[f[i+1]] = append(units[f[i+1]], v)
	}
	return nil
}

// median of one benchmark's figure in a unit, and whether it was measured.
func (run *results) median(name, unit string) (float64, bool) {
	v := append([]float64(nil), run.figures[name][unit]...)
	if len(v) == 0 {
		return 0, false
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// maxRuns is the largest number of results any benchmark has.
func (run *results) maxRuns() int {
	n := 0
	for _, units := range run.figures {
		n = max(n, len(units["ns/op"]))
	}
	return n
}

// names lists every benchmark measured, sorted.
func (run *results) names() []string {
	out := make([]string, 0, len(run.figures))
	for name := range run.figures {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
