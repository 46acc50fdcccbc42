#pragma once
// One resolver thread: an epoll loop over its UDP sockets (recvmmsg/sendmmsg batches), the TCP
// listeners and connections, and its own connected sockets to each upstream. Internal to dns.

#include "netmap/base/fd.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/dns/cache.hpp"
#include "netmap/dns/local_dest.hpp"
#include "netmap/dns/near_cache.hpp"
#include "netmap/dns/server.hpp"
#include "netmap/dns/stats.hpp"
#include "netmap/dns/tally.hpp"
#include "netmap/dns/wire.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace netmap::dns {

/// A socket the server serves.
struct ServedSocket {
  base::Fd fd;
  bool udp = true;
  int owner = -1;      ///< worker index for SO_REUSEPORT sockets; -1 when every worker polls it
  std::string local;   ///< "ADDR:PORT"
};

class Worker;

/// The state shared by all workers.
struct Server::Impl {
  ServerConfig cfg;
  std::vector<base::SockAddr> upstreams;
  std::vector<base::Cidr> allow_from;
  std::vector<ServedSocket> sockets;
  mutable std::mutex matcher_mu;
  std::shared_ptr<const policy::Matcher> matcher;
  std::atomic<std::uint64_t> generation{1};
  base::Fd stop_fd; ///< an eventfd every worker polls; written once by stop()
  std::atomic<bool> stopping{false};
  std::atomic<bool> running{false};
  Cache cache;
  std::vector<std::unique_ptr<Worker>> workers;

  explicit Impl(ServerConfig c);
  /// The policy now (copy of the shared pointer, under the lock).
  [[nodiscard]] std::shared_ptr<const policy::Matcher> current_matcher() const;
};

/// How to answer a query later: over UDP to an address, or on a TCP connection.
struct ClientRef {
  int udp_fd = -1;
  base::SockAddr addr;
  LocalDest local; ///< UDP on a wildcard socket: the address the query went to, the answer's source
  int tcp_fd = -1;
  std::uint64_t tcp_serial = 0;
  [[nodiscard]] bool tcp() const noexcept { return tcp_fd >= 0; }
};

