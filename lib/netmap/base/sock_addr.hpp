#pragma once
// Socket addresses as users write them ("127.0.0.1:5300", "[::1]:53", "10.0.0.0/8"), and as the
// servers (resolver, proxy) bind, connect and name them.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netmap::base {

/// A socket address with its length.
struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
  /// "ADDR:PORT" or "[V6]:PORT".
  [[nodiscard]] std::string str() const;
  /// The address without the port.
  [[nodiscard]] std::string host() const;
  /// The port.
  [[nodiscard]] std::uint16_t port() const noexcept;
};

/// Parses "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT" (numeric only); nothing when malformed.
[[nodiscard]] std::optional<SockAddr> parse_sockaddr(std::string_view text, std::uint16_t default_port);
/// parse_sockaddr() for an address the user wrote after `what` (a flag, or "upstream"), with
/// "localhost" meaning 127.0.0.1; throws base::UserError naming it, with an example, when malformed.
[[nodiscard]] SockAddr require_sockaddr(std::string_view text, std::uint16_t default_port, std::string_view what);
/// require_sockaddr() for an address to send to, where port 0 (a listener's "any port") can only
/// mean a typo: every query would fail. Throws base::UserError naming it.
[[nodiscard]] SockAddr require_destination(std::string_view text, std::uint16_t default_port, std::string_view what);
/// An IP literal ("1.2.3.4", "::1", "[::1]") with `port`; nothing when it is not an address.
[[nodiscard]] std::optional<SockAddr> sockaddr_of(std::string_view ip, std::uint16_t port);
/// The address of a raw sockaddr (from recvmsg) as text.
[[nodiscard]] std::string sockaddr_text(const sockaddr* sa, socklen_t len);
/// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
[[nodiscard]] bool is_loopback(const sockaddr* sa) noexcept;
/// A hash of the address alone (no port), for per-client tables.
[[nodiscard]] std::uint64_t address_hash(const sockaddr* sa) noexcept;
/// True when both hold the same address and port.
[[nodiscard]] bool same_endpoint(const SockAddr& a, const SockAddr& b) noexcept;

/// An address block ("10.0.0.0/8", "fd00::/8", a bare address = one host).
struct Cidr {
  int family = 0;
  std::uint8_t bytes[16] = {};
  unsigned prefix = 0;
  /// True when `sa` lies in the block (IPv4-mapped IPv6 addresses count as IPv4).
  [[nodiscard]] bool contains(const sockaddr* sa) const noexcept;
};

/// Parses a CIDR; nothing when malformed.
[[nodiscard]] std::optional<Cidr> parse_cidr(std::string_view text);

} // namespace netmap::base
