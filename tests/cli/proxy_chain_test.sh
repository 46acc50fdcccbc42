#!/usr/bin/env bash
# netmap proxy chained to a parent proxy (a second netmap proxy, tinyproxy with Basic auth), from
# flags and from HTTPS_PROXY/NO_PROXY in its environment.
. "$(dirname "$0")/lib.sh"

# --- shared by the proxy_*_test.sh files (each carries its own copy: tests stay self-contained) ---
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
command -v python3 >/dev/null || skip "python3 is not installed"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v curl >/dev/null || skip "curl is not installed"

# start_origin: http/https/echo-until-EOF/echo servers on loopback; sets HTTP_PORT HTTPS_PORT EOF_PORT ECHO_PORT.
start_origin() {
  openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=allowed.test -addext "subjectAltName=DNS:allowed.test" \
    -days 2 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || skip "openssl cannot make a test certificate"
  write_origin_py > "$T/origin.py"
  python3 "$T/origin.py" "$T/cert.pem" "$T/key.pem" "$T/ports" 2>"$T/origin.err" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$T/ports" ] && break; sleep 0.05; done
  [ -s "$T/ports" ] || { cat "$T/origin.err" >&2; skip "the python3 origin servers did not start"; }
  read -r HTTP_PORT HTTPS_PORT EOF_PORT ECHO_PORT < <(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(p["http"],p["https"],p["eof"],p["echo"])' "$T/ports")
}

# start_proxy NAME ARGS…: runs `netmap proxy` on a free loopback port; sets PORT_<NAME> and PID_<NAME>.
start_proxy() {
  local name=$1; shift
  "$NETMAP" proxy --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
  local pid=$!
  PIDS+=($pid)
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/$name.err" 2>/dev/null | head -n1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$T/$name.err" >&2; fail "proxy $name did not start"; return 1; }
  printf -v "PORT_$name" '%s' "$port"
  printf -v "PID_$name" '%s' "$pid"
}

# stop_proxy NAME: Ctrl-C, then the exit status in $rc.
stop_proxy() {
  local pid_var="PID_$1"
  kill -INT "${!pid_var}"
  wait "${!pid_var}"
  rc=$?
  # Under a sanitizer build, a report anywhere in the run fails the test.
  ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/$1.err" || fail "sanitizer report from proxy $1"
  [ "$rc" -eq 0 ] || fail "proxy $1 exited $rc after Ctrl-C"
}

# raw PORT BYTES: sends BYTES (Python escapes allowed, e.g. \r\n) to the proxy, prints the answer.
raw() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
out = b""
try:
    while chunk := s.recv(65536):
        out += chunk
except Exception:
    pass
sys.stdout.write(out.decode("latin-1"))
PY
}

write_origin_py() {
  cat <<'PYORIGIN'
# Loopback origins for the proxy tests: http, https (self-signed), echo-until-EOF, echo.
import asyncio, json, ssl, sys

async def http(r, w):
    try:
        head = await r.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        method, path, _ = lines[0].decode().split(" ", 2)
        cl = 0
        for h in lines[1:]:
            if h.lower().startswith(b"content-length:"):
                cl = int(h.split(b":", 1)[1])
        body = await r.readexactly(cl) if cl else b""
        if path.startswith("/big?n="):
            payload = b"x" * int(path[7:])
        elif path == "/headers":
            payload = head
        else:
            payload = b"hello %s %s %d\n" % (method.encode(), path.encode(), len(body))
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload))
        if method != "HEAD":
            w.write(payload)
        await w.drain()
    except Exception:
        pass
    w.close()

async def echo_eof(r, w):
    data = await r.read()
    w.write(b"got %d bytes\n" % len(data))
    await w.drain()
    w.close()

async def echo(r, w):
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    except Exception:
        pass
    w.close()

async def main(cert, key, out):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    servers = {
        "http": await asyncio.start_server(http, "127.0.0.1", 0, backlog=4096),
        "https": await asyncio.start_server(http, "127.0.0.1", 0, ssl=ctx, backlog=4096),
        "eof": await asyncio.start_server(echo_eof, "127.0.0.1", 0, backlog=4096),
        "echo": await asyncio.start_server(echo, "127.0.0.1", 0, backlog=4096),
    }
    ports = {k: s.sockets[0].getsockname()[1] for k, s in servers.items()}
    with open(out + ".tmp", "w") as f:
        json.dump(ports, f)
    import os
    os.rename(out + ".tmp", out)
    await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:4]))
PYORIGIN
}
# --- end of the shared part ---

