#!/usr/bin/env bash
# netmap explain: verdicts, the deciding rule and source, exit codes, JSON, target semantics.
. "$(dirname "$0")/lib.sh"
cd "$T"
cat > netmap.yaml <<'YAML'
presets: [codex-common]
allow:
  - api.example.org
  - "*.cdn.example.org"
deny: [evil.npmjs.org]
mock: [telemetry.example.org]
YAML

run explain registry.npmjs.org api.example.org
expect_rc 0 "all allowed"
expect_out 'registry\.npmjs\.org +allowed +by allow rule \*\*\.npmjs\.org .*preset codex-common' "preset named"
expect_out 'api\.example\.org +allowed +by allow rule api\.example\.org \(exact\) from netmap\.yaml:3:5' "file:line:col named"

run explain x.api.example.org
expect_rc 1 "exact rules are exact"
expect_out 'blocked \(unlisted\)' "unlisted"

run explain evil.npmjs.org telemetry.example.org cdn.example.org
expect_rc 1 "deny, mock and apex of *. are blocked"
expect_out 'evil\.npmjs\.org +blocked \(denied\)' "deny wins over the preset"
expect_out 'telemetry\.example\.org +blocked \(mock\)' "mock"
expect_out 'cdn\.example\.org +blocked \(unlisted\)' "*.x excludes the apex"

run explain --json API.Example.ORG. bücher.example
expect_rc 1 "json exit code"
python3 - "$T/out" <<'PY' || fail "json shape"
import json, sys
doc = json.load(open(sys.argv[1]))
r = doc["results"]
assert r[0]["name"] == "api.example.org" and r[0]["allowed"] is True, r[0]
assert r[0]["source"] == "netmap.yaml:3:5", r[0]
assert r[1]["name"] == "xn--bcher-kva.example" and r[1]["verdict"] == "unlisted", r[1]
PY

run explain --target claude registry.npmjs.org
expect_rc 0 "target column"
expect_out 'ON claude' "target header"

run explain --preset claude-trusted registry.npmjs.org www.npmjs.com
expect_rc 1 "--preset replaces the file's presets"
expect_out 'registry\.npmjs\.org +blocked' "claude list is exact"

run explain --allow '**.corp.example' build.corp.example
expect_rc 0 "--allow adds a rule"
expect_out 'from --allow' "source is the flag"

run explain 'a..b'
expect_rc 2 "invalid name is a usage error"
expect_one_line_error explain "invalid name"

run explain --target nope x.com
expect_rc 2 "unknown target"
expect_err "did you mean|targets:" "target hint"

run explain x.com --policy "$T/missing.yaml"
expect_rc 2 "missing policy file"
expect_err 'cannot read .*missing\.yaml' "names the file"

printf 'allow:\n  - https://x.com/path\n' > bad.yaml
run explain x.com --policy bad.yaml
expect_rc 2 "rule with a path"
expect_err '^netmap explain: error: bad\.yaml:2:5: rule .* has a scheme' "file:line:col and reason"
expect_err 'CONNECT host' "quotes the spec's reason"

empty=$(mktemp -d /tmp/netmap-empty.XXXXXX) && cd "$empty"
if [ ! -e /tmp/netmap.yaml ] && [ ! -e /netmap.yaml ]; then
  run explain example.com
  expect_rc 1 "empty policy blocks everything"
  expect_err 'note: no netmap\.yaml found' "says no policy was found"
fi
cd "$T" && rmdir "$empty"
finish
