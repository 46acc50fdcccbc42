#!/usr/bin/env bash
# Fails closed and fast: an upstream that refuses (nobody listens) or never answers becomes
# SERVFAIL with EDE 22, counted and logged; one slow upstream never holds up other queries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"

start_upstream
# A port nobody listens on: ICMP port unreachable comes back at once.
dead=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_netmap --upstream "127.0.0.1:$dead" --allow www.example.com --log "$T/q.jsonl"
t0=$(date +%s%N)
out=$(q www.example.com A)
t1=$(date +%s%N)
grep -q "status: SERVFAIL" <<<"$out" || fail "dead upstream must give SERVFAIL: $out"
grep -q "EDE: 22" <<<"$out" || fail "SERVFAIL carries EDE 22: $out"
[ $(( (t1 - t0) / 1000000 )) -lt 500 ] || fail "SERVFAIL for a refusing upstream took $(( (t1 - t0) / 1000000 )) ms"
stop_netmap TERM
grep -q "upstream errors [1-9]" "$T/nm.out" || fail "upstream error counter"
grep -q '"rcode":"SERVFAIL"' "$T/q.jsonl" || fail "SERVFAIL not logged"

# A black hole: a socket that reads queries and never answers. With --timeout 300 the client gets
# SERVFAIL after about 300 ms, while queries for other names (cached or blocked) are answered meanwhile.
python3 - >"$T/hole.port" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
end = time.time() + 30
s.settimeout(1)
while time.time() < end:
    try: s.recv(4096)
    except socket.timeout: pass
PY
HOLE_PID=$!
for i in $(seq 1 50); do [ -s "$T/hole.port" ] && break; sleep 0.1; done
hole=$(cat "$T/hole.port")
start_netmap --upstream "127.0.0.1:$hole" --allow www.example.com --allow slow.example.com --timeout 300
( q slow.example.com A >"$T/slow.out" ) &
SLOW_PID=$!
sleep 0.05
t0=$(date +%s%N)
q blocked.example.org A | grep -q "status: NXDOMAIN" || fail "blocked answer while an upstream is slow"
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 200 ] || fail "a slow upstream held up an unrelated query ($(( (t1 - t0) / 1000000 )) ms)"
wait "$SLOW_PID"
grep -q "status: SERVFAIL" "$T/slow.out" || fail "timeout must give SERVFAIL: $(cat "$T/slow.out")"
grep -Eq "Query time: [0-9]{3} msec" "$T/slow.out" || fail "timeout SERVFAIL not near 300 ms: $(grep 'Query time' "$T/slow.out")"
stop_netmap TERM
kill "$HOLE_PID" 2>/dev/null

# Two upstreams, the first dead: the second answers.
start_netmap --upstream "127.0.0.1:$dead" --upstream "127.0.0.1:$UP_PORT" --allow www.example.com --timeout 500
for i in 1 2 3 4; do q "www.example.com" A +norecurse >/dev/null; done
out=$(q www.example.com A); grep -q "192.0.2.1" <<<"$out" || fail "failover to the second upstream: $out $(cat "$T/nm.err")"
stop_netmap TERM

# The upstream may not be the resolver itself.
run sandbox-dns --listen 127.0.0.1:5391 --upstream 127.0.0.1:5391 --allow x.example
expect_rc 2 "upstream is itself"
expect_err "is this resolver itself" "upstream is itself"
finish
