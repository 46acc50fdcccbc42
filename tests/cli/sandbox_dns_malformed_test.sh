#!/usr/bin/env bash
# Malformed queries: FORMERR when a header can be read, dropped when not; responses never
# answered; other opcodes NOTIMP; EDNS version 1 BADVERS; clients outside loopback refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"

start_upstream
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow www.example.com

python3 - "$PORT" <<'PY' || fail "malformed packets"
import socket, struct, sys
port = int(sys.argv[1])
def ask(pkt, expect_reply=True):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(pkt, ("127.0.0.1", port))
    try:
        data = s.recv(4096)
    except socket.timeout:
        data = None
    assert (data is not None) == expect_reply, (pkt, data)
    return data
def q(name, qtype=1, flags=0x0100, qd=1, extra=b""):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", 0xABCD, flags, qd, 0, 0, 1 if extra else 0) + wire + struct.pack(">HH", qtype, 1) + extra
rcode = lambda d: d[3] & 0xF
# No header: dropped.
ask(b"\x01\x02\x03", expect_reply=False)
ask(b"", expect_reply=False)
# A response (QR set): never answered, so no loops.
ask(q("www.example.com", flags=0x8100), expect_reply=False)
# Header fine, question cut: FORMERR with the ID echoed.
d = ask(q("www.example.com")[:20])
assert rcode(d) == 1 and d[:2] == b"\xab\xcd", d
# Two questions: FORMERR.
d = ask(q("www.example.com", qd=2))
assert rcode(d) == 1, d
# A label longer than 63 / a compression pointer in the question: FORMERR.
d = ask(struct.pack(">HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\x50" + b"a" * 80 + b"\0\0\1\0\1")
assert rcode(d) == 1, d
d = ask(struct.pack(">HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1")
assert rcode(d) == 1, d
# Opcode STATUS (2): NOTIMP.
d = ask(q("www.example.com", flags=0x1000))
assert rcode(d) == 4, d
# EDNS version 1: BADVERS (extended rcode 1 in the OPT).
opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0x00010000, 0)
d = ask(q("www.example.com", extra=opt))
assert rcode(d) == 0 and d[-11 + 5] == 1, d.hex()
# Two OPT records: FORMERR.
two = struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 2) + b"\3www\7example\3com\0\0\1\0\1" + opt.replace(b"\0\1\0\0", b"\0\0\0\0") * 2
d = ask(two)
assert rcode(d) == 1, d
# A name with a space and a NUL byte: blocked as invalid, never forwarded.
d = ask(struct.pack(">HHHHHH", 9, 0x100, 1, 0, 0, 0) + b"\x05a b\x00c\7example\3com\0\0\1\0\1")
assert rcode(d) == 3, d
# Class CH (version.bind): REFUSED.
d = ask(struct.pack(">HHHHHH", 9, 0x100, 1, 0, 0, 0) + b"\7version\4bind\0\0\x10\0\3")
assert rcode(d) == 5, d
# Garbage after a valid query is not trusted as records: FORMERR for a bad additional section.
d = ask(q("www.example.com", extra=b"\xff\xff\xff"))
assert rcode(d) == 1, d
# The server is still alive and answering.
d = ask(q("www.example.com"))
assert rcode(d) == 0, d
PY
[ "$(grep -c 'query.*a.b' "$T/up.log")" = 0 ] || fail "an invalid name reached the upstream"

# Truncated TCP frames and a client that hangs up must not stop the server.
python3 - "$PORT" <<'PY' || fail "TCP garbage"
import socket, sys
port = int(sys.argv[1])
for payload in (b"\x00", b"\x00\x30abc", b"\xff\xff" + b"x" * 100):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(payload); s.close()
PY
q www.example.com A | grep -q "status: NOERROR" || fail "server alive after TCP garbage"

stop_netmap TERM
grep -q "formerr [1-9]" "$T/nm.out" || fail "formerr counter"
grep -q "notimp 1" "$T/nm.out" || fail "notimp counter"

# Clients outside loopback are refused unless --allow-from admits them. A non-loopback source
# needs another address: in a private network namespace, 10.53.0.1 is added to its lo (no traffic
# can leave that namespace). Skipped where namespaces are not available.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  NETMAP="$NETMAP" T="$T" unshare -n bash -c '
    ip link set lo up && ip addr add 10.53.0.1/32 dev lo || exit 3
    serve() {
      : >"$T/ns.err" # emptied first, or the loop may read the previous server port
      "$NETMAP" sandbox-dns --listen 10.53.0.1:0 --upstream 127.0.0.1:9 --allow www.example.com "$@" >"$T/ns.out" 2>"$T/ns.err" &
      pid=$!
      for i in $(seq 1 50); do
        p=$(sed -n "s/.*serving 10.53.0.1:\([0-9]*\).*/\1/p" "$T/ns.err" | head -1); [ -n "$p" ] && break; sleep 0.1
      done
    }
    serve
    dig @10.53.0.1 -p "$p" -b 10.53.0.1 +tries=1 +time=2 www.example.com ANY | grep -q "status: REFUSED" || { kill $pid; exit 1; }
    kill $pid; wait $pid
    serve --allow-from 10.53.0.0/24
    dig @10.53.0.1 -p "$p" -b 10.53.0.1 +tries=1 +time=2 www.example.com ANY | grep -q "status: NOERROR" || { kill $pid; exit 2; }
    kill $pid; wait $pid
  '
  case $? in
    0) ;;
    1) fail "a client outside loopback was not refused" ;;
    2) fail "--allow-from did not admit its client" ;;
    *) echo "note: could not set up the namespace for the --allow-from check" >&2 ;;
  esac
fi
finish
