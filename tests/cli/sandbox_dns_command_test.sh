#!/usr/bin/env bash
# label: privileged
# sandbox-dns -- CMD: the command's /etc/resolv.conf (private mount namespace) names the resolver
# on 127.53.0.1:53; getent and curl inside resolve allowed names and fail on blocked ones; the exit
# status is the command's; the host's resolv.conf is untouched; blocked names are reported.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

missing=$(awk '/^CapEff/ {v = strtonum("0x" $2); m = ""; if (!and(v, 2^21)) m = m " CAP_SYS_ADMIN";
  if (!and(v, 2^10)) m = m " CAP_NET_BIND_SERVICE"; print m}' /proc/self/status 2>/dev/null)
[ -z "$missing" ] || skip "needs root or$missing"
unshare -m true 2>/dev/null || skip "mount namespaces are not available here"
command -v getent >/dev/null || skip "getent not installed"
grep -Eq '^hosts:.*\bdns\b' /etc/nsswitch.conf 2>/dev/null || skip "nsswitch does not consult DNS for hosts"

start_upstream
host_before=$(cat /etc/resolv.conf 2>/dev/null)

run sandbox-dns --upstream "127.0.0.1:$UP_PORT" --allow www.example.com --allow web.example.com -- \
  sh -c 'grep -c "^nameserver 127.53.0.1$" /etc/resolv.conf; grep -c "^nameserver" /etc/resolv.conf;
         getent hosts www.example.com; getent hosts blocked.example.org || echo "blocked-failed"; exit 7'
expect_rc 7 "the command's exit status"
expect_out "^1$" "resolv.conf names the resolver"
[ "$(sed -n 2p "$T/out")" = 1 ] || fail "resolv.conf must hold only our nameserver: $(cat "$T/out")"
expect_out "^192.0.2.1 +www.example.com" "getent resolves an allowed name"
expect_out "^blocked-failed$" "getent fails on a blocked name"
expect_err "blocked names \(1\)" "the report lists the blocked names"
expect_err "blocked.example.org .*to allow: add 'blocked.example.org'" "the report names the rule to add"
[ "$(cat /etc/resolv.conf 2>/dev/null)" = "$host_before" ] || fail "the host's /etc/resolv.conf changed"
[ "$(upstream_queries blocked.example.org)" = 0 ] || fail "a blocked name reached the upstream"

if command -v curl >/dev/null && command -v python3 >/dev/null; then
  mkdir -p "$T/www" && echo "hello from web" >"$T/www/index.html"
  python3 -m http.server --bind 127.0.0.1 --directory "$T/www" 0 >"$T/http.out" 2>&1 &
  HTTP_PID=$!
  for i in $(seq 1 30); do hp=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/http.out" 2>/dev/null | head -1); [ -n "$hp" ] && break; sleep 0.1; done
  run sandbox-dns --upstream "127.0.0.1:$UP_PORT" --allow web.example.com -- \
    sh -c "curl -sS --noproxy '*' http://web.example.com:$hp/index.html; curl -sS --noproxy '*' http://blocked.example.org:$hp/; echo curl=\$?"
  expect_out "^hello from web$" "curl reaches an allowed name"
  expect_out "^curl=6$" "curl cannot resolve a blocked name (exit 6)"
  expect_err "Could not resolve host: blocked.example.org" "curl's own message"
  kill "$HTTP_PID" 2>/dev/null
fi

# The resolver's address taken by someone else: a clear error, the command never runs.
python3 -c 'import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.53.0.1", 53)); print("bound", flush=True); time.sleep(20)' >"$T/squat.out" 2>&1 &
SQUAT_PID=$!
for i in $(seq 1 30); do grep -q bound "$T/squat.out" && break; sleep 0.1; done
run sandbox-dns --upstream "127.0.0.1:$UP_PORT" --allow www.example.com -- sh -c 'echo ran'
expect_rc 2 "resolver address taken"
expect_one_line_error sandbox-dns "resolver address taken"
expect_err "cannot listen on 127.53.0.1:53 \(udp\): Address already in use" "names the address"
kill "$SQUAT_PID" 2>/dev/null

# Without the capabilities: one line that says which, and points to replay.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NETMAP" sandbox-dns --allow x.example -- true \
    >"$T/out" 2>"$T/err"
  rc=$?
  expect_rc 2 "unprivileged -- CMD"
  expect_one_line_error sandbox-dns "unprivileged -- CMD"
  expect_err "needs root or CAP_SYS_ADMIN and CAP_NET_BIND_SERVICE" "names the capabilities"
  expect_err "netmap replay" "points to replay"
fi
finish
