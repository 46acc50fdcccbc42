#!/usr/bin/env bash
# Tail latency of sandbox-dns, unbound and the minimal NXDOMAIN responder measured over the same
# seconds: they all serve at once on CPU 0, and bench/dns_pace.c on CPU 1 sends a fixed total rate
# that takes turns between them (same names in the same order, who goes first shuffled each
# turn). The VM's stalls then land on every server alike, which separate runs one after the
# other cannot promise (bench/dns-latency.sh: one 2 s run's p99 moves 2x from run to run).
# Root; private network namespace; allowlist, upstream data and questions are built the way
# ../shared/bench/dns/run-anchors.sh builds them (71 entries, 100k blocked names, 980 allowed).
#   bash bench/dns-latency-paired.sh                  # 5 rounds of 10 s, blocked and allowed; ~2 min
#   QPS=60000 bash bench/dns-latency-paired.sh        # a heavier load (the total, shared)
#   SPIN=1 bash bench/dns-latency-paired.sh           # a SCHED_IDLE busy loop on the servers' CPU
#   HOG=1 bash bench/dns-latency-paired.sh            # an ordinary busy loop there: a build's compiler
#   NETMAP_B=/tmp/old/netmap bash bench/dns-latency-paired.sh   # a second build beside the first
# Environment: NETMAP (binary), NETMAP_B (a second one, shown as netmap-b), ROUNDS (5), DUR (10 s),
# QPS (15000 in all), SPIN (0), HOG (0), WORKLOADS ("blocked allowed"), CEILING_C (the responder's source),
# SRV_CPU (0), LOAD_CPU (1), KEEP (1: keep the work directory, with every answer's send time and
# latency in answers.ROUND.WORKLOAD).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NETMAP=$(realpath "${NETMAP:-$ROOT/build/tools/netmap/netmap}")
CEILING_C=${CEILING_C:-$ROOT/../shared/bench/dns/ceiling.c}
ROUNDS=${ROUNDS:-5} DUR=${DUR:-10} QPS=${QPS:-15000} SPIN=${SPIN:-0} HOG=${HOG:-0}
WORKLOADS=${WORKLOADS:-"blocked allowed"} SRV_CPU=${SRV_CPU:-0} LOAD_CPU=${LOAD_CPU:-1}
[ "$(id -u)" = 0 ] || { echo "dns-latency-paired: needs root (a network namespace)" >&2; exit 2; }
[ -x "$NETMAP" ] || { echo "dns-latency-paired: no netmap binary at $NETMAP (build it, or set NETMAP)" >&2; exit 2; }
[ -f "$CEILING_C" ] || { echo "dns-latency-paired: no responder source at $CEILING_C (set CEILING_C)" >&2; exit 2; }
for b in unbound dnsmasq dig cc; do
  command -v "$b" >/dev/null || { echo "dns-latency-paired: needs $b (apt-get install unbound dnsmasq-base bind9-dnsutils gcc)" >&2; exit 2; }
done
[ "${1:-}" = inner ] || exec unshare -n env NETMAP="$NETMAP" bash "$0" inner
ip link set lo up

T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-dns-paired.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$T/dns_pace" "$HERE/dns_pace.c"
cc -O2 -o "$T/ceiling" "$CEILING_C"

# The allowlist: 35 exact names and 35 suffixes under the reserved .example TLD.
for i in $(seq -w 1 35); do echo "api.pkg$i.example"; done >"$T/exact"
for i in $(seq -w 1 35); do echo "cdn$i.example"; done >"$T/suffix"
{ sed 's/^/*./' "$T/suffix"; cat "$T/exact"; } >"$T/allowlist"
# Allowed questions: every exact name and 13 hosts under every suffix, A and AAAA, shuffled.
awk 'BEGIN {srand(11)} FILENAME ~ /exact/ {n[++k] = $1} FILENAME ~ /suffix/ {for (j = 1; j <= 13; j++) n[++k] = "h" j "." $1}
     END {for (i = 1; i <= k; i++) {q[++m] = n[i] " A"; q[++m] = n[i] " AAAA"}
          for (i = m; i > 1; i--) {j = 1 + int(rand() * i); t = q[i]; q[i] = q[j]; q[j] = t}
          for (i = 1; i <= m; i++) print q[i]}' "$T/exact" "$T/suffix" >"$T/allowed"
