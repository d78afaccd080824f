#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh without Docker, the closest honest way, then
# fuzzes every libFuzzer binary it built for a few seconds.
#
#   fuzz/cflite-local.sh                      # every target, 5 s each
#   fuzz/cflite-local.sh -t 10 'smtpwire'     # targets whose "IMPORTPATH FUNC" matches
#   fuzz/cflite-local.sh -k                   # keep building after a failed target
#   fuzz/cflite-local.sh -r /tmp/cflite-local.XXXXXX -t 30   # fuzz an earlier build again
#
# What it reproduces of OSS-Fuzz's base-builder-go image: the source tree at
# $SRC/mailwire and build.sh at $SRC/build.sh, $OUT and $WORK, the compile
# environment for SANITIZER=address with libFuzzer (CC, CXX, CFLAGS,
# CXXFLAGS, LIB_FUZZING_ENGINE), go-118-fuzz-build at the version the image's
# install_go.sh builds (the head of its default branch), and a
# compile_native_go_fuzzer of its own that takes the same steps as the image's:
# find the file that declares `func FUZZ(f *testing.F)` (exactly one, or it
# says so and builds nothing, as the image's does), run
# `go-118-fuzz-build -tags gofuzz -o NAME.a -func FUZZ DIR`, which rewrites
# that file's "testing" import to go-118-fuzz-build/testing and builds a
# libFuzzer c-archive, then link it with `$CXX $CXXFLAGS $LIB_FUZZING_ENGINE`.
# What it does not reproduce: the image itself (its Ubuntu base, its clang and
# Go versions); Debian's clang 14 and the Go on PATH stand in for them.
#
# The tree is copied to a temporary directory (the files git knows of, plus a
# fresh git index so fuzz/targets.sh works), so build.sh's `go get` and
# go-118-fuzz-build's file renames never touch the checkout. Installs what it
# lacks: clang and libclang-rt-14-dev (libclang_rt.fuzzer-x86_64.a) with
# apt-get, go-118-fuzz-build with `go install`. Run every command niced.
#
# The binaries run in $OUT, away from the source tree, as ClusterFuzzLite
# runs them, so a harness that reads files of the checkout finds none.
# Prints one line per target: whether it built, how many inputs it ran, its
# exec/s, and a crash with the artifact's path. Exits non-zero when a target
# did not build or crashed. Logs and artifacts stay in the printed directory
# when -K is given or something failed.
set -euo pipefail

secs=5 keepgoing=false keep=false filter=. reuse=""
usage() { echo "usage: $0 [-t SECONDS] [-k] [-K] [-r DIR] [REGEXP]" >&2; exit 2; }
while getopts "t:kKr:h" opt; do
	case $opt in
	t) secs=$OPTARG ;;
	r) reuse=$OPTARG ;;
	k) keepgoing=true ;;
	K) keep=true ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
[ $# -eq 1 ] && filter=$1
[[ $secs =~ ^[0-9]+$ ]] || usage

# The version install_go.sh builds: `git clone` of the default branch, whose
# head is this pseudo-version on the module proxy. build.sh's `go get
# .../testing` resolves to the same commit.
gofuzzbuild=github.com/AdamKorcz/go-118-fuzz-build@v0.0.0-20250520111509-a70c2aa677fa
clangrt=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "$reuse" ]; then
	[ -d "$reuse/out" ] || { echo "cflite-local: $reuse has no out/" >&2; exit 2; }
	tmp=$(cd "$reuse" && pwd)
	rm -rf "$tmp/corpus" "$tmp/artifacts"
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/cflite-local.XXXXXX")
fi
export SRC=$tmp/src OUT=$tmp/out WORK=$tmp/work
mkdir -p "$SRC/mailwire" "$OUT" "$WORK" "$tmp/bin" "$tmp/logs" "$tmp/corpus" "$tmp/artifacts"
echo "cflite-local: working in $tmp"
status=0
if [ -z "$reuse" ]; then

# --- tools ---------------------------------------------------------------
if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null || [ ! -f "$clangrt" ]; then
	echo "cflite-local: installing clang and libclang-rt-14-dev"
	if ! nice -n 19 apt-get install -y --no-install-recommends clang libclang-rt-14-dev >"$tmp/logs/apt.log" 2>&1; then
		nice -n 19 apt-get update >>"$tmp/logs/apt.log" 2>&1
		nice -n 19 apt-get install -y --no-install-recommends clang libclang-rt-14-dev >>"$tmp/logs/apt.log" 2>&1
	fi
fi
gobin=${XDG_CACHE_HOME:-$HOME/.cache}/mailwire-cflite/bin
if [ ! -x "$gobin/go-118-fuzz-build" ] || [ "$(cat "$gobin/.version" 2>/dev/null)" != "$gofuzzbuild" ]; then
	echo "cflite-local: go install $gofuzzbuild"
	mkdir -p "$gobin"
	(cd "$tmp" && GOBIN=$gobin GOFLAGS= nice -n 19 go install "$gofuzzbuild")
	echo "$gofuzzbuild" >"$gobin/.version"
fi

# --- the tree, as the Dockerfile's COPY lays it -----------------------------
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -C "$SRC/mailwire" -xf -
(cd "$SRC/mailwire" && git init -q && git add -A)
cp "$SRC/mailwire/.clusterfuzzlite/build.sh" "$SRC/build.sh"

