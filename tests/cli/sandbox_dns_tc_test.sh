#!/usr/bin/env bash
# Answers too big for the client's UDP size get TC; the client retries over TCP and gets it whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

start_upstream
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow big.example.com --allow www.example.com

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
stop_netmap TERM
grep -q "tcp [1-9]" "$T/nm.out" || fail "TCP counter"
grep -q "truncated [1-9]" "$T/nm.out" || fail "truncated counter"
finish
