package main

import (
	"fmt"
	"io"
	"strings"
)

// render writes both tables and returns how many targets were missed.
func render(w io.Writer, run *results, live bool) int {
	header(w, run, live)
	fmt.Fprintln(w, "| stream | MB/s | ns/op | B/op | allocs/op | best other library (MB/s) | × faster than it | scan MB/s | × the scan | target | |")
	defer fmt.Fprintln(w, "\nRatios and verdicts are by wall time (MB/s); \"CPU\" is the same ratio by process CPU time where both benchmarks report it.")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |")
	missed := 0
	for _, r := range rows {
		mbs, ok := run.median(r.ours, "MB/s")
		if !ok {
			fmt.Fprintf(w, "| %s | not measured | | | | | | | | %s | |\n", r.label, r.targets())
			if r.hasTarget() {
				missed++
			}
			continue
		}
		ns, _ := run.median(r.ours, "ns/op")
		bop, _ := run.median(r.ours, "B/op")
		allocs, _ := run.median(r.ours, "allocs/op")

		peer, peerName, peerMBs := "", "", 0.0
		for _, p := range r.peers {
			if v, ok := run.median(p, "MB/s"); ok && v > peerMBs {
				peer, peerName, peerMBs = p[strings.IndexByte(p, '/')+1:], p, v
			}
		}
		scanMBs, scanOK := run.median("Scan/"+r.scan+"/indexbyte", "MB/s")

		var misses []string
		peerCell, peerRatio := "", ""
		if peer != "" {
			peerCell = fmt.Sprintf("%s (%.1f)", peer, peerMBs)
			peerRatio = fmt.Sprintf("%.1f×", mbs/peerMBs)
			// Where both report their process CPU time (the IMAP rows), the
			// ratio by CPU too: an allocating peer's collector runs on the
			// other core, which wall time does not count.
			oursCPU, ok1 := run.median(r.ours, "cpu-ns/op")
			peerCPU, ok2 := run.median(peerName, "cpu-ns/op")
			if ok1 && ok2 && oursCPU > 0 {
				peerRatio += fmt.Sprintf(" (CPU %.1f×)", peerCPU/oursCPU)
			}
			if r.minPeer > 0 && mbs/peerMBs < r.minPeer {
				misses = append(misses, "peer")
			}
		} else if r.minPeer > 0 {
			misses = append(misses, "peer not measured")
		}
		scanCell, scanRatio := "", ""
		if scanOK {
			scanCell = fmt.Sprintf("%.0f", scanMBs)
			scanRatio = fmt.Sprintf("%.2f×", scanMBs/mbs)
			if r.maxScan > 0 && scanMBs/mbs > r.maxScan {
				misses = append(misses, "scan")
			}
		} else if r.maxScan > 0 {
			misses = append(misses, "scan not measured")
		}
		if r.minMBs > 0 && mbs < r.minMBs {
			misses = append(misses, "MB/s")
		}
		if r.zeroAllocs && allocs != 0 {
			misses = append(misses, "allocs")
		}
		verdict := ""
		switch {
		case len(misses) > 0:
			verdict = "**missed: " + strings.Join(misses, ", ") + "**"
			missed++
		case r.hasTarget():
			verdict = "met"
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s | %s |\n",
			r.label, mbs, ns, bop, allocs, peerCell, peerRatio, scanCell, scanRatio, r.targets(), verdict)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | MB/s | ns/op | B/op | allocs/op |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, name := range run.names() {
		mbs, _ := run.median(name, "MB/s")
		ns, _ := run.median(name, "ns/op")
		bop, _ := run.median(name, "B/op")
		allocs, _ := run.median(name, "allocs/op")
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %.0f |\n", name, mbs, ns, bop, allocs)
	}
	if missed > 0 {
		fmt.Fprintf(w, "\n%d target(s) missed.\n", missed)
	}
	return missed
}

func (r row) hasTarget() bool { return r.maxScan > 0 || r.minPeer > 0 || r.minMBs > 0 || r.zeroAllocs }

// targets spells the row's targets for the table.
func (r row) targets() string {
	var t []string
	if r.maxScan > 0 {
		t = append(t, fmt.Sprintf("≤ %g× scan", r.maxScan))
	}
	if r.minPeer > 0 {
		t = append(t, fmt.Sprintf("≥ %g× best other", r.minPeer))
	}
	if r.minMBs > 0 {
		t = append(t, fmt.Sprintf("≥ %g MB/s", r.minMBs))
	}
	if r.zeroAllocs {
		t = append(t, "0 allocs")
	}
	return strings.Join(t, ", ")
}
