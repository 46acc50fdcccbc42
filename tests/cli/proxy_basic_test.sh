#!/usr/bin/env bash
# netmap proxy: allow/deny/mock/unlisted over CONNECT and absolute-form http, 403 reasons, IP literals,
# hostile heads, loops, methods, events/inventory/summary. Real curl clients, origins on loopback.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/proxy_helpers.sh"

start_origin
cat > "$T/netmap.yaml" <<'YAML'
allow:
  - allowed.test
  - denied.allowed.test
  - self.test
deny: [denied.allowed.test]
mock: [mocked.test]
YAML
RESOLVE=(--resolve allowed.test=127.0.0.1 --resolve blocked.test=127.0.0.1 --resolve self.test=127.0.0.1)
start_proxy main --policy "$T/netmap.yaml" "${RESOLVE[@]}" --log "$T/events.jsonl" -o "$T/inv.json" || finish
P=$PORT_main

# CONNECT to an allowed name: a real TLS exchange through the tunnel.
out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$P" "https://allowed.test:$HTTPS_PORT/tls" 2>&1)
[ "$out" = "hello GET /tls 0" ] || fail "allowed CONNECT: got '$out'"

# CONNECT to an unlisted name: 403 with the header and a body naming the fix; curl's known message.
curl -sS -v --cacert "$T/cert.pem" -x "http://127.0.0.1:$P" "https://blocked.test:$HTTPS_PORT/" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 56 "curl exit for a refused CONNECT"
expect_err 'CONNECT tunnel failed, response 403' "curl reports the CONNECT 403"
expect_err 'x-proxy-error: blocked-by-allowlist' "the x-proxy-error header"
out=$(raw "$P" 'CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n')
grep -q 'netmap: blocked.test is not on the allowlist; add `blocked.test` to allow in .*netmap.yaml' <<<"$out" || fail "403 body names host and fix: $out"

# Deny and mock rules say which rule blocked.
out=$(raw "$P" 'CONNECT denied.allowed.test:443 HTTP/1.1\r\n\r\n')
grep -q 'x-proxy-error: blocked-by-denylist' <<<"$out" || fail "deny tag: $out"
grep -q 'denied by rule `denied.allowed.test` (.*netmap.yaml:[0-9]*:[0-9]*)' <<<"$out" || fail "deny rule and location: $out"
out=$(raw "$P" 'GET http://mocked.test/ HTTP/1.1\r\nHost: mocked.test\r\n\r\n')
grep -q 'x-proxy-error: blocked-by-mock-rule' <<<"$out" || fail "mock tag: $out"

# Absolute-form http: forwarded with hop-by-hop headers dropped, Via added, Connection: close.
curl -sS -D "$T/h" -x "http://127.0.0.1:$P" -H 'Keep-Alive: 5' -H 'Connection: keep-alive, X-Hop' -H 'X-Hop: secret' \
  -H 'X-Kept: yes' "http://allowed.test:$HTTP_PORT/headers" >"$T/out" 2>"$T/err"
grep -qi '^x-kept: yes' "$T/out" || fail "end-to-end header forwarded"
grep -qi '^x-hop\|^keep-alive\|^proxy-connection' "$T/out" && fail "hop-by-hop headers must not reach the origin"
grep -qi '^via: 1.1 netmap-' "$T/out" || fail "Via added toward the origin"
grep -qi '^host: allowed.test:' "$T/out" || fail "Host set from the absolute URL"
grep -q '^GET /headers HTTP/1.1' "$T/out" || fail "origin-form toward the origin"
grep -qi '^connection: close' "$T/h" || fail "the client is told the connection closes"
grep -qi '^via: 1.1 netmap-' "$T/h" || fail "Via added toward the client"
out=$(curl -sS -x "http://127.0.0.1:$P" --data-binary 'abcdef' "http://allowed.test:$HTTP_PORT/post")
[ "$out" = "hello POST /post 6" ] || fail "request body relayed: '$out'"

# A bare IP cannot be allowlisted by name: its own reason.
out=$(raw "$P" "CONNECT 127.0.0.1:$HTTPS_PORT HTTP/1.1\r\n\r\n")
grep -q '^HTTP/1.1 403' <<<"$out" && grep -q 'x-proxy-error: blocked-ip-literal' <<<"$out" || fail "IP literal CONNECT: $out"
out=$(raw "$P" "CONNECT [::1]:443 HTTP/1.1\r\n\r\n")
grep -q 'blocked-ip-literal' <<<"$out" || fail "IPv6 literal CONNECT: $out"

# Hostile or malformed heads: 400/414/431/505, never forwarded.
for req in 'CONNECT allowed.test:0 HTTP/1.1\r\n\r\n' 'CONNECT allowed.test:65536 HTTP/1.1\r\n\r\n' \
  'CONNECT allowed.test HTTP/1.1\r\n\r\n' 'GET http://allowed.test/ HTTP/1.1\r\nX: a\r\n folded\r\n\r\n' \
  'GET http://allowed.test/ HTTP/1.1\nHost: a\n\n' 'GET /local HTTP/1.1\r\nHost: allowed.test\r\n\r\n' \
  'CONNECT allowed.test:443\r\nX: y HTTP/1.1\r\n\r\n' 'GET http://a\x01b.test/ HTTP/1.1\r\n\r\n'; do
  out=$(raw "$P" "$req")
  grep -q '^HTTP/1.1 400' <<<"$out" || fail "400 for $req: $(head -n1 <<<"$out")"
