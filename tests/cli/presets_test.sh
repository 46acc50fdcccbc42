#!/usr/bin/env bash
# netmap presets: the list with counts and provenance, one list, JSON, unknown names.
. "$(dirname "$0")/lib.sh"
run presets
expect_rc 0 "list"
golden foundation/presets.txt "$T/out"

run presets codex-common
expect_rc 0 "one preset"
expect_out '^# source: developers\.openai\.com' "provenance"
[ "$(grep -vc '^#' "$T/out")" -eq 71 ] || fail "codex-common has 71 entries"

run presets copilot-recommended --json
expect_rc 0 "json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bare"]=="apex-and-subdomains" and len(d["url_entries"])==6' "$T/out" || fail "copilot json"

run presets codex-comon
expect_rc 2 "unknown preset"
expect_err "did you mean 'codex-common'" "suggestion"
finish
