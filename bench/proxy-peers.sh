#!/usr/bin/env bash
# The proxy side by side with squid and tinyproxy on the same loopback load (bench/proxy_load.c):
#   tunnels/s — CONC tunnels in flight, each CONNECT + 64-byte echo + close;
#   bytes/s   — STREAMS long tunnels reading from a byte source;
#   fetch µs  — FETCHES plain-HTTP GETs one after another, a new connection each, as a test suite
#               makes them: the median time per fetch, and what the proxy adds to a direct fetch.
#               The `floor` row is proxy_load's own one-thread blocking relay (no policy, no log,
#               fetch only): what any user-space hop adds, the part no proxy can remove.
# Every proxy allows only the destination `localhost` (squid: dstdomain ACL; tinyproxy: filter with
# FilterDefaultDeny; netmap: --allow localhost) and logs nothing. Prints a table and ratios.
# Usage: bench/proxy-peers.sh [SECONDS] [CONC] [STREAMS] [ROUNDS]   (env NETMAP=path/to/netmap, FETCHES=2000)
set -euo pipefail
SECS=${1:-5}
CONC=${2:-64}
STREAMS=${3:-4}
ROUNDS=${4:-3}
FETCHES=${FETCHES:-2000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NETMAP=${NETMAP:-$ROOT/build/tools/netmap/netmap}
[ -x "$NETMAP" ] || { echo "build netmap first (or set NETMAP)" >&2; exit 2; }
T=$(mktemp -d /tmp/netmap-proxy-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
[ -n "${KEEP_LOGS:-}" ] && trap 'cp "$T"/*.err "$KEEP_LOGS"/ 2>/dev/null; cleanup' EXIT
ulimit -n 65536 2>/dev/null || true

cc -O2 -Wall -o "$T/proxy_load" "$ROOT/bench/proxy_load.c"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

"$T/proxy_load" origin > "$T/origin.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/origin.port" ] && break; sleep 0.05; done
ORIGIN=$(cat "$T/origin.port")
TARGET="localhost:$ORIGIN"

declare -A PORT
PORT[netmap]=$(free_port)
"$NETMAP" proxy --listen "127.0.0.1:${PORT[netmap]}" --allow localhost --idle-timeout 60 >/dev/null 2>"$T/netmap.err" &
PIDS+=($!)
PORT[netmap-2t]=$(free_port)
"$NETMAP" proxy --listen "127.0.0.1:${PORT[netmap-2t]}" --allow localhost --threads 2 >/dev/null 2>"$T/netmap2.err" &
PIDS+=($!)

peers=(netmap netmap-2t)
if command -v squid >/dev/null; then
  PORT[squid]=$(free_port)
  mkdir -p "$T/squid" && chmod 777 "$T/squid"
  cat > "$T/squid.conf" <<CONF
http_port 127.0.0.1:${PORT[squid]}
acl client src 127.0.0.1/32
acl dest dstdomain localhost
http_access allow client dest
http_access deny all
cache deny all
access_log none
cache_log $T/squid/cache.log
pid_filename $T/squid/squid.pid
coredump_dir $T/squid
shutdown_lifetime 0 seconds
max_filedescriptors 65536
workers 1
CONF
  squid -N -f "$T/squid.conf" >/dev/null 2>&1 &
  PIDS+=($!)
  peers+=(squid)
fi
if command -v tinyproxy >/dev/null; then
  PORT[tinyproxy]=$(free_port)
  echo '^localhost$' > "$T/tinyproxy.filter"
  cat > "$T/tinyproxy.conf" <<CONF
Port ${PORT[tinyproxy]}
Listen 127.0.0.1
Timeout 60
MaxClients 1024
Allow 127.0.0.1
Filter "$T/tinyproxy.filter"
FilterExtended On
FilterDefaultDeny Yes
LogLevel Critical
CONF
  tinyproxy -d -c "$T/tinyproxy.conf" >/dev/null 2>&1 &
  PIDS+=($!)
  peers+=(tinyproxy)
fi
for p in "${peers[@]}"; do wait_port "${PORT[$p]}"; done
"$T/proxy_load" floor > "$T/floor.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/floor.port" ] && break; sleep 0.05; done
PORT[floor]=$(cat "$T/floor.port")

