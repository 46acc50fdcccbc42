#pragma once
// Loopback sockets for the server tests (resolver, proxy, replay sink): every test talks to
// 127.0.0.1 only, on ports the kernel picks.

#include "netmap/base/fd.hpp"

#include <netinet/in.h>

#include <cstdint>

namespace netmap::test {

/// 127.0.0.1:`port`.
[[nodiscard]] sockaddr_in loopback(std::uint16_t port);
/// The local port `fd` is bound to.
[[nodiscard]] std::uint16_t local_port(int fd);
/// A socket of `type` bound to 127.0.0.1 on a port the kernel picks, returned in `port`.
[[nodiscard]] base::Fd bound_loopback(int type, std::uint16_t& port);
/// A UDP socket bound to 127.0.0.1, as replay hands them to its servers.
[[nodiscard]] inline base::Fd bound_udp(std::uint16_t& port) { return bound_loopback(SOCK_DGRAM, port); }
/// Makes blocking reads on `fd` give up after `seconds`.
void receive_timeout(int fd, int seconds);

} // namespace netmap::test
