#!/usr/bin/env bash
# The example project's `make test`: starts its fake internet on loopback, runs the suite.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
python3 "$here/fake_internet.py" "$work" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -f "$work/ready" ] && break; sleep 0.05; done
[ -f "$work/ready" ] || { echo "fake internet did not start" >&2; exit 1; }
FAKE_INTERNET_PORTS=$(cat "$work/ports") python3 "$here/test_webapp.py"
