#!/usr/bin/env bash
# netmap replay's fence: nothing but loopback and netmap's refusing device inside, escape attempts
# fail at once and are reported as direct with their process (public IP, outside resolver, IPv6,
# the host's own loopback services), the same without the device (local routes), the proxy
# environment, exit codes, signals reaching the whole group, nothing outliving the run, and the
# same fence for a non-root user where unprivileged user namespaces are enabled.
# label: privileged
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
"$NETMAP" replay --preset none --upstream 127.0.0.1:9 -- true >"$T/probe" 2>&1 || skip "no fence here: $(cat "$T/probe")"
cd "$T"
printf 'presets: [none]\n' > netmap.yaml
R=(replay --upstream 127.0.0.1:9)

# A service on the host's loopback: the fence's loopback is its own, so it must be unreachable.
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True: s.accept()[0].close()' host.port &
HOST_PID=$!
trap 'kill $HOST_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 1 50); do [ -s host.port ] && break; sleep 0.1; done
HOST_PORT=$(cat host.port)

cat > escape.py <<'PY'
import socket, sys, time
def attempt(label, family, addr, kind=socket.SOCK_STREAM):
    s = socket.socket(family, kind)
    s.settimeout(3)
    t = time.monotonic()
    try:
        if kind == socket.SOCK_DGRAM:
            s.connect(addr); s.send(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01"); s.recv(512)
        else:
            s.connect(addr)
        print(label, "ESCAPED")
    except OSError as e:
        print(label, "failed", type(e).__name__, "%.0fms" % ((time.monotonic() - t) * 1000))
    time.sleep(0.05)  # keep the socket a moment so netmap can name its owner
    s.close()
attempt("public-ip", socket.AF_INET, ("192.0.2.1", 443))
attempt("outside-dns", socket.AF_INET, ("192.0.2.53", 53), socket.SOCK_DGRAM)
attempt("ipv6", socket.AF_INET6, ("2001:db8::1", 443))
attempt("host-loopback", socket.AF_INET, ("127.0.0.1", int(sys.argv[1])))
print("ifaces", [n for _, n in socket.if_nameindex()])
PY
# check_escapes MODE: the escape attempts, fenced with the refusing device (MODE device) or with
# local routes (MODE loopback, where /dev/net/tun is out of reach).
check_escapes() {
  local mode=$1
  if [ "$mode" = loopback ]; then
    NETMAP_REPLAY_TUN=0 run "${R[@]}" --json --events ev.jsonl -o inv.json -- python3 escape.py "$HOST_PORT"
  else
    run "${R[@]}" --json --events ev.jsonl -o inv.json -- python3 escape.py "$HOST_PORT"
  fi
  expect_rc 1 "escape attempts are blocked contacts ($mode)"
  for a in public-ip outside-dns ipv6 host-loopback; do
    grep -Eq "^$a failed (ConnectionRefusedError|TimeoutError|OSError) [0-9]+ms" "$T/err" || fail "$a did not fail ($mode): $(grep "^$a" "$T/err")"
  done
  grep -q "ESCAPED" "$T/err" && fail "something escaped the fence ($mode)"
  if [ "$mode" = loopback ]; then
    expect_err "ifaces \['lo'\]" "only loopback inside the fence"
  else
    expect_err "ifaces \['lo', 'netmap0'\]" "loopback and the refusing device inside the fence"
  fi
  python3 - "$T/out" "$mode" <<'PY' || fail "direct attempts report ($mode)"
import json, sys
d = json.load(open(sys.argv[1]))
mode = sys.argv[2]
assert d["stats"]["direct_attempts_to"] == mode, d["stats"]
b = {e.get("address") or e.get("name"): e for e in d["blocked"]}
for addr in ("192.0.2.1", "192.0.2.53", "2001:db8::1"):
    assert addr in b, (addr, list(b))
    assert b[addr]["via"] == {"direct": 1}, b[addr]
    assert b[addr]["fix"]["action"] == "use-proxy", b[addr]
assert "dns query" in b["192.0.2.53"]["notes"], b["192.0.2.53"]
# UDP sockets live until the client closes them: the DNS attempt names its process. Through the
# device a TCP attempt waits in SYN-SENT for netmap's answer, so it is named too.
named = ("192.0.2.53",) if mode == "loopback" else ("192.0.2.1", "192.0.2.53", "2001:db8::1")
for addr in named:
    assert any("escape.py" in p["command"] for p in b[addr]["processes"]), b[addr]
# The host's service stayed unreachable; loopback inside the fence is not a direct attempt.
assert "127.0.0.1" not in b, b
PY
  grep -q '"via":"direct"' ev.jsonl || fail "--events lacks the direct attempts ($mode)"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="netmap.inventory" and d["unnamed"], d' inv.json \
    || fail "-o inventory lacks the bare-IP destinations ($mode)"
}
"$NETMAP" replay --preset none --upstream 127.0.0.1:9 --json -- true >"$T/probe" 2>&1
if grep -q '"direct_attempts_to": "device"' "$T/probe"; then
  check_escapes device
  # A ping is refused as filtered (ICMP administratively prohibited), not answered by the fence.
  cat > ping.py <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
echo = struct.pack("!BBHHH", 8, 0, 0, 0x4e4d, 1) + b"netmap"
s.sendto(echo[:2] + struct.pack("!H", csum(echo)) + echo[4:], ("192.0.2.1", 0))
while True:
    data, _ = s.recvfrom(2048)
    ihl = (data[0] & 15) * 4
    if data[ihl] != 8:  # the raw socket also sees our own echo request
        print("icmp", data[ihl], data[ihl + 1]); break
PY
  run "${R[@]}" --json -- python3 ping.py
  expect_rc 1 "a ping is a blocked contact"
  expect_err '^icmp 3 13$' "a ping through the refusing device is answered 'administratively prohibited'"
  python3 - "$T/out" <<'PY' || fail "ping report"
import json, sys
d = json.load(open(sys.argv[1]))
b = {e.get("address"): e for e in d["blocked"]}
p = b["192.0.2.1"]
assert p["via"] == {"direct": 1} and "ping" in p["notes"] and p["ports"] == [], p
assert any("ping.py" in x["command"] for x in p["processes"]), p
PY
else
  echo "SKIP: no refusing device in this fence (/dev/net/tun out of reach): only the local-route fence is checked" >&2
fi
check_escapes loopback

# Through the proxy, an allowed name that resolves to this machine (localhost, by /etc/hosts) must
# not reach the host's loopback service either: 403 blocked-local-address, reported with a mock.
if command -v curl >/dev/null; then
  run "${R[@]}" --allow localhost --json -- \
    sh -c 'curl -sS -i --max-time 5 --noproxy "" -x "$http_proxy" "http://localhost:$1/"' sh "$HOST_PORT"
  expect_rc 1 "a local address through the proxy is a blocked contact"
  expect_err 'x-proxy-error: blocked-local-address' "the proxy's refusal reached the client"
  python3 - "$T/out" <<'PY' || fail "local-address report"
import json, sys
d = json.load(open(sys.argv[1]))
b = {e.get("name"): e for e in d["blocked"]}
assert b["localhost"]["verdict"] == "local-address", b
assert b["localhost"]["fix"]["action"] == "mock", b["localhost"]["fix"]
PY
else
  echo "SKIP: curl not installed: the local-address refusal through the proxy is not checked" >&2
fi

# The environment carries the proxy the way sandboxes set it; resolv.conf names the fence's resolver.
run "${R[@]}" -- sh -c 'env | sort; cat /etc/resolv.conf'
expect_rc 0 "nothing blocked, command passed"
for kv in 'HTTP_PROXY=http://127.0.0.1:3128' 'HTTPS_PROXY=http://127.0.0.1:3128' 'http_proxy=http://127.0.0.1:3128' \
  'https_proxy=http://127.0.0.1:3128' 'NO_PROXY=localhost,127.0.0.1,::1' 'no_proxy=localhost,127.0.0.1,::1' \
  'npm_config_https_proxy=http://127.0.0.1:3128' 'YARN_HTTPS_PROXY=http://127.0.0.1:3128' \
  'GRADLE_OPTS=.*-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=3128'; do
  expect_out "^$kv" "environment has $kv"
done
expect_out '^nameserver 127\.0\.0\.1$' "resolv.conf"
[ "$(grep -c '^nameserver' "$T/out")" = 1 ] || fail "resolv.conf must name only the fence's resolver"

# A machine with no /etc/resolv.conf (a bare container): resolvers then ask 127.0.0.1:53, the
# fence's resolver, so the fence runs without covering it and the lookup is still reported.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v getent >/dev/null; then
  unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /etc && exec "$@"' sh \
    "$NETMAP" "${R[@]}" --preset none --json -- getent hosts no-resolv-conf.example >"$T/out" 2>"$T/err"
  rc=$?
  expect_rc 1 "no /etc/resolv.conf: the lookup is blocked, not netmap's error"
  expect_out '"name": "no-resolv-conf\.example"' "no /etc/resolv.conf: the lookup reached the fence's resolver"
else
  echo "SKIP (part): no /etc/resolv.conf case needs root, unshare and getent" >&2
fi

# Exit codes: the command's failure alone is 1; netmap's own errors are 2 with one line.
run "${R[@]}" -- sh -c 'exit 3'
expect_rc 1 "command failed, nothing blocked"
expect_out 'exited 3' "the command's status is reported"
run "${R[@]}" --dns-mode sometimes -- true
expect_rc 2 "bad --dns-mode"
run "${R[@]}" -- netmap-no-such-command
expect_rc 2 "command not found is netmap's error"
expect_err "error: cannot run 'netmap-no-such-command'" "names the command"
run "${R[@]}"
expect_rc 2 "no command"

# Signals reach the whole group; nothing outlives the run (a daemon that left the group included).
cat > tree.sh <<'SH'
sleep 300 & echo "$!" > "$1/grandchild.pid"
setsid sleep 300 & echo "$!" > "$1/daemon.pid"
trap 'echo got-TERM; exit 143' TERM
while :; do sleep 0.1; done
SH
"$NETMAP" "${R[@]}" -- sh tree.sh "$T" >"$T/out" 2>"$T/err" &
NM=$!
for i in $(seq 1 100); do [ -s daemon.pid ] && [ -s grandchild.pid ] && break; sleep 0.05; done
sleep 0.2
kill -TERM "$NM"
wait "$NM"
rc=$?
expect_rc 1 "terminated command is a failure"
expect_out 'got-TERM' "the command's own TERM handler ran"
expect_out 'exited 143' "128 + SIGTERM"
for f in grandchild daemon; do
  pid=$(cat "$f.pid")
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
  if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    fail "$f ($pid) outlived the run"
    kill -9 "$pid" 2>/dev/null
  fi
done

# A non-root user gets the same fence where unprivileged user namespaces are enabled.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  mkdir -p "$T/nobody" && chmod 777 "$T/nobody" && chmod 755 "$T"
  if setpriv --reuid=65534 --regid=65534 --clear-groups "$NETMAP" "${R[@]}" --policy netmap.yaml \
       -- sh -c 'id -u; python3 -c "import socket; print([n for _, n in socket.if_nameindex()])"; cat /etc/resolv.conf' \
       >"$T/out" 2>"$T/err"; then
    expect_out '^65534$' "runs as the user, not as root in the namespace"
    expect_out "\['lo'(, 'netmap0')?\]" "non-root fence has only loopback (and the device where /dev/net/tun is open to users)"
    expect_out '^nameserver 127\.0\.0\.1$' "non-root resolv.conf"
  elif grep -q 'user namespace' "$T/err"; then
    expect_err 'hint: .*sysctl' "the error says how to enable user namespaces"
  else
    fail "non-root replay failed"
  fi
fi
finish
