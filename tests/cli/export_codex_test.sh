#!/usr/bin/env bash
# netmap export --target codex: golden output for the example, stable, parses back, atomic -o.
. "$(dirname "$0")/lib.sh"
ex="$NETMAP_SOURCE_DIR/examples/webapp"
cat > "$T/events.jsonl" <<'JSONL'
{"v":1,"time":"2026-11-28T10:00:00.000000Z","producer":"discover","via":"dns","name":"files.pythonhosted.org","port":53}
{"v":1,"time":"2026-11-28T10:00:01.000000Z","producer":"discover","via":"sni","name":"api.payments.example","port":443}
{"v":1,"time":"2026-11-28T10:00:02.000000Z","producer":"discover","via":"sni","name":"static.fonts.example","port":443}
{"v":1,"time":"2026-11-28T10:00:03.000000Z","producer":"discover","via":"quic","name":"static.fonts.example","port":443}
{"v":1,"time":"2026-11-28T10:00:04.000000Z","producer":"discover","via":"dns","name":"tracker.ads.example","port":53}
JSONL
cd "$ex"  # relative policy path: the golden output must not depend on the checkout's location
run export --target codex --policy netmap.yaml --inventory "$T/events.jsonl"
cd "$T"
expect_rc 0 "export"
golden foundation/export-codex.yaml "$T/out"
expect_no_out 'tracker' "denied domains are never exported"
# The output parses back as a policy (a Codex network: block) and exports to the same data.
cp "$T/out" "$T/codex.yaml"
run export --target codex --policy "$T/codex.yaml"
expect_rc 0 "re-export"
python3 - "$T/codex.yaml" "$T/out" <<'PY' || fail "round trip"
import sys, re
def adds(p):
    return [re.sub(r'\s+#.*', '', l).strip() for l in open(p) if l.strip().startswith('- "')]
a, b = adds(sys.argv[1]), adds(sys.argv[2])
assert [x for x in a if x != '- "10.0.0.53"'] == [x for x in b if x != '- "10.0.0.53"'], (a, b)
PY
run export --target codex --policy "$ex/netmap.yaml" -o "$T/net.yaml"
expect_rc 0 "-o"
[ -s "$T/net.yaml" ] && [ ! -s "$T/out" ] || fail "-o writes the file, not stdout"
ls "$T" | grep -q '\.tmp\.' && fail "temporary file left behind"
run export --target codex --policy "$ex/netmap.yaml" -o /nonexistent/dir/x.yaml
expect_rc 2 "unwritable output"
expect_one_line_error export "unwritable output"
echo '{"schema":"netmap.inventory","version":1,"domains":[{"name":"x","ports":["a"]}]}' > "$T/bad.json"
run export --target codex --policy "$ex/netmap.yaml" --inventory "$T/bad.json"
expect_rc 2 "bad inventory"
expect_err 'bad\.json: not a netmap inventory' "names the file"
run export --target nonsense
expect_rc 2 "unknown target"
finish
