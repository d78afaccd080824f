#!/usr/bin/env bash
# Interop stage, called by .ci/run after .ci/peers.sh: records fresh sessions
# between the installed real peers and replays them, with the committed
# transcripts, through the parsers. MAILWIRE_INTEROP=1 makes the peers
# required: a missing one fails the stage instead of being skipped.
set -euo pipefail

export MAILWIRE_INTEROP=1
REPO=$(cd "$(dirname "$0")/.." && pwd)

missing=
for peer in dovecot postfix swaks curl msmtp mbsync python3; do
	command -v "$peer" >/dev/null 2>&1 || missing="$missing $peer"
done
if [ -n "$missing" ]; then
	echo "interop.sh: peers missing with MAILWIRE_INTEROP=1:$missing (run .ci/peers.sh)" >&2
	exit 1
fi
command -v fetchmail >/dev/null 2>&1 || echo "interop.sh: fetchmail not installed (optional); its sessions are not recorded" >&2

FRESH=$(mktemp -d /tmp/mwfresh.XXXXXX)
trap 'rm -rf "$FRESH"' EXIT
timeout 300 bash "$REPO/.ci/record.sh" "$FRESH"
export MAILWIRE_TRANSCRIPTS=$FRESH

cd "$REPO"
log=$FRESH/replay.log
if ! timeout 600 go test -count=1 -run Replay -v ./... >"$log" 2>&1; then
	grep -v -E '^(=== RUN|=== PAUSE|=== CONT|    --- PASS)' "$log" | tail -n 300
	echo "interop.sh: replay of the committed and fresh transcripts failed" >&2
	exit 1
fi
echo "interop.sh: read from the committed and the fresh transcripts together:"
sed -n 's/^ *replay_test.go:[0-9]*: \(client\|server\) /  \1 /p' "$log"
grep -E '^(ok|FAIL|\?) ' "$log"
