#!/usr/bin/env bash
# netmap proxy under traffic: rate limits (429 + Retry-After, bytes/s), half-closed tunnels, SNI
# mismatch report/block, idle timeout, 2000 concurrent tunnels.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/proxy_helpers.sh"

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 9000 ] || skip "needs 9000 file descriptors for 2000 tunnels (ulimit -n is $(ulimit -n))"
start_origin

# Requests per second per host: 429 with Retry-After beyond the burst.
start_proxy rate --allow allowed.test --resolve allowed.test=127.0.0.1 --rate-requests 2 --log "$T/rate.jsonl" || finish
codes=""
for i in 1 2 3 4 5; do
  codes+="$(curl -sS -o /dev/null -D "$T/h$i" -w '%{http_code} ' -x "http://127.0.0.1:$PORT_rate" "http://allowed.test:$HTTP_PORT/r$i")"
done
grep -q '200 200 ' <<<"$codes" && grep -q '429' <<<"$codes" || fail "2 requests/s: 200s then 429s, got '$codes'"
grep -qi '^retry-after: [0-9]' "$T"/h5 || fail "429 carries Retry-After"
grep -qi '^x-proxy-error: rate-limited' "$T"/h5 || fail "429 says why"
stop_proxy rate
grep -q '"status":429' "$T/rate.jsonl" || fail "429 logged as an event"

# Bytes per second per host: a 300 kB download at 100 kB/s takes at least ~1.5 s (1 s burst first).
start_proxy bytes --allow allowed.test --resolve allowed.test=127.0.0.1 --rate-bytes 100k || finish
t=$(curl -sS -o "$T/big" -w '%{time_total}' -x "http://127.0.0.1:$PORT_bytes" "http://allowed.test:$HTTP_PORT/big?n=300000")
[ "$(stat -c %s "$T/big")" = 300000 ] || fail "throttled download complete"
python3 -c "import sys; sys.exit(0 if 1.4 <= float(sys.argv[1]) <= 10 else 1)" "$t" || fail "100k/s throttle: 300 kB took ${t}s"
stop_proxy bytes

start_proxy main --allow allowed.test --resolve allowed.test=127.0.0.1 --idle-timeout 1 --log "$T/main.jsonl" || finish
P=$PORT_main
# Half-close: the client shuts its sending side; the server reads to EOF, answers, and the answer
# still comes back through the tunnel.
python3 - "$P" "$EOF_PORT" <<'PY' || fail "half-close propagated both ways"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"CONNECT allowed.test:%s HTTP/1.1\r\n\r\n" % sys.argv[2].encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert head.startswith(b"HTTP/1.1 200"), head
s.sendall(b"z" * 200000)
s.shutdown(socket.SHUT_WR)
reply = b""
while chunk := s.recv(65536):
    reply += chunk
assert reply == b"got 200000 bytes\n", reply
PY

# Idle timeout: a silent tunnel is closed after --idle-timeout.
python3 - "$P" "$ECHO_PORT" <<'PY' || fail "idle tunnel closed"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"CONNECT allowed.test:%s HTTP/1.1\r\n\r\n" % sys.argv[2].encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
t = time.time()
assert s.recv(10) == b"" and 0.8 < time.time() - t < 5, time.time() - t
PY

# SNI that differs from the CONNECT host: reported (the tunnel still works in report mode).
sni_client() {
  python3 - "$1" "$HTTPS_PORT" "$2" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"CONNECT allowed.test:%s HTTP/1.1\r\n\r\n" % sys.argv[2].encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
try:
    t = ctx.wrap_socket(s, server_hostname=sys.argv[3])
    t.sendall(b"GET /sni HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\n" not in data.partition(b"\r\n\r\n")[2]:
        chunk = t.recv(1000)
        if not chunk:
            break
        data += chunk
    print(data.decode().splitlines()[-1])
except (ssl.SSLError, OSError) as e:
    print("tls-failed")
PY
}
out=$(sni_client "$P" evil.test)
[ "$out" = "hello GET /sni 0" ] || fail "report mode relays the mismatched tunnel: '$out'"
stop_proxy main
grep -q '"note":"sni-mismatch: evil.test"' "$T/main.jsonl" || fail "the mismatch is in the event"
grep -q 'SNI mismatches' "$T/main.out" || fail "the summary counts SNI mismatches"

start_proxy block --allow allowed.test --allow other.allowed.test --resolve allowed.test=127.0.0.1 --sni-mismatch block --log "$T/block.jsonl" || finish
out=$(sni_client "$PORT_block" evil.test)
[ "$out" = "tls-failed" ] || fail "block mode closes the tunnel: '$out'"
out=$(sni_client "$PORT_block" other.allowed.test)
[ "$out" = "hello GET /sni 0" ] || fail "a mismatch to another allowed name is only reported: '$out'"
out=$(sni_client "$PORT_block" allowed.test)
[ "$out" = "hello GET /sni 0" ] || fail "a matching SNI passes: '$out'"

# 2000 concurrent tunnels, all open at once, each echoing 1 kB.
python3 - "$PORT_block" "$ECHO_PORT" 2000 <<'PY' || fail "2000 concurrent tunnels"
import asyncio, sys
port, echo, n = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
opened = asyncio.Event()
count = 0
async def one(i):
    global count
    r, w = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    w.write(b"CONNECT allowed.test:%s HTTP/1.1\r\n\r\n" % echo)
    head = await r.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    count += 1
    if count == n:
        opened.set()
    await opened.wait()  # every tunnel is open at the same time
    msg = (b"%06d" % i) * 170
    w.write(msg)
    got = await r.readexactly(len(msg))
    assert got == msg
    w.close()
    return True
async def main():
    res = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True), 50)
    bad = [r for r in res if r is not True]
    assert not bad, (len(bad), bad[:3])
asyncio.run(main())
PY
stop_proxy block
[ "$(grep -c '"name":"allowed.test"' "$T/block.jsonl")" -ge 2003 ] || fail "one event per tunnel"
finish
