#pragma once
// QUIC long-header packets (RFC 9000 §17.2) and client Initial packets: header protection
// removed, payload opened, frames walked to the CRYPTO data they carry (RFC 9000 §19.6).

#include "netmap/base/byte_reader.hpp"
#include "netmap/dissect/quic_keys.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace netmap::dissect {

/// A long header's fields, as far as Initial handling needs them.
struct QuicLongHeader {
  std::uint32_t version = 0;
  bool initial = false;                  ///< the Initial packet type of this version
  std::array<std::uint8_t, 20> dcid{};
  std::size_t dcid_len = 0;
  std::size_t pn_offset = 0;             ///< offset of the packet number from the packet start
  std::size_t packet_len = 0;            ///< bytes of this packet (header + payload) in the datagram
  /// The DCID as a span.
  [[nodiscard]] std::span<const std::uint8_t> dcid_span() const noexcept {
    return {dcid.data(), dcid_len};
  }
};

/// Reads a QUIC variable-length integer (RFC 9000 §16).
[[nodiscard]] std::optional<std::uint64_t> read_quic_varint(base::ByteReader& r) noexcept;

/// Parses a v1 or v2 long header at the start of `packet`; nothing for short headers, other
/// versions (version negotiation, drafts) or lengths that run past the datagram.
[[nodiscard]] std::optional<QuicLongHeader> parse_quic_long_header(
    std::span<const std::uint8_t> packet) noexcept;

/// A piece of the CRYPTO stream: its offset and bytes (a view into the opened payload).
struct QuicCryptoFragment {
  std::uint64_t offset = 0;
  std::span<const std::uint8_t> data;
};

/// Removes header protection from an Initial packet and opens it with `keys`. `plain` receives
/// the payload; `fragments` its CRYPTO frames. False when it does not authenticate or when a
/// frame is malformed or not allowed in Initial packets (RFC 9000 §12.4, Table 3).
[[nodiscard]] bool open_quic_initial(std::span<const std::uint8_t> packet, const QuicLongHeader& h,
                                     const QuicKeys& keys, std::vector<std::uint8_t>& plain,
                                     std::vector<QuicCryptoFragment>& fragments) noexcept;

} // namespace netmap::dissect
