#!/usr/bin/env bash
# Answers too big for the client's UDP size get TC; the client retries over TCP and gets it whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

start_upstream
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow big.example.com --allow www.example.com \
  --allow large.example.com

out=$(q big.example.com TXT +noedns +ignore)
grep -q "flags: qr tc" <<<"$out" || fail "no TC for a 512-byte client: $out"
grep -q "ANSWER: 0" <<<"$out" || fail "a TC answer carries no records: $out"
out=$(q big.example.com TXT +noedns)
grep -q "Truncated, retrying in TCP mode" <<<"$out" || fail "dig did not retry over TCP: $out"
grep -q "ANSWER: 3" <<<"$out" || fail "TCP answer incomplete: $out"
# With EDNS 1232 the same answer fits in UDP.
out=$(q big.example.com TXT +bufsize=1232 +ignore)
grep -q "flags: qr tc" <<<"$out" && fail "TC although the answer fits EDNS 1232: $out"
grep -q "ANSWER: 3" <<<"$out" || fail "EDNS answer: $out"
# Plain TCP queries, blocked and allowed.
q +tcp www.example.com A | grep -q "192.0.2.1" || fail "allowed over TCP"
q +tcp evil.example.org A | grep -q "EDE: 15" || fail "blocked over TCP"
# Several queries pipelined on one TCP connection.
out=$(dig @127.0.0.1 -p "$PORT" +tcp +keepopen +tries=1 +time=2 www.example.com A x.example.org A big.example.com TXT 2>&1)
[ "$(grep -c 'status:' <<<"$out")" = 3 ] || fail "pipelined TCP: $out"
# Bursts of one cached answer of ~1000 bytes, 64 at a time from one socket: one batch's answers
# to one client go out as UDP GSO sends, and 64 of them would pass the 64 KiB a send can hold
# (the kernel refused the whole send, and every answer in it was lost).
q large.example.com TXT +bufsize=1232 | grep -q "ANSWER: 4" || fail "large answer over EDNS"
got=$(python3 - "$PORT" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.settimeout(2)
question = b"\x05large\x07example\x03com\x00\x00\x10\x00\x01"
opt = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"   # EDNS, 1232 bytes
answers = 0
for burst in range(3):
    for i in range(64):
        s.send(struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 1) + question + opt)
    try:
        for i in range(64):
            if len(s.recv(4096)) > 1000:
                answers += 1
    except socket.timeout:
        pass
print(answers)
PY
)
[ "$got" = 192 ] || fail "bursts of large cached answers: $got of 192 arrived"
stop_netmap TERM
grep -q "dropped 0" "$T/nm.out" || fail "answers dropped: $(grep dropped "$T/nm.out")"
grep -q "tcp [1-9]" "$T/nm.out" || fail "TCP counter"
grep -q "truncated [1-9]" "$T/nm.out" || fail "truncated counter"
finish
