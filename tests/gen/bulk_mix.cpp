#include "bulk_mix.hpp"

#include "message_builder.hpp"
#include "pcap_writer.hpp"
#include "quic_builder.hpp"

#include <fstream>
#include <map>
#include <random>
#include <stdexcept>

namespace netmap::testgen {
namespace {

constexpr std::size_t k_active_downloads = 48;
constexpr std::size_t k_bulk_payload = 1400;

class Mix {
public:
  Mix(const BulkOptions& o)
      : m_opts(o), m_rng(o.seed),
        m_out(o.output, Link::Ethernet, o.pcapng ? CaptureFormat::Pcapng : CaptureFormat::Pcap) {
    m_payload.resize(k_bulk_payload + 4096);
    for (auto& b : m_payload) b = static_cast<std::uint8_t>(m_rng());
    m_payload[0] = 0x17; // bulk looks like TLS application data
  }

  BulkStats run() {
    while (m_out.count() < m_opts.packets) {
      std::uint64_t roll = m_rng() % 1000;
      if (m_downloads.size() < k_active_downloads || roll < 2) start_download();
      else if (roll < 6) dns_udp();
      else if (roll == 6) dns_tcp();
      else if (roll == 7) http();
      else if (roll == 8) quic();
      else bulk();
    }
    m_out.close();
    if (!m_opts.truth.empty()) write_truth();
    return {m_out.count(), m_truth.size()};
  }

private:
  struct Download {
    TcpFlow flow;
    std::uint64_t left;
  };

  void emit(const Bytes& ip) {
    if (m_out.count() >= m_opts.packets) return;
    m_t += 20 + static_cast<std::int64_t>(m_rng() % 40);
    m_out.write(m_t, frame(Link::Ethernet, ip));
  }

  std::string fresh_name(const char* kind) {
    static const char* words[] = {"api", "cdn", "static", "registry", "mirror", "auth", "files", "pkg"};
    static const char* zones[] = {"example.com", "example.net", "example.org", "test.example"};
    return std::string(words[m_rng() % 8]) + std::to_string(++m_serial) + "-" + kind + "." +
           zones[m_rng() % 4];
  }

  void truth(const std::string& name, const std::string& via) { m_truth.emplace(name, via); }

  std::string client_ip() { return "10.0." + std::to_string(m_rng() % 4) + "." + std::to_string(2 + m_rng() % 200); }
  std::string server_ip() {
    return std::to_string(100 + m_rng() % 100) + "." + std::to_string(m_rng() % 256) + "." +
           std::to_string(m_rng() % 256) + "." + std::to_string(1 + m_rng() % 254);
  }
  std::uint16_t port() { return static_cast<std::uint16_t>(32768 + m_rng() % 28000); }

  void start_download() {
    std::string name = fresh_name("tls");
    TcpFlow f({client_ip(), server_ip(), port(), 443}, static_cast<std::uint32_t>(m_rng()),
              static_cast<std::uint32_t>(m_rng()));
    emit(f.syn());
    emit(f.syn_ack());
    emit(f.ack());
    HelloOptions h{name};
    h.ech = m_rng() % 20 == 0;
    h.padding = m_rng() % 4 == 0 ? 1500 : 0; // post-quantum-sized hellos span segments
    Bytes rec = tls_records(client_hello(h), m_rng() % 8 == 0 ? 200 : 16384);
    std::size_t seg = m_rng() % 6 == 0 ? 300 : 1448;
    for (std::size_t i = 0; i < rec.size(); i += seg)
      emit(f.client(Bytes(rec.begin() + static_cast<std::ptrdiff_t>(i),
                          rec.begin() + static_cast<std::ptrdiff_t>(std::min(rec.size(), i + seg)))));
    truth(name, "sni");
    if (m_downloads.size() >= k_active_downloads) {
      std::size_t victim = m_rng() % m_downloads.size();
      emit(m_downloads[victim].flow.client_fin());
      m_downloads.erase(m_downloads.begin() + static_cast<std::ptrdiff_t>(victim));
    }
    m_downloads.push_back({std::move(f), 2000 + m_rng() % 20000});
  }

