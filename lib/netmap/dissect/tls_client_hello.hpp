#pragma once
// TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) server_name (RFC 6066 §3), found by
// content on any port, whether the hello spans several records or several segments.

#include "netmap/dissect/scan.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace netmap::dissect {

/// What a ClientHello tells netmap.
struct ClientHello {
  std::string sni;     ///< host_name, lowercase, no trailing dot, escaped for printing
  bool has_sni = false;
  bool ech = false;    ///< carries encrypted_client_hello (0xfe0d): `sni` is the outer name
};

/// Parses a handshake stream (QUIC CRYPTO data, or TLS records' payloads): a ClientHello
/// handshake message at its start. Fills `out` as far as the bytes go, even on NeedMore.
[[nodiscard]] Scan scan_handshake(std::span<const std::uint8_t> stream, ClientHello& out) noexcept;

/// Scans the first bytes of a TCP direction for TLS handshake records carrying a ClientHello.
/// `scratch` is reused to join a hello split over several records.
[[nodiscard]] Scan scan_tls_stream(std::span<const std::uint8_t> stream,
                                   std::vector<std::uint8_t>& scratch, ClientHello& out) noexcept;

/// True when these bytes can begin a TLS handshake record (cheap first-segment test).
[[nodiscard]] bool looks_like_tls(std::span<const std::uint8_t> bytes) noexcept;

} // namespace netmap::dissect
