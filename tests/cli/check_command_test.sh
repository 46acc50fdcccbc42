#!/usr/bin/env bash
# label: privileged
# netmap check -- CMD: discovery around the command in the same step (this same binary runs
# `netmap discover -o TMP -- CMD`), then the check. The command's output goes to stderr so the
# report on stdout stays clean; a failing command is an error finding. The names are looked up
# with dig against a dnsmasq this test starts on 127.0.0.154:53 (loopback only).
. "$(dirname "$0")/lib.sh"
export PATH="$PATH:/usr/sbin:/sbin"
"$NETMAP" discover --help >/dev/null 2>&1 || skip "'netmap discover' is not available in this build"
[ "$(id -u)" -eq 0 ] || skip "discover's live capture needs root or CAP_NET_RAW (running as uid $(id -u))"
for tool in dnsmasq dig python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/packages/test-report.txt)"
done
"$NETMAP" discover -i lo --duration 0.2 --json --allow x.test >"$T/probe" 2>"$T/probe.err" ||
  skip "loopback capture is unavailable here: $(head -n1 "$T/probe.err")"

ADDR=127.0.0.154
dnsmasq -k --listen-address=$ADDR --port=53 --bind-interfaces --no-hosts --no-resolv --pid-file= \
  --address=/#/127.0.0.1 --log-facility="$T/dnsmasq.log" &
dm=$!
trap 'kill $dm 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do dig +time=1 +tries=1 @$ADDR probe.test >/dev/null 2>&1 && break; sleep 0.1; done

cd "$T"
export TMPDIR="$T"  # check's temporary directory lands here, so the test sees it is removed
# discover captures every interface, so other tests' loopback traffic may show up: ignore "*"
# keeps it out of the findings, and the names this test is about are allowed or denied explicitly.
printf 'allow: [api.check.test]\ndeny: [unlisted.check.test, other.check.test]\nignore: ["*"]\n' > netmap.yaml
cat > client.sh <<EOF2
dig +tries=1 +time=2 @$ADDR api.check.test A
dig +tries=1 +time=2 @$ADDR unlisted.check.test A
exit \${1:-0}
EOF2
run check --format github -- bash client.sh 0
expect_rc 1 "a denied name was contacted"
expect_out '^::error file=netmap\.yaml,line=2,col=8,title=netmap%3A denied domain contacted::unlisted\.check\.test was contacted' "finding for the denied name"
expect_no_out 'api\.check\.test' "the allowed name has no finding"
expect_no_out 'ANSWER SECTION' "the command's output is not on stdout"
expect_err 'ANSWER SECTION' "the command's output goes to stderr"
ls "$T" | grep -q '^netmap-check-' && fail "temporary directory left behind"

printf 'allow: [api.check.test, unlisted.check.test]\ndeny: [other.check.test]\nignore: ["*"]\n' > netmap.yaml
run check -- bash client.sh 0
expect_rc 0 "everything allowed"
run check --json -- bash client.sh 3
expect_rc 1 "the command failed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [f["code"] for f in d["findings"] if f["severity"] == "error"] == ["command-failed"], d["findings"]' "$T/out" ||
  fail "a failing command is a command-failed finding"
# --inventory and -- CMD together are merged.
printf '{"v":1,"time":"2026-11-28T10:00:00Z","producer":"discover","via":"dns","name":"other.check.test"}\n' > more.jsonl
run check --inventory more.jsonl -- bash client.sh 0
expect_rc 1 "the inventory's name is checked too"
expect_out 'other\.check\.test' "merged"
finish
