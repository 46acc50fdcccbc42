#!/usr/bin/env bash
# netmap export --target dnsmasq, served by a real dnsmasq on loopback and queried with dig: every
# rule form means what netmap says (exact, *.x subdomains only, **.x apex and subdomains), refusals
# win, and every other name gets NXDOMAIN. The upstream is a second dnsmasq on loopback that
# answers every A query with 192.0.2.1 (no internet).
. "$(dirname "$0")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"
command -v dnsmasq >/dev/null || skip "dnsmasq is not installed (package dnsmasq-base)"
command -v dig >/dev/null || skip "dig is not installed (package bind9-dnsutils)"
[ "$(id -u)" -eq 0 ] || skip "dnsmasq needs root here to drop to its own user"
dnsmasq --version | head -1 | grep -Eq 'version 2\.(8[6-9]|9[0-9])|version [3-9]' || skip "dnsmasq older than 2.86 has no /*.x/ patterns"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
# start_dnsmasq PORT ARGS…: a foreground dnsmasq on 127.0.0.1:PORT, waited for until it answers.
start_dnsmasq() {
  local port=$1; shift
  dnsmasq -k --port="$port" --listen-address=127.0.0.1 --bind-interfaces --no-hosts --pid-file= \
    --log-facility="$T/dnsmasq-$port.log" "$@" &
  pids+=($!)
  for _ in $(seq 50); do
    dig +time=1 +tries=1 -p "$port" @127.0.0.1 probe.invalid >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "dnsmasq on port $port did not start: $(cat "$T/dnsmasq-$port.log" 2>/dev/null)"
  finish
}
up=$(free_port)
start_dnsmasq "$up" --no-resolv --address=/#/192.0.2.1

cat > "$T/netmap.yaml" <<'EOF2'
allow:
  - api.example.test
  - "*.wild.example.test"
  - "**.all.example.test"
deny: [bad.all.example.test]
mock: ["*.mock.all.example.test"]
EOF2
run export --target dnsmasq --policy "$T/netmap.yaml" --upstream "127.0.0.1#$up" -o "$T/allow.conf"
expect_rc 0 "export"
dnsmasq --test -C "$T/allow.conf" >/dev/null 2>&1 || fail "dnsmasq --test rejects the export"
fence=$(free_port)
start_dnsmasq "$fence" -C "$T/allow.conf"

# status NAME: the rcode and the first answer.
status() { dig +time=2 +tries=1 -p "$fence" @127.0.0.1 "$1" A | awk '/status:/ {gsub(",", "", $6); s=$6} /^[^;].*\tIN\tA\t/ {a=$NF} END {print s, a}'; }
expect_dns() {
  local got; got=$(status "$1")
  [ "$got" = "$2" ] || fail "$1: got '$got', expected '$2'"
}
expect_dns api.example.test "NOERROR 192.0.2.1"
expect_dns x.api.example.test "NXDOMAIN "          # exact: nothing below it
expect_dns a.wild.example.test "NOERROR 192.0.2.1"
expect_dns a.b.wild.example.test "NOERROR 192.0.2.1"
expect_dns wild.example.test "NXDOMAIN "           # *.x: not the apex
expect_dns all.example.test "NOERROR 192.0.2.1"
expect_dns deep.er.all.example.test "NOERROR 192.0.2.1"
expect_dns bad.all.example.test "NXDOMAIN "        # deny wins
expect_dns x.bad.all.example.test "NXDOMAIN "      # and, on dnsmasq, covers what is below (the file says so)
expect_dns mock.all.example.test "NOERROR 192.0.2.1"
expect_dns t.mock.all.example.test "NXDOMAIN "
expect_dns other.test "NXDOMAIN "
expect_dns example.test "NXDOMAIN "
grep -q "narrowed: dnsmasq refuses '\*\*\.bad\.all\.example\.test'" "$T/allow.conf" || fail "the narrowed refusal has no comment"
finish
