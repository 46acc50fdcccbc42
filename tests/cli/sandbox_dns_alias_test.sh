#!/usr/bin/env bash
# The policy covers the whole resolution: CNAME and HTTPS alias targets of an allowed name are
# reported (default) or block the answer (--cname-policy strict); a blocked name stays blocked
# after it was cached as someone's CNAME target.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

start_upstream
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow cdn.example.com --allow svc.example.com \
  --allow api.example.com --log "$T/q.jsonl"

out=$(q cdn.example.com A)
grep -q "status: NOERROR" <<<"$out" || fail "report mode answers: $out"
grep -q "CNAME.*edge.cdn.test" <<<"$out" || fail "report mode keeps the chain: $out"
# The target was in the cache as a CNAME target; asked directly it stays blocked, upstream untouched.
before=$(upstream_queries edge.cdn.test)
q edge.cdn.test A | grep -q "status: NXDOMAIN" || fail "CNAME target asked directly must stay blocked"
[ "$(upstream_queries edge.cdn.test)" = "$before" ] || fail "the blocked target reached the upstream"
# An allowed name whose CNAME target is not allowed either (api -> www): reported too.
q api.example.com A | grep -q "status: NOERROR" || fail "api.example.com"
q svc.example.com HTTPS | grep -q "status: NOERROR" || fail "HTTPS alias, report mode"
stop_netmap TERM
grep -Eq "^  edge.cdn.test  [0-9]+  unlisted" "$T/nm.out" || fail "summary must list the CNAME target as blocked"
grep -Eq "^  svc.cdn.test  [0-9]+  unlisted" "$T/nm.out" || fail "summary must list the HTTPS alias target"
grep -q '"name":"edge.cdn.test".*"note":"cname-of: cdn.example.com"' "$T/q.jsonl" || fail "log must report the CNAME target"
grep -q "alias targets reported [1-9]" "$T/nm.out" || fail "counter alias_reported"

# Strict: the answer is blocked, with EDE naming the target.
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow cdn.example.com --allow svc.example.com --cname-policy strict
out=$(q cdn.example.com A)
grep -q "status: NXDOMAIN" <<<"$out" || fail "strict blocks the answer: $out"
grep -q "alias target 'edge.cdn.test'" <<<"$out" || fail "strict EDE names the target: $out"
q svc.example.com HTTPS | grep -q "status: NXDOMAIN" || fail "strict blocks an HTTPS alias"
# Twice: the second answer comes from the cache, and the cache must not answer around the policy.
q cdn.example.com A | grep -q "status: NXDOMAIN" || fail "strict from the cache"
stop_netmap TERM

# Allowing the target makes the chain whole.
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow cdn.example.com --allow edge.cdn.test --cname-policy strict
out=$(q cdn.example.com A)
grep -q "192.0.2.9" <<<"$out" || fail "strict with the target allowed: $out"
stop_netmap TERM
finish
