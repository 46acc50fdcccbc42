#!/usr/bin/env bash
# Live capture under load, loopback only: a flood of small UDP datagrams (bulk the kernel filter
# leaves behind) plus N DNS lookups of unique names, while `tcpdump -i lo -w` and
# `netmap discover -i lo` capture side by side. Reports each one's kernel drops and how many of the
# N names netmap found. Needs root. Usage: bench/discover-live-load.sh [BUILD_DIR]
# (env: NAMES=2000 FLOOD_SECS=10 FLOODERS=2 NETMAP_ARGS="--no-kernel-filter --buffer 2"). Bounded in time and count; never leaves loopback.
set -euo pipefail
BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build}
NETMAP=${NETMAP:-$BUILD/tools/netmap/netmap}
NAMES=${NAMES:-2000}
FLOOD_SECS=${FLOOD_SECS:-10}
FLOODERS=${FLOODERS:-2}
W=$(mktemp -d /tmp/netmap-live-load.XXXXXX)
# `|| true`: under set -e a failing kill (no jobs left) would end the trap before the rm.
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
[ "$(id -u)" -eq 0 ] || { echo "needs root (live capture)" >&2; exit 2; }

cat >"$W/load.py" <<'PY'
import socket, struct, sys, time
mode = sys.argv[1]
if mode == "flood":          # small UDP datagrams to a port nobody reads, for FLOOD_SECS
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.time() + float(sys.argv[2]); n = 0; payload = b"\x40" * 64   # looks like QUIC short header
    while time.time() < end:
        for _ in range(1000):
            try: s.sendto(payload, ("127.0.0.1", 9))
            except OSError: pass
        n += 1000
    print(n)
elif mode == "names":        # N DNS queries for unique names, spread over the flood
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    n, secs = int(sys.argv[2]), float(sys.argv[3])
    for i in range(n):
        name = f"load{i}.live-load.test"
        q = struct.pack("!HHHHHH", i & 0xffff, 0x0100, 1, 0, 0, 0)
        q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
        s.sendto(q, ("127.0.0.153", 53))
        time.sleep(secs / n)
PY

tcpdump -i lo -w "$W/tcpdump.pcap" -B 2048 >"$W/tcpdump.log" 2>&1 &
td=$!
"$NETMAP" discover -i lo ${NETMAP_ARGS:-} --json -o "$W/inv.json" --allow '**.live-load.test' >/dev/null 2>"$W/netmap.log" &
nm=$!
sleep 1
for _ in $(seq "$FLOODERS"); do python3 "$W/load.py" flood "$FLOOD_SECS" >>"$W/flood.count" & done
python3 "$W/load.py" names "$NAMES" "$FLOOD_SECS"
wait $(jobs -p | grep -v -e "^$td\$" -e "^$nm\$") 2>/dev/null || true
sleep 1
kill -INT "$nm"
wait "$nm" || { echo "netmap failed:" >&2; cat "$W/netmap.log" >&2; exit 1; }
kill -INT "$td"; wait "$td" || true
sent=$(awk '{s+=$1} END {print s}' "$W/flood.count")
python3 - "$W" "$NAMES" "$sent" <<'PY'
import json, re, sys
w, names, sent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
inv = json.load(open(f"{w}/inv.json"))
found = sum(1 for d in inv["domains"] if d["name"].endswith(".live-load.test"))
log = open(f"{w}/tcpdump.log").read()
td_drop = int(re.search(r"(\d+) packets? dropped by kernel", log).group(1))
td_recv = int(re.search(r"(\d+) packets? received by filter", log).group(1))
st = inv["stats"]
print(f"flood datagrams sent: {sent}; DNS names sent: {names}")
print(f"tcpdump -w: {td_recv} received by filter, {td_drop} dropped by kernel ({100*td_drop/max(td_recv,1):.1f}%)")
print(f"netmap:     {st.get('received',0)} received by filter, {st.get('dropped_kernel',0)} dropped by kernel, "
      f"{found}/{names} names found, names_maybe_lost={st.get('names_maybe_lost',0)}")
PY
