#!/usr/bin/env bash
# Why netmap trails the minimal responder more under the harness's spinners than without them:
# netmap and ../shared/bench/dns/ceiling.c's responder, alternately, under its sendmmsg blaster
# (window 256, 100k distinct blocked names), server on CPU 0 and load on CPU 1, in a private
# network namespace (root). With SPIN=1 a SCHED_IDLE busy loop runs on both CPUs, as in
# run-anchors.sh. Per run: queries per fully used server core, how many times the load generator
# was woken per 1000 answers (each such wake-up is a cross-CPU wake paid inside the server's
# sendmmsg), and the mean number of answers the generator found per recvmmsg.
#   bash bench/dns-wakeups.sh [NETMAP]       # 3 rounds of 3 s, with spinners; ~1 min
# Environment: ROUNDS (3), DUR (3), SPIN (1), CEILING_C (the blaster's source).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETMAP=$(realpath "${1:-$HERE/../build/tools/netmap/netmap}")
CEILING_C=${CEILING_C:-$HERE/../../shared/bench/dns/ceiling.c}
ROUNDS=${ROUNDS:-3} DUR=${DUR:-3} SPIN=${SPIN:-1}
[ "$(id -u)" = 0 ] || { echo "dns-wakeups: needs root (a network namespace, perf tracepoints)" >&2; exit 2; }
[ -f "$CEILING_C" ] || { echo "dns-wakeups: no blaster source at $CEILING_C (set CEILING_C)" >&2; exit 2; }
command -v perf >/dev/null || { echo "dns-wakeups: needs perf (linux-perf)" >&2; exit 2; }
[ "${2:-}" = inner ] || exec unshare -n bash "$0" "$NETMAP" inner
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-wakeups.XXXXXX")
spinners=()
cleanup() { for p in "${spinners[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
cc -O2 -o "$T/ceiling" "$CEILING_C"
python3 - "$T/blocked.txt" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    for _ in range(100000):
        label = "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(4, 12)))
        f.write("%s.%s.example.org A\n" % (label, random.choice(["cdn", "api", "www", "static"])))
PY
printf 'allow:\n  - "registry.npmjs.org"\n  - "**.pypi.org"\n' >"$T/policy.yaml"
ip link set lo up
if [ "$SPIN" = 1 ]; then
  for c in 0 1; do chrt -i 0 taskset -c "$c" sh -c 'while :; do :; done' & spinners+=($!); done
fi
run() { # SERVER: one run; prints "qps/core wakeups-per-1000 answers-per-read"
  if [ "$1" = netmap ]; then
    taskset -c 0 "$NETMAP" sandbox-dns --policy "$T/policy.yaml" --listen 127.0.0.1:5321 --upstream 127.0.0.1:9 \
      >/dev/null 2>&1 & 
  else
    taskset -c 0 "$T/ceiling" serve 127.0.0.1 5321 &
  fi
  local p=$! s0 s1 out qps
  sleep 0.4
  s0=$(awk '{print $14 + $15}' "/proc/$p/stat")
  perf record -q -a -e sched:sched_wakeup -e syscalls:sys_exit_recvmmsg -o "$T/trace" -- \
    taskset -c 1 "$T/ceiling" blast 127.0.0.1 5321 "$DUR" 256 "$T/blocked.txt" >"$T/out" 2>/dev/null
  s1=$(awk '{print $14 + $15}' "/proc/$p/stat")
  kill "$p"; wait "$p" 2>/dev/null || true
  out=$(cat "$T/out"); qps=${out#*= }; qps=${qps%% qps*}
  # The generator is the process other than the server that read the most answers.
  perf script -i "$T/trace" -F comm,pid,event,trace 2>/dev/null | awk -v q="$qps" -v d="$DUR" -v srv="$p" '
    /sys_exit_recvmmsg/ && $2 != srv { r = $NF + 0; if (r > 0 && r <= 1024) { n[$2]++; got[$2] += r } }
    /sched_wakeup/ { for (i = 1; i <= NF; i++) if ($i ~ /^pid=/) { split($i, a, "="); woken[a[2]]++ } }
    END { for (g in n) if (!gen || n[g] > n[gen]) gen = g
          printf "%.2f %.1f\n", woken[gen] * 1000 / (q * d), n[gen] ? got[gen] / n[gen] : 0 }' >"$T/w"
  read -r wk per <"$T/w"
  echo "$(( qps * 100 * DUR / (s1 - s0 > 0 ? s1 - s0 : 1) )) $wk $per"
}
printf '%-8s %12s %22s %18s\n' server qps/core "generator wake-ups/1k" answers/recvmmsg
for r in $(seq "$ROUNDS"); do
  for s in netmap ceiling; do
    read -r v wk per < <(run "$s")
    printf '%-8s %12s %22s %18s\n' "$s" "$v" "$wk" "$per"
    echo "$s $v $wk $per" >>"$T/all"
  done
done
for s in netmap ceiling; do
  printf '%-8s median %s qps/core, %s wake-ups/1k\n' "$s" \
    "$(awk -v s="$s" '$1 == s {print $2}' "$T/all" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')" \
    "$(awk -v s="$s" '$1 == s {print $3}' "$T/all" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
done
