#!/usr/bin/env bash
# The price of an epoll registration on a UDP responder's socket: bench/udp_epoll_cost.c in its
# plain and epoll modes, alternately, against ../shared/bench/dns/ceiling.c's sendmmsg blaster
# (window 256), responder on CPU 0 and load on CPU 1, in a private network namespace (root).
# Prints queries per fully used responder core for each run, then the medians.
#   bash bench/dns-epoll-cost.sh            # 3 rounds of 3 s each; ~20 s
# Environment: ROUNDS (3), DUR (3), CEILING_C (the blaster's source).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CEILING_C=${CEILING_C:-$HERE/../../shared/bench/dns/ceiling.c}
ROUNDS=${ROUNDS:-3} DUR=${DUR:-3}
[ "$(id -u)" = 0 ] || { echo "dns-epoll-cost: needs root (a network namespace, forced socket buffers)" >&2; exit 2; }
[ -f "$CEILING_C" ] || { echo "dns-epoll-cost: no blaster source at $CEILING_C (set CEILING_C)" >&2; exit 2; }
[ "${1:-}" = inner ] || exec unshare -n bash "$0" inner
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-epoll-cost.XXXXXX")
trap 'rm -rf "$T"' EXIT
cc -O2 -o "$T/responder" "$HERE/udp_epoll_cost.c"
cc -O2 -o "$T/ceiling" "$CEILING_C"
ip link set lo up
run() { # MODE: one run; prints qps per responder core
  taskset -c 0 "$T/responder" "$1" 127.0.0.1 5320 & local p=$!
  sleep 0.3
  local s0 s1 out
  s0=$(awk '{print $14 + $15}' "/proc/$p/stat")
  out=$(taskset -c 1 "$T/ceiling" blast 127.0.0.1 5320 "$DUR" 256)
  s1=$(awk '{print $14 + $15}' "/proc/$p/stat")
  kill "$p"; wait "$p" 2>/dev/null || true
  local qps=${out#*= }; qps=${qps%% qps*}
  echo $(( qps * 100 * DUR / (s1 - s0 > 0 ? s1 - s0 : 1) ))
}
for r in $(seq "$ROUNDS"); do
  for m in plain epoll; do v=$(run "$m"); echo "$m $v"; echo "$m $v" >>"$T/all"; done
done
for m in plain epoll; do
  printf '%-6s median %s qps/core\n' "$m" "$(awk -v m="$m" '$1 == m {print $2}' "$T/all" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
done
