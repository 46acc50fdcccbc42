#!/usr/bin/env bash
# netmap export --target unbound, served by a real unbound on loopback and queried with dig: allowed
# zones are forwarded, refused zones and every other name get NXDOMAIN, and the widenings the file
# comments on (an exact host admits the names below it; *.x admits the apex) are what unbound does.
# The upstream is a dnsmasq on loopback answering every A query with 192.0.2.1 (no internet).
. "$(dirname "$0")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"
for tool in unbound unbound-checkconf dnsmasq dig; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/packages/test-report.txt lists it)"
done
[ "$(id -u)" -eq 0 ] || skip "dnsmasq needs root here to drop to its own user"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
wait_dns() {
  for _ in $(seq 50); do
    dig +time=1 +tries=1 -p "$1" @127.0.0.1 probe.invalid >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "no DNS server came up on port $1: $(cat "$T"/*.log 2>/dev/null | tail -5)"
  finish
}
up=$(free_port)
dnsmasq -k --port="$up" --listen-address=127.0.0.1 --bind-interfaces --no-hosts --no-resolv --pid-file= \
  --log-facility="$T/upstream.log" --address=/#/192.0.2.1 &
pids+=($!)
wait_dns "$up"

cat > "$T/netmap.yaml" <<'EOF2'
allow:
  - api.example.test
  - "*.wild.example.test"
  - "**.all.example.test"
deny: ["**.bad.all.example.test"]
EOF2
run export --target unbound --policy "$T/netmap.yaml" --upstream "127.0.0.1#$up" -o "$T/allow.conf"
expect_rc 0 "export"
port=$(free_port)
# Test-only server settings around the exported file: loopback, foreground, no privileges, no
# DNSSEC (the fake upstream signs nothing). Forwarding to 127.0.0.1 must be permitted by the
# exported file itself (do-not-query-localhost: no, audit F2), so it is not set here.
cat > "$T/unbound.conf" <<EOF2
server:
    interface: 127.0.0.1
    port: $port
    do-daemonize: no
    use-syslog: no
    logfile: "$T/unbound.log"
    chroot: ""
    username: ""
    directory: "$T"
    pidfile: ""
    num-threads: 1
    do-ip6: no
    module-config: "iterator"
include: "$T/allow.conf"
EOF2
unbound-checkconf "$T/unbound.conf" >"$T/check.log" 2>&1 || fail "unbound-checkconf: $(cat "$T/check.log")"
grep -qi 'will not be used' "$T/check.log" && fail "unbound-checkconf: the loopback forwarder would not be used: $(cat "$T/check.log")"
unbound -d -c "$T/unbound.conf" 2>>"$T/unbound.log" &
pids+=($!)
wait_dns "$port"

status() { dig +time=2 +tries=1 -p "$port" @127.0.0.1 "$1" A | awk '/status:/ {gsub(",", "", $6); s=$6} /^[^;].*\tIN\tA\t/ {a=$NF} END {print s, a}'; }
expect_dns() {
  local got; got=$(status "$1")
  [ "$got" = "$2" ] || fail "$1: got '$got', expected '$2'"
}
expect_dns api.example.test "NOERROR 192.0.2.1"
expect_dns x.api.example.test "NOERROR 192.0.2.1"   # widened: the zone covers what is below it
expect_dns a.wild.example.test "NOERROR 192.0.2.1"
expect_dns wild.example.test "NOERROR 192.0.2.1"    # widened: the zone's apex
expect_dns all.example.test "NOERROR 192.0.2.1"
expect_dns x.all.example.test "NOERROR 192.0.2.1"
expect_dns bad.all.example.test "NXDOMAIN "
expect_dns x.bad.all.example.test "NXDOMAIN "
expect_dns other.test "NXDOMAIN "
expect_dns example.test "NXDOMAIN "
grep -q 'widened: an unbound zone also admits every name below api.example.test' "$T/allow.conf" || fail "no comment on the widened exact host"
grep -q 'widened: an unbound zone also admits its apex wild.example.test' "$T/allow.conf" || fail "no comment on the widened wildcard"
finish
