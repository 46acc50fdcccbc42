#!/usr/bin/env bash
# netmap merge: inventories and event logs from several jobs become one (counts add up, ports
# unite, times widen); verdicts are decided again under a given or found policy, kept otherwise;
# -o is atomic; bad inputs are one-line errors with exit 2.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/nopolicy" "$T/withpolicy"
cd "$T/nopolicy"
ev() { printf '{"v":1,"time":"%s","producer":"discover","via":"%s","name":"%s","port":%s%s}\n' "$@"; }
ev 2026-11-28T10:00:00Z sni api.example.com 443 ',"verdict":"unlisted"' > job1.jsonl
ev 2026-11-28T10:05:00Z dns cdn.example.org 53 '' >> job1.jsonl
ev 2026-11-28T09:00:00Z sni api.example.com 8443 ',"verdict":"allowed","rule":"api.example.com"' > job2.jsonl
printf '{"v":1,"time":"2026-11-28T11:00:00Z","producer":"discover","via":"direct","address":"192.0.2.7","port":22,"transport":"tcp"}\n' >> job2.jsonl
run merge job1.jsonl job2.jsonl -o merged.json
expect_rc 0 "merge"
[ ! -s "$T/out" ] || fail "-o: nothing on stdout"
expect_err '^netmap merge: note: 2 files: 2 domains, 1 bare-IP destinations, recorded verdicts kept' "summary on stderr"
python3 - merged.json <<'PY' || fail "merged content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "netmap.inventory"
doms = {x["name"]: x for x in d["domains"]}
api = doms["api.example.com"]
assert api["count"] == 2, api
assert api["ports"] == [443, 8443], api
assert sorted(api["seen_via"]) == ["sni"], api
assert api["first_seen"].startswith("2026-11-28T09:00:00"), api
assert api["last_seen"].startswith("2026-11-28T10:00:00"), api
assert api["verdict"] == "unlisted", api          # the first recorded verdict is kept
assert len(d["unnamed"]) == 1 and d["unnamed"][0]["address"] == "192.0.2.7"
assert d["started"].startswith("2026-11-28T09:00:00") and d["finished"].startswith("2026-11-28T11:00:00"), d
PY
# An inventory merges with an event log, and merging is repeatable (CI matrix of matrices).
run merge merged.json job1.jsonl
expect_rc 0 "inventory + events to stdout"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert {x["name"]: x["count"] for x in d["domains"]}["api.example.com"] == 3' "$T/out" ||
  fail "counts add up across a second merge"

# With a policy found upwards from the current directory, every verdict is decided again.
cd "$T/withpolicy"
printf 'allow: [api.example.com]\ndeny: [cdn.example.org]\n' > netmap.yaml
run merge ../nopolicy/job1.jsonl ../nopolicy/job2.jsonl
expect_rc 0 "merge under a policy"
python3 - "$T/out" <<'PY' || fail "verdicts decided again"
import json, sys
doms = {x["name"]: x for x in json.load(open(sys.argv[1]))["domains"]}
assert doms["api.example.com"]["verdict"] == "allowed", doms
assert doms["api.example.com"]["rule_source"] == "netmap.yaml:1:9", doms
assert doms["cdn.example.org"]["verdict"] == "denied", doms
PY
run merge --keep-verdicts ../nopolicy/job1.jsonl ../nopolicy/job2.jsonl
python3 -c 'import json,sys; d={x["name"]: x for x in json.load(open(sys.argv[1]))["domains"]}; assert d["api.example.com"]["verdict"] == "unlisted"' "$T/out" ||
  fail "--keep-verdicts"

# Bad inputs.
run merge
expect_rc 2 "no files"
expect_one_line_error merge "no files"
run merge missing.json
expect_rc 2 "missing file"
expect_one_line_error merge "missing file"
echo '{"schema":"other","version":1}' > other.json
run merge other.json
expect_rc 2 "not an inventory"
expect_err "other\.json: not a netmap inventory" "names the file"
run merge ../nopolicy/job1.jsonl -o /nonexistent/dir/out.json
expect_rc 2 "unwritable output"
ls "$T/nopolicy" | grep -q '\.tmp' && fail "temporary file left behind"
finish
