#!/usr/bin/env bash
# replay's cost: a suite of many short HTTP fetches run bare and under `netmap replay`, plus the
# fixed setup of the fence (`netmap replay -- true`). Target: at most 5% slower than bare once the
# fixed setup is subtracted, and a setup under 150 ms. A last row per server runs the urllib suite
# through bench/proxy_load.c's do-nothing relay with no fence at all: what any proxy in the path
# costs this client (its hop plus urllib's handling of the proxy variables), the floor under replay.
#
# usage: bench/replay.sh [NETMAP]       (default: build/tools/netmap/netmap)
# env:   N=300 fetches per suite, ROUNDS=5 (bare and replay alternate; medians taken), DELAY_MS="0 5" server think time per
#        request (0 = pure loopback, the proxy hop's worst case; 5 = a nearby registry)
set -euo pipefail
NETMAP=$(realpath "${1:-${NETMAP:-build/tools/netmap/netmap}}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-300}
ROUNDS=${ROUNDS:-5}
DELAYS=${DELAY_MS:-0 5}
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-bench-replay.XXXXXX")
# `|| true`: under set -e a failing kill (no jobs left) would end the trap before the rm.
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$T"' EXIT
cd "$T"
cc -O2 -Wall -o proxy_load "$ROOT/bench/proxy_load.c"
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
# One process, N fetches, a new connection each (urllib honours http_proxy under replay). With a
# third argument, urllib skips its per-request no_proxy check, which rescans the whole environment
# (~90 µs a request here): that row separates what the client pays for using a proxy at all from
# what the fence's proxy hop costs.
cat > suite.py <<'PY'
import sys, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
if len(sys.argv) > 3: urllib.request.proxy_bypass = lambda host: False
for _ in range(n):
    assert len(urllib.request.urlopen(url, timeout=10).read()) == 512
PY

# timed CMD…: runs CMD once; prints "wall_ms cpu_ms" (cpu = user + sys of CMD and its children,
# which for `netmap replay` includes the proxy's and the resolver's threads).
timed() {
  local TIMEFORMAT='%3R %3U %3S' t
  t=$( { time "$@" >/dev/null 2>"$T/last.err"; } 2>&1 ) || { echo "failed: $* ($(tail -3 "$T/last.err"))" >&2; exit 1; }
  echo "$t" | awk '{printf "%.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000}'
}
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# pair: runs bare_cmd and fenced_cmd alternately ROUNDS times (so a change of load on the shared
# machine hits both alike); prints "bare_wall fenced_wall bare_cpu fenced_cpu", medians in ms.
pair() {
  local i b f
  : > "$T/bare.t"; : > "$T/fenced.t"
  for i in $(seq 1 "$ROUNDS"); do
    b=$(bare_cmd); f=$(fenced_cmd)
    echo "$b" >> "$T/bare.t"; echo "$f" >> "$T/fenced.t"
  done
  echo "$(awk '{print $1}' "$T/bare.t" | med) $(awk '{print $1}' "$T/fenced.t" | med)" \
       "$(awk '{print $2}' "$T/bare.t" | med) $(awk '{print $2}' "$T/fenced.t" | med)"
}

REPLAY=("$NETMAP" replay --policy netmap.yaml --upstream 127.0.0.1:9 --resolve bench.test=127.0.0.1)
for i in $(seq 1 "$ROUNDS"); do timed "${REPLAY[@]}" -- true; done > "$T/setup.t"
setup=$(awk '{print $1}' "$T/setup.t" | med)
setup_cpu=$(awk '{print $2}' "$T/setup.t" | med)
echo "netmap: $("$NETMAP" --version)"
echo "machine: $(nproc) cores, $(uname -r); N=$N fetches per suite, median of $ROUNDS rounds"
printf 'fence setup (netmap replay -- true): %s ms, cpu %s ms (target < 150 ms)\n\n' "$setup" "$setup_cpu"
printf '%-28s %8s %9s %10s %9s %10s %9s %9s\n' "suite" "delay_ms" "bare_ms" "replay_ms" "overhead" \
  "bare_cpu" "repl_cpu" "cpu_over"
report() { # label delay "bare fenced bare_cpu fenced_cpu" [fixed_ms fixed_cpu_ms: default the fence's setup]
  local bare fenced bcpu fcpu over cover fixed=${4:-$setup} fixed_cpu=${5:-$setup_cpu}
  read -r bare fenced bcpu fcpu <<<"$3"
  over=$(echo "scale=2; ($fenced - $fixed - $bare) * 100 / $bare" | bc)
  cover=$(echo "scale=2; ($fcpu - $fixed_cpu - $bcpu) * 100 / $bcpu" | bc)
  printf '%-28s %8s %9s %10s %8s%% %10s %9s %8s%%\n' "$1" "$2" "$bare" "$fenced" "$over" "$bcpu" "$fcpu" "$cover"
}
for delay in $DELAYS; do
  rm -f port; python3 server.py port "$delay" & SRV=$!
  for i in $(seq 1 50); do [ -s port ] && break; sleep 0.1; done
  PORT=$(cat port)
  bare_cmd() { timed python3 suite.py "http://127.0.0.1:$PORT/" "$N"; }
  fenced_cmd() { timed "${REPLAY[@]}" -- python3 suite.py "http://bench.test:$PORT/" "$N"; }
  report "python urllib x$N" "$delay" "$(pair)"
  fenced_cmd() { timed "${REPLAY[@]}" -- python3 suite.py "http://bench.test:$PORT/" "$N" no-env-rescan; }
  report "  same, no env rescan" "$delay" "$(pair)"
  rm -f floor.port; ./proxy_load floor > floor.port & FLOOR_PID=$!
  for i in $(seq 1 50); do [ -s floor.port ] && break; sleep 0.1; done
  fenced_cmd() { timed env http_proxy="http://127.0.0.1:$(cat floor.port)" python3 suite.py "http://localhost:$PORT/" "$N"; }
  report "  do-nothing relay, no fence" "$delay" "$(pair)" 0 0
  kill "$FLOOR_PID"; wait "$FLOOR_PID" 2>/dev/null || true
  curl_loop() { for i in $(seq 1 "$N"); do curl -sf "$1" >/dev/null || return 1; done; }
  export -f curl_loop
  bare_cmd() { timed bash -c "curl_loop http://127.0.0.1:$PORT/"; }
  fenced_cmd() { timed "${REPLAY[@]}" -- bash -c "curl_loop http://bench.test:$PORT/"; }
  report "curl process per fetch x$N" "$delay" "$(pair)"
  kill "$SRV"; wait "$SRV" 2>/dev/null || true
done
echo
echo "overhead = (replay - setup - bare) / bare, wall and cpu (user+sys) alike; target <= 5% (wall)"
echo "the do-nothing relay rows: (relayed - bare) / bare, with no fence and so no setup"
echo "bare and replay rounds alternate; each figure is the median of $ROUNDS"