# Blocked questions: 100k random names, a tenth of them near misses of the allowlist.
awk 'function r(  s, l, j) {l = 5 + int(rand() * 8); s = ""; for (j = 0; j < l; j++) s = s substr("abcdefghijklmnopqrstuvwxyz0123456789", 1 + int(rand() * 36), 1); return s}
     BEGIN {srand(7); split("com net org io dev example", tld, " ")
            for (i = 0; i < 100000; i++) {u = rand(); nn = sprintf("%02d", 1 + int(rand() * 35))
              if (u < 0.05) name = r() ".pkg" nn ".example"; else if (u < 0.10) name = r() ".x" r() "cdn" nn ".example"
              else name = r() "." r() "." tld[1 + int(rand() * 6)]
              print name (rand() < 0.7 ? " A" : " AAAA")}}' >"$T/blocked"

# The upstream: data for allowed names; any other name "exists", so a leak would show as NOERROR.
{
  echo "port=5399"; echo "listen-address=127.0.0.1"; echo "bind-interfaces"; echo "no-resolv"; echo "no-hosts"
  echo "local-ttl=3600"; echo "cache-size=0"; echo "user=root"; echo "pid-file="
  i=0; while read -r n; do i=$((i + 1)); echo "host-record=$n,192.0.2.$i,2001:db8::$i"; done <"$T/exact"
  i=0; while read -r n; do i=$((i + 1)); echo "address=/$n/198.51.100.$i"; echo "address=/$n/2001:db8:1::$i"; done <"$T/suffix"
  echo "address=/#/198.18.0.1"; echo "address=/#/2001:db8:ffff::1"
} >"$T/upstream.conf"
mkdir -p "$T/unbound"
{
  echo "server:"; echo "  interface: 127.0.0.1@5302"; echo "  port: 5302"; echo "  do-ip6: no"; echo "  num-threads: 1"
  echo "  username: \"\""; echo "  chroot: \"\""; echo "  directory: \"$T/unbound\""; echo "  pidfile: \"\""
  echo "  use-syslog: no"; echo "  verbosity: 0"; echo "  do-not-query-localhost: no"
  echo "  msg-cache-size: 64m"; echo "  rrset-cache-size: 128m"; echo "  module-config: \"iterator\""
  echo "  local-zone: \".\" always_nxdomain"
  cat "$T/exact" "$T/suffix" | sed 's|.*|  local-zone: "&." transparent|'
  echo "forward-zone:"; echo "  name: \".\""; echo "  forward-addr: 127.0.0.1@5399"
} >"$T/unbound/unbound.conf"

start() { # CPU CMD...: runs CMD pinned to CPU in the background
  local cpu=$1; shift
  taskset -c "$cpu" "$@" >>"$T/servers.log" 2>&1 &
  PIDS+=($!)
}
ready() { # PORT NAME: waits until the server answers
  for _ in $(seq 100); do
    dig +tries=1 +time=1 -p "$1" @127.0.0.1 ready.probe.example A >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "dns-latency-paired: $2 did not come up on port $1 (log: $(tail -3 "$T/servers.log"))" >&2
  exit 1
}
start "$LOAD_CPU" dnsmasq -k -C "$T/upstream.conf"
ready 5399 upstream
declare -A PID
start "$SRV_CPU" unbound -d -c "$T/unbound/unbound.conf"; PID[unbound]=$!
start "$SRV_CPU" env ALLOWLIST="$T/allowlist" UPSTREAM=127.0.0.1:5399 NETMAP="$NETMAP" bash "$HERE/dns-netmap-server.sh" 5310
PID[netmap]=$!
PORTS="5302 5310 5309" NAMES="unbound netmap responder"
if [ -n "${NETMAP_B:-}" ]; then # a second build, to A/B two versions of netmap in the same seconds
  start "$SRV_CPU" env ALLOWLIST="$T/allowlist" UPSTREAM=127.0.0.1:5399 NETMAP="$(realpath "$NETMAP_B")" bash "$HERE/dns-netmap-server.sh" 5311
  PID[netmap-b]=$!
  PORTS="$PORTS 5311" NAMES="$NAMES netmap-b"
fi
start "$SRV_CPU" "$T/ceiling" serve 127.0.0.1 5309; PID[responder]=$!
ready 5302 unbound; ready 5310 netmap; ready 5309 responder
[ -n "${NETMAP_B:-}" ] && ready 5311 netmap-b
[ "$SPIN" = 1 ] && start "$SRV_CPU" chrt -i 0 sh -c 'while :; do :; done'
[ "$HOG" = 1 ] && start "$SRV_CPU" sh -c 'while :; do :; done' # competes as an equal, like a compiler

# Warm the caches: every allowed question reaches every server at least three times.
taskset -c "$LOAD_CPU" "$T/dns_pace" 4000 3 "$T/allowed" $PORTS >/dev/null # word splitting wanted: one argument a port

