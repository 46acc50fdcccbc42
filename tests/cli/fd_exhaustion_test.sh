#!/usr/bin/env bash
# Out of file descriptors, the proxy and the resolver's TCP side stop accepting for a moment
# instead of spinning on a listener that stays readable, and serve again once fds are freed.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"

# clients PORT PAYLOAD_HEX CHECK: holds 40 connections (more than the server has fds for, each
# with the payload's first byte sent) for 2.5 s, closes them, then sends one request (PAYLOAD_HEX, raw) and prints the first line or the
# DNS rcode of the answer (CHECK = http | dns).
clients() {
  python3 - "$@" <<'PY'
import socket, struct, sys, time
port, payload, check = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3]
held = []
for _ in range(40):
    held.append(socket.create_connection(("127.0.0.1", port)))
    held[-1].sendall(payload[:1])  # a first byte: the proxy defers accepting silent connections
time.sleep(2.5)
for s in held:
    s.close()
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
s.sendall(payload)
r = s.recv(512)
print(r.split(b"\r\n")[0].decode() if check == "http" else "rcode %d" % (r[5] & 15))
PY
}

# cpu_ticks PID: user+system clock ticks the process used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# over_limit NAME PID: the server must sit idle while the clients hold more connections than it
# has fds (a spinning loop uses ~100 ticks a second).
over_limit() {
  sleep 1.2
  local t0 t1
  t0=$(cpu_ticks "$2")
  sleep 1
  t1=$(cpu_ticks "$2")
  [ $((t1 - t0)) -lt 30 ] || fail "$1 used $((t1 - t0)) ticks in 1 s while out of fds (a busy loop)"
}

# The proxy, with 40 fds.
PORT=$(free_port)
(ulimit -n 40 && exec "$NETMAP" proxy --listen "127.0.0.1:$PORT" --allow localhost --json >"$T/proxy.out" 2>"$T/proxy.err") &
PROXY=$!
for _ in $(seq 50); do grep -q "listening" "$T/proxy.err" 2>/dev/null && break; sleep 0.1; done
req=$(printf 'GET http://blocked.test/ HTTP/1.1\r\nHost: blocked.test\r\n\r\n' | od -An -tx1 | tr -d ' \n')
clients "$PORT" "$req" http >"$T/proxy.client" 2>&1 &
CLIENTS=$!
over_limit proxy "$PROXY"
wait "$CLIENTS"
grep -q "HTTP/1.1 403" "$T/proxy.client" || fail "the proxy does not serve again once fds are free: $(cat "$T/proxy.client")"
kill -INT "$PROXY"; wait "$PROXY"
grep -Eq '"accept_pauses": [1-9]' "$T/proxy.out" || fail "the proxy's --json does not count the pauses: $(grep accept "$T/proxy.out")"

# The resolver's TCP listener, with 30 fds.
PORT=$(free_port)
(ulimit -n 30 && exec "$NETMAP" sandbox-dns --listen "127.0.0.1:$PORT" --allow example.com --upstream 127.0.0.1:9 >"$T/dns.out" 2>"$T/dns.err") &
DNS=$!
for _ in $(seq 50); do grep -q "listening\|serving" "$T/dns.err" 2>/dev/null && break; sleep 0.1; done
# one TCP query: 2-byte length, then "blocked.test A IN"
q="abcd01000001000000000000"$(printf '\007blocked\004test\000' | od -An -tx1 | tr -d ' \n')"00010001"
clients "$PORT" "$(printf '%04x' $(( ${#q} / 2 )))$q" dns >"$T/dns.client" 2>&1 &
CLIENTS=$!
over_limit sandbox-dns "$DNS"
wait "$CLIENTS"
grep -q "rcode 3" "$T/dns.client" || fail "the resolver does not answer over TCP again once fds are free: $(cat "$T/dns.client")"
kill -INT "$DNS"; wait "$DNS"
grep -Eq "tcp accept pauses [1-9]" "$T/dns.out" "$T/dns.err" || fail "the resolver's summary does not count the pauses: $(grep -h pauses "$T/dns.out" "$T/dns.err")"
finish
