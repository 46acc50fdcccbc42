#!/usr/bin/env python3
"""The example project's test suite. Each test contacts one domain of the fake internet, the way
the real app's tests would contact the real one. Writes JUnit XML to $JUNIT_XML when set."""
import http.client
import os
import socket
import ssl
import struct
import sys
import time
import unittest
import xml.sax.saxutils as su

DNS_PORT, HTTPS_PORT, HTTP_PORT = (int(p) for p in os.environ["FAKE_INTERNET_PORTS"].split())


def resolve(name):
    """Asks the fake internet's DNS server for an A record, as a resolver library would."""
    q = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, ("127.0.0.1", DNS_PORT))
    reply = s.recv(512)
    if reply[3] & 0x0F == 3:
        raise OSError("getaddrinfo ENOTFOUND %s" % name)
    return socket.inet_ntoa(reply[-4:])


def https_get(name, path="/"):
    addr = resolve(name)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(addr, HTTPS_PORT, context=ctx, timeout=5)
    conn.sock = ctx.wrap_socket(socket.create_connection((addr, HTTPS_PORT), 5), server_hostname=name)
    conn.request("GET", path, headers={"Host": name})
    return conn.getresponse().read().decode()


def http_get(name, path="/"):
    addr = resolve(name)
    conn = http.client.HTTPConnection(addr, HTTP_PORT, timeout=5)
    conn.request("GET", path, headers={"Host": name})
    return conn.getresponse().read().decode()


class WebappTests(unittest.TestCase):
    def test_checkout_charges_card(self):
        self.assertIn("api.payments.example", https_get("api.payments.example", "/v1/charges"))

    def test_product_page_loads_images(self):
        self.assertIn("img.cdn.assets.example", https_get("img.cdn.assets.example", "/logo.png"))

    def test_installs_frontend_dependencies(self):
        self.assertIn("registry.npmjs.org", https_get("registry.npmjs.org", "/left-pad"))

    def test_installs_python_wheels(self):
        self.assertIn("files.pythonhosted.org", https_get("files.pythonhosted.org", "/packages/x.whl"))

    def test_reports_usage_metrics(self):
        # A real test would stub this vendor; this one forgot to, which netmap check points out.
        self.assertIn("telemetry.vendor.example", http_get("telemetry.vendor.example", "/ping"))

    def test_dashboard_fetches_metrics(self):
        self.assertIn("metrics.unknown.example", https_get("metrics.unknown.example", "/q"))


def write_junit(result, path, cases, elapsed):
    failed = {t.id(): tb for t, tb in result.failures + result.errors}
    with open(path + ".tmp", "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="webapp" tests="%d" failures="%d" time="%.3f">\n'
                % (len(cases), len(failed), elapsed))
        for t in cases:
            name = t.id().split(".")[-1]
            f.write('  <testcase classname="webapp.WebappTests" name="%s">' % name)
            if t.id() in failed:
                msg = failed[t.id()].strip().splitlines()[-1]
                f.write('<failure message=%s>%s</failure>' % (su.quoteattr(msg), su.escape(failed[t.id()])))
            f.write("</testcase>\n")
        f.write("</testsuite>\n")
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(WebappTests)
    cases = list(suite)
    start = time.time()
    result = unittest.TextTestRunner(verbosity=2).run(unittest.TestSuite(cases))
    if os.environ.get("JUNIT_XML"):
        write_junit(result, os.environ["JUNIT_XML"], cases, time.time() - start)
    sys.exit(0 if result.wasSuccessful() else 1)
