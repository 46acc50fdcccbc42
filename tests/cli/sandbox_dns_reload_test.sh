#!/usr/bin/env bash
# SIGHUP reloads the policy atomically; a broken new policy is reported and the old one kept.
# SIGUSR1 prints the counters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox_dns_helpers.sh"

start_upstream
cat >"$T/netmap.yaml" <<'Y'
allow:
  - www.example.com
Y
start_netmap --policy "$T/netmap.yaml" --upstream "127.0.0.1:$UP_PORT"
# Three times: upstream, then the shared cache, then the worker's own memo of recent hits.
for i in 1 2 3; do q www.example.com A | grep -q "status: NOERROR" || fail "allowed before reload ($i)"; done
q web.example.com A | grep -q "status: NXDOMAIN" || fail "blocked before reload"

cat >"$T/netmap.yaml" <<'Y'
allow:
  - web.example.com
Y
kill -HUP "$NM_PID"; sleep 0.4
grep -q "policy reloaded" "$T/nm.err" || fail "no reload note"
q web.example.com A | grep -q "127.0.0.1" || fail "allowed after reload"
q www.example.com A | grep -q "status: NXDOMAIN" || fail "www.example.com must be blocked after reload (even though cached)"
q www.example.com A | grep -q "status: NXDOMAIN" || fail "www.example.com must stay blocked"

printf 'allow:\n  - "https://web.example.com/path"\n' >"$T/netmap.yaml"
kill -HUP "$NM_PID"; sleep 0.4
grep -q "error: .*netmap.yaml" "$T/nm.err" || fail "the broken policy is not reported"
grep -q "still serving the previous one" "$T/nm.err" || fail "no keep-old warning"
q web.example.com A | grep -q "127.0.0.1" || fail "old policy not kept after a broken reload"

kill -USR1 "$NM_PID"; sleep 0.3
grep -q "^queries [0-9]* (tcp" "$T/nm.err" || fail "SIGUSR1 prints counters"
kill -0 "$NM_PID" || fail "SIGUSR1 stopped the server"
stop_netmap TERM
[ "$nm_rc" = 0 ] || fail "exit $nm_rc"
finish
