#pragma once
// The restrictive resolver: serves UDP and TCP sockets (bound here or handed in already bound, as
// `replay` does over SCM_RIGHTS), answers blocked names at once from the question alone, forwards
// allowed names to upstreams with a cache, and reports every query as an inventory::Event.

#include "netmap/base/fd.hpp"
#include "netmap/inventory/event.hpp"
#include "netmap/policy/matcher.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::dns {

/// What to do when an allowed name's answer aliases (CNAME, DNAME, HTTPS/SVCB) to a name the
/// policy does not allow.
enum class CnamePolicy {
  Report, ///< answer as usual and report the target (CDN-backed registries keep working)
  Strict, ///< block the whole answer as if the queried name were blocked
};

/// The response code given to blocked names.
enum class BlockRcode {
  NxDomain, ///< RFC 1035 name error (what the real sandboxes answer)
  Refused,  ///< RFC 1035 refused
};

/// The port `netmap sandbox-dns` listens on when --listen gives none: unprivileged, and not 5353
/// (mDNS) nor 53 (which needs CAP_NET_BIND_SERVICE).
inline constexpr std::uint16_t k_default_port = 5300;
/// The address `netmap sandbox-dns` listens on when no --listen is given.
inline constexpr const char* k_default_listen = "127.0.0.1:5300";

/// Receives one event per answered query (and one per reported alias target). Called from the
/// server's worker threads, possibly concurrently: the sink must be thread-safe.
using EventSink = std::function<void(const inventory::Event&)>;

/// Everything a Server needs; validated by the Server constructor (throws base::UserError).
struct ServerConfig {
  std::shared_ptr<const policy::Matcher> matcher;  ///< the policy; replace later with reload()
  std::vector<std::string> upstreams;               ///< "ADDR", "ADDR:PORT", "[V6]:PORT"; 53 by default
  CnamePolicy cname_policy = CnamePolicy::Report;   ///< alias targets the policy does not allow
  BlockRcode block_rcode = BlockRcode::NxDomain;    ///< rcode for blocked names
  std::vector<std::string> allow_from;              ///< CIDRs served besides loopback ("10.0.0.0/8")
  std::uint32_t rate_limit_qps = 0;                 ///< per client address; 0 = unlimited
  std::uint32_t rate_limit_burst = 0;               ///< bucket depth; 0 = same as rate_limit_qps
  unsigned threads = 1;                             ///< worker threads (SO_REUSEPORT sockets each)
  std::chrono::milliseconds upstream_timeout{1500}; ///< per attempt; then SERVFAIL
  std::size_t cache_entries = 65536;                ///< answers kept at most (LRU-ish eviction)
  std::size_t tally_names = 4096;                   ///< distinct names kept for the summary
  std::string producer = "sandbox-dns";             ///< Event::producer
  bool stop_on_signal = true;                       ///< run() also returns on base::stop_requested()
  EventSink on_event;                               ///< optional; see EventSink
};

/// A snapshot of the server's counters (monotonic since start).
struct Counters {
  std::uint64_t queries = 0;          ///< queries read (UDP + TCP), malformed included
  std::uint64_t tcp_queries = 0;      ///< of which over TCP
  std::uint64_t allowed = 0;          ///< answered for an allowed name (cache or upstream)
  std::uint64_t blocked = 0;          ///< answered NXDOMAIN/REFUSED by policy
  std::uint64_t alias_reported = 0;   ///< alias targets outside the policy, reported (Report)
  std::uint64_t alias_blocked = 0;    ///< answers blocked for an alias target (Strict)
  std::uint64_t cache_hits = 0;       ///< allowed queries answered from the cache
  std::uint64_t upstream_queries = 0; ///< queries sent upstream
  std::uint64_t upstream_errors = 0;  ///< timeouts, refusals, garbage: each became SERVFAIL
  std::uint64_t truncated = 0;        ///< UDP answers cut to TC for the client's size
  std::uint64_t formerr = 0;          ///< malformed queries answered FORMERR
  std::uint64_t notimp = 0;           ///< unsupported opcodes answered NOTIMP
  std::uint64_t dropped = 0;          ///< unreadable packets (no header) and answers we never send
  std::uint64_t refused_clients = 0;  ///< clients outside loopback/--allow-from (REFUSED)
  std::uint64_t rate_limited = 0;     ///< queries dropped by the per-client rate limit
  std::uint64_t accept_pauses = 0;    ///< times TCP accepting stopped for a moment, out of fds
  double latency_p50_ms = 0;          ///< answer latency percentiles, all answered queries
  double latency_p90_ms = 0;
  double latency_p99_ms = 0;
  double latency_max_ms = 0;
};

/// One line of the summary: a name (escaped) or client with its count.
struct TallyEntry {
  std::string key;      ///< escaped name, or client address
  std::uint64_t count = 0;
  std::string verdict;  ///< decision_name() for names; empty for clients
  std::string rule;     ///< deciding rule (or the rule to add, for blocked names)
};

/// The bounded per-name summary: names beyond the capacity are only counted.
struct Summary {
  std::vector<TallyEntry> allowed; ///< allowed names, most queried first
  std::vector<TallyEntry> blocked; ///< blocked names (and alias targets), most queried first
  std::vector<TallyEntry> clients; ///< client addresses
  std::uint64_t untracked_names = 0; ///< queries for names past the tally capacity
};

/// The resolver. Construct, add sockets (or listen()), then run() on one thread until stop().
class Server {
public:
  /// Validates the config (upstreams, CIDRs, matcher present). Throws base::UserError.
  explicit Server(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves an already-bound UDP socket (taken over; made non-blocking). Before run() only.
  void add_udp_socket(base::Fd fd);
  /// Serves an already-listening TCP socket (taken over; made non-blocking). Before run() only.
  void add_tcp_listener(base::Fd fd);
  /// Binds UDP (one SO_REUSEPORT socket per thread) and TCP on "ADDR:PORT", "[V6]:PORT" or "ADDR"
  /// (k_default_port). Throws base::UserError naming the address when the bind fails.
  void listen(std::string_view address);
  /// The addresses bound or handed in, as "ADDR:PORT" (for messages and the summary).
  [[nodiscard]] std::vector<std::string> local_addresses() const;

  /// Serves until stop() (or base::stop_requested() when config.stop_on_signal), on
  /// config.threads threads (this one among them). In-flight upstream queries get SERVFAIL.
  /// A worker's exception stops every worker and is rethrown here.
  void run();
  /// Asks run() to return; async-signal-safe and callable from any thread.
  void stop() noexcept;

  /// Replaces the policy atomically: queries already parsed finish under the old one.
  void reload(std::shared_ptr<const policy::Matcher> matcher);
  /// The counters now (thread-safe).
  [[nodiscard]] Counters counters() const;
  /// The bounded per-name and per-client summary (thread-safe).
  [[nodiscard]] Summary summary() const;

  struct Impl;

private:
  std::unique_ptr<Impl> m;
};

/// The upstreams to use when none are given: the policy's `dns.custom_resolvers` if any, else the
/// nameservers of `resolv_conf` (never a loopback address in `exclude`, i.e. this server).
/// Throws base::UserError when nothing usable remains.
[[nodiscard]] std::vector<std::string> default_upstreams(const std::vector<std::string>& custom_resolvers,
                                                         const std::string& resolv_conf,
                                                         const std::vector<std::string>& exclude);

} // namespace netmap::dns
