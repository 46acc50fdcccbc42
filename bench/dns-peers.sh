#!/usr/bin/env bash
# netmap sandbox-dns side by side with unbound and dnsmasq (and the minimal NXDOMAIN responder),
# in one run of ../shared/bench/dns/run-anchors.sh: same allowlist, same upstream, server pinned
# to CPU 0, load (dnsperf, and ceiling.c's sendmmsg blaster with BLAST=1) on CPU 1, in a private
# network namespace. Prints the harness's table, then netmap's qps/core over each peer's (the
# ratios the targets are stated in); figures go to docs/performance.md.
#   bash bench/dns-peers.sh                       # blocked, allowed, mix, unique; ~6 min
#   THREADS=2 SRV_CPU=0,1 bash bench/dns-peers.sh # --threads scaling (server on both cores)
# Environment: NETMAP (binary; default build/tools/netmap/netmap), ANCHORS (run-anchors.sh),
# plus everything run-anchors.sh reads (DUR, REPS, WORKLOADS, BLAST, LAT_QPS, SERVERS, KEEP…).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NETMAP=$(realpath "${NETMAP:-$ROOT/build/tools/netmap/netmap}")
ANCHORS=${ANCHORS:-$ROOT/../shared/bench/dns/run-anchors.sh}
[ -x "$NETMAP" ] || { echo "no netmap binary at $NETMAP (build it, or set NETMAP)" >&2; exit 2; }
[ -f "$ANCHORS" ] || { echo "no harness at $ANCHORS (set ANCHORS)" >&2; exit 2; }
export NETMAP
export SERVERS=${SERVERS:-"unbound dnsmasq ceiling"}
export WORKLOADS=${WORKLOADS:-"blocked allowed mix unique"}
export UNIQUE_N=${UNIQUE_N:-1500000}
export BLAST=${BLAST:-1}
export EXTRA_SERVER="netmap:5310:exec bash $HERE/dns-netmap-server.sh 5310 --threads ${THREADS:-1}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
bash "$ANCHORS" "$@" | tee "$out"
status=${PIPESTATUS[0]}
set -e
# The ratios the targets are stated in: netmap's queries per second per core over each peer's,
# per workload and load generator, from the harness's table (qps/core is its ninth column).
awk '$3 ~ /^[0-9]+$/ && $9 ~ /^[0-9]+$/ {
       server = $1; load = "dnsperf"
       if (sub(/\(blaster\)$/, "", server)) load = "blaster"
       qpc[server, $2, load] = $9; if (!(server in seen)) { seen[server] = 1; order[++n] = server }
       if (!(($2, load) in rows)) { rows[$2, load] = 1; row[++m] = $2 SUBSEP load } }
     END {
       if (!(("netmap") in seen)) exit
       printf "\n== netmap qps/core over each peer'"'"'s, same run\n%-10s %-8s", "workload", "load"
       for (i = 1; i <= n; i++) if (order[i] != "netmap") printf " %10s", order[i]
       printf "\n"
       for (j = 1; j <= m; j++) {
         split(row[j], k, SUBSEP); if (!(("netmap", k[1], k[2]) in qpc)) continue
         printf "%-10s %-8s", k[1], k[2]
         for (i = 1; i <= n; i++) {
           s = order[i]; if (s == "netmap") continue
           if ((s, k[1], k[2]) in qpc && qpc[s, k[1], k[2]] > 0) printf " %9.2fx", qpc["netmap", k[1], k[2]] / qpc[s, k[1], k[2]]
           else printf " %10s", "-"
         }
         printf "\n"
       } }' "$out"
exit "$status"
