#include "fuzz_seeds.hpp"

#include "fixtures.hpp"
#include "message_builder.hpp"
#include "pcap_writer.hpp"
#include "pcapng_builder.hpp"
#include "quic_builder.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace netmap::testgen {
namespace {

void save(const std::filesystem::path& dir, const std::string& name, const Bytes& b) {
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  if (!out) throw std::runtime_error((dir / name).string() + ": could not write");
}

// The packet target maps its first byte to a link type in this order.
std::uint8_t link_index(Link l) {
  switch (l) {
  case Link::Ethernet: return 0;
  case Link::Sll: return 1;
  case Link::Sll2: return 2;
  case Link::Raw: return 3;
  case Link::Null: return 4;
  case Link::Loop: return 5;
  }
  return 0;
}

} // namespace

void write_fuzz_seeds(const std::string& dir) {
  std::filesystem::path root(dir);
  int n = 0;
  for (const auto& fx : make_fixtures()) {
    for (const auto& [t, frame] : fx.frames) {
      Bytes seed{link_index(fx.link)};
      seed.insert(seed.end(), frame.begin(), frame.end());
      save(root / "dissect_packet", "seed-" + std::to_string(++n), seed);
    }
  }
  save(root / "dissect_dns", "query", DnsBuilder::query(1, "www.example.com", k_rr_a));
  save(root / "dissect_dns", "cname-chain", DnsBuilder::response(2, "www.example.com", k_rr_a,
      cname_chain("www.example.com", {"a.example.net", "b.example.org"}, {"192.0.2.1", "2001:db8::1"})));
  save(root / "dissect_dns", "https", DnsBuilder::response(3, "svc.example", k_rr_https,
      {{"svc.example", k_rr_https, 60, "t.example", 1, {"192.0.2.2"}, {"2001:db8::2"}}}));
  save(root / "dissect_dns", "nxdomain", DnsBuilder::response(4, "no.example", k_rr_aaaa, {}, 3));
  HelloOptions ech{"public.example"};
  ech.ech = true;
  save(root / "dissect_tls", "hello", tls_records(client_hello({"www.example.com"})));
  save(root / "dissect_tls", "hello-ech", tls_records(client_hello(ech)));
  save(root / "dissect_tls", "hello-records", tls_records(client_hello({"split.example"}), 37));
  save(root / "dissect_tls", "handshake", client_hello({"quic.example"}));
  save(root / "dissect_http", "get", http_request("GET", "/", "www.example.com"));
  save(root / "dissect_http", "absolute", http_request("GET", "http://a.example:8080/x", "a.example"));
  save(root / "dissect_http", "connect", http_request("CONNECT", "[2001:db8::1]:443", ""));
  // QUIC seeds: a real Initial datagram, and plaintext payloads (first byte selects the version).
  auto dg = quic_client_initials(client_hello({"q.example"}), {});
  save(root / "dissect_quic", "initial-datagram", dg.front());
  Bytes crypto{0x00, 0x06, 0x00};
  Bytes hello = client_hello({"frames.example"});
  put_varint(crypto, hello.size());
  crypto.insert(crypto.end(), hello.begin(), hello.end());
  crypto.insert(crypto.end(), {0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});
  save(root / "dissect_quic", "payload-v1", crypto);
  crypto[0] = 0x01;
  save(root / "dissect_quic", "payload-v2", crypto);
  // Raw IP packets as the fence's TUN device delivers them, for the refusal builder.
  const Bytes echo4{8, 0, 0xf7, 0xfd, 0, 1, 0, 1};
  const Bytes echo6{128, 0, 0, 0, 0, 1, 0, 1}; // ICMPv6 sums a pseudo-header; the builder ignores it
  const Bytes query = DnsBuilder::query(1, "direct.example", k_rr_a);
  save(root / "replay_refusal", "syn4.bin", tcp_packet({"10.0.0.2", "192.0.2.1", 40000, 443}, 1000, 0, k_syn, {}));
  save(root / "replay_refusal", "syn6.bin", tcp_packet({"fd00::2", "2001:db8::1", 40000, 443}, 1000, 0, k_syn, {}));
  save(root / "replay_refusal", "udp4.bin", udp_packet({"10.0.0.2", "198.51.100.7", 5353, 53}, query));
  save(root / "replay_refusal", "udp6.bin", udp_packet({"fd00::2", "2001:db8::53", 5353, 53}, query));
  save(root / "replay_refusal", "echo4.bin", ip_packet("10.0.0.2", "192.0.2.9", 1, echo4));
  save(root / "replay_refusal", "echo6.bin", ip_packet("fd00::2", "2001:db8::9", 58, echo6));
  // Whole capture files for the mapped reader: the classic-pcap fixtures, and one cut short.
  std::filesystem::create_directories(root / "capture_pcap_file");
  for (const auto& fx : make_fixtures()) {
    if (fx.file.ends_with(".pcapng") || fx.frames.size() > 8) continue;
    PcapWriter w((root / "capture_pcap_file" / fx.file).string(), fx.link, CaptureFormat::Pcap, fx.snaplen);
    for (const auto& [t, frame] : fx.frames) w.write(t, frame);
    w.close();
  }
  {
    const auto whole = root / "capture_pcap_file" / "cut.pcap";
    PcapWriter w(whole.string(), Link::Ethernet);
    w.write(1, frame(Link::Ethernet, udp_packet({"10.0.0.2", "10.0.0.53", 40000, 53},
                                                 DnsBuilder::query(1, "cut.example", k_rr_a))));
    w.close();
    std::filesystem::resize_file(whole, std::filesystem::file_size(whole) - 9);
  }
  // pcapng files for its own reader: interfaces of two link types, every block kind, two sections
  // in both byte orders, timestamp options, and one cut short.
  const auto dns = udp_packet({"10.0.0.2", "10.0.0.53", 40000, 53}, DnsBuilder::query(1, "ng.example", k_rr_a));
  PcapngBuilder multi;
  multi.section().interface({Link::Ethernet}).interface({Link::Raw});
  multi.enhanced(0, 1700000000000001, frame(Link::Ethernet, dns)).enhanced(1, 1700000000000002, dns);
  save(root / "capture_pcapng_file", "two-links.pcapng", multi.bytes());
  const Bytes note{1, 2, 3, 4, 5};
  PcapngBuilder kinds;
  kinds.section(true)
      .interface({Link::Raw, 262144, 9, 0})
      .interface({Link::Raw, 262144, 0x80 | 20, 3600})
      .other(5, note)
      .enhanced(0, 1700000000123456789ull, dns)
      .enhanced(1, std::uint64_t{1700000000} << 20, dns)
      .obsolete(0, 1700000001000000000ull, dns)
      .section(false)
      .interface({Link::Ethernet, 60, 3, -5})
      .simple(frame(Link::Ethernet, dns))
      .other(0x40000bad, note);
  save(root / "capture_pcapng_file", "kinds.pcapng", kinds.bytes());
  Bytes cut = multi.bytes();
  cut.resize(cut.size() - 9);
  save(root / "capture_pcapng_file", "cut.pcapng", cut);
}

} // namespace netmap::testgen
