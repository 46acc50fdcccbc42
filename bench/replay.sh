#!/usr/bin/env bash
# replay's cost: a suite of many short HTTP fetches run bare and under `netmap replay`, plus the
# fixed setup of the fence (`netmap replay -- true`). Target: at most 5% slower than bare once the
# fixed setup is subtracted, and a setup under 150 ms.
#
# usage: bench/replay.sh [NETMAP]       (default: build/tools/netmap/netmap)
# env:   N=300 fetches per suite, ROUNDS=5 (median taken), DELAY_MS="0 5" server think time per
#        request (0 = pure loopback, the proxy hop's worst case; 5 = a nearby registry)
set -euo pipefail
NETMAP=$(realpath "${1:-${NETMAP:-build/tools/netmap/netmap}}")
N=${N:-300}
ROUNDS=${ROUNDS:-5}
DELAYS=${DELAY_MS:-0 5}
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-bench-replay.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
printf 'presets: [none]\nallow: [bench.test]\n' > netmap.yaml

cat > server.py <<'PY'
import http.server, sys, time
delay = float(sys.argv[2]) / 1000
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_GET(self):
        if delay: time.sleep(delay)
        body = b"x" * 512
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1])); s.serve_forever()
PY
# One process, N fetches, a new connection each (urllib honours http_proxy under replay).
cat > suite.py <<'PY'
import sys, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
for _ in range(n):
    assert len(urllib.request.urlopen(url, timeout=10).read()) == 512
PY

now_ms() { date +%s%N | awk '{printf "%.1f", $1 / 1e6}'; }
# median CMD…: runs CMD ROUNDS times, prints the median wall time in ms.
median() {
  local times=() i t0 t1
  for i in $(seq 1 "$ROUNDS"); do
    t0=$(now_ms)
    "$@" >/dev/null 2>"$T/last.err" || { echo "failed: $* ($(tail -3 "$T/last.err"))" >&2; exit 1; }
    t1=$(now_ms)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

REPLAY=("$NETMAP" replay --policy netmap.yaml --upstream 127.0.0.1:9 --resolve bench.test=127.0.0.1)
setup=$(median "${REPLAY[@]}" -- true)
echo "netmap: $("$NETMAP" --version)"
echo "machine: $(nproc) cores, $(uname -r); N=$N fetches per suite, median of $ROUNDS rounds"
printf 'fence setup (netmap replay -- true): %s ms (target < 150 ms)\n\n' "$setup"
printf '%-28s %9s %12s %12s %10s\n' "suite" "delay_ms" "bare_ms" "replay_ms" "overhead"
for delay in $DELAYS; do
  rm -f port; python3 server.py port "$delay" & SRV=$!
  for i in $(seq 1 50); do [ -s port ] && break; sleep 0.1; done
  PORT=$(cat port)
  bare=$(median python3 suite.py "http://127.0.0.1:$PORT/" "$N")
  fenced=$(median "${REPLAY[@]}" -- python3 suite.py "http://bench.test:$PORT/" "$N")
  over=$(echo "scale=4; ($fenced - $setup - $bare) * 100 / $bare" | bc)
  printf '%-28s %9s %12s %12s %9s%%\n' "python urllib x$N" "$delay" "$bare" "$fenced" "$over"
  curl_loop() { for i in $(seq 1 "$N"); do curl -sf "$1" >/dev/null || return 1; done; }
  export -f curl_loop
  bare=$(median bash -c "curl_loop http://127.0.0.1:$PORT/")
  fenced=$(median "${REPLAY[@]}" -- bash -c "curl_loop http://bench.test:$PORT/")
  over=$(echo "scale=4; ($fenced - $setup - $bare) * 100 / $bare" | bc)
  printf '%-28s %9s %12s %12s %9s%%\n' "curl process per fetch x$N" "$delay" "$bare" "$fenced" "$over"
  kill "$SRV"; wait "$SRV" 2>/dev/null || true
done
echo
echo "overhead = (replay - setup - bare) / bare; target <= 5%"
