#!/bin/bash -eu
# Builds every native Go fuzz target of mailwire as a libFuzzer binary, with
# its dictionary and a seed corpus, inside the OSS-Fuzz base-builder-go image
# (ClusterFuzzLite runs it as $SRC/build.sh). The target list comes from
# fuzz/targets.sh, which .ci/run checks against `go test -list`, so this file
# never names a target itself. fuzz/cflite-local.sh runs this file unchanged
# without Docker.
cd "$SRC/mailwire"
module=$(go list -m)

# compile_native_go_fuzzer rewrites the fuzz harnesses to use this shim.
go get github.com/AdamKorcz/go-118-fuzz-build/testing

# The FuzzReplaySplits targets replay the recorded sessions. OSS-Fuzz runs
# the binaries from $OUT without the tree, so the sessions go beside them
# (the harnesses look there when transcript.Discover finds no module).
mkdir -p "$OUT/transcripts"
cp testdata/transcripts/*.txn* "$OUT/transcripts/"

# The helpers below run for every target: build them once.
go build -o "$WORK/harness" .clusterfuzzlite/harness.go
go build -o "$WORK/encode-seeds" .clusterfuzzlite/seeds.go
go build -o "$WORK/seeds" ./fuzz/seeds

fuzz/targets.sh | while read -r pkg fn; do
	dir=${pkg#"$module"/}
	name="$(echo "$dir" | tr '/' '_')_$fn"
	# Which protocol's dictionary and transcripts seed the target.
	case $dir in
	smtpwire | internal/dot | internal/crlf | starttls) proto=smtp dict=smtp ;;
	pop3) proto=pop3 dict=pop3 ;;
	imapwire) proto=imap dict=imap ;;
	headers*) proto=smtp dict=headers ;;
	*) proto="" dict="" ;;
	esac
	# The shim has no testing.B or TB, and only the harness's own file is
	# built with it: move the target and the test code it uses into one file
	# (harness.go says how) for the build, then put the package back.
	"$WORK/harness" -dir "$dir" -func "$fn" -stash "$WORK/stash/$name"
	# From the package's directory: go-118-fuzz-build writes its main package
	# into the current directory, and only code under examples/mailserver may
	# import examples/mailserver/internal/....
	(cd "$dir" && compile_native_go_fuzzer "$pkg" "$fn" "$name")
	"$WORK/harness" -restore -dir "$dir" -stash "$WORK/stash/$name"
	"$WORK/seeds" -dir "$dir" -target "$fn" ${proto:+-proto "$proto"} -o "$OUT/${name}_seed_corpus.zip"
	# The function gets its arguments decoded from libFuzzer's input, not the
	# raw bytes: write each seed as it is read (seeds.go says how).
	"$WORK/encode-seeds" -dir "$dir" -func "$fn" -zip "$OUT/${name}_seed_corpus.zip"
	if [ -n "$dict" ]; then
		cp "fuzz/dict/$dict.dict" "$OUT/$name.dict"
	fi
done
