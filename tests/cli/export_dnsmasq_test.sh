#!/usr/bin/env bash
# netmap export --target dnsmasq, served by a real dnsmasq on loopback and queried with dig: every
# rule form means what netmap says (exact, *.x subdomains only, **.x apex and subdomains), refusals
# win, and every other name gets NXDOMAIN. The upstream is a second dnsmasq on loopback that
# answers every A query with 192.0.2.1 (no internet).
. "$(dirname "$0")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"
command -v dnsmasq >/dev/null || skip "dnsmasq is not installed (package dnsmasq-base)"
command -v dig >/dev/null || skip "dig is not installed (package bind9-dnsutils)"
command -v python3 >/dev/null || skip "python3 is not installed"
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
expect_dns x.bad.all.example.test "NOERROR 192.0.2.1" # exact: what is below stays allowed by **.all (server=/*.x/UP)
expect_dns mock.all.example.test "NOERROR 192.0.2.1"
expect_dns t.mock.all.example.test "NXDOMAIN "
expect_dns other.test "NXDOMAIN "
expect_dns example.test "NXDOMAIN "
# explain --target dnsmasq decides as the exported file does (audit F3).
for n in api.example.test x.api.example.test wild.example.test a.wild.example.test bad.all.example.test \
         x.bad.all.example.test mock.all.example.test t.mock.all.example.test other.test; do
  want=$([ "$(status "$n" | cut -d' ' -f1)" = NOERROR ] && echo allowed || echo blocked)
  "$NETMAP" explain --json --policy "$T/netmap.yaml" --target dnsmasq "$n" >"$T/explain.json"
  got=$(python3 -c 'import json,sys; print("allowed" if json.load(open(sys.argv[1]))["results"][0]["target_allowed"] else "blocked")' "$T/explain.json")
  [ "$got" = "$want" ] || fail "$n: explain --target dnsmasq says $got, dnsmasq says $want"
done

# No --upstream and no dns.custom_resolvers (audit F1): dnsmasq's default servers (resolv.conf)
# must never answer an unlisted name. Here its resolv file names the fake upstream, which would
# answer every name with 192.0.2.1; the export must keep them all NXDOMAIN.
if grep -Eq '^nameserver[[:space:]]' /etc/resolv.conf; then
  run export --target dnsmasq --preset none --allow allowed.example.test -o "$T/noup.conf"
  expect_rc 0 "export without an upstream"
  grep -q '^no-resolv$' "$T/noup.conf" || fail "no-resolv missing without an upstream"
  first=$(awk '$1 == "nameserver" {sub(/%.*/, "", $2); print $2; exit}' /etc/resolv.conf)
  grep -Fq "server=/allowed.example.test/$first" "$T/noup.conf" || fail "resolv.conf's nameserver $first is not written out"
  echo "nameserver 127.0.0.1" >"$T/resolv.conf"
  noup=$(free_port)
  # A resolv file names servers on port 53 only, where no fake upstream can listen here: the log
  # shows whether dnsmasq forwarded (failing open) or answered locally.
  start_dnsmasq "$noup" -C "$T/noup.conf" --resolv-file="$T/resolv.conf" --log-queries
  fence_status() { dig +time=2 +tries=1 -p "$noup" @127.0.0.1 "$1" A | awk '/status:/ {gsub(",", "", $6); print $6}'; }
  [ "$(fence_status blocked.example.test)" = NXDOMAIN ] || fail "an unlisted name is answered without an upstream (fails open)"
  [ "$(fence_status other.test)" = NXDOMAIN ] || fail "other.test is answered without an upstream (fails open)"
  grep -q 'forwarded blocked.example.test' "$T/dnsmasq-$noup.log" && fail "an unlisted name was forwarded to resolv.conf's server"
  grep -q 'config blocked.example.test is NXDOMAIN' "$T/dnsmasq-$noup.log" || fail "no local NXDOMAIN logged for an unlisted name"
else
  echo "note: /etc/resolv.conf names no nameserver; the no-upstream export is an error there" >&2
  run export --target dnsmasq --preset none --allow allowed.example.test
  expect_rc 2 "export without any upstream"
fi

# allow '*' (audit F5): every name is forwarded, refusals still win, other entries are kept.
cat > "$T/all.yaml" <<'EOF2'
allow: ["*", exact.example.test, gcr.example.test, "*.gcr.example.test"]
deny: [bad.example.test]
EOF2
run export --target dnsmasq --policy "$T/all.yaml" --upstream "127.0.0.1#$up" -o "$T/all.conf"
expect_rc 0 "export allow '*'"
grep -q 'impossible' "$T/all.conf" && fail "dnsmasq can admit every name; nothing is impossible"
grep -q '^address=/#/$' "$T/all.conf" && fail "allow '*' still refuses every other name"
dnsmasq --test -C "$T/all.conf" >/dev/null 2>&1 || fail "dnsmasq --test rejects the allow-everything export"
all=$(free_port)
start_dnsmasq "$all" -C "$T/all.conf"
all_status() { dig +time=2 +tries=1 -p "$all" @127.0.0.1 "$1" A | awk '/status:/ {gsub(",", "", $6); print $6}'; }
[ "$(all_status anything.test)" = NOERROR ] || fail "allow '*': anything.test refused"
[ "$(all_status bad.example.test)" = NXDOMAIN ] || fail "allow '*': the deny rule lost"
[ "$(all_status x.bad.example.test)" = NOERROR ] || fail "allow '*': below an exact deny refused"

# x and *.x (audit N3): one line forwards both, no contradicting local-only line.
run export --target dnsmasq --preset none --allow gcr.example.test --allow '*.gcr.example.test' --upstream "127.0.0.1#$up" -o "$T/pair.conf"
grep -q '^server=/\*\.gcr\.example\.test/' "$T/pair.conf" && fail "x and *.x: a second, contradicting line"
grep -q "^server=/gcr\.example\.test/127\.0\.0\.1#$up$" "$T/pair.conf" || fail "x and *.x: not one server=/x/ line"
pair=$(free_port)
start_dnsmasq "$pair" -C "$T/pair.conf"
for n in gcr.example.test a.gcr.example.test; do
  [ "$(dig +time=2 +tries=1 -p "$pair" @127.0.0.1 "$n" A | awk '/status:/ {gsub(",", "", $6); print $6}')" = NOERROR ] || fail "x and *.x: $n refused"
done
finish
