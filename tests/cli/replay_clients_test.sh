#!/usr/bin/env bash
# netmap replay with real clients inside the fence: curl through the proxy to an HTTPS server on the
# host's loopback (allowed vs blocked names), getent and dig against the fence's resolver (with a
# dnsmasq upstream on loopback), git clone over HTTP through the proxy, a CONNECT to an IP literal,
# a CONNECT whose TLS server name differs, and --dns-mode resolve.
# label: privileged
. "$(dirname "$0")/lib.sh"
for tool in curl dig getent git openssl python3 dnsmasq; do
  command -v "$tool" >/dev/null || skip "$tool not installed (scripts/packages/test-replay.txt)"
done
"$NETMAP" replay --preset none --upstream 127.0.0.1:9 -- true >"$T/probe" 2>&1 || skip "no fence here: $(cat "$T/probe")"
cd "$T"

# An HTTPS server on the host's loopback whose certificate names both test hosts.
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=allowed.test \
  -addext "subjectAltName=DNS:allowed.test,DNS:blocked.test" >/dev/null 2>&1 || skip "openssl cannot make a certificate"
mkdir -p www && echo "hello from the host" > www/index.html
cat > https_server.py <<'PY'
import http.server, ssl, sys, functools
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain("cert.pem", "key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()
PY
python3 https_server.py https.port www 2>/dev/null &
HTTPS_PID=$!
# A bare git repository served over plain HTTP (git's dumb protocol).
git init -q --bare www/repo.git && git -C www/repo.git update-server-info
git init -q src && git -C src -c user.email=t@t -c user.name=t commit -q --allow-empty -m first \
  && git -C src push -q "$T/www/repo.git" HEAD:refs/heads/main && git -C www/repo.git update-server-info
git -C www/repo.git symbolic-ref HEAD refs/heads/main
python3 -c '
import http.server, functools, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[1], "w").write(str(s.server_address[1])); s.serve_forever()' http.port www 2>/dev/null &
HTTP_PID=$!
# The resolver's upstream: dnsmasq answering every *.test name with 127.0.0.1.
DNS_PID=
for DNS_PORT in $(shuf -i 20000-60000 -n 5); do
  dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --listen-address=127.0.0.1 --port="$DNS_PORT" \
    --bind-interfaces --user="$(id -un)" --pid-file= --address=/test/127.0.0.1 >dnsmasq.out 2>&1 &
  DNS_PID=$!
  sleep 0.3
  kill -0 "$DNS_PID" 2>/dev/null && break
done
trap 'kill $HTTPS_PID $HTTP_PID $DNS_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 1 50); do [ -s https.port ] && [ -s http.port ] && break; sleep 0.1; done
HTTPS_PORT=$(cat https.port)
HTTP_PORT=$(cat http.port)
kill -0 "$DNS_PID" 2>/dev/null || skip "dnsmasq did not start: $(cat dnsmasq.out)"

cat > netmap.yaml <<'YAML'
presets: [none]
allow:
  - allowed.test
YAML
R=(replay --upstream "127.0.0.1:$DNS_PORT" --resolve allowed.test=127.0.0.1 --resolve blocked.test=127.0.0.1)

# curl through the proxy: the allowed name reaches the host's server, the blocked one gets a 403.
# Three allowed fetches, one refused: only the refusal may cost a walk of /proc.
run "${R[@]}" --json -- sh -c "for i in 1 2 3; do curl -sS --cacert cert.pem https://allowed.test:$HTTPS_PORT/index.html; done; \
  curl -sS --cacert cert.pem https://blocked.test:$HTTPS_PORT/index.html; echo curl-rc=\$?"
expect_rc 1 "a blocked name makes the run exit 1"
expect_err 'hello from the host' "the allowed name was fetched through the proxy"
expect_err 'CONNECT tunnel failed, response 403' "the blocked name got the proxy's 403"
expect_err 'curl-rc=56' "curl failed as in the sandbox"
python3 - "$T/out" <<'PY' || fail "curl report"
import json, sys
d = json.load(open(sys.argv[1]))
b = {e.get("name") or e.get("address"): e for e in d["blocked"]}
assert list(b) == ["blocked.test"], b
e = b["blocked.test"]
assert e["via"] == {"proxy": 1}, e
assert e["fix"]["action"] == "allow" and e["fix"]["allow"] == "blocked.test", e
# The proxy names the process before it writes the 403, while curl is certainly still connected.
assert e["processes"] and all("curl" in p["command"] for p in e["processes"]), e["processes"]
assert "allowed.test" in d["allowed"], d["allowed"]
assert d["stats"]["allowed_attempts"] >= 3, d["stats"]
# One walk of /proc for the one refusal; the allowed tunnels cost none.
assert d["stats"]["process_lookups"] == 1, d["stats"]
# curl's message names no host; it is tied to the refusal logged at the same moment.
assert any("CONNECT tunnel failed" in v["text"] for v in e["evidence"]), e["evidence"]
PY

