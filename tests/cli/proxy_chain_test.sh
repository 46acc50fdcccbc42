#!/usr/bin/env bash
# netmap proxy chained to a parent proxy (a second netmap proxy, tinyproxy with Basic auth), from
# flags and from HTTPS_PROXY/NO_PROXY in its environment.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/proxy_helpers.sh"

start_origin
# The parent knows where allowed.test lives; the children do not, so a success proves the parent
# resolved and connected (the CONNECT went through it).
start_proxy parent --allow allowed.test --allow direct.test --resolve allowed.test=127.0.0.1 --log "$T/parent.jsonl" || finish

start_proxy child --allow allowed.test --allow never.test --upstream "http://127.0.0.1:$PORT_parent" --no-proxy none.test || finish
out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$PORT_child" "https://allowed.test:$HTTPS_PORT/chained" 2>&1)
[ "$out" = "hello GET /chained 0" ] || fail "CONNECT through the parent: '$out'"
out=$(curl -sS -x "http://127.0.0.1:$PORT_child" "http://allowed.test:$HTTP_PORT/plain" 2>&1)
[ "$out" = "hello GET /plain 0" ] || fail "absolute-form http through the parent: '$out'"
code=$(curl -sS -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$PORT_child" "http://blocked.test:$HTTP_PORT/")
[ "$code" = 403 ] || fail "the child still decides: $code"
# never.test is allowed by the child but not by the parent: a 502 naming the parent's answer.
out=$(raw "$PORT_child" 'CONNECT never.test:443 HTTP/1.1\r\n\r\n')
grep -q '^HTTP/1.1 502' <<<"$out" && grep -q "upstream proxy http://127.0.0.1:$PORT_parent answered 403 Forbidden to CONNECT never.test" <<<"$out" \
  || fail "parent's refusal reported: $out"
stop_proxy child

# From the environment netmap was started in: HTTPS_PROXY/HTTP_PROXY, NO_PROXY honoured.
PORT_env=""
HTTPS_PROXY="http://127.0.0.1:$PORT_parent" http_proxy="http://127.0.0.1:$PORT_parent" NO_PROXY=".direct.test" \
  start_proxy env --allow allowed.test --allow direct.test --resolve direct.test=127.0.0.1 || finish
out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$PORT_env" "https://allowed.test:$HTTPS_PORT/env" 2>&1)
[ "$out" = "hello GET /env 0" ] || fail "HTTPS_PROXY from the environment: '$out'"
out=$(curl -sS -x "http://127.0.0.1:$PORT_env" "http://direct.test:$HTTP_PORT/np" 2>&1)
[ "$out" = "hello GET /np 0" ] || fail "NO_PROXY host goes direct: '$out'"
stop_proxy env

# tinyproxy with Basic auth in front of the parent: credentials from the URL's userinfo.
if command -v tinyproxy >/dev/null; then
  TP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat > "$T/tinyproxy.conf" <<CONF
Port $TP_PORT
Listen 127.0.0.1
Timeout 30
MaxClients 50
BasicAuth user s3cr.t
Upstream http 127.0.0.1:$PORT_parent
LogLevel Info
LogFile "$T/tinyproxy.log"
CONF
  tinyproxy -d -c "$T/tinyproxy.conf" >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q 'Accepting connections' "$T/tinyproxy.log" 2>/dev/null && break; sleep 0.05; done
  start_proxy auth --allow allowed.test --upstream "http://us%65r:s3cr.t@127.0.0.1:$TP_PORT" || finish
  out=$(curl -sS --cacert "$T/cert.pem" -x "http://127.0.0.1:$PORT_auth" "https://allowed.test:$HTTPS_PORT/auth" 2>&1)
  [ "$out" = "hello GET /auth 0" ] || fail "CONNECT via tinyproxy with Basic auth: '$out'"
  out=$(curl -sS -x "http://127.0.0.1:$PORT_auth" "http://allowed.test:$HTTP_PORT/auth-http" 2>&1)
  [ "$out" = "hello GET /auth-http 0" ] || fail "http via tinyproxy with Basic auth: '$out'"
  stop_proxy auth
  start_proxy noauth --allow allowed.test --upstream "http://user:wrong@127.0.0.1:$TP_PORT" || finish
  out=$(raw "$PORT_noauth" "CONNECT allowed.test:$HTTPS_PORT HTTP/1.1\r\n\r\n")
  grep -q '^HTTP/1.1 502' <<<"$out" && grep -Eq 'answered 40[17]' <<<"$out" && grep -q 'check the credentials' <<<"$out" \
    || fail "wrong credentials reported as the parent's 407: $out"
  stop_proxy noauth
else
  echo "note: tinyproxy not installed; Basic-auth chaining not exercised" >&2
fi

stop_proxy parent
python3 - "$T/parent.jsonl" <<'PY' || fail "the parent saw the chained requests, not the direct or blocked ones"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = {(e.get("name"), e.get("via")) for e in ev}
assert ("allowed.test", "connect") in names and ("allowed.test", "proxy") in names, names
assert not any(e.get("name") in ("blocked.test", "direct.test") for e in ev), names
PY
finish
