#include "packet_builder.hpp"

#include "netmap/base/inet_checksum.hpp"

#include <arpa/inet.h>

#include <stdexcept>

namespace netmap::testgen {
namespace {

struct Addr {
  std::uint8_t bytes[16] = {};
  int family = 0;
};

Addr parse_addr(const std::string& s) {
  Addr a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes) == 1) a.family = 4;
  else if (inet_pton(AF_INET6, s.c_str(), a.bytes) == 1) a.family = 6;
  else throw std::invalid_argument("not an IP address: " + s);
  return a;
}

std::size_t addr_len(const Addr& a) { return a.family == 4 ? 4 : 16; }

std::uint16_t transport_checksum(const Addr& s, const Addr& d, std::uint8_t proto,
                                 std::span<const std::uint8_t> seg) {
  return base::transport_checksum({s.bytes, addr_len(s)}, {d.bytes, addr_len(d)}, proto, seg);
}

void set16(Bytes& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

} // namespace

void append(Bytes& b, std::span<const std::uint8_t> more) { b.insert(b.end(), more.begin(), more.end()); }

void append(Bytes& b, const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }

Bytes from_hex(const std::string& hex) {
  auto nib = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    throw std::invalid_argument("bad hex digit");
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  Bytes out;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(nib(hex[i]) << 4 | nib(hex[i + 1])));
  return out;
}

Bytes ip_packet(const std::string& src, const std::string& dst, std::uint8_t proto,
                std::span<const std::uint8_t> payload, const IpOptions& ip) {
  Addr s = parse_addr(src), d = parse_addr(dst);
  Bytes b;
  if (s.family == 4) {
    std::size_t opts = (ip.ipv4_options + 3) / 4 * 4;
    std::size_t ihl = 20 + opts;
    b.reserve(ihl + payload.size());
    b.push_back(static_cast<std::uint8_t>(0x40 | (ihl / 4)));
    b.push_back(0);
    put16(b, static_cast<std::uint32_t>(ihl + payload.size()));
    put16(b, 0x1234);
    put16(b, (ip.ipv4_more_fragments ? 0x2000u : 0u) | ip.ipv4_fragment_offset);
    b.push_back(64);
    b.push_back(proto);
    put16(b, 0);
    append(b, {s.bytes, 4});
    append(b, {d.bytes, 4});
    for (std::size_t i = 0; i < opts; ++i) b.push_back(i + 1 == opts ? 0 : 1); // NOPs, then EOL
    set16(b, 10, base::inet_checksum(b));
  } else {
    Bytes ext;
    for (std::size_t i = 0; i < ip.ipv6_ext.size(); ++i) {
      const auto& x = ip.ipv6_ext[i];
      std::uint8_t next = i + 1 < ip.ipv6_ext.size() ? ip.ipv6_ext[i + 1].type : proto;
      std::size_t start = ext.size();
      ext.push_back(next);
      if (x.type == 44) {
        ext.push_back(0);
        put16(ext, static_cast<std::uint32_t>(x.fragment_offset << 3) | (x.more_fragments ? 1u : 0u));
        put32(ext, 0xabcd);
        continue;
      }
      std::size_t len = x.type == 51 ? x.length / 4 - 2 : x.length / 8 - 1;
      ext.push_back(static_cast<std::uint8_t>(len));
      if (x.type == 43) { ext.push_back(0); ext.push_back(0); } // routing type 0, segments left 0
      while (ext.size() - start < x.length) ext.push_back(x.type == 51 ? 0xaa : (x.type == 43 ? 0 : 1));
      if (x.type == 0 || x.type == 60) { ext[start + 2] = 1; ext[start + 3] = static_cast<std::uint8_t>(x.length - 4); }
    }
    std::uint8_t first = ip.ipv6_ext.empty() ? proto : ip.ipv6_ext.front().type;
    put32(b, 0x60000000);
    put16(b, static_cast<std::uint32_t>(ext.size() + payload.size()));
    b.push_back(first);
    b.push_back(64);
    append(b, {s.bytes, 16});
    append(b, {d.bytes, 16});
    append(b, ext);
  }
  append(b, payload);
  return b;
}

Bytes udp_packet(const Endpoints& ep, std::span<const std::uint8_t> payload, const IpOptions& ip) {
  Bytes seg;
  seg.reserve(8 + payload.size());
  put16(seg, ep.sport);
  put16(seg, ep.dport);
  put16(seg, static_cast<std::uint32_t>(8 + payload.size()));
  put16(seg, 0);
  append(seg, payload);
  std::uint16_t c = transport_checksum(parse_addr(ep.src), parse_addr(ep.dst), 17, seg);
  set16(seg, 6, c == 0 ? 0xffff : c);
  return ip_packet(ep.src, ep.dst, 17, seg, ip);
}

