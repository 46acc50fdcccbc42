#pragma once
// A running proxy for the proxy server tests: the server on an ephemeral loopback port, its event
// loop on a thread, and what a client reads from it.

#include "netmap/proxy/server.hpp"

#include <cstdint>
#include <string>
#include <thread>

namespace netmap::test {

/// `cfg`'s proxy listening on 127.0.0.1 (a port the kernel picks), run on a thread until destroyed.
struct RunningProxy {
  explicit RunningProxy(proxy::ProxyConfig cfg);
  ~RunningProxy();
  RunningProxy(const RunningProxy&) = delete;
  RunningProxy& operator=(const RunningProxy&) = delete;
  proxy::Server server;
  std::uint16_t port = 0;
  std::thread thread;
};

/// A proxy config allowing allowed.test, which resolves to 127.0.0.1.
[[nodiscard]] proxy::ProxyConfig allowing_allowed_test();
/// Everything read from `fd` until the peer closes, or stays silent for the receive timeout.
[[nodiscard]] std::string read_until_closed(int fd);

} // namespace netmap::test
