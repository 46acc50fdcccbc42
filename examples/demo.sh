#!/usr/bin/env bash
# `make demo`: netmap's main job on the bundled example project.
set -euo pipefail
netmap=$(realpath "${1:-build/tools/netmap/netmap}")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/webapp"
echo "== netmap explain: who decides each name (policy: examples/webapp/netmap.yaml)"
"$netmap" explain registry.npmjs.org api.payments.example img.cdn.assets.example tracker.ads.example \
  telemetry.vendor.example metrics.unknown.example || true
echo
if [ -f inventory.json ]; then
  echo "== netmap export --target codex --inventory inventory.json"
  "$netmap" export --target codex --inventory inventory.json
else
  echo "== netmap export --target codex"
  "$netmap" export --target codex
fi