label() { case $1 in 5302) echo unbound ;; 5310) echo netmap ;; 5311) echo netmap-b ;; 5309) echo responder ;; esac; }
# CPU time of a server in ns, summed over its threads: the scheduler's own count (schedstat),
# not the tick-sampled one of /proc/PID/stat, which charges a whole tick to whoever it interrupts.
cpu_ns() { cat /proc/"${PID[$1]}"/task/*/schedstat | awk '{s += $1} END {printf "%.0f", s}'; }
for r in $(seq "$ROUNDS"); do
  for wl in $WORKLOADS; do
    declare -A t0; for s in $NAMES; do t0[$s]=$(cpu_ns "$s"); done
    DNS_PACE_DUMP=$([ "${KEEP:-0}" = 1 ] && echo "$T/answers.$r.$wl") DNS_PACE_HIST="$T/hist.$r.$wl" \
      taskset -c "$LOAD_CPU" "$T/dns_pace" "$QPS" "$DUR" "$T/$wl" $PORTS >"$T/out"
    while read -r port rest; do
      s=$(label "$port")
      # the server's CPU per answered query, in µs: what decides who runs first after a stall
      echo "$r $wl $s $rest cpu_us $(awk -v a="${t0[$s]}" -v b="$(cpu_ns "$s")" -v n="$(echo "$rest" | awk '{print $4}')" \
        'BEGIN {printf "%.2f", n ? (b - a) / 1e3 / n : 0}')"
    done <"$T/out" >>"$T/rounds"
  done
  echo "# round $r done" >&2
done

echo "# $(date -u +%FT%TZ) $(nproc) cores; $ROUNDS rounds of $DUR s; $QPS qps in all, shared equally by $(echo $NAMES | wc -w) servers"
echo "# taking turns (bench/dns_pace.c); SPIN=$SPIN HOG=$HOG; netmap $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# percentiles in µs over every answer of every round; cpu/q: the server's CPU µs per answer (median of rounds)"
printf '%-9s %-10s %8s %5s %6s %6s %6s %6s %7s   %s\n' workload server answered lost "cpu/q" p50 p90 p99 p99.9 "p99 of each round"
for wl in $WORKLOADS; do
  # rounds file: ROUND WORKLOAD SERVER sent N answered N lost N ... us p50 p90 p99 p999 max cpu_us X
  for s in $NAMES; do
    port=$(for p in $PORTS; do if [ "$(label "$p")" = "$s" ]; then echo "$p"; fi; done)
    pooled=$(cat "$T"/hist.*."$wl" | awk -v port="$port" '$1 == port {c[$2] += $3; n += $3}
      END {k = 0; for (us in c) v[++k] = us + 0
           for (i = 2; i <= k; i++) { t = v[i]; for (j = i - 1; j > 0 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
           split("0.5 0.9 0.99 0.999", q, " "); acc = 0; qi = 1
           for (i = 1; i <= k && qi <= 4; i++) { acc += c[v[i]]; while (qi <= 4 && acc >= q[qi] * n) { out = out sprintf(" %6d", v[i]); qi++ } }
           print out}')
    awk -v wl="$wl" -v s="$s" -v pooled="$pooled" '$2 == wl && $3 == s {n++; ans += $7; lost += $9; cpu[n] = $23; all = all " " $19}
      END {for (i = 2; i <= n; i++) { t = cpu[i]; for (j = i - 1; j > 0 && cpu[j] > t; j--) cpu[j + 1] = cpu[j]; cpu[j + 1] = t }
           printf "%-9s %-10s %8d %5d %6.2f %s   %s\n", wl, s, ans, lost, (n % 2) ? cpu[(n + 1) / 2] : (cpu[n / 2] + cpu[n / 2 + 1]) / 2, pooled, all}' "$T/rounds"
  done
done
# Per round, in the same seconds: how often one server's p99 was at or under another's.
awk '{p99[$1 " " $2 " " $3] = $19; wls[$2] = 1; r[$1] = 1}
     END {np = split("netmap:unbound netmap-b:unbound netmap-b:netmap", pairs, " ")
          for (w in wls) for (i = 1; i <= np; i++) {split(pairs[i], ab, ":"); le = 0; n = 0
            for (x in r) if ((x " " w " " ab[1]) in p99 && (x " " w " " ab[2]) in p99) {n++; le += p99[x " " w " " ab[1]] <= p99[x " " w " " ab[2]]}
            if (n) printf "# %s: %s p99 <= %s p99 in %d of %d rounds\n", w, ab[1], ab[2], le, n}}' "$T/rounds"
