#pragma once
// Internal to the proxy module: the state the event-loop threads share, one proxied connection
// (Session), and one event loop (Worker). Not part of the public API; see server.hpp.

#include "netmap/base/fd.hpp"
#include "netmap/proxy/rate_limiter.hpp"
#include "netmap/proxy/refusal.hpp"
#include "netmap/proxy/request_body.hpp"
#include "netmap/proxy/request_head.hpp"
#include "netmap/proxy/resolver.hpp"
#include "netmap/proxy/server.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace netmap::proxy::detail {

/// Counters shared by every worker.
struct Counters {
  std::atomic<std::uint64_t> accepted{0}, refused_clients{0}, active{0}, requests{0}, allowed{0}, blocked{0},
      rate_limited{0}, bad_requests{0}, upstream_errors{0}, sni_mismatches{0}, bytes_up{0}, bytes_down{0},
      spliced{0}, accept_pauses{0};
};

/// What every worker reads (config, matcher, limiter, resolver) and the serialized event sink.
struct Shared {
  explicit Shared(ProxyConfig c);
  ProxyConfig config;                  ///< fixed after construction
  RateLimiter limiter;                 ///< per-host buckets
  std::unique_ptr<Resolver> resolver;  ///< started by Server::run
  std::vector<int> listeners;          ///< listening fds (owned by Server::Impl)
  std::vector<base::SockAddr> listener_addrs; ///< their local addresses, for loop detection
  std::string via_token;               ///< "netmap-<hex>", unique per server, in Via headers
  std::atomic<bool> stopping{false};   ///< set by stop()
  Counters counters;                   ///< statistics
  /// The matcher now in force.
  [[nodiscard]] std::shared_ptr<const policy::Matcher> matcher();
  /// Replaces the matcher.
  void set_matcher(std::shared_ptr<const policy::Matcher> m);
  /// Sends one event to the sink, one call at a time.
  void emit(const inventory::Event& e);
  /// True when connecting to `a` would reach one of our own listeners.
  [[nodiscard]] bool is_self(const base::SockAddr& a) const;
  /// True when `a` is an address of this machine or its link: loopback, unspecified (which Linux
  /// connects as loopback) or link-local (169.254.169.254 is the cloud metadata service).
  [[nodiscard]] static bool is_local(const base::SockAddr& a);

private:
  std::mutex m_matcher_mutex;
  std::shared_ptr<const policy::Matcher> m_matcher;
  std::mutex m_sink_mutex;
};

/// A fixed-capacity byte buffer allocated on first use (idle tunnels cost no relay memory). A bulk
/// tunnel's buffer can turn into a kernel pipe: bytes then move socket → pipe → socket with
/// splice(2), never copied through user space; size() and space() count the pipe's bytes then.
class Buffer {
public:
  /// Sets the capacity (allocation happens on first write_ptr).
  void set_capacity(std::size_t cap) noexcept { m_cap = cap; }
  /// Where the next read may put bytes (space() of them); compacts when needed (not piped).
  char* write_ptr();
  /// Free bytes at the end after compaction.
  [[nodiscard]] std::size_t space() const noexcept { return m_pipe_full ? 0 : m_cap - size(); }
  /// Marks `n` bytes written at write_ptr().
  void produced(std::size_t n) noexcept { m_end += n; }
  /// Bytes stored (in memory, or in the pipe).
  [[nodiscard]] std::size_t size() const noexcept { return piped() ? m_piped : m_end - m_start; }
  /// Turns an empty buffer into a pipe of about `cap` bytes and frees the memory; false (nothing
  /// changed) when not empty or when no pipe can be had (fd or pipe-memory limits).
  bool use_pipe(std::size_t cap);
  /// True once use_pipe succeeded.
  [[nodiscard]] bool piped() const noexcept { return static_cast<bool>(m_pipe_w); }
  /// Piped: moves up to `want` bytes from socket `fd` into the pipe; returns like recv(2).
  ssize_t splice_from(int fd, std::size_t want);
  /// Piped: moves the pipe's bytes to socket `fd`; returns like send(2).
  ssize_t splice_to(int fd);
  /// The stored bytes.
  [[nodiscard]] const char* data() const noexcept { return m_data.get() + m_start; }
  /// The stored bytes as a span.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept;
  /// Drops `n` bytes from the front.
  void consume(std::size_t n) noexcept;
  /// Drops the last `n` stored bytes (a memory buffer only; n <= size()).
  void drop_back(std::size_t n) noexcept { m_end -= n; }

private:
  std::unique_ptr<char[]> m_data;
  std::size_t m_cap = 0, m_start = 0, m_end = 0;
  base::Fd m_pipe_r, m_pipe_w;
  std::size_t m_piped = 0; ///< bytes in the pipe
  // The pipe refused more although it holds fewer than m_cap bytes: its slots are pages, and
  // small segments fill slots before bytes. No room until splice_to drains some, so that the
  // source socket's EPOLLIN interest is dropped instead of waking the loop in vain.
  bool m_pipe_full = false;
};