declare -A TUN BYT FET
run() { "$T/proxy_load" "$@" | awk '{print $1}'; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# The machine is shared: rounds interleave the proxies so that load swings hit all of them alike,
# and each figure is the median of its rounds.
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); $ROUNDS rounds of $SECS s; $CONC tunnels in flight; $STREAMS streams" >&2
# The fetches of a round come first and after a pause: a fetch run right after a bulk transfer
# through the same proxy measured netmap 30 µs slower for a second or so (2026-11-29), which
# would make the order of the phases part of the result.
for r in $(seq "$ROUNDS"); do
  sleep 2
  FET[direct]+=" $(run fetch 0 "127.0.0.1:$ORIGIN" "$FETCHES")"
  for p in "${peers[@]}" floor; do FET[$p]+=" $(run fetch "${PORT[$p]}" "$TARGET" "$FETCHES")"; done
  TUN[direct]+=" $(run tunnels 0 "127.0.0.1:$ORIGIN" "$CONC" "$SECS")"
  BYT[direct]+=" $(run bytes 0 "127.0.0.1:$ORIGIN" "$STREAMS" "$SECS")"
  for p in "${peers[@]}"; do
    TUN[$p]+=" $(run tunnels "${PORT[$p]}" "$TARGET" "$CONC" "$SECS")"
    BYT[$p]+=" $(run bytes "${PORT[$p]}" "$TARGET" "$STREAMS" "$SECS")"
  done
done
for p in direct "${peers[@]}"; do
  echo "# $p tunnels/s:${TUN[$p]}; bytes/s:${BYT[$p]}; fetch us:${FET[$p]}" >&2
  TUN[$p]=$(median <<<"${TUN[$p]}")
  BYT[$p]=$(median <<<"${BYT[$p]}")
  FET[$p]=$(median <<<"${FET[$p]}")
done
echo "# floor fetch us:${FET[floor]}" >&2
FET[floor]=$(median <<<"${FET[floor]}")

printf '%-12s %14s %14s %12s %12s\n' proxy tunnels/s MB/s fetch_us added_us
for p in direct "${peers[@]}"; do
  printf '%-12s %14s %14.1f %12.1f %12.1f\n' "$p" "${TUN[$p]}" "$(echo "${BYT[$p]} / 1000000" | bc -l)" \
    "${FET[$p]}" "$(echo "${FET[$p]} - ${FET[direct]}" | bc -l)"
done
printf '%-12s %14s %14s %12.1f %12.1f\n' floor - - "${FET[floor]}" "$(echo "${FET[floor]} - ${FET[direct]}" | bc -l)"
for peer in squid tinyproxy; do
  [ -n "${TUN[$peer]:-}" ] || continue
  for me in netmap netmap-2t; do
    printf 'ratio %s/%s: tunnels %.2fx, bytes %.2fx, fetch time added %.2fx\n' "$me" "$peer" \
      "$(echo "${TUN[$me]} / (${TUN[$peer]} + 0.001)" | bc -l)" "$(echo "${BYT[$me]} / (${BYT[$peer]} + 0.001)" | bc -l)" \
      "$(echo "(${FET[$me]} - ${FET[direct]}) / (${FET[$peer]} - ${FET[direct]} + 0.001)" | bc -l)"
  done
done
printf 'netmap over the floor relay: +%.1f us a fetch (the floor itself adds %.1f us to a direct fetch)\n' \
  "$(echo "${FET[netmap]} - ${FET[floor]}" | bc -l)" "$(echo "${FET[floor]} - ${FET[direct]}" | bc -l)"
