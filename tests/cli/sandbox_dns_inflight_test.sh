#!/usr/bin/env bash
# A flood of never-cached allowed names at an upstream that never answers: the resolver waits on
# at most 16 384 of them per worker and answers the rest SERVFAIL (EDE 22, "too many queries in
# flight") at once, rather than holding them, or giving one query another's upstream ID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"

# A black hole: bound, never read, so nothing comes back (not even port unreachable).
python3 - >"$T/hole.port" <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(60)
PY
HOLE_PID=$!
for i in $(seq 1 50); do [ -s "$T/hole.port" ] && break; sleep 0.1; done
start_netmap --upstream "127.0.0.1:$(cat "$T/hole.port")" --allow '**.ok.test' --timeout 30000

# 16 384 + 600 distinct names, in paced batches so the resolver's socket buffer never overflows;
# then count what came back within 3 s: only the queries past the limit are answered by then.
python3 - "$PORT" >"$T/count" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
def query(i):
    name = b"".join(bytes([len(l)]) + l for l in (b"q%d" % i, b"ok", b"test")) + b"\0"
    return struct.pack(">HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 1) + name + struct.pack(">HH", 1, 1) \
        + b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
for start in range(0, 16384 + 600, 256):
    for i in range(start, min(start + 256, 16384 + 600)):
        s.sendto(query(i), ("127.0.0.1", port))
    time.sleep(0.005)
s.settimeout(0.5)
servfail = other = flight = 0
end = time.time() + 3
while time.time() < end:
    try:
        m = s.recv(4096)
    except socket.timeout:
        continue
    if m[3] & 15 == 2:
        servfail += 1
        flight += b"too many queries in flight" in m
    else:
        other += 1
print(servfail, flight, other)
PY
read -r servfail flight other <"$T/count"
[ "$other" = 0 ] || fail "$other answers other than SERVFAIL from an upstream that never answers"
[ "$servfail" = "$flight" ] || fail "$servfail SERVFAIL, only $flight of them for too many queries in flight"
# Past the limit: 600 sent (a few may be lost to a full socket buffer, never more answered).
[ "$flight" -ge 400 ] && [ "$flight" -le 600 ] || fail "expected about 600 answered at once past the limit, got $flight"
kill "$HOLE_PID" 2>/dev/null
stop_netmap TERM
grep -q "upstream errors [1-9]" "$T/nm.out" || fail "the refusals count as upstream errors: $(cat "$T/nm.out" | tail -3)"
finish
