#!/usr/bin/env bash
# netmap export --target T for every target: golden files (tests/golden/export/<target>.*,
# rewritten by NETMAP_UPDATE_GOLDEN=1 and reviewed by hand), stable across runs, refusals and
# mock domains never allowed, notes on stderr for the JSON targets.
. "$(dirname "$0")/lib.sh"
fx="$NETMAP_SOURCE_DIR/tests/golden/export"
cd "$fx"  # relative paths: the goldens must not depend on the checkout's location
declare -A ext=([codex]=yaml [copilot]=txt [claude]=json [srt]=json [harden-runner]=yaml [squid]=conf
                [dnsmasq]=conf [unbound]=conf [json]=json)
for target in codex copilot claude srt harden-runner squid dnsmasq unbound json; do
  run export --target "$target" --policy netmap.yaml --inventory events.jsonl
  expect_rc 0 "export $target"
  cp "$T/out" "$T/$target.out"
  cp "$T/err" "$T/$target.err"
  golden "export/$target.${ext[$target]}" "$T/$target.out"
  run export --target "$target" --policy netmap.yaml --inventory events.jsonl
  cmp -s "$T/out" "$T/$target.out" || fail "$target: two runs differ"
  # Denied and mock names are never allowed; a refusal line may name them on targets with one.
  case "$target" in
    codex|copilot|claude|harden-runner)
      grep -Ev '^\s*#' "$T/$target.out" | grep -Eq 'evil|telemetry' && fail "$target: a refused name is in the allowlist" ;;
  esac
  grep -q 'a\.cdn\.example' "$T/$target.out" && fail "$target: an entry covered by **.cdn.example was kept"
  grep -q 'db\.local\.test' "$T/$target.out" && fail "$target: an ignored name was exported"
done
# JSON has no comments: what changed meaning is said on stderr.
grep -q '^netmap export: note: \*\*\.cdn\.example .*written as two entries' "$T/srt.err" || fail "srt: no note for **.cdn.example"
[ ! -s "$T/squid.err" ] || fail "squid: comments go in the file, stderr stays empty"
# Resolver targets take --upstream.
run export --target dnsmasq --policy netmap.yaml --upstream 127.0.0.1#5353
expect_rc 0 "--upstream"
expect_out '^server=/cdn\.example/127\.0\.0\.1#5353$' "dnsmasq forwards to --upstream"
run export --target unbound --policy netmap.yaml --upstream '[::1]:5353'
expect_out '^    forward-addr: ::1@5353$' "unbound spells the port with @"
run export --target dnsmasq --policy netmap.yaml --upstream resolver.example
expect_rc 2 "a name as upstream"
expect_one_line_error export "a name as upstream"
run export --target netmap --policy netmap.yaml
expect_rc 2 "netmap is not an export target"
run export --target squidd --policy netmap.yaml
expect_rc 2 "unknown target"
expect_err "did you mean 'squid'" "suggests the closest target"
finish