/// One worker thread's state and loop.
class Worker {
public:
  Worker(Server::Impl& srv, unsigned index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  /// Runs the loop until the server stops.
  void run();

  WorkerCounters counters; ///< read by Server::counters()
  Tally tally;             ///< read by Server::summary()

private:
  struct Pending {
    ClientRef client;
    std::vector<std::uint8_t> query; ///< the client's message up to the end of its question
    Query q;
    std::string client_text;
    std::int64_t start_ns = 0, deadline_ns = 0;
    std::size_t upstream = 0;
    unsigned attempts = 0;
    std::uint16_t id = 0;
    int tcp_fd = -1; ///< upstream TCP connection after a TC answer
  };
  struct TcpConn {
    base::Fd fd;
    std::uint64_t serial = 0;
    std::vector<std::uint8_t> in, out;
    std::int64_t last_ns = 0;
    bool writing = false;
  };
  struct UpTcp {
    base::Fd fd;
    std::uint32_t key = 0;
    std::vector<std::uint8_t> out, in;
    std::size_t sent = 0;
  };

  // worker.cpp: the query path
  std::size_t answer(std::span<const std::uint8_t> pkt, const sockaddr* from, const ClientRef& ref,
                     std::span<std::uint8_t> out, std::int64_t now);
  std::size_t answer_allowed(std::span<const std::uint8_t> pkt, const Query& q, const ClientRef& ref,
                             const std::string& client, std::string_view key, std::uint64_t qhash,
                             const policy::Rule* rule, std::span<std::uint8_t> out, std::int64_t now);
  std::size_t answer_blocked(std::span<const std::uint8_t> pkt, const Query& q, const policy::Verdict& v,
                             std::string_view name, const std::string& client, bool tcp,
                             std::span<std::uint8_t> out, std::int64_t now);
  std::size_t reply_from_entry(const CacheEntry& e, std::span<const std::uint8_t> pkt, const Query& q,
                               const std::string& client, bool tcp, std::span<std::uint8_t> out,
                               std::int64_t start_ns, std::int64_t now_ns, bool from_cache);
  void emit(const Query& q, std::span<const std::uint8_t> pkt, const std::string& client, bool tcp,
            std::string_view verdict, const policy::Rule* rule, unsigned rcode, std::int64_t latency_ns,
            std::string note = {}, std::string address = {}, std::uint32_t ttl = 0);
  /// The client's "ADDR:PORT" for events (its address alone is then m_client->host).
  const std::string& client_text(const sockaddr* sa);
  /// Answers what is queued on a UDP socket, up to a few batches; how many datagrams it read.
  std::size_t on_udp(int fd, std::int64_t now);
  /// Sends a batch's replies; runs of equal-size replies to one client go as one UDP GSO send.
  void send_replies(int fd, mmsghdr* out, iovec* iov, unsigned replies);
  /// Leaves a UDP socket with traffic out of epoll and reads it directly until it runs dry.
  void hold_busy(int fd);
  /// One direct pass over the held sockets; one that ran dry goes back to epoll.
  void poll_busy(std::int64_t now);
  /// How long epoll_wait may sleep: until the next upstream deadline, idle-TCP sweep or end of an
  /// accept pause, so an idle resolver does not wake on a fixed tick.
  [[nodiscard]] int wait_ms() const;
  void refresh_matcher();
  // worker_upstream.cpp: talking to the upstreams
  void open_upstreams();
  bool send_upstream(Pending& p, std::int64_t now);
  void forward(std::span<const std::uint8_t> pkt, const Query& q, const ClientRef& ref, const std::string& client,
               std::int64_t now);
  void on_upstream_udp(std::size_t index, std::int64_t now);
  void on_upstream_answer(std::uint32_t key, std::span<const std::uint8_t> msg, bool over_tcp, std::int64_t now);
  void retry_or_fail(std::uint32_t key, std::string_view why, std::int64_t now);
  /// Answers `p`'s client SERVFAIL (EDE 22, `why` in its text) and logs it: fail closed.
  void fail_closed(const Pending& p, std::string_view why);
  void deliver(const ClientRef& to, std::span<const std::uint8_t> reply);
  void expire(std::int64_t now);
  void start_upstream_tcp(std::uint32_t key, std::int64_t now);
  void on_upstream_tcp(int fd, std::uint32_t events, std::int64_t now);
  void close_upstream_tcp(int fd);
  void abandon_all();
  // worker_tcp.cpp: TCP clients (RFC 7766)
  void on_accept(int listen_fd, std::int64_t now);
  void on_tcp_client(int fd, std::uint32_t events, std::int64_t now);
  void tcp_flush(TcpConn& c);
  void close_tcp(int fd);
  /// Closes the connection longest without a whole query or an answer read (the table is full).
  void evict_idlest();
  void expire_tcp(std::int64_t now);

  void watch(int fd, std::uint32_t events, std::uint32_t kind);
  /// Watches the served sockets this worker polls: the TCP listeners, and the UDP ones too.
  void watch_served(bool udp_too);
  /// Watches one served socket.
  void watch_served(const ServedSocket& s);
  /// True for a served socket this worker polls: a shared one, or its own SO_REUSEPORT socket.
  [[nodiscard]] bool polls(const ServedSocket& s) const noexcept {
    return s.owner < 0 || static_cast<unsigned>(s.owner) == m_index;
  }
  void rewatch(int fd, std::uint32_t events, std::uint32_t kind);

  Server::Impl& m_srv;
  unsigned m_index;
  base::Fd m_epoll;
  std::shared_ptr<const policy::Matcher> m_matcher;
  std::uint64_t m_generation = 0;
  RateLimiter m_limiter;
  std::vector<base::Fd> m_upstream_fds;
  std::unordered_map<std::uint32_t, Pending> m_pending; ///< key: upstream index << 16 | id
  std::deque<std::pair<std::int64_t, std::uint32_t>> m_deadlines;
  std::unordered_map<int, TcpConn> m_tcp;
  std::unordered_map<int, UpTcp> m_up_tcp;
  std::uint64_t m_serial = 0;
  std::uint64_t m_rng;
  // Recent clients' names, direct-mapped by address and port: a load spread over a few sockets
  // (dnsperf -c 4, a test runner's pool) changes client every query, and formatting an address
  // (inet_ntop goes through printf) cost ~5% of a cached answer.
  struct ClientName {
    sockaddr_storage addr{};
    std::string text; ///< "ADDR:PORT" ("[V6]:PORT"), as events name the client
    std::string host; ///< its address alone
  };
  std::array<ClientName, 16> m_clients{};
  const ClientName* m_client = nullptr; ///< set by client_text() for the query being answered
  std::vector<std::uint8_t> m_scratch; ///< one 64 KiB answer (TCP, deferred replies)
  std::int64_t m_accept_resume_ns = 0;  ///< TCP accepting paused until then (out of fds); 0: not
  std::int64_t m_next_tcp_sweep_ns = 0; ///< when expire_tcp() next looks for idle connections
  // Recent cache hits of this worker: a repeated allowed question is answered without the
  // matcher, the shared cache's lock or its reference counts (~5% of a cached answer's CPU).
  NearCache m_near{4096};
  // UDP sockets with traffic, read directly instead of through epoll until they run dry: while a
  // socket is in an epoll set, every answer it sends walks the set's wait-queue entry (sock_wfree
  // -> write space -> ep_poll_callback), up to 15% of an answer's CPU (docs/performance.md).
  std::vector<int> m_busy;
  bool m_gso = true; // cleared when the kernel refuses UDP_SEGMENT
};

/// Answers buffered for one TCP client at most; past it the client, which is not reading, is closed.
inline constexpr std::size_t k_tcp_max_out = std::size_t{1} << 20;

/// epoll tags: the kind of a watched fd, in the upper half of epoll_data.u64.
enum : std::uint32_t { k_tag_stop = 1, k_tag_udp, k_tag_listen, k_tag_upstream, k_tag_tcp, k_tag_up_tcp };

} // namespace netmap::dns
