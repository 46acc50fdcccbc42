#!/usr/bin/env bash
# sandbox-dns against a real upstream (dnsmasq on loopback), queried with dig and drill: allowed
# names forwarded and cached, blocked names answered NXDOMAIN + EDE without upstream traffic,
# exact rules exact, 0x20 case echoed, EDNS, ANY, --block-rcode, the log, the inventory, the summary.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

start_upstream
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow www.example.com --allow '*.pkg.example.com' \
  --log "$T/q.jsonl" -o "$T/inv.json"

out=$(q www.example.com A)
grep -q "status: NOERROR" <<<"$out" || fail "allowed name: $out"
grep -Eq "^www.example.com\.\s+[0-9]+\s+IN\s+A\s+192.0.2.1" <<<"$out" || fail "allowed answer: $out"

out=$(q telemetry.vendor.org A)
grep -q "status: NXDOMAIN" <<<"$out" || fail "blocked name not NXDOMAIN: $out"
grep -q "EDE: 15 (Blocked): (netmap: not on the allowlist; to allow it add the rule 'telemetry.vendor.org')" <<<"$out" \
  || fail "blocked answer lacks the EDE text: $out"
grep -q "SOA[[:space:]]*netmap.invalid. nobody.netmap.invalid. 1 3600 600 86400 10" <<<"$out" \
  || fail "blocked answer lacks the SOA: $out"
[ "$(upstream_queries telemetry.vendor.org)" = 0 ] || fail "a blocked name reached the upstream"

# Exact rules are exact: neither a name below nor a sibling.
for n in x.www.example.com mail.example.com pkg.example.com; do
  q "$n" A | grep -q "status: NXDOMAIN" || fail "$n must be blocked"
  [ "$(upstream_queries "$n")" = 0 ] || fail "$n reached the upstream"
done

# 0x20: the question comes back with the client's letter case.
out=$(q WwW.eXaMpLe.CoM A)
grep -q "^;WwW.eXaMpLe.CoM\." <<<"$out" || fail "question case not echoed: $out"
grep -q "status: NOERROR" <<<"$out" || fail "mixed-case allowed name: $out"

# The cache: the upstream was asked once for www.example.com A despite three queries.
[ "$(grep -c 'query\[A\] www.example.com' "$T/up.log")" = 1 ] || fail "cache: upstream asked $(grep -c 'query\[A\] www.example.com' "$T/up.log") times"
ttl=$(q www.example.com A +noall +answer | awk '{print $2}')
[ -n "$ttl" ] && [ "$ttl" -le 300 ] || fail "cached TTL not aged: $ttl"

# EDNS: our OPT comes back with 1232; without EDNS no OPT at all.
q www.example.com A +bufsize=4096 | grep -q "udp: 1232" || fail "EDNS OPT missing"
q www.example.com A +noedns | grep -q "OPT PSEUDOSECTION" && fail "OPT sent to a client without EDNS"

# ANY: RFC 8482 minimal answer, no upstream query.
out=$(q www.example.com ANY)
grep -q 'HINFO.*"RFC8482"' <<<"$out" || fail "ANY not answered minimally: $out"
[ "$(grep -c 'query\[ANY\]' "$T/up.log")" = 0 ] || fail "ANY reached the upstream"

# drill (ldns' client) as the other querying side.
if command -v drill >/dev/null; then
  out=$(drill -p "$PORT" @127.0.0.1 www.example.com A 2>&1)
  grep -q "rcode: NOERROR" <<<"$out" || fail "drill allowed: $out"
  out=$(drill -p "$PORT" @127.0.0.1 blocked.example.net A 2>&1)
  grep -q "rcode: NXDOMAIN" <<<"$out" || fail "drill blocked: $out"
fi

stop_netmap TERM
[ "$nm_rc" = 0 ] || fail "sandbox-dns exit $nm_rc after SIGTERM"
grep -q "^allowed names (1)" "$T/nm.out" || fail "summary: allowed names"
grep -Eq "^  telemetry.vendor.org  1  unlisted  \(to allow: add 'telemetry.vendor.org'\)" "$T/nm.out" || fail "summary: blocked name"
grep -Eq "^  127.0.0.1  [0-9]+" "$T/nm.out" || fail "summary: clients"
grep -q "cache hits [1-9]" "$T/nm.out" || fail "summary: cache hits"

# The log: one event per query, resolver fields present.
python3 - "$T/q.jsonl" <<'PY' || fail "query log"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) >= 10, len(ev)
b = [e for e in ev if e["name"] == "telemetry.vendor.org"][0]
assert b["producer"] == "sandbox-dns" and b["via"] == "resolver", b
assert b["rcode"] == "NXDOMAIN" and b["verdict"] == "unlisted" and b["qtype"] == "A" and b["client"].startswith("127.0.0.1:") and int(b["client"].rsplit(":", 1)[1]) > 0, b
a = [e for e in ev if e["name"] == "www.example.com"][0]
assert a["verdict"] == "allowed" and a["rule"] == "www.example.com" and a["rcode"] == "NOERROR" and "latency_ms" in a, a
PY
python3 - "$T/inv.json" <<'PY' || fail "inventory"
import json, sys
inv = json.load(open(sys.argv[1]))
d = inv["domains"]
names = {x["name"] if isinstance(x, dict) else x for x in (d if isinstance(d, list) else d.keys())}
assert "www.example.com" in names and "telemetry.vendor.org" in names, names
PY

# --block-rcode refused
start_netmap --upstream "127.0.0.1:$UP_PORT" --allow www.example.com --block-rcode refused
q nope.example.org A | grep -q "status: REFUSED" || fail "--block-rcode refused"
stop_netmap INT
[ "$nm_rc" = 0 ] || fail "sandbox-dns exit $nm_rc after SIGINT"

# Usage errors are one line.
run sandbox-dns --listen nonsense --upstream 127.0.0.1
expect_rc 2 "bad --listen"
expect_one_line_error sandbox-dns "bad --listen"
run sandbox-dns --listen 127.0.0.1:0 --upstream 'not an address'
expect_rc 2 "bad --upstream"
finish
