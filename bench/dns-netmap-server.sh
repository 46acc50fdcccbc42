#!/usr/bin/env bash
# Starts `netmap sandbox-dns` the way ../shared/bench/dns/run-anchors.sh starts its extra server:
# $ALLOWLIST (one entry a line: exact names, or "*.suffix" which the peers read as the suffix and
# its apex) becomes a netmap policy, $UPSTREAM the upstream, and the process execs into netmap so
# the PID the harness measures is the server's.
#   NETMAP=build/tools/netmap/netmap ALLOWLIST=allow.txt UPSTREAM=127.0.0.1:5399 dns-netmap-server.sh PORT [FLAGS…]
set -euo pipefail
port=${1:?port}; shift
: "${ALLOWLIST:?}" "${UPSTREAM:?}" "${NETMAP:?}"
policy=$(dirname "$ALLOWLIST")/netmap-bench.yaml
{
  echo "allow:"
  # The peers' suffix entries admit the apex too: netmap spells that "**." (explicit grammar).
  sed -e 's/^\*\./**./' -e 's/.*/  - "&"/' "$ALLOWLIST"
} >"$policy"
exec "$NETMAP" sandbox-dns --policy "$policy" --listen "127.0.0.1:$port" --upstream "$UPSTREAM" "$@"
