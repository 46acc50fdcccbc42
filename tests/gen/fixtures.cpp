#include "fixtures.hpp"

#include "message_builder.hpp"
#include "pcap_writer.hpp"
#include "quic_builder.hpp"

#include <fstream>
#include <stdexcept>

namespace netmap::testgen {
namespace {

constexpr std::int64_t k_t0 = 1767225600000000; // 2026-01-01T00:00:00Z

struct Recorder {
  Fixture fx;
  std::int64_t t = k_t0;
  void add(const Bytes& ip, int vlans = 0) {
    t += 1000;
    fx.frames.emplace_back(t, frame(fx.link, ip, vlans));
  }
};

Fixture dns_udp() {
  Recorder r{{"eth_dns_udp.pcap", Link::Ethernet, "DNS over UDP/IPv4: A query and answer through a 2-step CNAME chain; HTTPS query and answer with an alias target and ipv4/ipv6 hints; an NXDOMAIN", {}, 262144, {}, {}}};
  Endpoints c{"192.0.2.1", "192.0.2.53", 40000, 53};
  r.add(udp_packet(c, DnsBuilder::query(0x1111, "www.example.com", k_rr_a)));
  r.add(udp_packet(c.reversed(), DnsBuilder::response(0x1111, "www.example.com", k_rr_a,
      cname_chain("www.example.com", {"www.example.com.cdn.example.net", "edge7.cdn.example.net"},
                  {"198.51.100.10", "198.51.100.11"}))));
  Endpoints c2{"192.0.2.1", "192.0.2.53", 40001, 53};
  r.add(udp_packet(c2, DnsBuilder::query(0x2222, "svc.example.org", k_rr_https)));
  DnsRr https{"svc.example.org", k_rr_https, 300, "pool.svc-cdn.example", 1, {"203.0.113.5"}, {"2001:db8::5"}};
  r.add(udp_packet(c2.reversed(), DnsBuilder::response(0x2222, "svc.example.org", k_rr_https, {https})));
  Endpoints c3{"192.0.2.1", "192.0.2.53", 40002, 53};
  r.add(udp_packet(c3, DnsBuilder::query(0x3333, "missing.example.com", k_rr_aaaa)));
  r.add(udp_packet(c3.reversed(), DnsBuilder::response(0x3333, "missing.example.com", k_rr_aaaa, {}, 3)));
  r.fx.expect = {"dns-query www.example.com", "dns-answer www.example.com",
                 "dns-query svc.example.org", "dns-answer svc.example.org",
                 "dns-answer missing.example.com"};
  return r.fx;
}

Fixture vlan_tls() {
  Recorder r{{"qinq_tls.pcap", Link::Ethernet, "Ethernet with QinQ (802.1ad + 802.1Q) tags: TCP handshake and a TLS 1.3 ClientHello for api.github.com in one segment", {}, 262144, {}, {}}};
  TcpFlow f({"10.0.0.2", "140.82.112.6", 51000, 443}, 1000, 5000);
  r.add(f.syn(), 2);
  r.add(f.syn_ack(), 2);
  r.add(f.ack(), 2);
  r.add(f.client(tls_records(client_hello({"api.github.com"}))), 2);
  r.fx.expect = {"connection 140.82.112.6", "tls api.github.com"};
  return r.fx;
}

Fixture sll_http() {
  Recorder r{{"sll_http.pcap", Link::Sll, "Linux cooked v1: HTTP GET with Host registry.npmjs.org:8080; an absolute-form GET to a proxy; CONNECT pypi.org:443 without a Host header", {}, 262144, {}, {}}};
  TcpFlow a({"10.0.0.2", "10.0.0.80", 52000, 80}, 1, 1);
  r.add(a.syn());
  r.add(a.client(http_request("GET", "/left-pad", "Registry.NPMJS.org:8080")));
  TcpFlow b({"10.0.0.2", "127.0.0.1", 52001, 3128}, 7, 7);
  r.add(b.syn());
  r.add(b.client(http_request("GET", "http://deb.debian.org/debian/dists/bookworm/Release", "deb.debian.org")));
  TcpFlow c({"10.0.0.2", "127.0.0.1", 52002, 3128}, 9, 9);
  r.add(c.syn());
  r.add(c.client(http_request("CONNECT", "pypi.org:443", "")));
  r.fx.expect = {"http-host registry.npmjs.org", "http-host deb.debian.org absolute-form",
                 "http-connect pypi.org"};
  return r.fx;
}

Fixture sll2_quic_v1() {
  Recorder r{{"sll2_quic_v1.pcap", Link::Sll2, "Linux cooked v2: one QUIC v1 client Initial (IPv4) whose ClientHello names www.google.com", {}, 262144, {}, {}}};
  Endpoints e{"10.0.0.2", "142.250.1.1", 53000, 443};
  for (const auto& d : quic_client_initials(client_hello({"www.google.com"}), {}))
    r.add(udp_packet(e, d));
  r.fx.expect = {"quic www.google.com"};
  return r.fx;
}

Fixture raw_quic_v2() {
  Recorder r{{"raw_quic_v2.pcap", Link::Raw, "raw IPv6: QUIC v2 client Initials carrying a 1.9 KB ClientHello (cloudflare-quic.com) in two packets sent last-first, the second with a switched DCID", {}, 262144, {}, {}}};
  Endpoints e{"2001:db8::2", "2606:4700::1", 53001, 443};
  QuicOptions o;
  o.version = 0x6b3343cf;
  o.crypto_per_packet = 1000;
  o.reverse = true;
  o.switch_dcid = true;
  HelloOptions h{"cloudflare-quic.com"};
  h.padding = 1600;
  h.sni_last = true;
  for (const auto& d : quic_client_initials(client_hello(h), o)) r.add(udp_packet(e, d));
  r.fx.expect = {"quic cloudflare-quic.com quic-v2"};
  return r.fx;
}

Fixture null_tls_split() {
  Recorder r{{"null_tls_split_segments.pcap", Link::Null, "BSD loopback (DLT_NULL): a ClientHello for split-segments.example.org split over three TCP segments, the last two swapped", {}, 262144, {}, {}}};
  TcpFlow f({"127.0.0.1", "127.0.0.1", 54000, 8443}, 100, 200);
  r.add(f.syn());
  Bytes rec = tls_records(client_hello({"split-segments.example.org"}));
  std::uint32_t s0 = f.client_seq();
  Bytes p1(rec.begin(), rec.begin() + 3), p2(rec.begin() + 3, rec.begin() + 60), p3(rec.begin() + 60, rec.end());
  r.add(f.client_at(s0, p1));
  r.add(f.client_at(s0 + 60, p3));
  r.add(f.client_at(s0 + 3, p2));
  r.fx.expect = {"connection 127.0.0.1", "tls split-segments.example.org"};
  return r.fx;
}

Fixture loop_tls_records() {
  Recorder r{{"loop_tls_split_records.pcap", Link::Loop, "OpenBSD loopback (DLT_LOOP): a ClientHello for split-records.example.org in 100-byte TLS records over 150-byte segments; an ECH ClientHello with outer name public.example.com", {}, 262144, {}, {}}};
  TcpFlow f({"10.1.1.1", "10.1.1.2", 55000, 443}, 300, 400);
  r.add(f.syn());
  HelloOptions h{"split-records.example.org"};
  h.sni_last = true;
  Bytes rec = tls_records(client_hello(h), 100);
  for (std::size_t i = 0; i < rec.size(); i += 150) {
    Bytes piece(rec.begin() + static_cast<std::ptrdiff_t>(i),
                rec.begin() + static_cast<std::ptrdiff_t>(std::min(rec.size(), i + 150)));
    r.add(f.client(piece));
  }
  TcpFlow g({"10.1.1.1", "10.1.1.3", 55001, 443}, 500, 600);
  r.add(g.syn());
  HelloOptions e{"public.example.com"};
  e.ech = true;
  r.add(g.client(tls_records(client_hello(e))));
  r.fx.expect = {"tls split-records.example.org", "tls public.example.com ech"};
  return r.fx;
}

Fixture dns_tcp_split() {
  Recorder r{{"eth_dns_tcp_split.pcap", Link::Ethernet, "DNS over TCP: query with its length prefix in a segment of its own; the CNAME answer split mid-message over two segments", {}, 262144, {}, {}}};
  TcpFlow f({"192.0.2.1", "192.0.2.53", 41000, 53}, 10, 20);
  r.add(f.syn());
  r.add(f.syn_ack());
  Bytes q = DnsBuilder::tcp_framed(DnsBuilder::query(0x4444, "tcp-dns.example.com", k_rr_a));
  r.add(f.client(Bytes(q.begin(), q.begin() + 2)));
  r.add(f.client(Bytes(q.begin() + 2, q.end())));
  Bytes a = DnsBuilder::tcp_framed(DnsBuilder::response(0x4444, "tcp-dns.example.com", k_rr_a,
      cname_chain("tcp-dns.example.com", {"tcp-dns.edge.example.net"}, {"198.51.100.53"})));
  r.add(f.server(Bytes(a.begin(), a.begin() + 30)));
  r.add(f.server(Bytes(a.begin() + 30, a.end())));
  r.fx.expect = {"dns-query tcp-dns.example.com", "dns-answer tcp-dns.example.com"};
  return r.fx;
}

Fixture ip_options() {
  Recorder r{{"eth_ip_ext.pcap", Link::Ethernet, "IPv6 with hop-by-hop, routing, fragment (offset 0) and destination-options headers carrying a DNS query; IPv6 with AH carrying a ClientHello; IPv4 with 8 bytes of options carrying a DNS query", {}, 262144, {}, {}}};
  IpOptions v6;
  v6.ipv6_ext = {{0, 8, 0, false}, {43, 24, 0, false}, {44, 8, 0, false}, {60, 16, 0, false}};
  r.add(udp_packet({"2001:db8::1", "2001:db8::53", 42000, 53}, DnsBuilder::query(1, "ipv6-ext.example.com", k_rr_aaaa), v6));
  IpOptions ah;
  ah.ipv6_ext = {{51, 24, 0, false}};
  TcpFlow f({"2001:db8::1", "2001:db8::443", 42001, 443}, 1, 1, ah);
  r.add(f.syn());
  r.add(f.client(tls_records(client_hello({"ah.example.com"}))));
  IpOptions v4;
  v4.ipv4_options = 8;
  r.add(udp_packet({"192.0.2.1", "192.0.2.53", 42002, 53}, DnsBuilder::query(2, "ipv4-options.example.com", k_rr_a), v4));
  r.fx.expect = {"dns-query ipv6-ext.example.com", "tls ah.example.com", "dns-query ipv4-options.example.com"};
  return r.fx;
}

Fixture broken() {
  Recorder r{{"eth_broken.pcap", Link::Ethernet, "captured with snaplen 80: a DNS answer cut mid-record (decoded as far as it goes), a later IPv4 fragment, a corrupt DNS message, a 10-byte runt frame", {}, 80, {}, {}}};
  Endpoints c{"192.0.2.1", "192.0.2.53", 43000, 53};
  r.add(udp_packet(c.reversed(), DnsBuilder::response(7, "cut.example.com", k_rr_a,
      cname_chain("cut.example.com", {}, {"198.51.100.1", "198.51.100.2", "198.51.100.3"}))));
  IpOptions later;
  later.ipv4_fragment_offset = 185;
  r.add(ip_packet("192.0.2.1", "192.0.2.2", 17, Bytes(40, 0x55), later));
  r.add(udp_packet(c, Bytes{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 'a'}));
  r.fx.frames.emplace_back(r.t + 1000, Bytes(10, 0xee));
  r.fx.expect = {"dns-answer cut.example.com truncated"};
  r.fx.expect_drops = {"truncated-ip", "ip-fragment", "bad-dns", "truncated-link"};
  return r.fx;
}

Fixture bare_ip() {
  Recorder r{{"eth_bare_ip.pcapng", Link::Ethernet, "pcapng: a TCP SYN to 203.0.113.7:8443 and a UDP exchange with 198.51.100.9:123 with no name anywhere; an mDNS query (ignored by default)", {}, 262144, {}, {}}};
  TcpFlow f({"10.0.0.2", "203.0.113.7", 56000, 8443}, 1, 1);
  r.add(f.syn());
  Endpoints n{"10.0.0.2", "198.51.100.9", 56001, 123};
  r.add(udp_packet(n, Bytes(48, 0x23)));
  r.add(udp_packet(n.reversed(), Bytes(48, 0x24)));
  r.add(udp_packet({"10.0.0.2", "224.0.0.251", 5353, 5353}, DnsBuilder::query(0, "printer.local", k_rr_a)));
  r.fx.expect = {"connection 203.0.113.7", "connection 198.51.100.9"};
  return r.fx;
}

} // namespace

std::vector<Fixture> make_fixtures() {
  return {dns_udp(), vlan_tls(), sll_http(), sll2_quic_v1(), raw_quic_v2(), null_tls_split(),
          loop_tls_records(), dns_tcp_split(), ip_options(), broken(), bare_ip()};
}

void write_fixtures(const std::string& dir) {
  std::string readme = "# Capture fixtures\n\nMade by the project's generator: `netmap-gen fixtures "
                       "tests/data/captures` (tests/gen/fixtures.cpp). Do not edit by hand.\n\n";
  for (const auto& fx : make_fixtures()) {
    bool ng = fx.file.ends_with(".pcapng");
    PcapWriter w(dir + "/" + fx.file, fx.link, ng ? CaptureFormat::Pcapng : CaptureFormat::Pcap, fx.snaplen);
    for (const auto& [t, bytes] : fx.frames) w.write(t, bytes);
    w.close();
    readme += "- `" + fx.file + "` — " + fx.recipe + ". Expect: ";
    for (std::size_t i = 0; i < fx.expect.size(); ++i) readme += (i ? "; " : "") + fx.expect[i];
    if (!fx.expect_drops.empty()) {
      readme += ". Drops: ";
      for (std::size_t i = 0; i < fx.expect_drops.size(); ++i) readme += (i ? ", " : "") + fx.expect_drops[i];
    }
    readme += ".\n";
  }
  std::ofstream out(dir + "/README.md");
  out << readme;
  if (!out) throw std::runtime_error(dir + "/README.md: could not write");
}

} // namespace netmap::testgen
