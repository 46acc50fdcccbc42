#pragma once
// Builds packets for tests and benchmarks: link-layer frames around IPv4/IPv6 (with options and
// extension headers) around UDP and TCP. Output is plain bytes, checksums filled in.

#include "netmap/base/byte_writer.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace netmap::testgen {

/// A packet or message under construction.
using Bytes = std::vector<std::uint8_t>;

/// Appends a big-endian 16-bit value (the low 16 bits of `v`).
inline void put16(Bytes& b, std::uint32_t v) { base::put_u16be(b, v); }
/// Appends a big-endian 32-bit value.
inline void put32(Bytes& b, std::uint32_t v) { base::put_u32be(b, v); }
/// Appends bytes.
void append(Bytes& b, std::span<const std::uint8_t> more);
/// Appends the bytes of a string.
void append(Bytes& b, const std::string& s);
/// Hex text ("c0ffee") to bytes; throws std::invalid_argument on bad input.
[[nodiscard]] Bytes from_hex(const std::string& hex);

/// Link-layer framings (pcap LINKTYPE_ numbers).
enum class Link : std::uint32_t { Null = 0, Ethernet = 1, Raw = 101, Loop = 108, Sll = 113, Sll2 = 276 };

/// One IPv6 extension header to insert before the upper layer.
struct Ipv6Ext {
  std::uint8_t type = 0;   ///< 0 hop-by-hop, 43 routing, 44 fragment, 60 destination, 51 AH
  std::size_t length = 8;  ///< total bytes (multiple of 8; AH multiple of 4)
  std::uint16_t fragment_offset = 0; ///< for 44: offset in 8-byte units
  bool more_fragments = false;       ///< for 44
};

/// IP-level choices for one packet.
struct IpOptions {
  std::size_t ipv4_options = 0;           ///< bytes of IPv4 options (NOP-padded, multiple of 4)
  std::vector<Ipv6Ext> ipv6_ext;          ///< IPv6 extension headers, in order
  std::uint16_t ipv4_fragment_offset = 0; ///< in 8-byte units
  bool ipv4_more_fragments = false;
};

/// Source and destination of a packet (textual IPv4 or IPv6 addresses, same family).
struct Endpoints {
  std::string src;
  std::string dst;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  /// The reverse direction.
  [[nodiscard]] Endpoints reversed() const { return {dst, src, dport, sport}; }
};

/// TCP flag bits.
inline constexpr std::uint8_t k_fin = 0x01, k_syn = 0x02, k_rst = 0x04, k_psh = 0x08, k_ack = 0x10;

/// An IP packet carrying a UDP datagram.
[[nodiscard]] Bytes udp_packet(const Endpoints& ep, std::span<const std::uint8_t> payload,
                               const IpOptions& ip = {});
/// An IP packet carrying a TCP segment.
[[nodiscard]] Bytes tcp_packet(const Endpoints& ep, std::uint32_t seq, std::uint32_t ack,
                               std::uint8_t flags, std::span<const std::uint8_t> payload,
                               const IpOptions& ip = {});
/// An IP packet with any protocol number and payload (already containing its transport header).
[[nodiscard]] Bytes ip_packet(const std::string& src, const std::string& dst, std::uint8_t proto,
                              std::span<const std::uint8_t> payload, const IpOptions& ip = {});
/// Wraps an IP packet in a link-layer header; `vlans` adds 802.1Q tags (Ethernet only; two for QinQ).
[[nodiscard]] Bytes frame(Link link, std::span<const std::uint8_t> ip_packet, int vlans = 0);

/// A TCP conversation with sequence numbers tracked per direction.
class TcpFlow {
public:
  /// A flow between `ep` (client → server) with the given initial sequence numbers.
  TcpFlow(Endpoints ep, std::uint32_t client_isn, std::uint32_t server_isn, IpOptions ip = {});
  /// The client's SYN.
  [[nodiscard]] Bytes syn();
  /// The server's SYN-ACK.
  [[nodiscard]] Bytes syn_ack();
  /// The client's ACK completing the handshake.
  [[nodiscard]] Bytes ack();
  /// A client → server segment carrying `data`.
  [[nodiscard]] Bytes client(std::span<const std::uint8_t> data, std::uint8_t flags = k_ack | k_psh);
  /// A server → client segment carrying `data`.
  [[nodiscard]] Bytes server(std::span<const std::uint8_t> data, std::uint8_t flags = k_ack | k_psh);
  /// The client's next sequence number (to build out-of-order segments by hand).
  [[nodiscard]] std::uint32_t client_seq() const { return m_cseq; }
  /// A client segment at an explicit sequence number, without advancing the flow.
  [[nodiscard]] Bytes client_at(std::uint32_t seq, std::span<const std::uint8_t> data);
  /// The client's FIN.
  [[nodiscard]] Bytes client_fin();

private:
  Endpoints m_ep;
  std::uint32_t m_cseq;
  std::uint32_t m_sseq;
  IpOptions m_ip;
};

} // namespace netmap::testgen
