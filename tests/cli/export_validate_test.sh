#!/usr/bin/env bash
# The exported configs are accepted by the real tools: squid -k parse, unbound-checkconf,
# dnsmasq --test, and Python's json module for the JSON targets. Three policies: the golden
# fixture, every preset expanded at once (hundreds of entries), and allow/deny rules that collide.
. "$(dirname "$0")/lib.sh"
for tool in squid unbound-checkconf dnsmasq python3; do
  command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null ||
    skip "$tool is not installed (scripts/packages/test-report.txt lists it)"
done
export PATH="$PATH:/usr/sbin:/sbin"
cp "$NETMAP_SOURCE_DIR/tests/golden/export/netmap.yaml" "$T/fixture.yaml"
cat > "$T/presets.yaml" <<'EOF2'
presets: [codex-common, claude-trusted, copilot-recommended]
allow: ["**.example.com", api.internal.example]
deny: [evil.example.com, "*.bad.example.com"]
mock: [telemetry.example.com]
methods: [GET, HEAD]
EOF2
cat > "$T/collide.yaml" <<'EOF2'
allow: ["*.example.com", www.example.org, "**.example.net"]
deny: [example.com, "**.www.example.org"]
mock: ["*.mock.example.net"]
dns: {custom_resolvers: ["10.0.0.53", "2001:db8::53"]}
EOF2
# allow '*' beside other rules (audit F5): each tool's own allow-everything, the rest kept.
cat > "$T/allall.yaml" <<'EOF2'
allow: ["*", exact.example.com, gcr.io, "*.gcr.io"]
deny: [bad.example.com]
methods: [GET]
dns: {custom_resolvers: ["127.0.0.1"]}
EOF2
for p in fixture presets collide allall; do
  run export --target squid --policy "$T/$p.yaml" -o "$T/$p.squid.conf"
  expect_rc 0 "$p: export squid"
  squid -k parse -f "$T/$p.squid.conf" >"$T/squid.log" 2>&1 || fail "$p: squid -k parse failed: $(tail -3 "$T/squid.log")"
  grep -Eiq 'warning|error|fatal' "$T/squid.log" && fail "$p: squid complains: $(grep -Ei 'warning|error|fatal' "$T/squid.log" | head -3)"

  run export --target unbound --policy "$T/$p.yaml" -o "$T/$p.unbound.conf"
  expect_rc 0 "$p: export unbound"
  unbound-checkconf "$T/$p.unbound.conf" >"$T/ub.log" 2>&1 || fail "$p: unbound-checkconf failed: $(cat "$T/ub.log")"
  grep -qi warning "$T/ub.log" && fail "$p: unbound-checkconf warns: $(cat "$T/ub.log")"

  run export --target dnsmasq --policy "$T/$p.yaml" -o "$T/$p.dnsmasq.conf"
  expect_rc 0 "$p: export dnsmasq"
  dnsmasq --test -C "$T/$p.dnsmasq.conf" >"$T/dm.log" 2>&1 || fail "$p: dnsmasq --test failed: $(cat "$T/dm.log")"

  for target in claude srt json; do
    run export --target "$target" --policy "$T/$p.yaml" -o "$T/$p.$target.json"
    expect_rc 0 "$p: export $target"
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/$p.$target.json" || fail "$p: $target is not JSON"
  done
  # YAML targets: yaml-cpp parses them in tests/unit/report; PyYAML too when it is installed.
  if python3 -c 'import yaml' 2>/dev/null; then
    for target in codex harden-runner; do
      run export --target "$target" --policy "$T/$p.yaml"
      python3 -c 'import yaml,sys; yaml.safe_load(open(sys.argv[1]))' "$T/out" || fail "$p: $target is not YAML"
    done
  fi
done
# The colliding policy: the refusal wins the shared zone, and the file says what was lost.
grep -q '^# left out: \*\.example\.com .*refused by example\.com' "$T/collide.unbound.conf" || fail "collide: no note for the lost zone"
grep -q 'www\.example\.org.* transparent' "$T/collide.unbound.conf" && fail "collide: an allow rule a deny covers was exported"
grep -q '^server=/www.example.org/' "$T/collide.dnsmasq.conf" && fail "collide: dnsmasq forwards a denied name"
grep -q '^server=/\*\.example\.com/10\.0\.0\.53$' "$T/collide.dnsmasq.conf" || fail "collide: dnsmasq lost *.example.com"
grep -q '^server=/\*\.example\.com/2001:db8::53$' "$T/collide.dnsmasq.conf" || fail "collide: second resolver missing"
grep -q '^http_access allow all$' "$T/allall.squid.conf" || fail "allall: squid does not allow every name"
grep -q 'impossible' "$T/allall.squid.conf" "$T/allall.dnsmasq.conf" "$T/allall.unbound.conf" && fail "allall: '*' called impossible where it is written"
grep -q 'exact.example.com' "$T/allall.claude.json" || fail "allall: '*' left out took exact.example.com with it"
grep -q 'do-not-query-localhost: no' "$T/allall.unbound.conf" || fail "allall: loopback resolver without do-not-query-localhost: no"
finish
