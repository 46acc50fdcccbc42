#pragma once
// What a TLS ClientHello in a CONNECT tunnel's first client bytes asks for: the server name
// (RFC 8446 §4.1.2, RFC 6066 §3) and whether ECH hides the real one. Never throws.

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
  std::string server_name;      ///< the host_name, lowercase, escaped (safe to display)
  bool ech = false;             ///< an encrypted_client_hello extension was present (outer SNI)
};

/// Reads the ClientHello at the start of `bytes` (which may span several TLS records), with the
/// dissect module's scanner. `server_name` comes back lowercase and escaped for display.
[[nodiscard]] ClientHelloInfo read_client_hello(std::span<const std::uint8_t> bytes) noexcept;

} // namespace netmap::proxy
