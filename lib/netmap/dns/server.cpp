#include "netmap/dns/server.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/text.hpp"
#include "netmap/dns/local_dest.hpp"
#include "netmap/dns/worker.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>

namespace netmap::dns {

Server::Impl::Impl(ServerConfig c) : cfg(std::move(c)), cache(cfg.cache_entries) {}

std::shared_ptr<const policy::Matcher> Server::Impl::current_matcher() const {
  std::lock_guard lock(matcher_mu);
  return matcher;
}

namespace {

std::string local_text(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  base::SockAddr a;
  a.ss = ss;
  a.len = len;
  return a.str();
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

base::Fd bind_socket(const base::SockAddr& a, int type, bool reuseport, const std::string& what) {
  base::Fd fd(socket(a.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  int one = 1;
  if (fd) {
    // UDP gets no SO_REUSEADDR: two resolvers sharing a port would each see half the queries.
    if (type == SOCK_STREAM) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (a.ss.ss_family == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  if (!fd || bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0 ||
      (type == SOCK_STREAM && ::listen(fd.get(), 512) != 0)) {
    int e = errno;
    std::string hint;
    if (e == EADDRINUSE) hint = "another server listens there; pick another --listen address or port";
    if (e == EACCES) hint = "ports below 1024 need root or CAP_NET_BIND_SERVICE";
    if (e == EADDRNOTAVAIL) hint = "no interface has that address";
    throw base::UserError("cannot listen on " + what + " (" + (type == SOCK_STREAM ? "tcp" : "udp") + "): " +
                              std::strerror(e), hint);
  }
  // Large buffers absorb bursts between two batches; root may go past net.core.[rw]mem_max.
  int buf = 4 << 20;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0)
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  if (type == SOCK_DGRAM && setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf) != 0)
    setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  if (type == SOCK_DGRAM) enable_local_dest(fd.get()); // answers leave from the address asked
  if (type == SOCK_DGRAM && a.ss.ss_family == AF_INET && base::is_loopback(reinterpret_cast<const sockaddr*>(&a.ss))) {
    // A loopback source only ever leaves through `lo` (MTU 64 KiB, above any answer we send), so
    // DF costs nothing there, and with it the kernel skips hashing an IP ID for every answer
    // (about 2.5% of the CPU per answer under load).
    int probe = IP_PMTUDISC_PROBE;
    setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe);
  }
  return fd;
}

void check_not_self(const Server::Impl& m) {
  for (const auto& u : m.upstreams)
    for (const auto& s : m.sockets)
      if (s.local == u.str())
        throw base::UserError("upstream " + u.str() + " is this resolver itself",
                              "name a different --upstream: forwarding to ourselves would loop");
}

} // namespace

Server::Server(ServerConfig config) : m(std::make_unique<Impl>(std::move(config))) {
  auto& cfg = m->cfg;
  if (!cfg.matcher) throw base::UserError("the resolver needs a policy");
  if (cfg.threads == 0) cfg.threads = 1;
  if (cfg.threads > 64) throw base::UserError("--threads " + std::to_string(cfg.threads) + " is more than 64");
  for (const auto& u : cfg.upstreams) {
    m->upstreams.push_back(base::require_destination(u, 53, "upstream"));
  }
  for (const auto& c : cfg.allow_from) {
    auto cidr = base::parse_cidr(c);
    if (!cidr) throw base::UserError("--allow-from '" + base::escape_bytes(c) + "' is not an address block",
                                     "write e.g. 10.0.0.0/8 or fd00::/8");
    m->allow_from.push_back(*cidr);
  }
  m->matcher = cfg.matcher;
  m->stop_fd.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  for (unsigned i = 0; i < cfg.threads; ++i) m->workers.push_back(std::make_unique<Worker>(*m, i));
}

Server::~Server() = default;

void Server::add_udp_socket(base::Fd fd) {
  set_nonblocking(fd.get());
  enable_local_dest(fd.get());
  std::string local = local_text(fd.get());
  m->sockets.push_back({std::move(fd), true, -1, local});
}

void Server::add_tcp_listener(base::Fd fd) {
  set_nonblocking(fd.get());
  std::string local = local_text(fd.get());
  m->sockets.push_back({std::move(fd), false, -1, local});
}

void Server::listen(std::string_view address) {
  const base::SockAddr a = base::require_sockaddr(address, k_default_port, "--listen");
  std::string what(address);
  // Port 0: the kernel picks a UDP port, and TCP must get the same one; if that TCP port is
  // taken (some connection's ephemeral port), pick again.
  for (int attempt = 0;; ++attempt) {
    base::SockAddr at = a;
    std::vector<ServedSocket> made;
    try {
      // One SO_REUSEPORT socket per worker: the kernel spreads clients over them, no shared queue.
      for (unsigned i = 0; i < m->cfg.threads; ++i) {
        base::Fd fd = bind_socket(at, SOCK_DGRAM, m->cfg.threads > 1, what);
        if (at.port() == 0) {
          socklen_t len = sizeof at.ss;
          getsockname(fd.get(), reinterpret_cast<sockaddr*>(&at.ss), &len);
        }
        std::string local = local_text(fd.get());
        made.push_back({std::move(fd), true, m->cfg.threads > 1 ? static_cast<int>(i) : -1, local});
      }
      base::Fd tcp = bind_socket(at, SOCK_STREAM, false, what);
      std::string local = local_text(tcp.get());
      made.push_back({std::move(tcp), false, -1, local});
    } catch (const base::UserError&) {
      if (a.port() != 0 || attempt >= 20) throw;
      continue;
    }
    for (auto& s : made) m->sockets.push_back(std::move(s));
    break;
  }
  check_not_self(*m);
}

std::vector<std::string> Server::local_addresses() const {
  std::vector<std::string> out;
  for (const auto& s : m->sockets)
    if (std::find(out.begin(), out.end(), s.local) == out.end()) out.push_back(s.local);
  return out;
}

void Server::run() {
  check_not_self(*m);
  m->running = true;
  // A worker that fails (an event sink that cannot write, memory) ends them all, and run()
  // reports the first failure once every thread has been joined.
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto body = [&](std::size_t i) {
    try {
      m->workers[i]->run();
    } catch (...) {
      std::lock_guard lock(failure_mu);
      if (!failure) failure = std::current_exception();
    }
    stop();
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < m->workers.size(); ++i) threads.emplace_back(body, i);
  body(0);
  for (auto& t : threads) t.join();
  m->running = false;
  if (failure) std::rethrow_exception(failure);
}

void Server::stop() noexcept {
  m->stopping.store(true);
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(m->stop_fd.get(), &one, sizeof one);
}

void Server::reload(std::shared_ptr<const policy::Matcher> matcher) {
  if (!matcher) return;
  {
    std::lock_guard lock(m->matcher_mu);
    m->matcher = std::move(matcher);
  }
  m->generation.fetch_add(1, std::memory_order_release);
}

Counters Server::counters() const {
  Counters c;
  std::array<std::uint64_t, LatencyHistogram::k_buckets> lat{};
  for (const auto& w : m->workers) add_counters(w->counters, c, lat);
  c.latency_p50_ms = LatencyHistogram::quantile_ms(lat, 0.50);
  c.latency_p90_ms = LatencyHistogram::quantile_ms(lat, 0.90);
  c.latency_p99_ms = LatencyHistogram::quantile_ms(lat, 0.99);
  c.latency_max_ms = LatencyHistogram::quantile_ms(lat, 1.0);
  return c;
}

Summary Server::summary() const {
  Summary s;
  std::unordered_map<std::string, std::size_t> a, b, c;
  for (const auto& w : m->workers) w->tally.add_to(s, a, b, c);
  auto by_count = [](const TallyEntry& x, const TallyEntry& y) {
    return x.count != y.count ? x.count > y.count : x.key < y.key;
  };
  std::sort(s.allowed.begin(), s.allowed.end(), by_count);
  std::sort(s.blocked.begin(), s.blocked.end(), by_count);
  std::sort(s.clients.begin(), s.clients.end(), by_count);
  return s;
}

std::vector<std::string> default_upstreams(const std::vector<std::string>& custom_resolvers,
                                           const std::string& resolv_conf, const std::vector<std::string>& exclude) {
  auto excluded = [&](const std::string& text) {
    auto a = base::parse_sockaddr(text, 53);
    if (!a) return false;
    for (const auto& e : exclude) {
      auto b = base::parse_sockaddr(e, 53);
      if (b && base::same_endpoint(*a, *b)) return true;
    }
    return false;
  };
  std::vector<std::string> out;
  for (const auto& r : custom_resolvers)
    if (!excluded(r)) out.push_back(r);
  if (!out.empty()) return out;
  std::ifstream in(resolv_conf);
  std::string line;
  while (std::getline(in, line)) {
    auto parts = base::split(line, " \t");
    if (parts.size() >= 2 && parts[0] == "nameserver") {
      std::string ns = parts[1];
      if (auto pct = ns.find('%'); pct != std::string::npos) ns.resize(pct); // scope ids are not ours
      if (ns.find(':') != std::string::npos) ns = "[" + ns + "]";
      if (base::parse_sockaddr(ns, 53) && !excluded(ns)) out.push_back(ns);
    }
  }
  if (out.empty())
    throw base::UserError("no upstream resolver: none given, none in the policy's dns.custom_resolvers, and none "
                          "usable in " + resolv_conf,
                          "name one with --upstream ADDR[:PORT]");
  return out;
}


} // namespace netmap::dns
