#!/usr/bin/env bash
# netmap proxy against hostile clients and upstreams: smuggled and pipelined requests never reach
# a server unjudged, every IPv4 spelling is an IP literal, bad upstream framing is a 502.
# Raw sockets on both sides; a recording origin on loopback.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/proxy_helpers.sh"

# A recording origin: logs every byte of connection N to $T/rec/N and answers by path.
mkdir -p "$T/rec"
cat > "$T/recorder.py" <<'PY'
import socket, sys, threading, os, time
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(64)
rec = sys.argv[2]
def serve(c, n):
    data = b""
    c.settimeout(3)
    try:
        while b"\r\n\r\n" not in data:
            d = c.recv(65536)
            if not d:
                break
            data += d
        path = data.split(b" ", 2)[1] if data.count(b" ") >= 2 else b"/"
        answers = {
            b"/twocl": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\nhelloEXTRA",
            b"/badcl": b"HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello",
            b"/extra": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond",
            b"/te-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        }
        c.sendall(answers.get(path, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"))
        if path == b"/te-cl":
            c.close()
        while d := c.recv(65536):  # a lenient server reads on, as if pipelining
            data += d
    except OSError:
        pass
    finally:
        open(os.path.join(rec, str(n)), "wb").write(data)
        c.close()
open(sys.argv[1] + ".tmp", "w").write(str(ls.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
n = 0
while True:
    c, _ = ls.accept()
    n += 1
    threading.Thread(target=serve, args=(c, n), daemon=True).start()
PY
python3 "$T/recorder.py" "$T/rec.port" "$T/rec" 2>"$T/rec.err" &
PIDS+=($!)
for _ in $(seq 400); do [ -s "$T/rec.port" ] && break; sleep 0.05; done  # python starts slowly under a loaded CI
[ -s "$T/rec.port" ] || { fail "the recording origin did not start: $(cat "$T/rec.err")"; finish; }
UP=$(cat "$T/rec.port")

start_proxy main --allow allowed.test --resolve allowed.test=127.0.0.1 || finish
P=$PORT_main
# recorded: waits for the origin to log its connections, then prints everything it received.
recorded() {
  sleep 3.5
  cat "$T"/rec/* 2>/dev/null
}

# Request smuggling: whatever rides behind an allowed request must not reach the server.
raw "$P" "GET http://allowed.test:$UP/ HTTP/1.1\r\nHost: allowed.test\r\n\r\nGET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n" >"$T/out"
grep -q '^HTTP/1.1 200 OK' "$T/out" || fail "pipelined: the first request is answered"
raw "$P" "POST http://allowed.test:$UP/ HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n" >"$T/out"
grep -q '^HTTP/1.1 200 OK' "$T/out" || fail "body then request: the first request is answered"
# (the body holds a request for evil2.test: relayed as a body, with its length, it is harmless)
raw "$P" "POST http://allowed.test:$UP/ HTTP/1.1\r\nConnection: content-length\r\nContent-Length: 37\r\n\r\nGET / HTTP/1.1\r\nHost: evil2.test\r\n\r\n" >/dev/null
raw "$P" "POST http://allowed.test:$UP/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n" >"$T/out"
grep -q '^HTTP/1.1 200 OK' "$T/out" || fail "chunked then request: the first request is answered"
recorded >"$T/got"
grep -c '^Via: 1.1 netmap' "$T/got" | grep -qx 4 || fail "the origin saw exactly the 4 allowed requests: $(cat -A "$T/got")"
! grep -q 'evil\.test' "$T/got" || fail "a request for evil.test reached the origin: $(cat -A "$T/got")"
grep -q '^Content-Length: 37' "$T/got" || fail "Connection: content-length kept the Content-Length"

# Transfer codings a proxy and a server could read differently are refused.
out=$(raw "$P" "POST http://allowed.test:$UP/ HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")
grep -q '^HTTP/1.1 400 ' <<<"$out" || fail "chunked not last is 400: $out"
out=$(raw "$P" "POST http://allowed.test:$UP/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
grep -q '^HTTP/1.1 501 ' <<<"$out" || fail "another coding with chunked is 501: $out"

# A hostile upstream's framing: conflicting lengths are a 502, bytes after the body go nowhere,
# and Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
for path in twocl badcl; do
  out=$(raw "$P" "GET http://allowed.test:$UP/$path HTTP/1.1\r\n\r\n")
  grep -q '^HTTP/1.1 502 ' <<<"$out" || fail "$path: 502 expected: $out"
done
out=$(raw "$P" "GET http://allowed.test:$UP/extra HTTP/1.1\r\n\r\n")
! grep -q 'second' <<<"$out" || fail "bytes after the response body were relayed: $out"
out=$(raw "$P" "GET http://allowed.test:$UP/te-cl HTTP/1.1\r\n\r\n")
! grep -qi '^content-length' <<<"$out" && grep -qi '^transfer-encoding: chunked' <<<"$out" || fail "TE and CL: CL dropped: $out"

# IPv4 in every spelling getaddrinfo accepts is an IP literal, even when the policy allows every name.
printf 'allow: ["*"]\n' >"$T/all.yaml"
start_proxy all --policy "$T/all.yaml" || finish
for host in 0x7f.0x1 0x7f000001 0x7f.0.0.0x1 0X7F.0X1. 127.1 2130706433; do
  out=$(raw "$PORT_all" "CONNECT $host:$UP HTTP/1.1\r\n\r\n")
  grep -q '^HTTP/1.1 403 ' <<<"$out" || fail "CONNECT $host is refused: $(head -n1 <<<"$out")"
  out=$(raw "$PORT_all" "GET http://$host:$UP/ HTTP/1.1\r\n\r\n")
  grep -q '^HTTP/1.1 403 ' <<<"$out" || fail "GET http://$host/ is refused: $(head -n1 <<<"$out")"
done
stop_proxy all
stop_proxy main
finish
