#!/usr/bin/env bash
# label: privileged
# netmap discover live on loopback: real clients (dig, curl, a CONNECT proxy) against servers this
# test starts on 127.0.0.0/8, captured around a command; the command's exit status comes back;
# SIGTERM still writes the complete inventory; without CAP_NET_RAW a one-line error names it.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root or CAP_NET_RAW (running as uid $(id -u))"
for tool in dig curl openssl python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/packages/test-capture.txt)"
done
"$NETMAP" discover -i lo --duration 0.2 --json --allow x.test >"$T/probe" 2>"$T/probe.err" ||
  skip "loopback capture is unavailable here: $(head -n1 "$T/probe.err")"

cat > "$T/servers.py" <<'PY'
#!/usr/bin/env python3
"""Loopback-only helpers for discover_live_test.sh.

  servers.py dns ADDR PORT       DNS over UDP: every A query answered with 127.0.0.1 (TTL 30)
  servers.py proxy ADDR PORT     HTTP proxy: CONNECT tunnels to 127.0.0.1:<port named>, absolute-form
                                 GETs answered by the proxy itself; refuses anything but loopback use
Each prints "ready" once listening and serves until killed.
"""
import socket
import struct
import sys
import threading


def dns(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    print("ready", flush=True)
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        ident, = struct.unpack("!H", q[:2])
        end = 12
        while end < len(q) and q[end] != 0:
            end += q[end] + 1
        question = q[12:end + 5]
        qtype = struct.unpack("!H", q[end + 1:end + 3])[0] if end + 3 <= len(q) else 0
        answers = b""
        count = 0
        if qtype == 1:
            answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + socket.inet_aton("127.0.0.1")
            count = 1
        header = struct.pack("!HHHHHH", ident, 0x8180, 1, count, 0, 0)
        s.sendto(header + question + answers, peer)


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for c in (a, b):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def client(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            return
        head += chunk
    line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    if len(line) == 3 and line[0] == "CONNECT":
        port = int(line[1].rsplit(":", 1)[1])
        upstream = socket.create_connection(("127.0.0.1", port))  # loopback only, whatever was named
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)
        return
    body = b"proxied\n"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    conn.close()


def proxy(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=client, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    {"dns": dns, "proxy": proxy}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
PY

start() { # start NAME CMD…: runs a server in the background, waits for its "ready" line
  local name=$1; shift
  "$@" >"$T/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -q ready "$T/$name.log" 2>/dev/null && return 0; sleep 0.1; done
  echo "server $name did not start:" >&2; cat "$T/$name.log" >&2; exit 1
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$T"' EXIT

# A resolver on 127.0.0.153:53 (DNS is recognised on port 53; a 127/8 address avoids any local one).
DNS_ADDR=127.0.0.153
start dns python3 "$T/servers.py" dns $DNS_ADDR 53
TLS_PORT=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
  -subj /CN=tls.live.test >/dev/null 2>&1 || { echo "openssl req failed" >&2; exit 1; }
openssl s_server -accept 127.0.0.1:$TLS_PORT -cert "$T/cert.pem" -key "$T/key.pem" -www -quiet \
  >"$T/tls.log" 2>&1 &
pids+=($!)
PROXY_PORT=$(free_port)
start proxy python3 "$T/servers.py" proxy 127.0.0.1 $PROXY_PORT
for _ in $(seq 50); do curl -sk --resolve probe.live.test:$TLS_PORT:127.0.0.1 "https://probe.live.test:$TLS_PORT/" -o /dev/null && break; sleep 0.1; done

POL=(--allow '**.live.test' --allow 'denied.live.test')
cat > "$T/client.sh" <<SH
dig +short +tries=1 +time=2 @$DNS_ADDR -p 53 dig.live.test A >"$T/dig.out"
curl -sk --max-time 5 --resolve sni.live.test:$TLS_PORT:127.0.0.1 https://sni.live.test:$TLS_PORT/ -o /dev/null
curl -sk --max-time 5 -x http://127.0.0.1:$PROXY_PORT https://tunnel.live.test:$TLS_PORT/ -o /dev/null
curl -s --max-time 5 -x http://127.0.0.1:$PROXY_PORT http://plain.live.test:8080/ -o "$T/plain.out"
exit 3
SH

# 1. Around a command: every client's name, and the command's own exit status.
run discover --json -o "$T/inv.json" --events "$T/ev.jsonl" "${POL[@]}" -- bash "$T/client.sh"
expect_rc 3 "discover -- CMD returns the command's status"
grep -q '^127.0.0.1$' "$T/dig.out" || fail "dig got no answer from the test resolver"
grep -q proxied "$T/plain.out" || fail "the plain request did not go through the proxy"
python3 - "$T/inv.json" "$TLS_PORT" <<'CHECK' || fail "inventory of the live run"
import json, sys
inv = json.load(open(sys.argv[1]))
port = int(sys.argv[2])
d = {x["name"]: x for x in inv["domains"]}
def need(name, via, port=None):
    assert name in d, (name, sorted(d))
    assert via in d[name]["seen_via"], (name, d[name]["seen_via"])
    if port is not None:
        assert port in d[name]["ports"], (name, d[name]["ports"])
need("dig.live.test", "dns")
assert "127.0.0.1" in d["dig.live.test"]["addresses"], d["dig.live.test"]
need("sni.live.test", "sni", port)
need("tunnel.live.test", "connect", port)
need("plain.live.test", "http-host", 8080)
assert d["sni.live.test"]["verdict"] == "allowed", d["sni.live.test"]
assert any(s.startswith("command:bash ") for s in inv["sources"]), inv["sources"]
assert inv["stats"]["packets"] > 0
CHECK
[ -s "$T/ev.jsonl" ] || fail "--events wrote nothing"

# 2. A command killed by a signal: 128 + signal, like a shell.
run discover --json "${POL[@]}" -- sh -c 'kill -TERM $$'
expect_rc 143 "a command killed by SIGTERM"

# 3. SIGTERM to netmap: forwarded to the command; the inventory is still written completely.
"$NETMAP" discover -o "$T/term.json" --json "${POL[@]}" -- sleep 30 >"$T/out" 2>"$T/err" &
np=$!
sleep 1
kill -TERM $np
wait $np
rc=$?
expect_rc 143 "netmap discover after SIGTERM reports the command's death by SIGTERM"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["schema"]=="netmap.inventory"' "$T/term.json" ||
  fail "no complete inventory after SIGTERM"

# 4. -i with --duration stops by itself; the statistics name the kernel's counters.
run discover -i lo --duration 1 --json "${POL[@]}"
expect_rc 0 "discover -i lo --duration 1"
expect_out '"dropped_kernel"' "kernel drop counter reported"
expect_out '"iface:lo"' "interface named in sources"

# 5. Without CAP_NET_RAW: one line naming the capability and how to grant it.
if command -v setpriv >/dev/null; then
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NETMAP" discover -i lo --duration 1 \
    "${POL[@]}" >"$T/out" 2>"$T/err"
  rc=$?
  if grep -q 'Permission denied' "$T/err" && ! grep -q 'CAP_NET_RAW' "$T/err"; then
    echo "note: nobody cannot execute $NETMAP here; capability check not exercised" >&2
  else
    expect_rc 2 "live capture without CAP_NET_RAW"
    expect_one_line_error discover "live capture without CAP_NET_RAW"
    expect_err 'CAP_NET_RAW' "the capability is named"
    expect_err 'setcap cap_net_raw,cap_net_admin\+eip' "how to grant it"
  fi
fi

finish
