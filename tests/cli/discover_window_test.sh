#!/usr/bin/env bash
# label: privileged
# netmap discover -- CMD in a network namespace of its own (audit findings 3 and 8): with --json
# the command's stdout goes to stderr, so stdout is the inventory alone; started/finished are the
# capture window, present even when nothing was captured.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "live capture needs root or CAP_NET_RAW (running as uid $(id -u))"
command -v unshare >/dev/null && command -v ip >/dev/null || skip "unshare and ip are needed for a private namespace"
command -v dig >/dev/null || skip "dig is not installed (scripts/packages/test-capture.txt)"
unshare -n true 2>/dev/null || skip "cannot create a network namespace here"

# in_netns ARGS…: netmap ARGS… in a fresh network namespace whose loopback is up.
in_netns() {
  unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$NETMAP" "$@" >"$T/out" 2>"$T/err"
  rc=$?
}

# 1. --json -- CMD: the command's output on stderr, the JSON alone on stdout.
in_netns discover --policy /dev/null --json -- sh -c 'echo hello-from-cmd; dig +tries=1 +time=1 @127.0.0.1 win.example.test >/dev/null; echo done-cmd'
expect_rc 0 "discover --json -- CMD"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" || fail "stdout is not the JSON alone"
expect_no_out "^hello-from-cmd$" "the command's stdout is kept off stdout"
expect_err "hello-from-cmd" "the command's stdout reaches stderr"
expect_out '"name": "win.example.test"' "the lookup was captured"

# 2. Without --json, the command's stdout is its own (the table comes after it).
in_netns discover --policy /dev/null -- sh -c 'echo plain-cmd'
expect_rc 0 "discover -- CMD (table)"
expect_out "^plain-cmd$" "the command's stdout stays on stdout with the table"

# 3. The window: a lookup one second into a two-second command; and an empty capture.
in_netns discover --policy /dev/null -o "$T/win.json" -- sh -c 'sleep 1; dig +tries=1 +time=1 @127.0.0.1 mid.example.test >/dev/null; sleep 1'
expect_rc 0 "discover -o -- CMD"
python3 - "$T/win.json" <<'PY' || fail "started/finished are not the capture window"
import json, sys
from datetime import datetime
inv = json.load(open(sys.argv[1]))
t = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
d = next(d for d in inv["domains"] if d["name"] == "mid.example.test")
assert t(d["first_seen"]) - t(inv["started"]) > 0.7, (inv["started"], d["first_seen"])
assert t(inv["finished"]) - t(d["last_seen"]) > 0.7, (inv["finished"], d["last_seen"])
PY
in_netns discover --policy /dev/null -o "$T/empty.json" -- sleep 0.5
expect_rc 0 "an empty capture"
python3 - "$T/empty.json" <<'PY' || fail "an empty capture lacks its window"
import json, sys
from datetime import datetime
inv = json.load(open(sys.argv[1]))
t = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
assert inv["domains"] == [] and t(inv["finished"]) - t(inv["started"]) >= 0.4, inv
PY

finish
