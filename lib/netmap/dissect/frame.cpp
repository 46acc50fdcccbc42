#include "netmap/dissect/frame.hpp"

#include "netmap/base/byte_reader.hpp"

#include <arpa/inet.h>

namespace netmap::dissect {
namespace {

using base::ByteReader;

constexpr std::uint16_t k_ethertype_ipv4 = 0x0800;
constexpr std::uint16_t k_ethertype_ipv6 = 0x86dd;

/// What the link layer carries: an IP version (4/6), 0 for something else, or a drop.
struct LinkResult {
  DropReason drop = DropReason::None;
  int ip_version = 0;
};

LinkResult from_ethertype(std::uint16_t type) noexcept {
  if (type == k_ethertype_ipv4) return {DropReason::None, 4};
  if (type == k_ethertype_ipv6) return {DropReason::None, 6};
  return {DropReason::None, 0};
}

// Ethernet II, then any number of 802.1Q (0x8100), 802.1ad QinQ (0x88a8) or legacy 0x9100 tags,
// each 4 bytes: TCI then the next type. Budget is the bytes left, so no tag-count cap is needed.
LinkResult ethertype_after_tags(ByteReader& r, std::uint16_t type) noexcept {
  while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
    if (!r.skip(2)) return {DropReason::TruncatedLink, 0};
    auto next = r.u16be();
    if (!next) return {DropReason::TruncatedLink, 0};
    type = *next;
  }
  return from_ethertype(type);
}

// BSD loopback: AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (Net/OpenBSD), 28 (FreeBSD),
// 30 (Darwin). DLT_NULL stores it in the capturing host's byte order, so accept both.
LinkResult from_family(std::uint32_t family) noexcept {
  if (family == 2) return {DropReason::None, 4};
  if (family == 10 || family == 24 || family == 28 || family == 30) return {DropReason::None, 6};
  return {DropReason::None, 0};
}

LinkResult decode_link(LinkType link, ByteReader& r) noexcept {
  auto value = static_cast<std::uint32_t>(link);
  if (value == k_dlt_raw || value == k_dlt_raw_openbsd) link = LinkType::Raw;
  switch (link) {
  case LinkType::Ethernet: {
    if (!r.skip(12)) return {DropReason::TruncatedLink, 0};
    auto type = r.u16be();
    if (!type) return {DropReason::TruncatedLink, 0};
    return ethertype_after_tags(r, *type);
  }
  case LinkType::LinuxSll: { // packet type, ARPHRD, address length, 8 address bytes, protocol
    if (!r.skip(14)) return {DropReason::TruncatedLink, 0};
    auto type = r.u16be();
    if (!type) return {DropReason::TruncatedLink, 0};
    return ethertype_after_tags(r, *type);
  }
  case LinkType::LinuxSll2: { // protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr
    auto type = r.u16be();
    if (!type || !r.skip(18)) return {DropReason::TruncatedLink, 0};
    return ethertype_after_tags(r, *type);
  }
  case LinkType::Raw: {
    auto first = r.peek();
    if (!first) return {DropReason::TruncatedLink, 0};
    return {DropReason::None, *first >> 4};
  }
  case LinkType::Null: {
    auto family = r.u32le();
    if (!family) return {DropReason::TruncatedLink, 0};
    std::uint32_t f = *family;
    if (f > 0xffff) f = ((f & 0xff) << 24) | ((f & 0xff00) << 8) | ((f >> 8) & 0xff00) | (f >> 24);
    return from_family(f);
  }
  case LinkType::Loop: {
    auto family = r.u32be();
    if (!family) return {DropReason::TruncatedLink, 0};
    return from_family(*family);
  }
  }
  return {DropReason::UnsupportedLink, 0};
}

bool read_address(ByteReader& r, IpAddress& a, std::size_t n) noexcept {
  auto b = r.bytes(n);
  if (!b) return false;
  for (std::size_t i = 0; i < n; ++i) a.bytes[i] = (*b)[i];
  a.family = n == 4 ? 4 : 6;
  return true;
}

/// The IP payload: its protocol and bytes, or a drop.
struct IpResult {
  DropReason drop = DropReason::None;
  std::uint8_t protocol = 0;
  bool later_fragment = false;
};

// RFC 791 §3.1. The header checksum is not verified: captures on the sending host see checksum
// offload's unfilled values.
IpResult decode_ipv4(ByteReader& r, Frame& f) noexcept {
  auto start = r.rest();
  auto vihl = r.u8();
  if (!vihl) return {DropReason::TruncatedIp};
  std::size_t ihl = std::size_t{*vihl & 0x0fu} * 4;
  if ((*vihl >> 4) != 4 || ihl < 20) return {DropReason::BadIp};
  if (start.size() < ihl) return {DropReason::TruncatedIp};
  (void)r.skip(1);
  std::uint16_t total = r.u16be().value_or(0);
  (void)r.skip(2);
  std::uint16_t frag = r.u16be().value_or(0);
  (void)r.skip(1);
  std::uint8_t proto = r.u8().value_or(0);
  (void)r.skip(2);
  (void)read_address(r, f.src, 4);
  (void)read_address(r, f.dst, 4);
  if (total < ihl) return {DropReason::BadIp};
  if ((frag & 0x1fff) != 0) return {DropReason::IpFragment, proto, true};
  f.first_fragment = (frag & 0x2000) != 0;
  std::size_t have = start.size();
  if (have < total) f.snapped = true; else have = total; // trailing link padding dropped
  auto payload = start.subspan(ihl, have - ihl);
  r = ByteReader(payload);
  return {DropReason::None, proto};
}

// RFC 8200 §4: walk hop-by-hop, routing, fragment, destination options and AH (RFC 4302 §2.2,
// whose length unit is 4 bytes, not 8) to the upper-layer header.
IpResult decode_ipv6(ByteReader& r, Frame& f) noexcept {
  auto start = r.rest();
  if (start.size() < 40) return {DropReason::TruncatedIp};
  if ((start[0] >> 4) != 6) return {DropReason::BadIp};
  (void)r.skip(4);
  std::uint16_t plen = r.u16be().value_or(0);
  std::uint8_t next = r.u8().value_or(0);
  (void)r.skip(1);
  (void)read_address(r, f.src, 16);
  (void)read_address(r, f.dst, 16);
  std::size_t have = start.size() - 40;
  if (plen == 0) plen = static_cast<std::uint16_t>(have > 0xffff ? 0xffff : have); // jumbogram
  if (have < plen) f.snapped = true; else have = plen;
  ByteReader p(start.subspan(40, have));
  for (;;) {
    if (next == 0 || next == 43 || next == 60 || next == 51) {
      auto nh = p.u8();
      auto len = p.u8();
      if (!nh || !len) return {f.snapped ? DropReason::TruncatedIp : DropReason::BadIp};
      std::size_t total = next == 51 ? (std::size_t{*len} + 2) * 4 : (std::size_t{*len} + 1) * 8;
      if (!p.skip(total - 2)) return {f.snapped ? DropReason::TruncatedIp : DropReason::BadIp};
      next = *nh;
    } else if (next == 44) {
      auto nh = p.u8();
      (void)p.skip(1);
      auto off = p.u16be();
      if (!nh || !off || !p.skip(4)) return {f.snapped ? DropReason::TruncatedIp : DropReason::BadIp};
      if ((*off & 0xfff8) != 0) return {DropReason::IpFragment, *nh, true};
      if ((*off & 1) != 0) f.first_fragment = true;
      next = *nh;
    } else {
      break;
    }
  }
  r = ByteReader(p.rest());
  return {DropReason::None, next};
}

DropReason decode_tcp(ByteReader& r, Frame& f) noexcept {
  auto all = r.rest();
  if (all.size() < 20) return f.snapped ? DropReason::TruncatedIp : DropReason::BadTcp;
  f.src_port = r.u16be().value_or(0);
  f.dst_port = r.u16be().value_or(0);
  f.tcp_seq = r.u32be().value_or(0);
  (void)r.skip(4);
  std::size_t offset = static_cast<std::size_t>(r.u8().value_or(0) >> 4) * 4;
  f.tcp_flags = r.u8().value_or(0);
  if (offset < 20) return DropReason::BadTcp;
  if (all.size() < offset) return f.snapped ? DropReason::TruncatedIp : DropReason::BadTcp;
  f.payload = all.subspan(offset);
  f.transport = Transport::Tcp;
  return DropReason::None;
}

DropReason decode_udp(ByteReader& r, Frame& f) noexcept {
  auto all = r.rest();
  if (all.size() < 8) return f.snapped ? DropReason::TruncatedIp : DropReason::BadUdp;
  f.src_port = r.u16be().value_or(0);
  f.dst_port = r.u16be().value_or(0);
  std::size_t len = r.u16be().value_or(0);
  if (len < 8 && !(len == 0 && f.dst.family == 6)) return DropReason::BadUdp;
  std::size_t body = all.size() - 8;
  if (len >= 8 && len - 8 < body) body = len - 8;
  else if (len > all.size() && !f.partial()) return DropReason::BadUdp;
  f.payload = all.subspan(8, body);
  f.transport = Transport::Udp;
  return DropReason::None;
}

} // namespace

