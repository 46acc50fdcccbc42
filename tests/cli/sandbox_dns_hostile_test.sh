#!/usr/bin/env bash
# A hostile upstream (sandbox_dns_hostile_upstream.py) never gets an answer past the resolver:
# wrong IDs over TCP, a doubled TC answer, wrong question types, alias targets the policy cannot read, alias loops and
# overlong chains, records outside the alias chain all become SERVFAIL, quickly; a TTL of 2^31 is 0.
# Its big answers also check the UDP size cap and a TCP client that asks over and over, never reading.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"

python3 "$(dirname "$0")/sandbox_dns_hostile_upstream.py" 120 >"$T/hostile.port" 2>"$T/hostile.err" &
UP_PID=$!
for i in $(seq 1 200); do [ -s "$T/hostile.port" ] && break; sleep 0.1; done  # python starts slowly under a loaded CI
hostile=$(cat "$T/hostile.port")
[ -n "$hostile" ] || { fail "hostile upstream did not start: $(cat "$T/hostile.err")"; finish; }
start_netmap --upstream "127.0.0.1:$hostile" --allow '**.ok.test' --cname-policy strict --timeout 2000

out=$(q plain.ok.test A); grep -q "192.0.2.1" <<<"$out" || fail "a sane answer passes: $out"

# SERVFAIL at once (not after the 2 s timeout), and nothing of the upstream's answer.
servfail() {
  local what=$1; shift
  local t0 t1 out
  t0=$(date +%s%N)
  out=$(q "$@")
  t1=$(date +%s%N)
  grep -q "status: SERVFAIL" <<<"$out" || fail "$what: SERVFAIL expected: $out"
  ! grep -q "6\.6\.6\.6\|blocked\.test" <<<"$out" || fail "$what: the hostile answer reached the client: $out"
  [ $(( (t1 - t0) / 1000000 )) -lt 1000 ] || fail "$what: took $(( (t1 - t0) / 1000000 )) ms"
}
servfail "TCP answer with another ID (RFC 1035 §4.1.1)" tcpwrongid.ok.test A
servfail "CNAME target as a forward pointer" fwdcname.ok.test A
servfail "40 aliases" chain.ok.test A
servfail "alias loop" loop.ok.test A
servfail "A record outside the alias chain" stray.ok.test A
# The TC answer twice: one TCP connection, closed with the query; none left behind for the
# loop to spin on once the upstream hangs up (it does after a second).
fds() { ls "/proc/$NM_PID/fd" | wc -l; }
cpu() { awk '{print $14 + $15}' "/proc/$NM_PID/stat"; }
before=$(fds)
q duptc.ok.test A | grep -q "192.0.2.1" || fail "answer over TCP after a doubled TC: $(q duptc.ok.test A)"
sleep 2
[ "$(fds)" -eq "$before" ] || fail "a doubled TC answer left $(( $(fds) - before )) upstream connection(s) open"
c0=$(cpu); sleep 1; c1=$(cpu)
[ $(( c1 - c0 )) -lt 30 ] || fail "the resolver spins after a doubled TC answer ($(( c1 - c0 )) ticks in 1 s)"

# A wrong question is not our answer (RFC 5452 §9.1): it is dropped and the query times out.
out=$(dig @127.0.0.1 -p "$PORT" +tries=1 +time=4 wrongtype.ok.test HTTPS 2>&1)
grep -q "status: SERVFAIL" <<<"$out" || fail "answer for type 97 to an HTTPS question: $out"

# RFC 2181 §8: TTL 0x80000000 is 0: passed on with TTL 0, never cached.
out=$(q hugettl.ok.test A +noall +answer)
grep -Eq "hugettl\.ok\.test\.[[:space:]]+0[[:space:]]" <<<"$out" || fail "TTL with the top bit set must read 0: $out"
q hugettl.ok.test A >/dev/null
stop_netmap TERM
grep -q "cache hits 0" "$T/nm.out" || fail "nothing here may be served from the cache: $(grep cache "$T/nm.out")"

start_netmap --upstream "127.0.0.1:$hostile" --allow '**.ok.test'
q +tcp big.ok.test TXT | grep -q "ANSWER: 20" || fail "the big answer over TCP: $(q +tcp big.ok.test TXT)"

# RFC 6891 §6.2.5 / DNS flag day 2020: a UDP answer is no bigger than the 1232 bytes we
# advertise, whatever size the client claims: a 2 KiB answer goes TC, not out to a maybe spoofed source.
out=$(q +bufsize=4096 +ignore mid.ok.test TXT)
grep -q "flags: qr tc" <<<"$out" || fail "a 2 KiB answer over UDP to a client claiming 4096: $out"
size=$(sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\).*/\1/p' <<<"$out")
[ "${size:-99999}" -le 1232 ] || fail "UDP answer of $size bytes"
q +tcp mid.ok.test TXT | grep -q "ANSWER: 8" || fail "the 2 KiB answer over TCP: $(q +tcp mid.ok.test TXT)"

# A TCP client that pipelines queries for a big cached answer and never reads: what the resolver
# buffers for it stays near the 1 MiB bound per connection, not 5 KiB per 34-byte query.
python3 - "$PORT" "$NM_PID" >"$T/pipe.out" 2>&1 <<'PY' || fail "pipelining client: $(cat "$T/pipe.out")"
import socket, struct, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def hwm_kib():
    return int(next(l for l in open("/proc/%s/status" % pid) if l.startswith("VmHWM")).split()[1])
q = struct.pack(">HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\x03big\x02ok\x04test\x00" + struct.pack(">HH", 16, 1)
framed = struct.pack(">H", len(q)) + q
before = hwm_kib()
conns = []
for _ in range(8):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(framed * 4000)
    conns.append(s)
time.sleep(1)
grew = hwm_kib() - before
if grew > 48 * 1024:
    sys.exit("8 clients that never read made the resolver grow by %d MiB" % (grew // 1024))
PY
stop_netmap TERM
finish
