#pragma once
// QUIC Initial packet protection (RFC 9001 §5.2, §5.4; RFC 9369 §3.3): keys derived from the
// client's Destination Connection ID with HKDF-SHA256, AES-128-GCM and AES-128-ECB header masks.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace netmap::dissect {

/// QUIC version numbers netmap can open.
inline constexpr std::uint32_t k_quic_v1 = 0x00000001;
inline constexpr std::uint32_t k_quic_v2 = 0x6b3343cf;

/// AEAD key, IV and header-protection key of one direction.
struct QuicKeys {
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 12> iv{};
  std::array<std::uint8_t, 16> hp{};
};

/// HKDF-Extract (RFC 5869 §2.2) with SHA-256.
[[nodiscard]] std::optional<std::array<std::uint8_t, 32>>
hkdf_extract_sha256(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm) noexcept;

/// HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256 and an empty context.
[[nodiscard]] bool hkdf_expand_label_sha256(std::span<const std::uint8_t> secret,
                                            std::string_view label,
                                            std::span<std::uint8_t> out) noexcept;

/// The client's Initial keys for `version` (v1 or v2) and the first Initial's DCID.
[[nodiscard]] std::optional<QuicKeys> client_initial_keys(std::uint32_t version,
                                                          std::span<const std::uint8_t> dcid) noexcept;

/// The server's Initial keys (used by tests and the generator).
[[nodiscard]] std::optional<QuicKeys> server_initial_keys(std::uint32_t version,
                                                          std::span<const std::uint8_t> dcid) noexcept;

/// The 5-byte header protection mask: AES-128-ECB of the 16-byte sample (RFC 9001 §5.4.3).
[[nodiscard]] std::optional<std::array<std::uint8_t, 5>>
header_protection_mask(const QuicKeys& keys, std::span<const std::uint8_t> sample) noexcept;

/// Opens an AES-128-GCM payload (ciphertext then 16-byte tag) for packet number `pn` with the
/// header as associated data (RFC 9001 §5.3). Writes the plaintext into `out` (resized).
[[nodiscard]] bool aead_open(const QuicKeys& keys, std::uint64_t pn,
                             std::span<const std::uint8_t> header,
                             std::span<const std::uint8_t> sealed,
                             std::vector<std::uint8_t>& out) noexcept;

} // namespace netmap::dissect
