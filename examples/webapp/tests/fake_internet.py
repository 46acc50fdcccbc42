#!/usr/bin/env python3
"""The example's own little internet, on loopback only: a DNS server that answers 127.0.0.1 for
the example's names (NXDOMAIN otherwise), and an HTTPS and an HTTP server that answer any Host.
Usage: fake_internet.py DIR  -- writes DIR/ports (dns https http) and DIR/ready, serves until killed."""
import http.server
import os
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading

ZONE = {
    "api.payments.example", "img.cdn.assets.example", "registry.npmjs.org",
    "files.pythonhosted.org", "telemetry.vendor.example", "metrics.unknown.example",
}


def dns_answer(query):
    """A minimal RFC 1035 responder: one question, A records only."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    if qd != 1 or flags & 0x8000:
        return None
    labels, i = [], 12
    while i < len(query) and query[i] != 0:
        n = query[i]
        labels.append(query[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 5 > len(query):
        return None
    qtype = struct.unpack("!H", query[i + 1:i + 3])[0]
    question = query[12:i + 5]
    name = ".".join(labels).lower()
    known = name in ZONE
    rcode = 0 if known else 3
    answers = b""
    if known and qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
    header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 1 if answers else 0, 0, 0)
    return header + question + answers


def serve_dns(sock):
    while True:
        data, peer = sock.recvfrom(4096)
        reply = dns_answer(data)
        if reply:
            sock.sendto(reply, peer)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from %s%s\n" % (self.headers.get("Host", "?"), self.path)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    out = sys.argv[1]
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=example", "-keyout", os.path.join(out, "key.pem"),
                    "-out", os.path.join(out, "cert.pem")], check=True, capture_output=True)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    https = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(out, "cert.pem"), os.path.join(out, "key.pem"))
    https.socket = ctx.wrap_socket(https.socket, server_side=True)
    http_srv = Server(("127.0.0.1", 0), Handler)
    for target, arg in ((serve_dns, dns), (https.serve_forever, None), (http_srv.serve_forever, None)):
        threading.Thread(target=target, args=(arg,) if arg else (), daemon=True).start()
    with open(os.path.join(out, "ports"), "w") as f:
        f.write("%d %d %d\n" % (dns.getsockname()[1], https.server_address[1], http_srv.server_address[1]))
    open(os.path.join(out, "ready"), "w").close()
    threading.Event().wait()


if __name__ == "__main__":
    main()
