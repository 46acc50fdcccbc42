#pragma once
// The allowlisting HTTP/1.1 forward proxy: CONNECT tunnels and absolute-form http:// requests,
// decided by host against the policy. Serves sockets it binds itself or already-listening sockets
// handed to it (replay creates them inside its fence and passes them over SCM_RIGHTS).

#include "netmap/base/fd.hpp"
#include "netmap/inventory/event.hpp"
#include "netmap/policy/matcher.hpp"
#include "netmap/proxy/no_proxy.hpp"
#include "netmap/proxy/upstream.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace netmap::proxy {

/// The port `netmap proxy` listens on when --listen names none (squid's, which clients expect).
inline constexpr std::uint16_t k_default_port = 3128;

/// Per-destination-host limits; 0 means unlimited.
struct RateLimits {
  double requests_per_s = 0; ///< requests (CONNECTs and HTTP requests) per second per host; excess gets 429
  double bytes_per_s = 0;    ///< bytes per second per host, both directions together; excess is throttled
};

/// What to do when a tunnel's TLS ClientHello names a different server than the CONNECT host.
enum class SniMismatch {
  Report, ///< forward, and note "sni-mismatch: NAME" in the event
  Block,  ///< close the tunnel, note it, and count it as blocked
};

/// Everything the server needs; fixed once the server is built except the matcher (set_matcher).
struct ProxyConfig {
  std::shared_ptr<const policy::Matcher> matcher; ///< decides every host (required)
  std::vector<std::string> methods;  ///< allowed methods (uppercase); empty = any; CONNECT must be listed
  UpstreamSettings upstream;         ///< parent proxies and their no_proxy (empty = connect directly)
  RateLimits limits;                 ///< per-host rate limits
  SniMismatch sni_mismatch = SniMismatch::Report; ///< tunnels whose SNI differs from the CONNECT host
  std::vector<base::Cidr> allow_from;      ///< non-loopback clients allowed in; loopback always is
  std::map<std::string, std::string> host_overrides; ///< name → address used instead of DNS (tests)
  /// Refuses a name that resolves only to this machine (loopback, unspecified, link-local: the
  /// cloud metadata address too), unless host_overrides mapped it: replay's fence, whose code
  /// must not reach the host's own services through an allowed name (DNS rebinding), and
  /// `netmap proxy --refuse-local`.
  bool refuse_local_upstreams = false;
  std::string policy_name = "netmap.yaml"; ///< named in 403 hints ("add `x` to allow in …")
  std::string producer = "proxy";    ///< Event::producer of every event
  int idle_timeout_ms = 300'000;     ///< a connection with no traffic either way this long is closed
  int connect_timeout_ms = 10'000;   ///< upstream connect (including DNS) must finish within this
  int head_timeout_ms = 30'000;      ///< the client must send a complete request head within this
  std::size_t max_connections = 20'000; ///< client connections beyond this are refused (closed)
  std::size_t buffer_bytes = 64 * 1024; ///< relay buffer per direction (backpressure beyond it)
  bool splice = true;                ///< bulk tunnels relay through a pipe with splice(2), not a copy
  std::size_t max_head_bytes = 16 * 1024; ///< request head limit; larger gets 431
  int threads = 1;                   ///< event-loop threads (each its own epoll)
  int resolver_threads = 4;          ///< threads doing blocking getaddrinfo for upstream hosts
  /// Receives every event (one per connection or request, when it ends or is refused). Calls are
  /// serialized by the server (never concurrent) but come from its worker threads.
  std::function<void(const inventory::Event&)> on_event;
  /// Called on a worker thread just before a refusal (a 4xx/5xx answer of the proxy's own, or the
  /// close of a tunnel whose SNI is blocked) reaches a client whose request was parsed: the client
  /// is then certainly still connected, so its socket can be traced to a process; the hook may
  /// fill the event's pid and command. Never called for traffic let through. Calls from several
  /// workers may overlap.
  std::function<void(inventory::Event&)> on_refusal;
};

/// A snapshot of the server's counters.
struct ProxyStats {
  std::uint64_t accepted = 0;        ///< client connections accepted
  std::uint64_t refused_clients = 0; ///< clients refused (not loopback / --allow-from, or over max)
  std::uint64_t active = 0;          ///< connections open now
  std::uint64_t requests = 0;        ///< request heads parsed
  std::uint64_t allowed = 0;         ///< requests let through (tunnel or forwarded)
  std::uint64_t blocked = 0;         ///< requests answered 403 (policy, method, IP literal, loop, SNI)
  std::uint64_t rate_limited = 0;    ///< requests answered 429
  std::uint64_t bad_requests = 0;    ///< malformed heads (400/431/501)
  std::uint64_t upstream_errors = 0; ///< DNS, connect or upstream-proxy failures (502/504)
  std::uint64_t sni_mismatches = 0;  ///< tunnels whose ClientHello named another server
  std::uint64_t bytes_up = 0;        ///< client → server payload bytes relayed
  std::uint64_t bytes_down = 0;      ///< server → client payload bytes relayed
  std::uint64_t spliced = 0;         ///< tunnel directions that went bulk and relay with splice(2)
  std::uint64_t accept_pauses = 0;   ///< times accepting paused for 100 ms: out of fds or socket memory
};

/// The proxy server. Build it, add listeners, run() on one thread; stop() from any thread.
class Server {
public:
  /// Validates the config (throws base::UserError when it cannot work, e.g. no matcher).
  explicit Server(ProxyConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves an already-listening TCP socket (made non-blocking here); the server owns it after.
  void add_listener(base::Fd listening_socket);
  /// Binds and listens on "ADDR:PORT", "[V6]:PORT", "localhost:PORT" or an address alone (port
  /// k_default_port); returns the bound "ADDR:PORT" (the real port when 0 was asked). Throws
  /// base::UserError when it cannot.
  std::string listen(const std::string& addr_port);
  /// The "ADDR:PORT" of every listener, in the order added.
  [[nodiscard]] std::vector<std::string> listening() const;

  /// Replaces the policy matcher; connections decided after this call use the new one.
  void set_matcher(std::shared_ptr<const policy::Matcher> matcher);

  /// Serves until stop() is called (or base::stop_requested() turns true); then closes every
  /// connection (emitting their events) and returns. Throws base::UserError on setup failure.
  void run();
  /// Asks run() to return soon; safe from any thread and from a signal handler's watcher.
  void stop() noexcept;

  /// The counters now; safe from any thread.
  [[nodiscard]] ProxyStats stats() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

} // namespace netmap::proxy
