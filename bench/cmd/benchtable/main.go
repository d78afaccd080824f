// Command benchtable runs bench/'s benchmarks once (or reads a saved run)
// and prints issue 17's table: for every mailwire benchmark its MB/s, ns/op,
// B/op and allocs/op, how many times faster it is than the best other Go
// library on the same bytes, how many times slower than the scan of those
// bytes (BenchmarkScan's bytes.IndexByte line loop), and whether the
// targets of the issue hold. A second table gives every benchmark.
//
// Run it from bench/:
//
//	go run ./cmd/benchtable                 # go test -bench . -count 5, then the table
//	go run ./cmd/benchtable -count 10 -raw run.txt
//	go run ./cmd/benchtable -in run.txt     # the table of a saved run
//
// With -count above 1 every figure is the median of the runs. Ratios are
// taken from MB/s, so corpora of different sizes compare. -check makes the
// exit status 1 when a target is missed.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark (go test -count)")
	benchtime := flag.String("benchtime", "", "go test -benchtime (default: go test's 1s)")
	in := flag.String("in", "", "read this saved `go test -bench` output instead of running it")
	raw := flag.String("raw", "", "also write go test's output to this file")
	check := flag.Bool("check", false, "exit 1 when a target is missed")
	flag.Parse()

	var out []byte
	var err error
	if *in != "" {
		out, err = os.ReadFile(*in)
	} else {
		out, err = runBenchmarks(*count, *benchtime)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	if *raw != "" {
		if err := os.WriteFile(*raw, out, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(2)
		}
	}
	run, err := parse(bytes.NewReader(out))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	missed := render(os.Stdout, run, *in == "")
	if *check && missed > 0 {
		os.Exit(1)
	}
}

// runBenchmarks runs every benchmark of the current directory's package,
// echoing go test's output to stderr as it comes.
func runBenchmarks(count int, benchtime string) ([]byte, error) {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", fmt.Sprint(count)}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	args = append(args, ".")
	fmt.Fprintln(os.Stderr, "go", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	return buf.Bytes(), nil
}

// header describes the run: when, on what, with which Go.
func header(w io.Writer, run *results, live bool) {
	goVersion := run.goVersion
	if goVersion == "" && live {
		if v, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
			goVersion = strings.TrimSpace(string(v))
		}
	}
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	when := "from a saved run"
	if live {
		when = time.Now().UTC().Format("2006-01-02 15:04 MST")
	}
	fmt.Fprintf(w, "%s, %s, %s/%s, %s, %d CPUs, %d run(s) of each, medians\n\n",
		when, goVersion, run.goos, run.goarch, run.cpu, runtime.NumCPU(), run.maxRuns())
}

func readLines(r io.Reader, each func(line string) error) error {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		if err := each(s.Text()); err != nil {
			return err
		}
	}
	return s.Err()
}
