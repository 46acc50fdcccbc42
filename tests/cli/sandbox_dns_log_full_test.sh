#!/usr/bin/env bash
# sandbox-dns --log on a file system that fills up: the run stops by itself with one error line
# and exit 2, and leaves neither a half-written log nor its temporary file behind. Needs root
# for a private mount namespace (the whole test runs in one) with a 16 KiB tmpfs.
# label: privileged
if [ "${NETMAP_TEST_MNTNS:-}" != 1 ] && [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
  NETMAP_TEST_MNTNS=1 exec unshare -m bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
command -v dig >/dev/null || skip "dig not installed (dnsutils)"
[ "${NETMAP_TEST_MNTNS:-}" = 1 ] \
  || skip "a small tmpfs in a private mount namespace needs root (running as uid $(id -u))"

mkdir -p "$T/small"
mount -t tmpfs -o size=16k tmpfs "$T/small" || skip "cannot mount a tmpfs here"
trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
port=$(free_port)
"$NETMAP" sandbox-dns --listen "127.0.0.1:$port" --allow only.example --upstream 127.0.0.1:9 --threads 2 \
  --log "$T/small/q.jsonl" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 50); do grep -q serving "$T/err" && break; sleep 0.1; done
grep -q serving "$T/err" || fail "sandbox-dns did not start: $(cat "$T/err")"

# About 250 bytes of log a blocked query: 2000 of them are many times the 16 KiB.
for i in $(seq 2000); do echo "q$i.blocked.example A"; done >"$T/names"
dig @127.0.0.1 -p "$port" +tries=1 +time=1 -f "$T/names" >/dev/null 2>&1 &
dig_pid=$!

# It must stop on its own, without a signal from us.
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  fail "sandbox-dns kept serving after its log could not be written"
fi
wait "$pid"
rc=$?
kill "$dig_pid" 2>/dev/null
wait "$dig_pid" 2>/dev/null
expect_rc 2 "a log that cannot be written"
grep -Eq "^netmap sandbox-dns: error: cannot write $T/small/q.jsonl: No space left on device$" "$T/err" \
  || fail "no one-line disk-full error: $(cat "$T/err")"
grep -q "hint: " "$T/err" || fail "the disk-full error has no hint: $(cat "$T/err")"
[ -z "$(ls -A "$T/small")" ] || fail "files left behind: $(ls -A "$T/small")"
finish
