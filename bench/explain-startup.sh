#!/usr/bin/env bash
# Whole-process cost of `netmap explain` (startup, preset parsing, policy load, one decision),
# timed with hyperfine beside the floor of starting any process (`true`) and a peer that also
# answers "is this name allowed" from a config: `dnsmasq --test` parsing a comparable config.
# Usage: bench/explain-startup.sh [BUILD_DIR]   Target (issue 2): netmap explain under 5 ms median.
set -euo pipefail
build=${1:-build}
netmap=$(realpath "$build/tools/netmap/netmap")
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$(dirname "$0")/../examples/webapp/netmap.yaml" "$work/"
cd "$work"
hyperfine -N -i --warmup 20 --runs 300 --export-json "$work/explain.json" \
  "true" \
  "$netmap explain registry.npmjs.org" \
  "$netmap explain --preset copilot-recommended --preset claude-trusted --preset codex-common registry.npmjs.org" \
  "$netmap explain --json registry.npmjs.org api.payments.example tracker.ads.example"
python3 - "$work/explain.json" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
floor = res[0]["median"]
for r in res:
    print(f'{r["median"]*1000:8.3f} ms median  {r["median"]/floor:6.1f}x true   {r["command"].split("/")[-1]}')
PY
