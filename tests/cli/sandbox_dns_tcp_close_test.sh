#!/usr/bin/env bash
# A TCP client that pipelines queries and closes before the answers come: when an upstream fails
# at once (here 255.255.255.255, which connect() refuses), the SERVFAIL is written while the
# queries are still being read, the write fails, and the connection goes away under the reader.
# Run under valgrind, which reports any use of the freed connection; a sanitizer build (which
# valgrind cannot run) checks that itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"
command -v python3 >/dev/null || skip "python3 not installed"
checker=(valgrind -q --error-exitcode=9)
if grep -qa '__asan_init' "$NETMAP"; then
  checker=(env ASAN_OPTIONS=exitcode=9)
else
  command -v valgrind >/dev/null || skip "valgrind not installed"
fi

: >"$T/nm.err"
"${checker[@]}" "$NETMAP" sandbox-dns --listen 127.0.0.1:0 --upstream 255.255.255.255 \
  --allow www.ok.test >"$T/nm.out" 2>"$T/nm.err" &
NM_PID=$!
for i in $(seq 1 100); do
  PORT=$(sed -n 's/.*serving 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/nm.err" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { fail "sandbox-dns did not start under ${checker[0]}: $(cat "$T/nm.err")"; finish; }

# The resolver is stopped while the client sends and closes, so it reads all five queries at once
# and only then answers into a socket whose peer has gone.
python3 - "$PORT" "$NM_PID" <<'PY' || fail "client"
import os, signal, socket, struct, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
q = struct.pack(">HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\x03www\x02ok\x04test\x00" + struct.pack(">HH", 1, 1)
s = socket.create_connection(("127.0.0.1", port))
time.sleep(1)  # accepted
os.kill(pid, signal.SIGSTOP)
try:
    s.sendall((struct.pack(">H", len(q)) + q) * 5)
    s.close()
    time.sleep(0.2)
finally:
    os.kill(pid, signal.SIGCONT)
time.sleep(2)
PY
out=$(q www.ok.test A); grep -q "status: SERVFAIL" <<<"$out" || fail "still serving after the closed client: $out"
stop_netmap TERM
[ "$nm_rc" -ne 9 ] || fail "memory errors: $(grep -A8 'Invalid\|ERROR: AddressSanitizer' "$T/nm.err" | head -30)"
finish
