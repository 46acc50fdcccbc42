#!/usr/bin/env bash
# --rate-limit: a client above its queries per second gets no answers for the excess.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"

start_upstream
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow www.example.com --rate-limit 20
answered=$(python3 - "$PORT" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
q = struct.pack(">HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\7blocked\7example\3org\0\0\1\0\1"
for i in range(200): s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
n = 0
try:
    while True: s.recv(512); n += 1
except socket.timeout: pass
print(n)
PY
)
[ "$answered" -ge 15 ] && [ "$answered" -le 40 ] || fail "200 queries at once with --rate-limit 20 got $answered answers"
sleep 1.1
q www.example.com A | grep -q "status: NOERROR" || fail "the bucket refills"
stop_netmap TERM
grep -q "rate-limited 1[0-9][0-9]" "$T/nm.out" || fail "rate-limited counter: $(grep rate-limited "$T/nm.out")"
finish
