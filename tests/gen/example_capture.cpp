#include "example_capture.hpp"

#include "message_builder.hpp"
#include "pcap_writer.hpp"
#include "quic_builder.hpp"

namespace netmap::testgen {

namespace {

constexpr std::int64_t k_t0 = 1795860000000000; // 2026-11-28T10:00:00Z
constexpr const char* k_client = "10.0.0.2";
constexpr const char* k_resolver = "10.0.0.53";

struct Writer {
  PcapWriter pcap;
  std::int64_t t = k_t0;
  std::uint16_t port = 41000;
  void add(const Bytes& ip) {
    t += 1500;
    pcap.write(t, frame(Link::Ethernet, ip, 0));
  }
  // A lookup answered by the resolver: the program asks for `name`, the answer gives `addr`.
  void lookup(const std::string& name, const std::string& addr, std::uint16_t id) {
    Endpoints q{k_client, k_resolver, port++, 53};
    add(udp_packet(q, DnsBuilder::query(id, name, k_rr_a)));
    add(udp_packet(q.reversed(), DnsBuilder::response(id, name, k_rr_a, cname_chain(name, {}, {addr}))));
  }
  void https(const std::string& name, const std::string& addr) {
    TcpFlow f({k_client, addr, port++, 443}, 1000, 9000);
    add(f.syn());
    add(f.syn_ack());
    add(f.ack());
    add(f.client(tls_records(client_hello({name}))));
  }
};

} // namespace

void write_example_capture(const std::string& path) {
  Writer w{PcapWriter(path, Link::Ethernet, CaptureFormat::Pcap, 262144)};
  const std::pair<const char*, const char*> https_hosts[] = {
      {"api.payments.example", "198.51.100.10"}, {"registry.npmjs.org", "198.51.100.20"},
      {"files.pythonhosted.org", "198.51.100.30"}, {"metrics.unknown.example", "198.51.100.40"}};
  std::uint16_t id = 0x100;
  for (const auto& [name, addr] : https_hosts) {
    w.lookup(name, addr, id++);
    w.https(name, addr);
  }
  // Images come over HTTP/3: the name is only in the QUIC Initial's ClientHello.
  w.lookup("img.cdn.assets.example", "198.51.100.50", id++);
  Endpoints q{k_client, "198.51.100.50", w.port++, 443};
  for (const auto& d : quic_client_initials(client_hello({"img.cdn.assets.example"}), {})) w.add(udp_packet(q, d));
  // The forgotten telemetry stub: plain HTTP, the name in the Host header.
  w.lookup("telemetry.vendor.example", "198.51.100.60", id++);
  TcpFlow t({k_client, "198.51.100.60", w.port++, 80}, 1, 1);
  w.add(t.syn());
  w.add(t.client(http_request("GET", "/ping", "telemetry.vendor.example")));
  // A hard-coded address: no name is ever seen for it.
  TcpFlow ip({k_client, "203.0.113.9", w.port++, 8443}, 5, 5);
  w.add(ip.syn());
  w.pcap.close();
}

} // namespace netmap::testgen
