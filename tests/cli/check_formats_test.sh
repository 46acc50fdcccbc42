#!/usr/bin/env bash
# netmap check: exit codes by --fail-on, each output format (text, --json, --format json/github/junit),
# -o, and one-line errors with exit 2 for bad inputs.
. "$(dirname "$0")/lib.sh"
cd "$T"
cat > netmap.yaml <<'EOF2'
presets: [codex-common]
allow:
  - api.example.com
  - "**.cdn.example.org"
  - github.com
deny: [evil.example.com]
mock: [telemetry.example.net]
ignore: ["*.local.test"]
EOF2
ev() { printf '{"v":1,"time":"2026-11-28T10:00:0%sZ","producer":"discover",%s}\n' "$1" "$2"; }
{ ev 0 '"via":"sni","name":"api.example.com","port":443'
  ev 1 '"via":"dns","name":"img.cdn.example.org"'
  ev 2 '"via":"dns","name":"db.local.test"'; } > clean.jsonl
{ ev 3 '"via":"direct","address":"192.0.2.7","port":22,"transport":"tcp"'; } > bareip.jsonl
{ ev 4 '"via":"sni","name":"evil.example.com","port":443'
  ev 5 '"via":"dns","name":"telemetry.example.net"'
  ev 6 '"via":"sni","name":"new.example.org","port":8443'; } > blocked.jsonl

# Exit codes: clean 0; blocked 1; a warning fails only at --fail-on warning; notices at notice.
run check --inventory clean.jsonl
expect_rc 0 "clean (the github.com notice is below --fail-on error)"
expect_out 'netmap check: 0 errors, 0 warnings, 1 notice; 3 domains contacted \(2 allowed, 1 ignored, 0 blocked\).*: ok$' "summary"
run check --inventory clean.jsonl --fail-on notice
expect_rc 1 "--fail-on notice"
run check --inventory clean.jsonl --inventory bareip.jsonl
expect_rc 0 "bare IP is a warning"
expect_out 'warning: bare-IP destination: 192\.0\.2\.7 port 22/tcp' "bare IP reported"
run check --inventory clean.jsonl --inventory bareip.jsonl --fail-on warning
expect_rc 1 "--fail-on warning"
run check -i clean.jsonl -i blocked.jsonl
expect_rc 1 "blocked domains"
expect_out '^  netmap\.yaml:6:8: error: denied domain contacted: evil\.example\.com' "deny names its line"
expect_out '^  netmap\.yaml:7:8: error: mock domain contacted: telemetry\.example\.net' "mock names its line"
expect_out '^  error: domain not allowed: new\.example\.org' "unlisted"
expect_no_out 'db\.local\.test' "ignored domains produce nothing"
expect_no_out $'\x1b' "no colour when stdout is not a terminal"
run check -i clean.jsonl -i blocked.jsonl --color always
expect_out $'\x1b\\[31merror' "--color always"

# --target and --stale.
run check -i clean.jsonl --target codex --stale --fail-on warning
expect_rc 1 "widened rule is a warning"
expect_out 'netmap\.yaml:3:5: warning: rule widened on codex: allow rule api\.example\.com' "widening at the rule"
expect_out 'netmap\.yaml:5:5: notice: allow rule never used: allow rule github\.com' "--stale"
run check -i clean.jsonl --target codexx
expect_rc 2 "unknown target"
expect_one_line_error check "unknown target"
expect_err "did you mean 'codex'" "suggestion"

# JSON.
run check -i clean.jsonl -i blocked.jsonl --json
expect_rc 1 "--json exit"
python3 - "$T/out" <<'PY' || fail "--json document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"]["errors"] == 3, d["summary"]
assert d["failed"] is True
codes = sorted(f["code"] for f in d["findings"])
assert codes == ["covered-by-preset", "denied", "mock", "unlisted"], codes
den = [f for f in d["findings"] if f["code"] == "denied"][0]
assert den["location"] == {"file": "netmap.yaml", "line": 6, "column": 8}, den
assert {x["name"]: x["verdict"] for x in d["domains"]}["db.local.test"] == "ignored"
PY
run check -i clean.jsonl --format json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["failed"] is False' "$T/out" || fail "--format json"

# GitHub workflow commands: one a line, properties escaped, file/line/col of the rule.
run check -i clean.jsonl -i blocked.jsonl --format github
expect_rc 1 "github exit"
expect_out '^::error file=netmap\.yaml,line=6,col=8,title=netmap%3A denied domain contacted::evil\.example\.com was contacted 1 time via sni' "deny annotation"
expect_out '^::error file=netmap\.yaml,line=1,title=netmap%3A domain not allowed::new\.example\.org' "unlisted points at the policy"
expect_out '^::notice file=netmap\.yaml,line=5,col=5,' "notice annotation"
grep -Ev '^::(error|warning|notice) ' "$T/out" | grep -q . && fail "every line is a workflow command"

