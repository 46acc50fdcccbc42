#!/usr/bin/env bash
# TCP slots (RFC 7766 §6.2.3): a client that trickles a byte now and then is closed at the idle
# limit like a silent one, and a table full of idle connections still lets a new client in.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"
[ "$(ulimit -n)" -ge 600 ] || skip "needs 600 file descriptors (ulimit -n is $(ulimit -n))"

start_netmap --upstream 127.0.0.1:9 --allow www.example.com
python3 - "$PORT" >"$T/slots.out" 2>&1 <<'PY' || fail "TCP slots: $(cat "$T/slots.out")"
import socket, struct, sys, time
port = int(sys.argv[1])
q = struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"\x01x\x07blocked\x04test\x00" + struct.pack(">HH", 1, 1)
framed = struct.pack(">H", len(q)) + q

def connect():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(3)
    return s

def ask(s):
    s.sendall(framed)
    b = b""
    while len(b) < 2 + len(q):
        d = s.recv(4096)
        if not d:
            return None
        b += d
    return b[3 + 2] & 15  # rcode

# 256 silent connections fill a worker's table; the next client is still answered (NXDOMAIN).
idle = [connect() for _ in range(256)]
time.sleep(0.3)
fresh = connect()
rcode = ask(fresh)
if rcode != 3:
    sys.exit("a new client behind 256 idle connections got %r, not NXDOMAIN" % rcode)
fresh.close()
for s in idle:
    s.close()

# A slowloris: one byte every 1.5 s never completes a query within the 10 s idle limit.
s = connect()
t0 = time.time()
closed = False
try:
    for b in framed:
        s.send(bytes([b]))
        time.sleep(1.5)
        if time.time() - t0 > 16:
            break
except (ConnectionResetError, BrokenPipeError):
    closed = True
if not closed:
    s.settimeout(1)
    try:
        closed = s.recv(4096) == b""
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        pass
if not closed:
    sys.exit("a client trickling one byte per 1.5 s still holds its slot after %.0f s" % (time.time() - t0))
print("ok after %.1f s" % (time.time() - t0))
PY
stop_netmap TERM
finish
