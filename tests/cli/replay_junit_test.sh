#!/usr/bin/env bash
# netmap replay with a Python test runner that writes JUnit XML: the tests that need a blocked
# domain fail, and the report ties each of them to that domain (from the XML, --junit with a glob,
# and from the runner's own output), with the allow rule to add. Also: a hostile report is survived.
# label: privileged
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed"
command -v curl >/dev/null || skip "curl not installed"
"$NETMAP" replay --preset none --upstream 127.0.0.1:9 -- true >"$T/probe" 2>&1 || skip "no fence here: $(cat "$T/probe")"
cd "$T"

# An HTTP server on the host's loopback that the allowed name reaches through the proxy.
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1])); s.serve_forever()' http.port &
HTTP_PID=$!
trap 'kill $HTTP_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 1 50); do [ -s http.port ] && break; sleep 0.1; done
PORT=$(cat http.port)

# A tiny runner: unittest cases, results written as JUnit XML (no pytest needed), verbose output.
mkdir -p reports
cat > suite.py <<'PY'
import os, socket, subprocess, sys, unittest, urllib.request
from xml.sax.saxutils import escape, quoteattr
PORT = int(sys.argv[1])
def get(host):
    return urllib.request.urlopen("http://%s:%d/" % (host, PORT), timeout=5).read()
class Net(unittest.TestCase):
    def test_allowed(self):
        self.assertEqual(get("api.allowed.test"), b"ok")
    def test_registry(self):
        get("registry.blocked.test")
    def test_telemetry(self):
        socket.getaddrinfo("telemetry.blocked.test", 443)
    def test_pure(self):
        self.assertEqual(1 + 1, 2)
    def test_quiet(self):  # a client that prints nothing: only when it ran ties it to its domain
        rc = subprocess.call(["curl", "-sf", "-o", "/dev/null", "http://quiet.blocked.test:%d/" % PORT])
        self.assertEqual(rc, 0)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(unittest.defaultTestLoader.loadTestsFromTestCase(Net))
bad = {t.id(): (kind, tb) for kind, lst in (("failure", result.failures), ("error", result.errors)) for t, tb in lst}
with open("reports/junit-net.xml", "w") as f:
    f.write('<?xml version="1.0"?>\n<testsuite name="net" tests="5">\n')
    for name in ("test_allowed", "test_registry", "test_telemetry", "test_pure", "test_quiet"):
        tid = "__main__.Net." + name
        f.write('<testcase classname="__main__.Net" name="%s">' % name)
        if tid in bad:
            kind, tb = bad[tid]
            f.write('<%s message=%s>%s</%s>' % (kind, quoteattr(tb.strip().splitlines()[-1]), escape(tb), kind))
        f.write('</testcase>\n')
    f.write('</testsuite>\n')
sys.exit(0 if result.wasSuccessful() else 1)
PY
printf '<testsuite><testcase name="x"><failure>&lol;<![CDATA[' > reports/junit-broken.xml

cat > netmap.yaml <<'YAML'
presets: [none]
allow:
  - api.allowed.test
YAML
run replay --json --resolve api.allowed.test=127.0.0.1 --upstream 127.0.0.1:9 --junit 'reports/*.xml' -- python3 suite.py "$PORT"
expect_rc 1 "failing suite with blocked domains"
expect_err 'test_registry .* (ERROR|FAIL)' "the runner's output streamed to the user"
python3 - "$T/out" <<'PY' || fail "junit report"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"]["exit_code"] == 1, d["outcome"]
b = {e["name"]: e for e in d["blocked"]}
assert set(b) == {"registry.blocked.test", "telemetry.blocked.test", "quiet.blocked.test"}, b.keys()
reg, tel = b["registry.blocked.test"], b["telemetry.blocked.test"]
assert "__main__.Net.test_registry" in reg["tests"], reg
assert "__main__.Net.test_telemetry" in tel["tests"], tel
assert reg["via"] == {"proxy": 1}, reg["via"]          # urllib honours http_proxy: the proxy refused it
assert tel["via"].get("dns", 0) >= 1, tel["via"]       # getaddrinfo asked the fence's resolver
assert reg["fix"] == {"action": "allow", "allow": "registry.blocked.test",
                      "text": reg["fix"]["text"]}, reg["fix"]
assert any("python3 suite.py" in p["command"] for p in tel["processes"]), tel["processes"]   # the resolver's refusal
assert any("python3 suite.py" in p["command"] for p in reg["processes"]), reg["processes"]   # the proxy's refusal
t = {x["name"]: x for x in d["failed_tests"]}
assert t["__main__.Net.test_registry"]["blocked"] == ["registry.blocked.test"], t
assert t["__main__.Net.test_telemetry"]["blocked"] == ["telemetry.blocked.test"], t
assert t["__main__.Net.test_quiet"]["blocked"] == ["quiet.blocked.test"], t   # refused while it ran
assert b["quiet.blocked.test"]["evidence"][0]["kind"] == "refused-during-test", b["quiet.blocked.test"]
assert "__main__.Net.test_allowed" not in t and "__main__.Net.test_pure" not in t, t
j = d["junit"]
assert j["tests"] == 6 and j["failures"] + j["errors"] == 4, j   # the broken report holds one more
assert any("junit-broken.xml" in p for p in j["problems"]), j["problems"]
assert "api.allowed.test" in d["allowed"], d["allowed"]
PY

# Without --junit the runner's own output names the tests (unittest's "ERROR: name (id)" sections).
run replay --resolve api.allowed.test=127.0.0.1 --upstream 127.0.0.1:9 -- python3 suite.py "$PORT"
expect_rc 1 "same suite, text report"
expect_out 'registry\.blocked\.test' "table names the blocked domain"
expect_out 'breaks: __main__\.Net\.test_telemetry' "the output section ties the test"
expect_out 'add "telemetry\.blocked\.test" to allow' "the fix names the exact rule"

# Everything allowed and passing: exit 0.
cat > netmap.yaml <<'YAML'
presets: [none]
allow: ["**.allowed.test", "**.blocked.test"]
YAML
run replay --resolve api.allowed.test=127.0.0.1 --resolve registry.blocked.test=127.0.0.1 --upstream 127.0.0.1:9 \
  -- python3 -c "import urllib.request; print(urllib.request.urlopen('http://registry.blocked.test:$PORT/').read())"
expect_rc 0 "nothing blocked, command passed"
expect_out "b'ok'" "allowed fetch through the proxy"
finish
