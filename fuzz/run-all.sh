#!/usr/bin/env bash
# Runs every fuzz target (from targets.sh) for a while, JOBS at a time, each
# with one fuzzing worker and new inputs minimized for at most 5 s, and prints a summary line per target: its last
# average execs/s, and "new interesting" at the first and the last report.
#
#   fuzz/run-all.sh                 # the whole set within about an hour, 2 at a time
#   fuzz/run-all.sh -t 10m          # every target for 10 minutes
#   fuzz/run-all.sh -t 30s -j 1 FuzzData   # only targets whose name matches
#   fuzz/run-all.sh -d -t 10m -j 1          # bench/'s differential targets too
#
# Logs go to fuzz/logs/ (ignored by git). A crash leaves Go's reproducer in the
# package's testdata/fuzz/FuzzX/ directory: commit it as the regression seed
# after the fix (FUZZING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
per="" jobs=2 filter="." diff=false
while getopts "t:j:d" opt; do
	case $opt in
	t) per=$OPTARG ;;
	j) jobs=$OPTARG ;;
	d) diff=true ;;
	*) echo "usage: $0 [-t DURATION] [-j JOBS] [-d] [REGEXP]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] && filter=$1
# bench/ is its own module (it imports the libraries compared with), so its
# differential targets are listed from its sources and run from inside it.
list() {
	fuzz/targets.sh
	if $diff; then
		grep -ohE '^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\)' bench/*_test.go |
			sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/bench \1/' | sort -u
	fi
}
mapfile -t targets < <(list | grep -E -- "$filter")
[ ${#targets[@]} -gt 0 ] || { echo "no target matches $filter" >&2; exit 2; }
if [ -z "$per" ]; then
	per="$((3600 * jobs / ${#targets[@]}))s"
fi
logs=fuzz/logs
mkdir -p "$logs"
echo "${#targets[@]} targets, $per each, $jobs at a time; logs in $logs/"

run_one() {
	local pkg=$1 fn=$2 per=$3 logs=$4
	local log="$logs/$(basename "$pkg")-$fn.log"
	local dir=. target=$pkg
	if [ "$pkg" = bench ]; then dir=bench target=.; fi
	# Minimizing each new input may take Go's default 60 s, during which a
	# single worker fuzzes nothing; 5 s keeps the worker fuzzing.
	if go -C "$dir" test -run '^$' -fuzz "^$fn\$" -fuzztime "$per" -fuzzminimizetime 5s -parallel 1 "$target" >"$log" 2>&1; then
		status=ok
	else
		status=FAIL
	fi
	local first last rate
	first=$(grep -oE 'new interesting: [0-9]+' "$log" | head -1 | grep -oE '[0-9]+' || echo "?")
	last=$(grep -oE 'new interesting: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo "?")
	# The average rate: the last report's execs over its elapsed time (the
	# per-report figure is often 0 while an input is minimized).
	rate=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -1 | awk '{
		t = $3; sub(/,$/, "", t); s = 0
		if (match(t, /[0-9]+h/)) s += 3600 * substr(t, RSTART, RLENGTH - 1)
		if (match(t, /[0-9]+m/)) s += 60 * substr(t, RSTART, RLENGTH - 1)
		if (match(t, /[0-9]+s/)) s += substr(t, RSTART, RLENGTH - 1)
		n = $5; sub(/,$/, "", n)
		if (s > 0) printf "%d/sec", n / s; else printf "?"
	}')
	[ -n "$rate" ] || rate="?"
	printf '%-4s %-40s %-26s %12s  interesting %s -> %s\n' "$status" "$(basename "$pkg")" "$fn" "$rate" "$first" "$last"
}
export -f run_one
printf '%s\n' "${targets[@]}" |
	xargs -P "$jobs" -L 1 bash -c 'run_one "$0" "$1" "'"$per"'" "'"$logs"'"' |
	tee "$logs/summary.txt"
! grep -q '^FAIL' "$logs/summary.txt"
