#pragma once
// A minimal TLS ClientHello reader for the first bytes a client sends into a CONNECT tunnel: just
// enough to learn the server name it asks for (RFC 8446 §4.1.2, RFC 6066 §3). Never throws.

#include <cstdint>
#include <span>
#include <string>

namespace netmap::proxy {

/// How far reading the ClientHello got.
enum class HelloStatus {
  NeedMore,  ///< looks like TLS, but the ClientHello is not complete yet
  NotTls,    ///< the first bytes are not a TLS handshake record
  Malformed, ///< a TLS record whose ClientHello does not parse
  Ok,        ///< parsed (server_name may still be absent)
};

/// What the ClientHello says.
struct ClientHelloInfo {
  HelloStatus status = HelloStatus::NeedMore;
  bool has_server_name = false; ///< a server_name extension with a host_name entry was present
  std::string server_name;      ///< raw bytes of the host_name (escape before display)
  bool ech = false;             ///< an encrypted_client_hello extension was present (outer SNI)
};

/// Reads the ClientHello at the start of `bytes` (which may span several TLS records).
[[nodiscard]] ClientHelloInfo read_client_hello(std::span<const std::uint8_t> bytes) noexcept;

} // namespace netmap::proxy
