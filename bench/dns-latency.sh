#!/usr/bin/env bash
# Tail latency of sandbox-dns next to unbound and the minimal responder at equal load: ROUNDS
# runs of ../shared/bench/dns/run-anchors.sh (via dns-peers.sh), each with its fixed-rate dnsperf
# run (LAT_QPS, LAT_DUR s, per-query latencies), then the median over the rounds of each
# percentile. One 2 s run's p99 moves by 2x between runs on a shared VM, for every server alike
# (the responder included); the median of several alternating rounds is what can be compared.
#   bash bench/dns-latency.sh                 # 5 rounds, blocked and allowed, ~5 min
# Environment: ROUNDS (5), LAT_QPS (10000), LAT_DUR (4), WORKLOADS ("blocked allowed"),
# SERVERS ("unbound ceiling"), NETMAP, plus what dns-peers.sh and run-anchors.sh read.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=${ROUNDS:-5}
export LAT_QPS=${LAT_QPS:-10000} LAT_DUR=${LAT_DUR:-4}
export WORKLOADS=${WORKLOADS:-"blocked allowed"} SERVERS=${SERVERS:-"unbound ceiling"}
export DUR=${DUR:-1} REPS=1 BLAST=0
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-dns-latency.XXXXXX")
trap 'rm -rf "$T"' EXIT
for r in $(seq "$ROUNDS"); do
  bash "$HERE/dns-peers.sh" >"$T/round.$r.txt" 2>&1 || { tail -5 "$T/round.$r.txt" >&2; exit 1; }
  # rows of the results table: server workload ... p50/p90/p99/max ...
  awk '$1 !~ /\(/ {for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+\/[0-9]+\/[0-9]+$/) {print $1, $2, $i; break}}' \
    "$T/round.$r.txt" >>"$T/latency.txt"
  echo "# round $r done" >&2
done
echo "# $(date -u +%FT%TZ) $(nproc) cores; $ROUNDS rounds of dnsperf at $LAT_QPS qps for $LAT_DUR s; medians over rounds, µs"
printf '%-10s %-9s %6s %6s %6s %7s   %s\n' server workload p50 p90 p99 max "p99 of each round"
sort -k1,1 -k2,2 "$T/latency.txt" | awk '
  function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
                                   return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  function flush(   i, a50, a90, a99, amx, all) {
    if (!n) return
    for (i = 1; i <= n; i++) { a50[i] = p50[i]; a90[i] = p90[i]; a99[i] = p99[i]; amx[i] = mx[i]; all = all " " p99[i] }
    printf "%-10s %-9s %6.0f %6.0f %6.0f %7.0f  %s\n", srv, wl, med(a50, n), med(a90, n), med(a99, n), med(amx, n), all
    n = 0 }
  { if ($1 != srv || $2 != wl) { flush(); srv = $1; wl = $2 }
    split($3, f, "/"); n++; p50[n] = f[1]; p90[n] = f[2]; p99[n] = f[3]; mx[n] = f[4] }
  END { flush() }'