done
out=$(raw "$P" "GET http://allowed.test/ HTTP/1.1\r\nX: $(head -c 20000 /dev/zero | tr '\0' a)\r\n\r\n")
grep -q '^HTTP/1.1 431' <<<"$out" || fail "431 for an oversized head: $(head -n1 <<<"$out")"
out=$(raw "$P" "GET http://allowed.test/$(head -c 20000 /dev/zero | tr '\0' a) HTTP/1.1\r\n\r\n")
grep -q '^HTTP/1.1 414' <<<"$out" || fail "414 for an oversized request line: $(head -n1 <<<"$out")"
out=$(raw "$P" "GET http://allowed.test/ HTTP/1.1\r\n$(for i in $(seq 101); do printf 'X%d: y\\r\\n' "$i"; done)\r\n")
grep -q '^HTTP/1.1 431' <<<"$out" || fail "431 for too many header fields: $(head -n1 <<<"$out")"
out=$(raw "$P" 'GET http://allowed.test/ HTTP/2.0\r\n\r\n')
grep -q '^HTTP/1.1 505' <<<"$out" || fail "505 for HTTP/2 on the wire"

# Never a loop: a name that resolves to the proxy itself.
out=$(raw "$P" "CONNECT self.test:$P HTTP/1.1\r\n\r\n")
grep -q '^HTTP/1.1 508' <<<"$out" || fail "loop detected: $out"

stop_proxy main
expect_rc 0 "netmap proxy exits 0 on Ctrl-C"
grep -Eq '^allowed\.test +[1-9]' "$T/main.out" || fail "summary lists allowed.test"
grep -Eq '^blocked\.test +0 +[1-9]' "$T/main.out" || fail "summary lists blocked.test as blocked"
python3 - "$T/events.jsonl" "$T/inv.json" "$HTTPS_PORT" <<'PY' || fail "events and inventory"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ok = [e for e in ev if e.get("name") == "allowed.test" and e["via"] == "connect"]
assert ok and ok[0]["verdict"] == "allowed" and ok[0]["status"] == 200 and ok[0]["producer"] == "proxy", ok
assert ok[0]["bytes_up"] > 0 and ok[0]["bytes_down"] > 0 and ok[0]["port"] == int(sys.argv[3]), ok[0]
assert ok[0]["client"].startswith("127.0.0.1:") and ok[0]["rule"] == "allowed.test", ok[0]
bl = [e for e in ev if e.get("name") == "blocked.test"]
assert bl and all(e["status"] == 403 and e["verdict"] == "unlisted" for e in bl), bl
ip = [e for e in ev if e.get("address") == "127.0.0.1" and e.get("port") == int(sys.argv[3]) and not e.get("name")]
assert ip and ip[0]["verdict"] == "ip-literal", ip
inv = json.load(open(sys.argv[2]))
assert "allowed.test" in json.dumps(inv) and "blocked.test" in json.dumps(inv)
PY

# Method restriction (Codex's limited mode): CONNECT blocked unless listed, and the 403 says so.
start_proxy limited --policy "$T/netmap.yaml" "${RESOLVE[@]}" --methods GET,HEAD,OPTIONS || finish
out=$(raw "$PORT_limited" "CONNECT allowed.test:$HTTPS_PORT HTTP/1.1\r\n\r\n")
grep -q 'x-proxy-error: blocked-by-method-policy' <<<"$out" || fail "CONNECT blocked by methods: $out"
grep -q 'CONNECT tunnels and so HTTPS are blocked' <<<"$out" || fail "the 403 explains limited mode"
out=$(curl -sS -x "http://127.0.0.1:$PORT_limited" "http://allowed.test:$HTTP_PORT/get")
[ "$out" = "hello GET /get 0" ] || fail "GET allowed in limited mode: '$out'"
code=$(curl -sS -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PORT_limited" -d x "http://allowed.test:$HTTP_PORT/")
[ "$code" = 403 ] || fail "POST refused in limited mode: $code"
stop_proxy limited

# --refuse-local: an allowed name that resolves to this machine (localhost, by /etc/hosts) gets 403
# blocked-local-address; a name mapped with --resolve is still connected. Without it the
# allowlist alone decides.
start_proxy local --allow localhost --allow mapped.test --resolve mapped.test=127.0.0.1 --refuse-local || finish
curl -sS -v -x "http://127.0.0.1:$PORT_local" "http://localhost:$HTTP_PORT/local" >"$T/out" 2>"$T/err"
expect_err '< HTTP/1.1 403' "--refuse-local refuses localhost"
expect_err 'x-proxy-error: blocked-local-address' "the refusal's tag"
expect_out 'localhost resolves to .*an address of this machine' "the refusal's body"
out=$(curl -sS -x "http://127.0.0.1:$PORT_local" "http://mapped.test:$HTTP_PORT/mapped" 2>&1)
[ "$out" = "hello GET /mapped 0" ] || fail "--resolve is exempt from --refuse-local: '$out'"
stop_proxy local
start_proxy open --allow localhost || finish
out=$(curl -sS -x "http://127.0.0.1:$PORT_open" "http://localhost:$HTTP_PORT/open" 2>&1)
[ "$out" = "hello GET /open 0" ] || fail "without --refuse-local, an allowed localhost is reached: '$out'"
stop_proxy open

# Usage errors are one line, exit 2.
run proxy --allow x.test --listen 127.0.0.1:99999
expect_rc 2 "bad port"
expect_one_line_error proxy "bad listen port"
run proxy --allow x.test --listen 127.0.0.1:0 --allow-from nonsense
expect_rc 2 "bad --allow-from"
run proxy --allow x.test --listen 127.0.0.1:0 --upstream https://proxy.test:443
expect_rc 2 "https upstream refused"
expect_err 'https:// proxies need TLS' "explains the https upstream"
finish
