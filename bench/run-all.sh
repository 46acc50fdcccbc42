#!/usr/bin/env bash
# `make bench`: every benchmark, each side by side with its peers. Takes a long time (the discover
# comparison alone writes a 10M-packet capture); run one script directly to measure one area.
# Usage: bench/run-all.sh [BUILD_DIR]
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
netmap=$(realpath "$build/tools/netmap/netmap")
status=0
step() { echo; echo "=== $*"; "$@" || { echo "=== failed: $*" >&2; status=1; }; }
step "$build/bench/matcher_bench"
step "$here/explain-startup.sh" "$build"
step "$build/bench/dissect_bench"
step "$here/discover-peers.sh" "$build"
step env NETMAP="$netmap" bash "$here/dns-peers.sh"
step bash "$here/dns-memory.sh" "$netmap"
step env NETMAP="$netmap" "$here/proxy-peers.sh"
step "$here/replay.sh" "$netmap"
exit $status