# --- compile_native_go_fuzzer -----------------------------------------------
# Same arguments and steps as the image's; CFL_FILTER limits which targets it
# builds (the others are skipped with a line, build.sh still zips their
# seeds), CFL_KEEPGOING turns a failed target into a line instead of an exit.
cat >"$tmp/bin/compile_native_go_fuzzer" <<'EOF'
#!/bin/bash -eu
path=$1 function=$2 fuzzer=$3
if ! printf '%s %s\n' "$path" "$function" | grep -qE -- "$CFL_FILTER"; then
	echo "compile_native_go_fuzzer: $fuzzer: skipped (filter)"
	exit 0
fi
tags="-tags gofuzz"
abs_file_dir=$(go list $tags -f '{{.Dir}}' "$path")
files=$(grep -r -l --include='*.go' -s "$function" "$abs_file_dir" || true)
if [ -z "$files" ] || [ "$(grep "func $function" $files | grep -c 'testing\.F')" -ne 1 ]; then
	echo "Could not find the function: func ${function}(f *testing.F)"
	exit 0
fi
harness=$(grep -l "func $function(.*testing\.F" $files)
cp "$harness" "$CFL_TMP/harness.bak"
log=$CFL_TMP/logs/build-$fuzzer.log
if go-118-fuzz-build $tags -o "$fuzzer.a" -func "$function" "$abs_file_dir" >"$log" 2>&1 &&
	$CXX $CXXFLAGS $LIB_FUZZING_ENGINE "$fuzzer.a" -o "$OUT/$fuzzer" >>"$log" 2>&1; then
	echo "compile_native_go_fuzzer: $fuzzer: built"
	exit 0
fi
cat "$log"
# go-118-fuzz-build exits without putting the harness back when the build fails.
rm -f "$harness"_fuzz.go main.*.go
cp "$CFL_TMP/harness.bak" "$harness"
echo "$fuzzer" >>"$CFL_TMP/build-failed"
echo "compile_native_go_fuzzer: $fuzzer: FAILED (log $log)"
$CFL_KEEPGOING && exit 0
exit 1
EOF
chmod +x "$tmp/bin/compile_native_go_fuzzer"

# --- the environment of `compile` for SANITIZER=address, libFuzzer, Go -------
export CFL_FILTER=$filter CFL_KEEPGOING=$keepgoing CFL_TMP=$tmp
export SANITIZER=address FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=go ARCHITECTURE=x86_64
export CC=clang CCC=clang++ CXX="clang++ -lresolv"
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Wno-error=unknown-warning-option -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
# The image adds -stdlib=libc++ to CXXFLAGS; no C++ is compiled here and
# Debian's libFuzzer runtime is built against libstdc++, so it is left out.
export CXXFLAGS=$CFLAGS
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export PATH=$tmp/bin:$gobin:$PATH

echo "cflite-local: bash -eux \$SRC/build.sh (log $tmp/logs/build.log)"
(cd "$SRC/mailwire" && nice -n 19 bash -eux "$SRC/build.sh") >"$tmp/logs/build.log" 2>&1 || status=$?
grep -E "^compile_native_go_fuzzer: |^Could not find the function" "$tmp/logs/build.log" | grep -v "skipped (filter)" || true
if [ "$status" -ne 0 ]; then
	echo "cflite-local: build.sh exited $status; its log's tail:"
	tail -40 "$tmp/logs/build.log"
fi
fi # -r

# --- run what was built --------------------------------------------------------
module=$(cd "$root" && go list -m)
built=0 failed=0 crashed=0 total=0
printf '%-55s %-6s %10s %9s  %s\n' TARGET BUILT RUNS EXEC/S RESULT
while read -r pkg fn; do
	printf '%s %s\n' "$pkg" "$fn" | grep -qE -- "$filter" || continue
	total=$((total + 1))
	dir=${pkg#"$module"/}
	name="$(echo "$dir" | tr '/' '_')_$fn"
	bin=$OUT/$name
	if [ ! -x "$bin" ]; then
		failed=$((failed + 1))
		printf '%-55s %-6s %10s %9s  %s\n' "$name" no - - "not built"
		continue
	fi
	built=$((built + 1))
	corpus=$tmp/corpus/$name
	mkdir -p "$corpus"
	seeds=0
	zip=$OUT/${name}_seed_corpus.zip
	if [ -f "$zip" ]; then
		# unzip's 1 is a warning: an empty zip, for a target without seeds.
		unzip -qq -o "$zip" -d "$corpus" >/dev/null 2>&1 || [ $? -eq 1 ]
		seeds=$(find "$corpus" -type f | wc -l)
	fi
	args=(-max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1
		-artifact_prefix="$tmp/artifacts/$name-")
	[ -f "$OUT/$name.dict" ] && args+=(-dict="$OUT/$name.dict")
	log=$tmp/logs/run-$name.log
	rc=0
	(cd "$OUT" && nice -n 19 "$bin" "${args[@]}" "$corpus") >"$log" 2>&1 || rc=$?
	runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
	rate=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
	artifact=$(grep -oE 'Test unit written to [^ ]+' "$log" | head -1 | sed 's/^Test unit written to //' || true)
	if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
		result="ok ($seeds seeds)"
	else
		crashed=$((crashed + 1))
		why=$(grep -m1 -E '^panic: |==ERROR: |^fatal error: ' "$log" | cut -c1-100 || true)
		result="CRASH rc=$rc ${artifact:-no artifact} ${why}"
	fi
	printf '%-55s %-6s %10s %9s  %s\n' "$name" yes "$runs" "$rate" "$result"
done < <(cd "$root" && fuzz/targets.sh)

echo "$total targets: $built built, $failed not built, $crashed crashed; ${secs}s each"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$crashed" -ne 0 ]; then
	echo "cflite-local: logs and artifacts kept in $tmp"
	exit 1
fi
if $keep; then
	echo "cflite-local: kept $tmp"
else
	rm -rf "$tmp"
fi
