#pragma once
// Network setup inside a fresh network namespace, without the `ip` binary: loopback up, and the
// "everything is local" routes that make direct egress attempts fail fast yet stay observable
// where the refusing TUN device (refusing_tun.hpp) cannot be made.

#include <string>

namespace netmap::sandbox {

/// Brings `lo` up (SIOCSIFFLAGS). Returns an empty string, or the reason it failed.
[[nodiscard]] std::string bring_loopback_up();

/// Adds `local 0.0.0.0/0 dev lo` and `local ::/0 dev lo` to the local routing table over
/// NETLINK_ROUTE (RTM_NEWROUTE, RTN_LOCAL). Every destination then counts as an address of this
/// namespace: a connect() to a public IP is answered at once by loopback (RST, "connection
/// refused") and its SYN crosses `lo`, where the direct-attempt watcher sees it. A blackhole route
/// would fail the same connect() with EINVAL before any packet exists, leaving nothing to report.
/// IPv6 is skipped when the namespace has it disabled. Returns empty, or the reason it failed.
[[nodiscard]] std::string add_local_default_routes();

} // namespace netmap::sandbox
