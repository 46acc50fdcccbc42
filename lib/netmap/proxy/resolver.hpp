#pragma once
// Upstream host resolution off the event loop: a few threads run the blocking getaddrinfo and hand
// results back through a callback (which must only queue and wake the loop). Internal to proxy.

#include "netmap/base/sock_addr.hpp"

#include <sys/socket.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <utility>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace netmap::proxy {

/// The outcome of one lookup.
struct Resolution {
  std::vector<base::SockAddr> addresses; ///< in getaddrinfo's order (empty on failure)
  std::string error;               ///< gai_strerror text when it failed
  bool overridden = false;         ///< the address came from an override, not from DNS
};

/// A small pool of resolver threads. Overrides (name → IP) answer first, then IP literals, then a
/// short-lived cache of successful lookups (getaddrinfo reports no TTL; k_cache_ttl_ns bounds how
/// stale an answer may get), then DNS.
class Resolver {
public:
  /// Starts `threads` threads (at least 1).
  Resolver(int threads, std::map<std::string, std::string> overrides);
  /// Stops taking work, drops queued lookups, joins the threads.
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /// How long a successful lookup is reused.
  static constexpr std::int64_t k_cache_ttl_ns = 10'000'000'000;
  /// Answers now when the host is an override, an IP literal or cached; true when `out` was filled.
  bool resolve_now(const std::string& host, std::uint16_t port, Resolution& out) const;
  /// Queues a lookup; `done` runs later on a resolver thread.
  void submit(std::string host, std::uint16_t port, std::function<void(Resolution)> done);

private:
  struct Job {
    std::string host;
    std::uint16_t port;
    std::function<void(Resolution)> done;
  };
  void loop();
  std::map<std::string, std::string> m_overrides;
  mutable std::mutex m_cache_mutex;
  std::map<std::string, std::pair<std::int64_t, std::vector<base::SockAddr>>> m_cache; // "host port" → (expiry, addresses)
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<Job> m_jobs;
  bool m_stopping = false;
  std::vector<std::thread> m_threads;
};

} // namespace netmap::proxy
