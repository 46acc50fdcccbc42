#include "netmap/sandbox/refusal.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/byte_writer.hpp"
#include "netmap/base/inet_checksum.hpp"

#include <algorithm>
#include <optional>

namespace netmap::sandbox {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Span = std::span<const std::uint8_t>;

constexpr std::uint8_t k_proto_icmp = 1, k_proto_tcp = 6, k_proto_udp = 17, k_proto_icmpv6 = 58;
constexpr std::uint8_t k_tcp_fin = 0x01, k_tcp_syn = 0x02, k_tcp_rst = 0x04, k_tcp_ack = 0x10;
constexpr std::size_t k_ipv4_header = 20, k_ipv6_header = 40, k_tcp_header = 20, k_udp_header = 8;
constexpr std::size_t k_icmp_header = 8; // type, code, checksum, four unused (or echo id, seq) bytes
// RFC 1812 §4.3.2.3: an ICMPv4 error is at most 576 bytes; RFC 4443 §2.4(c): ICMPv6 at most 1280.
constexpr std::size_t k_icmpv4_error_max = 576, k_icmpv6_error_max = 1280;
constexpr std::uint8_t k_reply_ttl = 64;

/// The parts of an IP packet a refusal is built from.
struct IpView {
  bool v6 = false;
  Span src;
  Span dst;
  std::uint8_t protocol = 0; ///< IPv4 protocol, or the IPv6 header's next header
  Span packet;               ///< trimmed to the header's own length: what an ICMP error quotes
  Span payload;              ///< what follows the IP header (and its options)
};

// RFC 791 §3.1. Options are skipped by the IHL; later fragments carry no transport header, and
// RFC 1122 §3.2.2 forbids errors about them.
std::optional<IpView> read_ipv4(Span packet) noexcept {
  base::ByteReader r(packet);
  auto vihl = r.u8();
  if (!vihl || (*vihl >> 4) != 4) return std::nullopt;
  std::size_t ihl = static_cast<std::size_t>(*vihl & 0x0f) * 4;
  auto total = (r.skip(1) ? r.u16be() : std::nullopt);
  auto frag = (total && r.skip(2)) ? r.u16be() : std::nullopt;
  auto protocol = (frag && r.skip(1)) ? r.u8() : std::nullopt;
  auto src = (protocol && r.skip(2)) ? r.bytes(4) : std::nullopt;
  auto dst = src ? r.bytes(4) : std::nullopt;
  if (!dst || ihl < k_ipv4_header || *total < ihl || *total > packet.size()) return std::nullopt;
  if ((*frag & 0x1fff) != 0) return std::nullopt;
  IpView ip{false, *src, *dst, *protocol, packet.first(*total), {}};
  ip.payload = ip.packet.subspan(ihl);
  return ip;
}

// RFC 8200 §3. Extension headers are not walked: a next header other than TCP, UDP or ICMPv6 is
// answered as a protocol the closed network does not carry.
std::optional<IpView> read_ipv6(Span packet) noexcept {
  base::ByteReader r(packet);
  auto first = r.u32be();
  auto length = first ? r.u16be() : std::nullopt;
  auto next = length ? r.u8() : std::nullopt;
  auto src = (next && r.skip(1)) ? r.bytes(16) : std::nullopt;
  auto dst = src ? r.bytes(16) : std::nullopt;
  if (!dst || (*first >> 28) != 6 || *length > r.remaining()) return std::nullopt;
  IpView ip{true, *src, *dst, *next, packet.first(k_ipv6_header + *length), {}};
  ip.payload = ip.packet.subspan(k_ipv6_header);
  return ip;
}

bool all_bytes(Span a, std::uint8_t v) noexcept {
  return std::all_of(a.begin(), a.end(), [v](std::uint8_t b) { return b == v; });
}

bool is_ipv6_loopback(Span a) noexcept { return all_bytes(a.first(15), 0) && a[15] == 1; }

// RFC 1122 §3.2.2 and RFC 4443 §2.4(e): no answer to a multicast or broadcast destination, nor to
// a source that names no single host (unspecified, loopback, multicast, broadcast, class E). An
// unspecified destination would make an unspecified source for the answer.
bool answerable(const IpView& ip) noexcept {
  if (ip.v6) {
    return ip.dst[0] != 0xff && !all_bytes(ip.dst, 0) && ip.src[0] != 0xff && !all_bytes(ip.src, 0) &&
           !is_ipv6_loopback(ip.src);
  }
  bool dst_multicast = (ip.dst[0] & 0xf0) == 0xe0;
  bool src_multicast_or_e = ip.src[0] >= 0xe0; // 224/4 and 240/4, 255.255.255.255 included
  return !dst_multicast && !all_bytes(ip.dst, 0xff) && !all_bytes(ip.dst, 0) && !src_multicast_or_e &&
         !all_bytes(ip.src, 0) && ip.src[0] != 127;
}

void set16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

std::size_t ip_header_size(const IpView& ip) noexcept { return ip.v6 ? k_ipv6_header : k_ipv4_header; }

// The answer's IP header: from the attempt's destination back to its source; IPv4 without
// options, DF set, id 0 (RFC 6864 §4.1 allows any id on an atomic datagram).
Bytes start_reply(const IpView& ip, std::uint8_t protocol, std::size_t body) {
  Bytes out;
  out.reserve(ip_header_size(ip) + body);
  if (ip.v6) {
    base::put_u32be(out, 0x60000000); // traffic class 0, flow label 0
    base::put_u16be(out, static_cast<std::uint32_t>(body));
    out.push_back(protocol);
    out.push_back(k_reply_ttl);
  } else {
    out.push_back(0x45);
    out.push_back(0);
    base::put_u16be(out, static_cast<std::uint32_t>(k_ipv4_header + body));
    base::put_u16be(out, 0);
    base::put_u16be(out, 0x4000);
    out.push_back(k_reply_ttl);
    out.push_back(protocol);
    base::put_u16be(out, 0);
  }
  out.insert(out.end(), ip.dst.begin(), ip.dst.end());
  out.insert(out.end(), ip.src.begin(), ip.src.end());
  return out;
}

// Fills the checksums once the body is complete: ICMPv4 sums its message alone, TCP and ICMPv6
// include the pseudo-header (RFC 9293 §3.1, RFC 4443 §2.3).
void finish_reply(Bytes& out, const IpView& ip, std::uint8_t protocol, std::size_t checksum_at) {
  std::size_t header = ip_header_size(ip);
  Span body = Span(out).subspan(header);
  std::uint16_t sum = protocol == k_proto_icmp ? base::inet_checksum(body)
                                               : base::transport_checksum(ip.dst, ip.src, protocol, body);
  set16(out, header + checksum_at, sum);
  if (!ip.v6) set16(out, 10, base::inet_checksum(Span(out).first(k_ipv4_header)));
}

// RFC 9293 §3.10.7.1 (CLOSED): no answer to a reset; to a segment with ACK, <SEQ=SEG.ACK><CTL=RST>;
// otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN and FIN each counting one.
Bytes tcp_reset(const IpView& ip) {
  base::ByteReader r(ip.payload);
  auto sport = r.u16be();
  auto dport = r.u16be();
  auto seq = r.u32be();
  auto ack = r.u32be();
  auto offset = r.u8();
  auto flags = r.u8();
  if (!sport || !dport || !seq || !ack || !offset || !flags || !r.skip(6)) return {};
  std::size_t header = static_cast<std::size_t>(*offset >> 4) * 4;
  if (header < k_tcp_header || header > ip.payload.size() || (*flags & k_tcp_rst) != 0) return {};
  bool has_ack = (*flags & k_tcp_ack) != 0;
  auto length = static_cast<std::uint32_t>(ip.payload.size() - header) + ((*flags & k_tcp_syn) != 0 ? 1u : 0u) +
                ((*flags & k_tcp_fin) != 0 ? 1u : 0u);
  Bytes out = start_reply(ip, k_proto_tcp, k_tcp_header);
  base::put_u16be(out, *dport);
  base::put_u16be(out, *sport);
  base::put_u32be(out, has_ack ? *ack : 0);
  base::put_u32be(out, has_ack ? 0 : *seq + length);
  out.push_back(0x50); // data offset 5: no options
  out.push_back(has_ack ? k_tcp_rst : k_tcp_rst | k_tcp_ack);
  base::put_u16be(out, 0); // window
  base::put_u16be(out, 0); // checksum, filled below
  base::put_u16be(out, 0); // urgent pointer
  finish_reply(out, ip, k_proto_tcp, 16);
  return out;
}

// An ICMPv4 destination unreachable or ICMPv6 type 1 quoting as much of the attempt as fits the
// family's limit; the quote is the attempt trimmed to its own length, IP header first.
Bytes icmp_error(const IpView& ip, std::uint8_t type, std::uint8_t code) {
  std::size_t header = ip_header_size(ip);
  std::size_t limit = ip.v6 ? k_icmpv6_error_max : k_icmpv4_error_max;
  Span quote = ip.packet.first(std::min(ip.packet.size(), limit - header - k_icmp_header));
  std::uint8_t protocol = ip.v6 ? k_proto_icmpv6 : k_proto_icmp;
  Bytes out = start_reply(ip, protocol, k_icmp_header + quote.size());
  out.push_back(type);
  out.push_back(code);
  base::put_u16be(out, 0); // checksum, filled below
  base::put_u32be(out, 0); // unused
  out.insert(out.end(), quote.begin(), quote.end());
  finish_reply(out, ip, protocol, 2);
  return out;
}

// ICMPv4 3/3 or ICMPv6 1/4 for a datagram; 3/13 or 1/1 for what the network does not carry.
Bytes port_unreachable(const IpView& ip) { return ip.v6 ? icmp_error(ip, 1, 4) : icmp_error(ip, 3, 3); }
Bytes prohibited(const IpView& ip) { return ip.v6 ? icmp_error(ip, 1, 1) : icmp_error(ip, 3, 13); }

Bytes answer(const IpView& ip) {
  if (ip.protocol == k_proto_tcp) return tcp_reset(ip);
  if (ip.protocol == k_proto_udp) return ip.payload.size() < k_udp_header ? Bytes{} : port_unreachable(ip);
  if (ip.protocol == (ip.v6 ? k_proto_icmpv6 : k_proto_icmp)) {
    // Only an echo request is answered: never an ICMP error, nor neighbour discovery, router
    // solicitation, MLD and the other informational types (RFC 1122 §3.2.2, RFC 4443 §2.4(e)).
    std::uint8_t echo_request = ip.v6 ? 128 : 8;
    base::ByteReader r(ip.payload);
    auto type = r.u8();
    if (!type || *type != echo_request || !r.skip(k_icmp_header - 1)) return {};
    return prohibited(ip);
  }
  return prohibited(ip);
}

} // namespace

std::vector<std::uint8_t> refusal_for(std::span<const std::uint8_t> packet) noexcept {
  try {
    auto version = base::ByteReader(packet).peek();
    if (!version) return {};
    auto ip = (*version >> 4) == 6 ? read_ipv6(packet) : read_ipv4(packet);
    if (!ip || !answerable(*ip)) return {};
    return answer(*ip);
  } catch (...) {
    return {}; // allocation failure: the sender waits for its timeout instead
  }
}

} // namespace netmap::sandbox