# JUnit: valid XML, one testcase per contacted domain, failures for the blocked ones.
run check -i clean.jsonl -i blocked.jsonl --format junit -o report.xml
expect_rc 1 "junit exit"
[ ! -s "$T/out" ] || fail "-o: nothing on stdout"
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' report.xml || fail "JUnit is not valid XML"
python3 - report.xml <<'PY' || fail "JUnit content"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
suite = [s for s in doc.getElementsByTagName("testsuite") if s.getAttribute("name") == "netmap.domains"][0]
cases = {c.getAttribute("name"): c for c in suite.getElementsByTagName("testcase")}
assert sorted(cases) == ["api.example.com", "db.local.test", "evil.example.com", "img.cdn.example.org",
                         "new.example.org", "telemetry.example.net"], sorted(cases)
failed = sorted(n for n, c in cases.items() if c.getElementsByTagName("failure"))
assert failed == ["evil.example.com", "new.example.org", "telemetry.example.net"], failed
assert cases["db.local.test"].getElementsByTagName("skipped")
assert suite.getAttribute("failures") == "3"
PY
# A hostile name from an inventory file stays well-formed XML and a single annotation line.
printf '{"schema":"netmap.inventory","version":1,"domains":[{"name":"a<b>&\\"c\\r\\n::error ::x%%.example","count":1}]}\n' > hostile.json
run check -i hostile.json --format junit
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/out" || fail "hostile name breaks the XML"
run check -i hostile.json --format github
[ "$(grep -c '^::' "$T/out")" -eq "$(wc -l < "$T/out")" ] || fail "hostile name split an annotation"
expect_out "^::error file=netmap\.yaml,line=1,title=netmap%3A invalid host name contacted::'a<b>&" "hostile name escaped on one line"

# Bad inputs: one line on stderr, exit 2, nothing on stdout.
run check
expect_rc 2 "nothing to check"
expect_one_line_error check "nothing to check"
run check -i missing.jsonl
expect_rc 2 "missing file"
expect_one_line_error check "missing file"
echo '{"schema": "netmap.inventory", nope}' > bad.json
run check -i bad.json
expect_rc 2 "bad JSON"
expect_err '^netmap check: error: bad\.json:1:[0-9]+: invalid JSON: ' "names the file, line and column"
echo 'not json' > bad.json
run check -i bad.json
expect_rc 2 "not JSON at all"
expect_err "^netmap check: error: bad\.json:1:1: not an inventory or events file: those start with '\{'" "a text that is no JSON object"
cp "$NETMAP_SOURCE_DIR/examples/webapp/capture.pcap" cap.pcap
run check -i cap.pcap
expect_rc 2 "a capture given as the inventory"
expect_err '^netmap check: error: cap\.pcap: this is a packet capture, not an inventory$' "a capture is named as one"
expect_err 'hint: read it with: netmap discover -r cap\.pcap' "and the command that reads it"
{ ev 0 '"via":"sni","name":"api.example.com"'; echo '{"v":1}'; } > bad.jsonl
run check -i bad.jsonl
expect_rc 2 "bad events"
expect_err '^netmap check: error: bad\.jsonl:2:1: not a netmap event' "file:line of the bad event"
run check -i clean.jsonl --format xml
expect_rc 2 "unknown format"
run check -i clean.jsonl --fail-on fatal
expect_rc 2 "unknown severity"
printf 'allow: [https://x.example.com/path]\n' > badpolicy.yaml
run check -i clean.jsonl --policy badpolicy.yaml
expect_rc 2 "bad policy"
expect_err '^netmap check: error: badpolicy\.yaml:1:9: .*scheme' "policy error points at the rule"
run check -i clean.jsonl -o /nonexistent/dir/report.txt
expect_rc 2 "unwritable -o"
run check -i clean.jsonl --json --format github
expect_rc 2 "two formats"
expect_one_line_error check "two formats"
cp clean.jsonl keep.jsonl
run check -i keep.jsonl -o ./keep.jsonl
expect_rc 2 "report over the inventory"
expect_err '^netmap check: error: --output \./keep\.jsonl is the file read as --inventory \(keep\.jsonl\)' "names both flags"
cmp -s clean.jsonl keep.jsonl || fail "the inventory was replaced by the report"
finish
