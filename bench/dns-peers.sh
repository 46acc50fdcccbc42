#!/usr/bin/env bash
# netmap sandbox-dns side by side with unbound and dnsmasq (and the minimal NXDOMAIN responder),
# in one run of ../shared/bench/dns/run-anchors.sh: same allowlist, same upstream, server pinned
# to CPU 0, load (dnsperf, and ceiling.c's sendmmsg blaster with BLAST=1) on CPU 1, in a private
# network namespace. Prints the harness's table; figures go to docs/performance.md.
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
exec bash "$ANCHORS" "$@"
