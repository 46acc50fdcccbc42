# Shared by tests/cli/proxy_*_test.sh: origins on loopback, process cleanup, curl helpers.
# Source it after lib.sh: . "$(dirname "$0")/proxy_helpers.sh"
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
  : >"$T/$name.err" # a restarted proxy must not be found at its previous port
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
