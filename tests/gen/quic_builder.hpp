#pragma once
// Builds QUIC v1/v2 client Initial packets, really protected with the RFC 9001 §5 procedure
// (AES-128-GCM payload, AES-128-ECB header protection) as a client would send them.

#include "packet_builder.hpp"

#include <cstdint>
#include <vector>

namespace netmap::testgen {

/// Protects one Initial packet: `header` is the unprotected long header ending in the
/// `pn_len`-byte packet number `pn`; `payload` the plaintext frames. Keys from `dcid` (client side).
[[nodiscard]] Bytes protect_initial(std::uint32_t version, const Bytes& dcid, const Bytes& header,
                                    std::size_t pn_len, std::uint64_t pn, const Bytes& payload);

/// How a ClientHello is carried in Initial packets.
struct QuicOptions {
  std::uint32_t version = 1;          ///< 1 or 0x6b3343cf
  Bytes dcid{0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
  Bytes scid{0x01, 0x02, 0x03, 0x04};
  std::size_t crypto_per_packet = 1100; ///< CRYPTO bytes per packet (smaller splits the hello)
  bool reverse = false;               ///< send the packets last-first (out-of-order CRYPTO)
  bool coalesce = false;              ///< put all packets in one datagram (RFC 9000 §12.2)
  bool switch_dcid = false;           ///< later packets use a new DCID (keys stay from the first)
};

/// Client Initial datagrams (UDP payloads, each ≥ 1200 bytes) carrying `hello` in CRYPTO frames.
[[nodiscard]] std::vector<Bytes> quic_client_initials(const Bytes& hello, const QuicOptions& o);

/// Appends a QUIC variable-length integer (RFC 9000 §16).
void put_varint(Bytes& b, std::uint64_t v);

} // namespace netmap::testgen
