# Helpers for tests/cli/sandbox_dns_*_test.sh: a real upstream (dnsmasq serving local data on
# loopback) and a netmap sandbox-dns started on an ephemeral port. Source after lib.sh.

command -v dnsmasq >/dev/null || skip "dnsmasq not installed (scripts/packages/test-dns.txt)"
command -v dig >/dev/null || skip "dig not installed (dnsutils)"

# start_upstream: dnsmasq on 127.0.0.1:$UP_PORT with the test zone; its query log is $T/up.log.
start_upstream() {
  local big; big=$(printf 'x%.0s' $(seq 1 240))
  local port
  for port in $(shuf -i 20000-60000 -n 20); do
    dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --listen-address=127.0.0.1 --port="$port" \
      --bind-interfaces --user="$(id -un)" --pid-file= --local-ttl=300 --neg-ttl=60 --local=/example.com/ \
      --host-record=www.example.com,192.0.2.1 --host-record=web.example.com,127.0.0.1 \
      --cname=cdn.example.com,edge.cdn.test --host-record=edge.cdn.test,192.0.2.9 \
      --cname=api.example.com,www.example.com \
      --dns-rr=svc.example.com,65,0000037376630363646e047465737400 --host-record=svc.cdn.test,192.0.2.10 \
      --txt-record=big.example.com,"${big}a" --txt-record=big.example.com,"${big}b" \
      --txt-record=big.example.com,"${big}c" \
      --txt-record=large.example.com,"${big}a" --txt-record=large.example.com,"${big}b" \
      --txt-record=large.example.com,"${big}c" --txt-record=large.example.com,"${big}d" \
      --log-queries --log-facility="$T/up.log" >"$T/upstream.out" 2>&1 &
    UP_PID=$!
    sleep 0.3
    if kill -0 "$UP_PID" 2>/dev/null; then UP_PORT=$port; return 0; fi
  done
  skip "could not start dnsmasq as an upstream: $(cat "$T/upstream.out")"
}

# upstream_queries NAME: how many times the upstream was asked for NAME.
upstream_queries() { grep -c "query\[[A-Z0-9]*\] $1 from" "$T/up.log" 2>/dev/null || true; }

# start_netmap ARGS…: runs `netmap sandbox-dns --listen 127.0.0.1:0 ARGS…` in the background;
# sets NM_PID and PORT (read from its "serving" note). Output in $T/nm.out, $T/nm.err.
start_netmap() {
  # Emptied here, not only by the child's redirection: until the child runs, the loop below
  # would read the previous server's port.
  : >"$T/nm.err"
  "$NETMAP" sandbox-dns --listen 127.0.0.1:0 "$@" >"$T/nm.out" 2>"$T/nm.err" &
  NM_PID=$!
  local i
  for i in $(seq 1 50); do
    PORT=$(sed -n 's/.*serving 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/nm.err" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$NM_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "sandbox-dns did not start: $(cat "$T/nm.err")"
  finish
}

# stop_netmap [SIGNAL]: stops it (default TERM) and waits; sets nm_rc.
stop_netmap() {
  kill -"${1:-TERM}" "$NM_PID" 2>/dev/null
  wait "$NM_PID"
  nm_rc=$?
}

# q ARGS…: dig against the resolver, short timeouts.
q() { dig @127.0.0.1 -p "$PORT" +tries=1 +time=2 "$@" 2>&1; }

cleanup_dns() {
  [ -n "${NM_PID:-}" ] && kill "$NM_PID" 2>/dev/null
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup_dns EXIT
