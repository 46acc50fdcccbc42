# Shared helpers for tests/cli/*_test.sh. Source it: . "$(dirname "$0")/lib.sh"
# Provides: $NETMAP, a scratch dir $T (removed on exit), run/expect helpers, golden comparison.
set -uo pipefail
: "${NETMAP:?NETMAP must name the netmap binary (ctest sets it)}"
: "${NETMAP_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/netmap-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
failures=0

# run ARGS…: runs netmap, capturing stdout in $T/out, stderr in $T/err and the status in $rc.
run() {
  "$NETMAP" "$@" >"$T/out" 2>"$T/err"
  rc=$?
}

fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout" >&2; head -c 4000 "$T/out" >&2 2>/dev/null
  echo "--- stderr" >&2; head -c 4000 "$T/err" >&2 2>/dev/null
  failures=$((failures + 1))
}

# expect_rc N DESCRIPTION
expect_rc() { [ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1"; }
# expect_out REGEX DESCRIPTION / expect_err REGEX DESCRIPTION (extended grep)
expect_out() { grep -Eq -- "$1" "$T/out" || fail "$2: stdout lacks /$1/"; }
expect_err() { grep -Eq -- "$1" "$T/err" || fail "$2: stderr lacks /$1/"; }
expect_no_out() { ! grep -Eq -- "$1" "$T/out" || fail "$2: stdout has /$1/"; }
expect_no_err() { ! grep -Eq -- "$1" "$T/err" || fail "$2: stderr has /$1/"; }
# expect_one_line_error CMD DESCRIPTION: stderr's first line is `netmap CMD: error: …`, stdout empty.
expect_one_line_error() {
  head -n1 "$T/err" | grep -Eq "^netmap $1: error: " || fail "$2: no 'netmap $1: error:' line"
  [ ! -s "$T/out" ] || fail "$2: an error must not print data on stdout"
}

# golden NAME FILE: compares FILE with tests/golden/NAME; NETMAP_UPDATE_GOLDEN=1 rewrites it.
golden() {
  local want="$NETMAP_SOURCE_DIR/tests/golden/$1"
  if [ "${NETMAP_UPDATE_GOLDEN:-0}" = 1 ]; then
    mkdir -p "$(dirname "$want")"
    cp "$2" "$want"
    return
  fi
  diff -u "$want" "$2" >&2 || fail "golden $1 differs (NETMAP_UPDATE_GOLDEN=1 rewrites it; review the diff)"
}

# free_port: a port free for both UDP and TCP on 127.0.0.1 (DNS servers bind both; other tests
# may hold many TCP ports at once).
free_port() {
  python3 - <<'PY'
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break
PY
}

# skip REASON: exits 77 so ctest reports the test as skipped, saying why.
skip() { echo "SKIP: $*" >&2; exit 77; }

# finish: the exit status of the test.
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  exit 0
}
