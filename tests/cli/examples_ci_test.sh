#!/usr/bin/env bash
# examples/ci: the netmap command lines of the GitHub Actions workflow and the GitLab CI job, run
# here as they are written, with `netmap` on PATH. This cannot run GitHub or GitLab themselves: the
# `netmap discover … -- make test` lines are replaced by copying a fixture inventory to the file
# they would write (discover around a command has its own test), and the artifact uploads are not
# exercised. What it does prove: the merge/check lines are valid, exit as a CI step must (1 when a
# domain is blocked), and write the annotations and the JUnit report the workflow uploads.
. "$(dirname "$0")/lib.sh"
EX="$NETMAP_SOURCE_DIR/examples/ci"
command -v python3 >/dev/null || skip "python3 is not installed"
mkdir -p "$T/bin"
ln -s "$(realpath "$NETMAP")" "$T/bin/netmap"
export PATH="$T/bin:$PATH"

# The workflow files are YAML (PyYAML checks it when installed; yaml-cpp is not a CLI).
if python3 -c 'import yaml' 2>/dev/null; then
  for f in github-actions.yml gitlab-ci.yml; do
    python3 -c 'import yaml,sys; yaml.safe_load(open(sys.argv[1]))' "$EX/$f" || fail "$f is not valid YAML"
  done
fi

# commands FILE: the shell lines that run netmap (sudo dropped; matrix variables made concrete).
commands() {
  grep -E '^\s*(- )?(sudo )?netmap ' "$1" | sed -E 's/^\s*(- )?//; s/^sudo //'
}
# fixture JOB: an inventory as one matrix job's discover would write it.
fixture() {
  case "$1" in
    unit) printf '%s\n' '{"v":1,"time":"2026-11-28T10:00:00Z","producer":"discover","via":"sni","name":"registry.npmjs.org","port":443}' \
                         '{"v":1,"time":"2026-11-28T10:00:01Z","producer":"discover","via":"sni","name":"api.payments.example","port":443}' ;;
    *) printf '%s\n' '{"v":1,"time":"2026-11-28T10:01:00Z","producer":"discover","via":"dns","name":"tracker.ads.example"}' \
                      '{"v":1,"time":"2026-11-28T10:01:01Z","producer":"discover","via":"sni","name":"new-dependency.example","port":443}' ;;
  esac
}
# run_lines FILE SUITE…: runs each netmap line of FILE in the current directory; a discover line
# becomes a copy of the fixture inventory (once per matrix suite when it names a matrix variable).
run_lines() {
  local file=$1; shift
  local line out suite
  while IFS= read -r line; do
    if [[ "$line" == "netmap discover "* ]]; then
      for suite in "$@"; do
        out=$(sed -E "s/\\$\\{\\{ matrix.suite \\}\\}/$suite/g; s/.* -o ([^ ]+) .*/\1/" <<<"$line")
        python3 - "$out" <<PY
import subprocess, sys
events = subprocess.run(["netmap", "merge", "--keep-verdicts", "/dev/stdin"], input="""$(fixture "$suite")""",
                        capture_output=True, text=True, check=True).stdout
open(sys.argv[1], "w").write(events)
PY
      done
      continue
    fi
    echo "+ $line" >>"$T/log"
    bash -c "$line" >>"$T/stdout" 2>>"$T/log"
    echo "$?" >>"$T/status"
  done < <(commands "$file")
}

# GitHub Actions: matrix jobs' discover, then the check job's merge and checks.
mkdir "$T/gh" && cd "$T/gh"
cp "$NETMAP_SOURCE_DIR/examples/webapp/netmap.yaml" .
: >"$T/status"; : >"$T/stdout"; : >"$T/log"
run_lines "$EX/github-actions.yml" unit integration
[ "$(commands "$EX/github-actions.yml" | grep -vc '^netmap discover')" -eq 3 ] || fail "expected 3 netmap lines in the check job"
[ "$(sed -n 1p "$T/status")" = 0 ] || fail "merge failed: $(cat "$T/log")"
[ "$(sed -n 2p "$T/status")" = 1 ] || fail "check --format github must exit 1 for blocked domains: $(cat "$T/log")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["domains"]) == 4, d' inventory.json ||
  fail "the merged inventory holds both jobs' domains"
grep -q '^::error file=netmap\.yaml,line=7,col=5,title=netmap%3A denied domain contacted::tracker\.ads\.example' "$T/stdout" ||
  fail "no annotation on netmap.yaml's deny line: $(cat "$T/stdout")"
grep -q '^::error file=netmap\.yaml,line=1,title=netmap%3A domain not allowed::new-dependency\.example' "$T/stdout" ||
  fail "no annotation for the new dependency"
grep -q '^::notice .*allow rule never used::allow rule \*\.cdn\.assets\.example' "$T/stdout" || fail "--stale notice"
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' netmap-junit.xml || fail "netmap-junit.xml is not valid XML"

# GitLab CI: one job; the JUnit line fails, so the text report follows in the log.
mkdir "$T/gl" && cd "$T/gl"
cp "$NETMAP_SOURCE_DIR/examples/webapp/netmap.yaml" .
: >"$T/status"; : >"$T/stdout"; : >"$T/log"
run_lines "$EX/gitlab-ci.yml" integration
[ "$(cat "$T/status")" = 1 ] || fail "the GitLab job's check line must fail for blocked domains"
python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' netmap-junit.xml || fail "netmap-junit.xml is not valid XML"
grep -q 'netmap\.yaml:7:5: error: denied domain contacted: tracker\.ads\.example' "$T/stdout" || fail "text report in the log: $(cat "$T/stdout")"
finish