const char* drop_reason_name(DropReason reason) noexcept {
  switch (reason) {
  case DropReason::None: return "none";
  case DropReason::UnsupportedLink: return "unsupported-link";
  case DropReason::TruncatedLink: return "truncated-link";
  case DropReason::TruncatedIp: return "truncated-ip";
  case DropReason::BadIp: return "bad-ip";
  case DropReason::IpFragment: return "ip-fragment";
  case DropReason::BadTcp: return "bad-tcp";
  case DropReason::BadUdp: return "bad-udp";
  case DropReason::BadDns: return "bad-dns";
  case DropReason::BadTls: return "bad-tls";
  case DropReason::BadHttp: return "bad-http";
  case DropReason::BadQuic: return "bad-quic";
  case DropReason::NoMemory: return "out-of-memory";
  case DropReason::Count: break;
  }
  return "unknown";
}

std::string address_text(std::span<const std::uint8_t> b) {
  if (b.size() == 4) {
    char buf[16];
    char* p = buf;
    for (std::size_t i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      const unsigned v = b[i];
      if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
      if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
      *p++ = static_cast<char>('0' + v % 10);
    }
    return std::string(buf, p);
  }
  if (b.size() != 16) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, b.data(), buf, sizeof buf) == nullptr) return {};
  return buf;
}

std::string IpAddress::to_string() const {
  return address_text(std::span<const std::uint8_t>(bytes).first(family == 4 ? 4 : 16));
}

DropReason decode_frame(LinkType link, std::span<const std::uint8_t> bytes, Frame& out) noexcept {
  out = Frame{};
  ByteReader r(bytes);
  LinkResult l = decode_link(link, r);
  if (l.drop != DropReason::None) return l.drop;
  IpResult ip;
  if (l.ip_version == 4) ip = decode_ipv4(r, out);
  else if (l.ip_version == 6) ip = decode_ipv6(r, out);
  else if (link == LinkType::Raw || static_cast<std::uint32_t>(link) == k_dlt_raw ||
           static_cast<std::uint32_t>(link) == k_dlt_raw_openbsd)
    return DropReason::BadIp;
  else return DropReason::None;
  if (ip.drop != DropReason::None) return ip.drop;
  if (ip.protocol == 6) return decode_tcp(r, out);
  if (ip.protocol == 17) return decode_udp(r, out);
  return DropReason::None;
}

} // namespace netmap::dissect