/// Where a session is in its life.
enum class Phase { Head, Resolving, Connecting, Parent, Hello, Relay, Linger };

/// One client connection and, once allowed, its upstream connection.
struct Session {
  std::uint64_t id = 0;
  Phase phase = Phase::Head;
  base::Fd client, server;
  std::uint32_t client_events = 0, server_events = 0; ///< epoll interest registered (with a flag bit)
  bool client_reg = false, server_reg = false;
  bool client_hup = false, server_hup = false; ///< epoll reported HUP/ERR (reported even when not asked)
  Buffer up, down;            ///< client→server and server→client relay
  std::string to_server;      ///< our own bytes for the server, sent before `up`
  std::string to_client;      ///< our own bytes for the client, sent before `down`
  bool client_eof = false, server_eof = false, client_shut = false, server_shut = false;
  bool tunnel = false;        ///< CONNECT (else a forwarded http:// request)
  bool await_head = false;    ///< forwarded request: the response head is not rewritten yet
  int interim_responses = 0;  ///< forwarded request: 1xx responses relayed so far
  BodyFramer request_body = BodyFramer::fixed(0); ///< forwarded request: where its body ends
  bool body_known = false;    ///< forwarded response: its framing gives its length (body_left)
  std::uint64_t body_left = 0; ///< forwarded response: body bytes not yet sent to the client
  const UpstreamProxy* parent = nullptr; ///< chained through this parent proxy
  std::vector<base::SockAddr> addrs; ///< candidates to connect to
  std::size_t next_addr = 0;
  std::string connect_error;  ///< last connect failure
  std::int64_t start_ns = 0, start_us = 0, last_ns = 0, deadline_ns = 0, throttle_ns = 0;
  inventory::Event ev;        ///< the event being filled in
  bool has_request = false;   ///< a head was parsed (an event will be emitted)
};

/// One epoll event loop serving the shared listeners; sessions stay on the worker that accepted them.
class Worker {
public:
  /// A loop over `shared` (listeners must already be in shared.listeners).
  explicit Worker(Shared& shared);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  /// Serves until shared.stopping or base::stop_requested(); closes every session before returning.
  void run();
  /// Wakes the loop (from any thread).
  void wake() noexcept;

private:
  /// Resolver results travel to the loop through here; it outlives the worker if lookups are pending.
  struct Mailbox {
    base::Fd event_fd{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
    std::mutex mutex;
    std::vector<std::pair<std::uint64_t, Resolution>> results;
    /// Queues a result and wakes the loop (any thread).
    void post(std::uint64_t id, Resolution r) {
      {
        std::lock_guard lock(mutex);
        results.emplace_back(id, std::move(r));
      }
      wake();
    }
    /// Wakes the loop.
    void wake() const noexcept {
      std::uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(event_fd.get(), &one, sizeof one);
    }
  };
  // worker.cpp: the loop, accepting, interest, timers, closing
  void accept_all(int listener);
  /// Out of fds (or socket memory): stop watching the listeners for a moment instead of waking
  /// for connections that cannot be accepted; they wait in the kernel's queue meanwhile.
  void pause_accepting(std::int64_t now);
  /// Watches the listeners again (EPOLLEXCLUSIVE: one worker wakes per connection).
  void watch_listeners();
  void dispatch(std::uint64_t data, std::uint32_t events);
  void drain_mailbox();
  void sweep(std::int64_t now);
  void update(Session& s);
  void watch(Session& s, bool server_side, std::uint32_t want);
  void close_session(Session& s);
  // worker_request.cpp: the head, the decision, refusals
  void on_client_readable(Session& s);
  void on_head(Session& s, const RequestHead& head, std::size_t head_bytes);
  bool decide(Session& s, const RequestHead& head, const ProxyTarget& t);
  void refuse(Session& s, const Refusal& r, const char* verdict);
  void start_connect(Session& s);
  void on_resolved(std::uint64_t id, Resolution res);
  // worker_relay.cpp: connecting, the parent handshake, the ClientHello peek, relaying
  void try_connect(Session& s);
  void on_server_event(Session& s, std::uint32_t events);
  void on_connected(Session& s);
  void on_parent_reply(Session& s);
  void on_response_head(Session& s);
  void check_hello(Session& s, bool final);
  bool read_into(Session& s, bool from_client);
  /// Keeps the last `got` bytes of `up` only as far as they are the forwarded request's body;
  /// false when its framing is malformed (the session is then refused or closed).
  bool frame_request_body(Session& s, std::size_t got);
  bool flush(Session& s, bool to_server);

  Shared& m_shared;
  base::Fd m_epoll;
  std::shared_ptr<Mailbox> m_mailbox;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> m_sessions;
  std::uint64_t m_next_id = 1;
  std::int64_t m_accept_resume_ns = 0; ///< accepting is paused until then (0: not paused)
  std::vector<std::unique_ptr<Session>> m_closed; // freed after the current batch of events
};

} // namespace netmap::proxy::detail
