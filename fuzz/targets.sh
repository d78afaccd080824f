#!/usr/bin/env bash
# Lists every native Go fuzz target of the root module, one "IMPORTPATH FUNC"
# a line, sorted. Read from the source (func FuzzX(f *testing.F) in *_test.go),
# so build.sh and run-all.sh never go stale; .ci/run checks this list against
# `go test -list` so a target the scan misses fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
module=$(go list -m)
git ls-files --cached --others --exclude-standard '*_test.go' |
	grep -v '^bench/' |
	while read -r file; do
		{ grep -oE '^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\)' "$file" || true; } |
			sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' |
			while read -r fn; do
				dir=$(dirname "$file")
				if [ "$dir" = . ]; then echo "$module $fn"; else echo "$module/$dir $fn"; fi
			done
	done | sort -u
