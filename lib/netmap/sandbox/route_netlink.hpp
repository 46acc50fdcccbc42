#pragma once
// The few NETLINK_ROUTE requests (rtnetlink(7)) the fence makes inside its fresh network
// namespace, without the `ip` binary: links up, addresses, routes. Each request waits for its ack.

#include "netmap/base/fd.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace netmap::sandbox {

/// One NETLINK_ROUTE socket; every method returns an empty string, or the reason it failed.
class RouteNetlink {
public:
  /// Opens and binds the socket; `error()` says why when that failed.
  RouteNetlink();

  /// Empty, or why the socket could not be opened.
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }
  /// Adds a default route (every destination of `family`) of `type` (RTN_LOCAL, RTN_UNICAST) in
  /// `table` through interface `ifindex`; `what` names it in the error.
  [[nodiscard]] std::string add_default_route(unsigned char family, unsigned char table, unsigned char type,
                                              unsigned char scope, unsigned ifindex, const char* what);
  /// Adds `address` (4 or 16 bytes) with prefix length `prefix` to interface `ifindex`; IPv6 ones
  /// skip duplicate address detection, so they are usable at once.
  [[nodiscard]] std::string add_address(unsigned ifindex, std::span<const std::uint8_t> address, unsigned char prefix,
                                        const char* what);

private:
  std::string request(std::span<const std::uint8_t> message, const char* what);
  base::Fd m_fd;
  std::uint32_t m_seq = 0;
  std::string m_error;
};

/// Sets IFF_UP on the interface `name` (SIOCSIFFLAGS). Empty, or the reason it failed.
[[nodiscard]] std::string bring_link_up(const char* name);

/// True when this namespace has IPv6 turned off (no AF_INET6 socket can be made).
[[nodiscard]] bool ipv6_disabled();

} // namespace netmap::sandbox
