#!/usr/bin/env bash
# sandbox-dns listening on wildcard addresses (0.0.0.0 and [::]) answers from the address each
# query was sent to: dig, whose socket takes answers only from the address it asked, gets them
# for 127.0.0.53 and 127.0.0.77 as for 127.0.0.1, for blocked names (answered in the batch, in
# GSO runs) and for allowed ones (answered later, from the upstream's reply). Before, every
# answer left from 127.0.0.1 and dig timed out. Runs in a private network namespace (root), so
# the wildcard listener is reachable from nothing but this test.
# label: privileged
if [ "${NETMAP_TEST_NETNS:-}" != 1 ] && [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then
  NETMAP_TEST_NETNS=1 exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
[ "${NETMAP_TEST_NETNS:-}" = 1 ] \
  || skip "a wildcard listener is tested in a private network namespace, which needs root (running as uid $(id -u))"
command -v ip >/dev/null || skip "ip not installed (iproute2)"
ip link set lo up || skip "cannot bring up lo in the namespace"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

start_upstream
port=$(free_port)
"$NETMAP" sandbox-dns --listen "0.0.0.0:$port" --listen "[::]:$port" --upstream "127.0.0.1:$UP_PORT" \
  --allow www.example.com >"$T/nm.out" 2>"$T/nm.err" &
NM_PID=$!
for _ in $(seq 1 50); do
  grep -q "serving" "$T/nm.err" && break
  sleep 0.1
done
grep -q "serving 0.0.0.0:$port, \[::\]:$port" "$T/nm.err" || fail "did not start: $(cat "$T/nm.err")"

for server in 127.0.0.1 127.0.0.53 127.0.0.77 ::1; do
  out=$(dig @"$server" -p "$port" +tries=1 +time=2 www.example.com A 2>&1)
  grep -q "status: NOERROR" <<<"$out" && grep -q "192.0.2.1" <<<"$out" \
    || fail "allowed name asked at $server: $out"
  out=$(dig @"$server" -p "$port" +tries=1 +time=2 "blocked-$RANDOM.example.org" A 2>&1)
  grep -q "status: NXDOMAIN" <<<"$out" || fail "blocked name asked at $server: $out"
done

# A burst from one connected socket: every answer comes back from the address asked, whole
# (several to a GSO send, which then carries the source address too).
burst() {
  python3 - "$port" "$1" <<'PY'
import socket, struct, sys
family = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.connect((sys.argv[2], int(sys.argv[1])))
s.settimeout(2)
for i in range(150):
    name = b"".join(bytes([len(l)]) + l for l in (b"n%d" % i, b"blocked", b"example"))
    s.send(struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 0) + name + b"\0\0\1\0\1")
ids = set()
try:
    while len(ids) < 150:
        ids.add(struct.unpack(">H", s.recv(4096)[:2])[0])
except socket.timeout:
    pass
print(len(ids))
PY
}
for server in 127.0.0.53 ::1; do
  got=$(burst "$server")
  [ "$got" = 150 ] || fail "a burst to $server got $got of 150 answers"
done

stop_netmap
[ "$nm_rc" = 0 ] || fail "sandbox-dns exited $nm_rc"
finish
