#pragma once
// The Internet checksum (RFC 1071): the IPv4 header, ICMPv4, and TCP/UDP/ICMPv6 under their
// pseudo-header. The one implementation; the packet builders of the tests use it too.

#include <cstdint>
#include <span>

namespace netmap::base {

/// `acc` plus the one's-complement sum of `bytes` as big-endian 16-bit words (an odd last byte is
/// padded with zero, so only the last span of a running sum may be odd), folded to 16 bits.
[[nodiscard]] std::uint32_t inet_sum(std::span<const std::uint8_t> bytes, std::uint32_t acc = 0) noexcept;
/// The checksum field for a running sum: `acc` folded with end-around carries, then complemented.
[[nodiscard]] std::uint16_t inet_fold(std::uint32_t acc) noexcept;
/// The checksum of `bytes` alone (IPv4 header, ICMPv4 message); 0 when `bytes` holds a valid one.
[[nodiscard]] std::uint16_t inet_checksum(std::span<const std::uint8_t> bytes) noexcept;
/// The TCP/UDP/ICMPv6 checksum of `segment` under the pseudo-header of `src` and `dst` (both 4 or
/// both 16 address bytes), `protocol` and the segment's length; 0 when `segment` holds a valid one.
[[nodiscard]] std::uint16_t transport_checksum(std::span<const std::uint8_t> src, std::span<const std::uint8_t> dst,
                                               std::uint8_t protocol, std::span<const std::uint8_t> segment) noexcept;

} // namespace netmap::base
