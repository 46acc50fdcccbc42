#!/usr/bin/env bash
# sandbox-dns memory over a long flood (issue 4: "memory flat over a 5-minute run"). In a private
# network namespace (only lo): a dnsmasq upstream answering every name (TTL 300), `netmap
# sandbox-dns` pinned to CPU 0, bench/dns_flood.c on CPU 1 sending never-repeated blocked names
# with ALLOWED_PCT % cached allowed ones, and the server's VmRSS sampled every STEP seconds.
# With PEERS=1, unbound (same allowlist: local-zone "." always_nxdomain + the allowed zone
# forwarded) is flooded the same way afterwards, for comparison.
#   bench/dns-memory.sh [NETMAP]          # DUR=300 STEP=10 ALLOWED_PCT=10 THREADS=1 PEERS=1
# Prints the samples and a verdict: growth from the first sample after WARM seconds to the end.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETMAP=$(realpath "${1:-${NETMAP:-$HERE/../build/tools/netmap/netmap}}")
DUR=${DUR:-300} STEP=${STEP:-10} WARM=${WARM:-30} ALLOWED_PCT=${ALLOWED_PCT:-10} THREADS=${THREADS:-1} PEERS=${PEERS:-1}
[ "$(id -u)" = 0 ] || { echo "run as root (unshare -n, pinned servers)" >&2; exit 1; }
[ -x "$NETMAP" ] || { echo "no netmap binary at $NETMAP" >&2; exit 2; }
if [ -z "${NETMAP_IN_NETNS:-}" ]; then
  export NETMAP DUR STEP WARM ALLOWED_PCT THREADS PEERS NETMAP_IN_NETNS=1
  exec unshare -n bash "$0" "$NETMAP"
fi
ip link set lo up
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-dns-memory.XXXXXX")
# `|| true`: under set -e a failing kill (no jobs left) would end the trap before the rm.
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$T"' EXIT
cc -O2 -o "$T/dns_flood" "$HERE/dns_flood.c"
dnsmasq --no-daemon --port=5399 --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
  --address=/#/198.18.0.1 --local-ttl=300 --cache-size=0 -q >/dev/null 2>&1 &
printf 'allow:\n  - "**.allowed.example"\n' >"$T/netmap.yaml"
cat >"$T/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@5311
  username: ""
  chroot: ""
  directory: "$T"
  pidfile: ""
  use-syslog: no
  do-daemonize: no
  num-threads: $THREADS
  do-not-query-localhost: no
  local-zone: "." always_nxdomain
  local-zone: "allowed.example." transparent
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@5399
CONF

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# flood NAME PORT PID: runs the flood for DUR seconds, printing RSS every STEP seconds.
flood() {
  local name=$1 port=$2 pid=$3
  taskset -c 1 "$T/dns_flood" 127.0.0.1 "$port" "$DUR" 256 "$ALLOWED_PCT" allowed.example >"$T/flood.out" &
  local fl=$! t=0 first=0 max=0 last=0 kb
  printf '%s: RSS (MiB) every %s s:' "$name" "$STEP"
  while kill -0 $fl 2>/dev/null; do
    sleep "$STEP"; t=$((t + STEP))
    kb=$(rss_kb "$pid"); [ "$kb" -gt 0 ] || continue
    awk -v k="$kb" 'BEGIN { printf " %.1f", k / 1024 }'
    [ $t -ge "$WARM" ] && [ "$first" = 0 ] && first=$kb
    [ "$kb" -gt "$max" ] && max=$kb
    last=$kb
  done
  wait $fl || true
  echo
  echo "$name: $(cat "$T/flood.out")"
  echo "$name: after ${WARM}s $((first / 1024)) MiB, max $((max / 1024)) MiB, end $((last / 1024)) MiB," \
    "growth after warm-up $(( (max - first) * 100 / (first > 0 ? first : 1) ))%"
}

taskset -c 0 "$NETMAP" sandbox-dns --policy "$T/netmap.yaml" --listen 127.0.0.1:5310 --upstream 127.0.0.1:5399 \
  --threads "$THREADS" >"$T/netmap.out" 2>&1 &
srv=$!
sleep 0.5
flood netmap 5310 $srv
kill -INT $srv; wait $srv 2>/dev/null || true
grep -E '^queries|^upstream' "$T/netmap.out" | sed 's/^/netmap: /'

if [ "$PEERS" = 1 ] && command -v unbound >/dev/null; then
  taskset -c 0 unbound -d -c "$T/unbound.conf" >"$T/unbound.out" 2>&1 &
  srv=$!
  sleep 1
  flood unbound 5311 $srv
  kill $srv; wait $srv 2>/dev/null || true
fi