Bytes tcp_packet(const Endpoints& ep, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                 std::span<const std::uint8_t> payload, const IpOptions& ip) {
  Bytes seg;
  seg.reserve(20 + payload.size());
  put16(seg, ep.sport);
  put16(seg, ep.dport);
  put32(seg, seq);
  put32(seg, (flags & k_ack) != 0 ? ack : 0);
  seg.push_back(0x50);
  seg.push_back(flags);
  put16(seg, 65535);
  put16(seg, 0);
  put16(seg, 0);
  append(seg, payload);
  set16(seg, 16, transport_checksum(parse_addr(ep.src), parse_addr(ep.dst), 6, seg));
  return ip_packet(ep.src, ep.dst, 6, seg, ip);
}

Bytes frame(Link link, std::span<const std::uint8_t> ip, int vlans) {
  bool v6 = !ip.empty() && (ip[0] >> 4) == 6;
  std::uint32_t ethertype = v6 ? 0x86dd : 0x0800;
  Bytes b;
  b.reserve(ip.size() + 28);
  switch (link) {
  case Link::Ethernet:
    append(b, Bytes{0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01});
    for (int i = 0; i < vlans; ++i) { // outer tag 802.1ad for QinQ, inner 802.1Q
      put16(b, vlans == 2 && i == 0 ? 0x88a8 : 0x8100);
      put16(b, static_cast<std::uint32_t>(100 + i));
    }
    put16(b, ethertype);
    break;
  case Link::Sll: // packet type 4 (outgoing), ARPHRD_ETHER, 6-byte address padded to 8
    put16(b, 4);
    put16(b, 1);
    put16(b, 6);
    append(b, Bytes{0x02, 0, 0, 0, 0, 0x01, 0, 0});
    put16(b, ethertype);
    break;
  case Link::Sll2:
    put16(b, ethertype);
    put16(b, 0);
    put32(b, 2);
    put16(b, 1);
    b.push_back(4);
    b.push_back(6);
    append(b, Bytes{0x02, 0, 0, 0, 0, 0x01, 0, 0});
    break;
  case Link::Null: { // host byte order: little-endian here; AF_INET6 as Linux numbers it
    std::uint32_t fam = v6 ? 10 : 2;
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(fam >> (8 * i)));
    break;
  }
  case Link::Loop: // network order; AF_INET6 as OpenBSD numbers it
    put32(b, v6 ? 24 : 2);
    break;
  case Link::Raw:
    break;
  }
  append(b, ip);
  return b;
}

TcpFlow::TcpFlow(Endpoints ep, std::uint32_t client_isn, std::uint32_t server_isn, IpOptions ip)
    : m_ep(std::move(ep)), m_cseq(client_isn), m_sseq(server_isn), m_ip(std::move(ip)) {}

Bytes TcpFlow::syn() { return tcp_packet(m_ep, m_cseq++, 0, k_syn, {}, m_ip); }

Bytes TcpFlow::syn_ack() {
  return tcp_packet(m_ep.reversed(), m_sseq++, m_cseq, k_syn | k_ack, {}, m_ip);
}

Bytes TcpFlow::ack() { return tcp_packet(m_ep, m_cseq, m_sseq, k_ack, {}, m_ip); }

Bytes TcpFlow::client(std::span<const std::uint8_t> data, std::uint8_t flags) {
  Bytes p = tcp_packet(m_ep, m_cseq, m_sseq, flags, data, m_ip);
  m_cseq += static_cast<std::uint32_t>(data.size());
  return p;
}

Bytes TcpFlow::server(std::span<const std::uint8_t> data, std::uint8_t flags) {
  Bytes p = tcp_packet(m_ep.reversed(), m_sseq, m_cseq, flags, data, m_ip);
  m_sseq += static_cast<std::uint32_t>(data.size());
  return p;
}

Bytes TcpFlow::client_at(std::uint32_t seq, std::span<const std::uint8_t> data) {
  return tcp_packet(m_ep, seq, m_sseq, k_ack | k_psh, data, m_ip);
}

Bytes TcpFlow::client_fin() { return tcp_packet(m_ep, m_cseq++, m_sseq, k_fin | k_ack, {}, m_ip); }

} // namespace netmap::testgen
