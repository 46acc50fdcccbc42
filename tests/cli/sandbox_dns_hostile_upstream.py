#!/usr/bin/env python3
"""A hostile upstream for sandbox_dns_hostile_test.sh: UDP and TCP on one 127.0.0.1 port (printed
first), each answer shaped by the first label of the question's name. Exits after argv[1] seconds."""
import socket, struct, sys, threading, time

def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.strip(".").split(".")) + b"\0"

def rr(owner, rtype, ttl, rdata):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata

def head(qid, flags=0x8180, an=0):
    return struct.pack(">HHHHHH", qid, flags, 1, an, 0, 0)

EVIL = bytes([6, 6, 6, 6])
QNAME = b"\xc0\x0c"  # a pointer to the question's name

def answer(pkt, tcp):
    qid = struct.unpack(">H", pkt[:2])[0]
    pos, labels = 12, []
    while pkt[pos]:
        labels.append(pkt[pos + 1:pos + 1 + pkt[pos]].decode().lower())
        pos += 1 + pkt[pos]
    q = pkt[12:pos + 5]
    qtype = struct.unpack(">H", q[-4:-2])[0]
    mode, zone = labels[0], ".".join(labels[1:])
    if (mode.startswith("tcp") or mode == "duptc") and not tcp:
        return head(qid, 0x8380) + q  # TC: ask again over TCP
    if mode == "tcpwrongid":
        return head(qid ^ 0x5555, an=1) + q + rr(QNAME, 1, 300, EVIL)
    if mode == "fwdcname":  # the CNAME target is a forward pointer to the next owner
        target = 12 + len(q) + 12 + 2
        return head(qid, an=2) + q + rr(QNAME, 5, 300, struct.pack(">H", 0xC000 | target)) + \
            rr(name("evil.blocked.test"), 1, 300, EVIL)
    if mode == "chain":  # 40 aliases
        body, owner = b"", QNAME
        for i in range(40):
            target = name("c%d.%s" % (i, zone))
            body += rr(owner, 5, 300, target)
            owner = target
        return head(qid, an=41) + q + body + rr(owner, 1, 300, EVIL)
    if mode == "loop":
        a, b = name("la." + zone), name("lb." + zone)
        return head(qid, an=3) + q + rr(QNAME, 5, 300, a) + rr(a, 5, 300, b) + rr(b, 5, 300, a)
    if mode == "stray":  # an A record for a name no alias leads to
        return head(qid, an=2) + q + rr(QNAME, 1, 300, bytes([192, 0, 2, 1])) + \
            rr(name("evil.blocked.test"), 1, 300, EVIL)
    if mode == "wrongtype":  # answers type 97 to an HTTPS (65) question
        return head(qid, an=1) + q[:-4] + struct.pack(">HH", qtype | 0x20, 1) + rr(QNAME, 1, 300, EVIL)
    if mode == "hugettl":
        return head(qid, an=1) + q + rr(QNAME, 1, 0x80000000, EVIL)
    if mode == "mid":  # 8 TXT records of 251 bytes: about 2 KiB, over UDP too (past the 1232 we ask)
        return head(qid, an=8) + q + b"".join(rr(QNAME, 16, 300, bytes([250]) + b"y" * 250) for _ in range(8))
    if mode == "big":  # 20 TXT records of 251 bytes: about 5 KiB, over TCP only
        if not tcp:
            return head(qid, 0x8380) + q
        return head(qid, an=20) + q + b"".join(rr(QNAME, 16, 300, bytes([250]) + b"x" * 250) for _ in range(20))
    return head(qid, an=1) + q + rr(QNAME, 1, 300, bytes([192, 0, 2, 1]))

def serve_udp(s):
    while True:
        pkt, peer = s.recvfrom(4096)
        for _ in range(2 if b"\x05duptc" in pkt else 1):  # duptc: the TC answer comes twice
            s.sendto(answer(pkt, False), peer)

def serve_tcp_conn(c):
    with c:
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            data = c.recv(4096)
            if not data:
                return
            buf += data
        r = answer(buf[2:], True)
        c.sendall(struct.pack(">H", len(r)) + r)
        time.sleep(1)

def serve_tcp(s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_tcp_conn, args=(c,), daemon=True).start()

# One port for both: the kernel picks a free UDP port, which another test's TCP connection may hold
# (both come from the ephemeral range under a parallel test run), so try again until TCP gets it too.
for attempt in range(100):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        tcp.bind(("127.0.0.1", port))
        break
    except OSError:
        udp.close()
        tcp.close()
else:
    sys.exit("no port free for both UDP and TCP")
tcp.listen(16)
print(port, flush=True)
threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
