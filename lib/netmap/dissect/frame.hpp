#pragma once
// Link layer, IPv4/IPv6 and the TCP/UDP header of one captured frame, decoded without copying.

#include "netmap/dissect/dissector.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace netmap::dissect {

/// Why a frame could not be decoded (indexes the drop counters; k_drop_reason_names holds the text).
enum class DropReason : std::uint8_t {
  None,
  UnsupportedLink,
  TruncatedLink,
  TruncatedIp,
  BadIp,
  IpFragment,
  BadTcp,
  BadUdp,
  BadDns,
  BadTls,
  BadHttp,
  BadQuic,
  NoMemory,
  Count,
};

/// libpcap's DLT_RAW (pcap_datalink() reports it for LINKTYPE_RAW files): treated as Raw.
inline constexpr std::uint32_t k_dlt_raw = 12;
/// DLT_RAW as numbered on OpenBSD.
inline constexpr std::uint32_t k_dlt_raw_openbsd = 14;

/// The text of each DropReason, as reported by Dissector::drops().
[[nodiscard]] const char* drop_reason_name(DropReason reason) noexcept;

/// An IPv4 or IPv6 address in network order (IPv4 uses the first 4 bytes, the rest stay zero).
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t family = 0; ///< 4 or 6
  /// Textual form (as inet_ntop writes it).
  [[nodiscard]] std::string to_string() const;
};

/// Text of a 4-byte (IPv4) or 16-byte (IPv6) address as inet_ntop writes it; empty for other
/// sizes. IPv4 is formatted here: glibc's inet_ntop goes through sprintf, a tenth of the cost of
/// a name-heavy capture.
[[nodiscard]] std::string address_text(std::span<const std::uint8_t> bytes);

/// Transport protocols the dissector follows.
enum class Transport : std::uint8_t { Other = 0, Tcp = 6, Udp = 17 };

/// TCP flag bits (RFC 9293 §3.1).
inline constexpr std::uint8_t k_tcp_fin = 0x01;
inline constexpr std::uint8_t k_tcp_syn = 0x02;
inline constexpr std::uint8_t k_tcp_rst = 0x04;
inline constexpr std::uint8_t k_tcp_ack = 0x10;

/// One decoded frame: addresses, ports and the transport payload (a view into the frame).
struct Frame {
  IpAddress src;
  IpAddress dst;
  Transport transport = Transport::Other;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t tcp_seq = 0;
  std::uint8_t tcp_flags = 0;
  std::span<const std::uint8_t> payload; ///< transport payload as captured
  bool snapped = false;        ///< the capture holds less than the IP packet (counted as a drop)
  bool first_fragment = false; ///< an IP first fragment: the payload continues elsewhere
  /// True when the payload is not the whole transport payload.
  [[nodiscard]] bool partial() const noexcept { return snapped || first_fragment; }
};

/// Decodes link, IP and transport headers. Returns DropReason::None on success (check `snapped`:
/// the caller counts it as TruncatedIp but may still use the bytes); a frame that is simply not IP
/// (ARP, LLDP…) or carries another transport returns None with transport Other.
[[nodiscard]] DropReason decode_frame(LinkType link, std::span<const std::uint8_t> bytes,
                                      Frame& out) noexcept;

} // namespace netmap::dissect
