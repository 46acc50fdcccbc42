#!/usr/bin/env bash
# `make demo`: netmap's main job on the bundled example project (examples/webapp).
#   1. discover: run the example's test suite and capture every domain it contacts;
#   2. check: what the policy (examples/webapp/netmap.yaml) says about them;
#   3. export: the Codex `network:` block for the policy plus what was found.
# Live capture needs root or CAP_NET_RAW; without it, the demo reads capture.pcap instead.
set -uo pipefail
netmap=$(realpath "${1:-build/tools/netmap/netmap}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here/webapp"

echo "== netmap discover -o inventory.json -- tests/run-tests.sh"
if [ "$(id -u)" -eq 0 ]; then
  "$netmap" discover -o "$work/inventory.json" -- tests/run-tests.sh 2>"$work/suite.log"
  status=$?
  [ $status -eq 0 ] || { cat "$work/suite.log" >&2; echo "the example's test suite failed ($status)" >&2; exit $status; }
  echo "(the suite's own output is in the log; it passed)"
else
  echo "(not root: live capture needs CAP_NET_RAW; reading capture.pcap, the same traffic made by netmap-gen)"
  "$netmap" discover -r capture.pcap -o "$work/inventory.json"
fi
echo
echo "== netmap check --inventory inventory.json"
"$netmap" check --inventory "$work/inventory.json"
echo "(exit $?: 1 means findings, as in CI)"
echo
echo "== netmap export --target codex --inventory inventory.json"
"$netmap" export --target codex --inventory "$work/inventory.json"