start_origin
# The parent knows where allowed.test lives; the children do not, so a success proves the parent
# resolved and connected (the CONNECT went through it).
start_proxy parent --allow allowed.test --allow direct.test --resolve allowed.test=127.0.0.1 --log "$T/parent.jsonl" || finish

start_proxy child --allow allowed.test --allow never.test --upstream "http://127.0.0.1:$PORT_parent" --no-proxy none.test || finish
out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$PORT_child" "https://allowed.test:$HTTPS_PORT/chained" 2>&1)
[ "$out" = "hello GET /chained 0" ] || fail "CONNECT through the parent: '$out'"
out=$(curl -sS -x "http://127.0.0.1:$PORT_child" "http://allowed.test:$HTTP_PORT/plain" 2>&1)
[ "$out" = "hello GET /plain 0" ] || fail "absolute-form http through the parent: '$out'"
code=$(curl -sS -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PORT_child" "http://blocked.test:$HTTP_PORT/")
[ "$code" = 403 ] || fail "the child still decides: $code"
# never.test is allowed by the child but not by the parent: a 502 naming the parent's answer.
out=$(raw "$PORT_child" 'CONNECT never.test:443 HTTP/1.1\r\n\r\n')
grep -q '^HTTP/1.1 502' <<<"$out" && grep -q "upstream proxy http://127.0.0.1:$PORT_parent answered 403 Forbidden to CONNECT never.test" <<<"$out" \
  || fail "parent's refusal reported: $out"
stop_proxy child

# From the environment netmap was started in: HTTPS_PROXY/HTTP_PROXY, NO_PROXY honoured.
PORT_env=""
HTTPS_PROXY="http://127.0.0.1:$PORT_parent" http_proxy="http://127.0.0.1:$PORT_parent" NO_PROXY=".direct.test" \
  start_proxy env --allow allowed.test --allow direct.test --resolve direct.test=127.0.0.1 || finish
out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$PORT_env" "https://allowed.test:$HTTPS_PORT/env" 2>&1)
[ "$out" = "hello GET /env 0" ] || fail "HTTPS_PROXY from the environment: '$out'"
out=$(curl -sS -x "http://127.0.0.1:$PORT_env" "http://direct.test:$HTTP_PORT/np" 2>&1)
[ "$out" = "hello GET /np 0" ] || fail "NO_PROXY host goes direct: '$out'"
stop_proxy env

# tinyproxy with Basic auth in front of the parent: credentials from the URL's userinfo.
if command -v tinyproxy >/dev/null; then
  TP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$T/tinyproxy.conf" <<CONF
Port $TP_PORT
Listen 127.0.0.1
Timeout 30
MaxClients 50
BasicAuth user s3cr.t
Upstream http 127.0.0.1:$PORT_parent
LogLevel Info
LogFile "$T/tinyproxy.log"
CONF
  tinyproxy -d -c "$T/tinyproxy.conf" >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q 'Accepting connections' "$T/tinyproxy.log" 2>/dev/null && break; sleep 0.05; done
  start_proxy auth --allow allowed.test --upstream "http://us%65r:s3cr.t@127.0.0.1:$TP_PORT" || finish
  out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$PORT_auth" "https://allowed.test:$HTTPS_PORT/auth" 2>&1)
  [ "$out" = "hello GET /auth 0" ] || fail "CONNECT via tinyproxy with Basic auth: '$out'"
  out=$(curl -sS -x "http://127.0.0.1:$PORT_auth" "http://allowed.test:$HTTP_PORT/auth-http" 2>&1)
  [ "$out" = "hello GET /auth-http 0" ] || fail "http via tinyproxy with Basic auth: '$out'"
  stop_proxy auth
  start_proxy noauth --allow allowed.test --upstream "http://user:wrong@127.0.0.1:$TP_PORT" || finish
  out=$(raw "$PORT_noauth" "CONNECT allowed.test:$HTTPS_PORT HTTP/1.1\r\n\r\n")
  grep -q '^HTTP/1.1 502' <<<"$out" && grep -Eq 'answered 40[17]' <<<"$out" && grep -q 'check the credentials' <<<"$out" \
    || fail "wrong credentials reported as the parent's 407: $out"
  stop_proxy noauth
else
  echo "note: tinyproxy not installed; Basic-auth chaining not exercised" >&2
fi

stop_proxy parent
python3 - "$T/parent.jsonl" <<'PY' || fail "the parent saw the chained requests, not the direct or blocked ones"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = {(e.get("name"), e.get("via")) for e in ev}
assert ("allowed.test", "connect") in names and ("allowed.test", "proxy") in names, names
assert not any(e.get("name") in ("blocked.test", "direct.test") for e in ev), names
PY
finish
