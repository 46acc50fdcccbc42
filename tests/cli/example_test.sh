#!/usr/bin/env bash
# The bundled example (examples/webapp): its generated capture gives the expected inventory and
# export; the capture is what netmap-gen writes today; and, as root, discovering around its real
# test suite finds the same six domains.
. "$(dirname "$0")/lib.sh"
ex="$NETMAP_SOURCE_DIR/examples/webapp"
cd "$ex"

run discover -r capture.pcap -o "$T/inventory.json"
expect_rc 0 "discover -r capture.pcap"
diff -u expected/inventory.json "$T/inventory.json" >&2 || fail "inventory differs from expected/inventory.json"
run export --target codex --inventory "$T/inventory.json"
expect_rc 0 "export"
diff -u expected/export-codex.yaml "$T/out" >&2 || fail "export differs from expected/export-codex.yaml"
run check --inventory "$T/inventory.json"
expect_rc 1 "check finds the unlisted and the mock domain"
expect_out 'metrics\.unknown\.example' "unlisted domain reported"
expect_out 'telemetry\.vendor\.example' "mock domain reported"

gen="$NETMAP_BUILD_DIR/tests/gen/netmap-gen"
if [ -x "$gen" ]; then
  "$gen" example "$T/capture.pcap" || fail "netmap-gen example"
  cmp -s capture.pcap "$T/capture.pcap" || fail "examples/webapp/capture.pcap is stale: run netmap-gen example examples/webapp/capture.pcap"
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "note: not root, the live half (discover around tests/run-tests.sh) is skipped" >&2
  finish
fi
command -v python3 >/dev/null && command -v openssl >/dev/null || { echo "note: python3/openssl missing, live half skipped" >&2; finish; }
"$NETMAP" discover --json -o "$T/live.json" -- tests/run-tests.sh >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "discover exits with the suite's status"
for d in api.payments.example img.cdn.assets.example registry.npmjs.org files.pythonhosted.org \
         telemetry.vendor.example metrics.unknown.example; do
  grep -q "\"$d\"" "$T/live.json" || fail "live discover missed $d"
done
finish