  void bulk() {
    std::size_t i = m_rng() % m_downloads.size();
    Download& d = m_downloads[i];
    std::size_t off = m_rng() % 4096;
    std::span<const std::uint8_t> data(m_payload.data() + off, k_bulk_payload - (m_rng() % 3) * 100);
    emit(d.flow.server(data));
    if (m_rng() % 8 == 0) emit(d.flow.ack());
    if (d.left-- == 0) {
      emit(d.flow.client_fin());
      m_downloads.erase(m_downloads.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  std::vector<DnsRr> answer_for(const std::string& asked) {
    std::vector<std::string> aliases;
    if (m_rng() % 3 == 0) {
      for (std::uint64_t n = 1 + m_rng() % 3; n > 0; --n) {
        aliases.push_back(fresh_name("cname"));
        truth(aliases.back(), "cname");
      }
    }
    return cname_chain(asked, aliases, {server_ip(), server_ip()});
  }

  void dns_udp() {
    std::string name = fresh_name("dns");
    Endpoints e{client_ip(), "10.0.0.53", port(), 53};
    auto id = static_cast<std::uint16_t>(m_rng());
    bool https = m_rng() % 10 == 0;
    emit(udp_packet(e, DnsBuilder::query(id, name, https ? k_rr_https : k_rr_a)));
    if (https) {
      std::string target = fresh_name("svcb");
      truth(target, "svcb");
      DnsRr rr{name, k_rr_https, 300, target, 1, {server_ip()}, {}};
      emit(udp_packet(e.reversed(), DnsBuilder::response(id, name, k_rr_https, {rr})));
    } else {
      emit(udp_packet(e.reversed(), DnsBuilder::response(id, name, k_rr_a, answer_for(name))));
    }
    truth(name, "dns");
  }

  void dns_tcp() {
    std::string name = fresh_name("tcpdns");
    TcpFlow f({client_ip(), "10.0.0.53", port(), 53}, static_cast<std::uint32_t>(m_rng()), 1);
    emit(f.syn());
    emit(f.syn_ack());
    emit(f.ack());
    auto id = static_cast<std::uint16_t>(m_rng());
    emit(f.client(DnsBuilder::tcp_framed(DnsBuilder::query(id, name, k_rr_a))));
    Bytes a = DnsBuilder::tcp_framed(DnsBuilder::response(id, name, k_rr_a, answer_for(name)));
    std::size_t cut = 1 + m_rng() % (a.size() - 1);
    emit(f.server(Bytes(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(cut))));
    emit(f.server(Bytes(a.begin() + static_cast<std::ptrdiff_t>(cut), a.end())));
    emit(f.client_fin());
    truth(name, "dns");
  }

  void http() {
    std::string name = fresh_name("http");
    bool proxy = m_rng() % 2 == 0;
    TcpFlow f({client_ip(), proxy ? "10.0.0.3" : server_ip(), port(), static_cast<std::uint16_t>(proxy ? 3128 : 80)},
              static_cast<std::uint32_t>(m_rng()), 1);
    emit(f.syn());
    Bytes head = !proxy ? http_request("GET", "/index.html", name)
                 : m_rng() % 2 == 0 ? http_request("CONNECT", name + ":443", "")
                                    : http_request("GET", "http://" + name + "/pkg.tar.gz", name);
    emit(f.client(head));
    emit(f.client_fin());
    truth(name, "http");
  }

  void quic() {
    std::string name = fresh_name("quic");
    bool v2 = m_rng() % 3 == 0;
    QuicOptions o;
    o.version = v2 ? 0x6b3343cf : 1;
    for (auto& b : o.dcid) b = static_cast<std::uint8_t>(m_rng());
    HelloOptions h{name};
    if (m_rng() % 3 == 0) { h.padding = 1400; o.crypto_per_packet = 900; o.reverse = m_rng() % 2 == 0; }
    Endpoints e{client_ip(), server_ip(), port(), 443};
    for (const auto& d : quic_client_initials(client_hello(h), o)) emit(udp_packet(e, d));
    emit(udp_packet(e.reversed(), Bytes(1200, 0x40))); // server's reply (short header)
    truth(name, v2 ? "quic-v2" : "quic");
  }

  void write_truth() {
    std::ofstream out(m_opts.truth + ".tmp");
    out << "{\n  \"schema\": \"netmap-gen-truth/1\",\n  \"packets\": " << m_out.count()
        << ",\n  \"seed\": " << m_opts.seed << ",\n  \"domains\": [\n";
    std::size_t i = 0;
    for (const auto& [name, via] : m_truth)
      out << "    {\"name\": \"" << name << "\", \"via\": \"" << via << "\"}"
          << (++i < m_truth.size() ? ",\n" : "\n");
    out << "  ]\n}\n";
    out.close();
    if (!out || std::rename((m_opts.truth + ".tmp").c_str(), m_opts.truth.c_str()) != 0)
      throw std::runtime_error(m_opts.truth + ": could not write");
  }

  BulkOptions m_opts;
  std::mt19937_64 m_rng;
  PcapWriter m_out;
  Bytes m_payload;
  std::vector<Download> m_downloads;
  std::map<std::string, std::string> m_truth;
  std::int64_t m_t = 1767225600000000;
  std::uint64_t m_serial = 0;
};

} // namespace

BulkStats write_bulk(const BulkOptions& o) { return Mix(o).run(); }

} // namespace netmap::testgen