# getent and dig go to the fence's resolver (resolv.conf names it): allowed answers, blocked NXDOMAIN.
run "${R[@]}" --json -- sh -c 'cat /etc/resolv.conf; getent hosts allowed.test; echo getent-allowed=$?; \
  getent hosts blocked.test; echo getent-blocked=$?; dig +short +tries=1 +time=2 allowed.test; \
  dig +tries=1 +time=2 blocked.test | grep -o "status: [A-Z]*"'
expect_rc 1 "blocked DNS name"
expect_err 'nameserver 127\.0\.0\.1' "resolv.conf names the fence's resolver"
expect_err '127\.0\.0\.1 +allowed\.test' "getent resolves the allowed name through the upstream"
expect_err 'getent-blocked=2' "getent: blocked name not found"
expect_err 'status: NXDOMAIN' "dig: NXDOMAIN for the blocked name"
python3 - "$T/out" <<'PY' || fail "dns report"
import json, sys
d = json.load(open(sys.argv[1]))
e = {x.get("name"): x for x in d["blocked"]}["blocked.test"]
assert e["via"].get("dns", 0) >= 2, e
cmds = " ".join(p["command"] for p in e["processes"])
assert "getent" in cmds or "dig" in cmds, e["processes"]
PY

# git clone over HTTP through the proxy (absolute-form requests): allowed clones, blocked fails.
run "${R[@]}" -- sh -c "git clone -q http://allowed.test:$HTTP_PORT/repo.git ok && git -C ok log --oneline | wc -l; \
  git clone -q http://blocked.test:$HTTP_PORT/repo.git nope; echo git-rc=\$?"
expect_rc 1 "git blocked"
[ -d "$T/ok/.git" ] || fail "git clone of the allowed host did not happen"
expect_out 'git-rc=128' "git clone of the blocked host failed"
expect_out 'blocked\.test.*proxy 1' "git's blocked request is in the table"
expect_out 'evidence \(git, http-403' "git's error line is tied to the blocked host"

# A CONNECT to an IP literal and a CONNECT whose ClientHello names another server are refused.
cat > sni.py <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", 3128))
s.sendall(b"CONNECT allowed.test:%s HTTP/1.1\r\nHost: allowed.test\r\n\r\n" % sys.argv[1].encode())
assert s.recv(4096).startswith(b"HTTP/1.1 200"), "tunnel to an allowed host"
ctx = ssl.create_default_context(cafile="cert.pem")
try:
    ctx.wrap_socket(s, server_hostname="blocked.test").sendall(b"GET / HTTP/1.0\r\n\r\n")
    print("sni-escaped")
except (ssl.SSLError, OSError) as e:
    print("sni-refused", type(e).__name__)
PY
run "${R[@]}" --json -- sh -c "curl -sS -p -x http://127.0.0.1:3128 --noproxy '' -k https://127.0.0.1:$HTTPS_PORT/; echo ip-rc=\$?; python3 sni.py $HTTPS_PORT"
expect_rc 1 "IP literal and SNI mismatch are blocked"
expect_err 'ip-rc=56' "CONNECT to an IP literal refused"
expect_err 'sni-refused' "the mismatched tunnel was closed"
python3 - "$T/out" <<'PY' || fail "ip literal / sni report"
import json, sys
d = json.load(open(sys.argv[1]))
b = {e.get("name") or e.get("address"): e for e in d["blocked"]}
assert b["127.0.0.1"]["verdict"] == "ip-literal" and b["127.0.0.1"]["fix"]["action"] == "use-name", b
assert any("sni-mismatch" in n for n in b["blocked.test"]["notes"]), b["blocked.test"]
# sni.py keeps its tunnel open while it handshakes: its process is found.
assert any("sni.py" in p["command"] for p in b["blocked.test"]["processes"]), b["blocked.test"]
PY

# --dns-mode resolve: names resolve, only the proxy enforces.
run "${R[@]}" --dns-mode resolve --json -- sh -c "getent hosts blocked.test; echo getent=\$?; \
  curl -sS --cacert cert.pem https://blocked.test:$HTTPS_PORT/ >/dev/null; echo curl=\$?"
expect_rc 1 "resolve mode still blocks at the proxy"
expect_err 'getent=0' "the blocked name resolves"
expect_err 'curl=56' "but its CONNECT is refused"
python3 - "$T/out" <<'PY' || fail "resolve-mode report"
import json, sys
d = json.load(open(sys.argv[1]))
e = {x.get("name"): x for x in d["blocked"]}["blocked.test"]
assert e["via"] == {"proxy": 1}, e
assert d["outcome"]["dns_mode"] == "resolve"
PY
finish
