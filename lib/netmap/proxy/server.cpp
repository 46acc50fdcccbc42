#include "netmap/proxy/server.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/text.hpp"
#include "netmap/proxy/worker.hpp"

#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <random>
#include <thread>

namespace netmap::proxy {

namespace detail {

namespace {

std::array<std::uint8_t, 16> to16(const base::SockAddr& a, std::uint16_t* port) {
  std::array<std::uint8_t, 16> out{};
  if (a.ss.ss_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, &a.ss, sizeof sin);
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &sin.sin_addr, 4);
    *port = ntohs(sin.sin_port);
  } else {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, &a.ss, sizeof sin6);
    std::memcpy(out.data(), &sin6.sin6_addr, 16);
    *port = ntohs(sin6.sin6_port);
  }
  return out;
}

bool is_wildcard(const std::array<std::uint8_t, 16>& a) {
  std::array<std::uint8_t, 16> any{};
  std::array<std::uint8_t, 16> any4{};
  any4[10] = any4[11] = 0xff;
  return a == any || a == any4;
}

} // namespace

Shared::Shared(ProxyConfig c)
    : config(std::move(c)), limiter(config.limits.requests_per_s, config.limits.bytes_per_s), m_matcher(config.matcher) {
  std::random_device rd;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", rd());
  via_token = std::string("netmap-") + hex;
}

std::shared_ptr<const policy::Matcher> Shared::matcher() {
  std::lock_guard lock(m_matcher_mutex);
  return m_matcher;
}

void Shared::set_matcher(std::shared_ptr<const policy::Matcher> m) {
  std::lock_guard lock(m_matcher_mutex);
  m_matcher = std::move(m);
}

void Shared::emit(const inventory::Event& e) {
  if (!config.on_event) return;
  std::lock_guard lock(m_sink_mutex);
  config.on_event(e);
}

bool Shared::is_local(const base::SockAddr& a) {
  if (base::is_loopback(reinterpret_cast<const sockaddr*>(&a.ss))) return true;
  std::uint16_t port = 0;
  auto d = to16(a, &port); // IPv4 as ::ffff:a.b.c.d, like a v4-mapped IPv6 address
  const bool v4 = d[10] == 0xff && d[11] == 0xff && std::all_of(d.begin(), d.begin() + 10, [](std::uint8_t b) { return b == 0; });
  if (v4) return d[12] == 0 || (d[12] == 169 && d[13] == 254); // 0.0.0.0/8, 169.254.0.0/16
  return is_wildcard(d) || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80); // ::, fe80::/10
}

bool Shared::is_self(const base::SockAddr& a) const {
  std::uint16_t port = 0;
  auto dest = to16(a, &port);
  // Linux connects to the unspecified address (0.0.0.0, ::) as to loopback (127.0.0.1, ::1): a
  // name resolving to it reaches a listener on loopback as surely as 127.0.0.1 does.
  bool unspecified = is_wildcard(dest);
  if (unspecified) {
    dest = {};
    if (a.ss.ss_family == AF_INET) {
      dest[10] = dest[11] = 0xff;
      dest[12] = 127;
    }
    dest[15] = 1;
  }
  bool local = unspecified || base::is_loopback(reinterpret_cast<const sockaddr*>(&a.ss));
  for (const auto& l : listener_addrs) {
    std::uint16_t lport = 0;
    auto mine = to16(l, &lport);
    if (lport != port) continue;
    if (mine == dest || (is_wildcard(mine) && local)) return true;
  }
  return false;
}

} // namespace detail

struct Server::Impl {
  explicit Impl(ProxyConfig c) : shared(std::move(c)) {}
  detail::Shared shared;
  std::vector<base::Fd> listeners;
  std::mutex workers_mutex;
  std::vector<detail::Worker*> workers;
};

namespace {

base::SockAddr local_address(int fd) {
  base::SockAddr a;
  a.len = sizeof a.ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a.ss), &a.len) != 0) a.len = 0;
  return a;
}

} // namespace

Server::Server(ProxyConfig config) {
  if (!config.matcher) throw base::UserError("proxy: no policy matcher configured");
  if (config.threads < 1) config.threads = 1;
  if (config.buffer_bytes < 4096) config.buffer_bytes = 4096;
  if (config.max_head_bytes < 1024) config.max_head_bytes = 1024;
  m = std::make_unique<Impl>(std::move(config));
}

Server::~Server() = default;

void Server::add_listener(base::Fd fd) {
  int accepting = 0;
  socklen_t len = sizeof accepting;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting)
    throw base::UserError("proxy: the socket handed in is not a listening TCP socket");
  int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
  // A proxy's client speaks first, so a connection is handed to accept() once its request bytes
  // are in: one wakeup per connection for both (a silent client still gets through, seconds late,
  // to meet the head timeout).
  int defer_s = 2;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_s, sizeof defer_s);
  // Linux copies a listener's TCP options into every connection it accepts: set here, no
  // connection needs a setsockopt of its own (replies are whole writes; Nagle would only delay).
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  m->shared.listener_addrs.push_back(local_address(fd.get()));
  m->shared.listeners.push_back(fd.get());
  m->listeners.push_back(std::move(fd));
}

std::string Server::listen(const std::string& addr_port) {
  base::SockAddr a = base::require_sockaddr(addr_port, k_default_port, "--listen");
  base::Fd fd(::socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw base::UserError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (a.ss.ss_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0)
    throw base::UserError("cannot listen on " + a.str() + ": " + std::strerror(errno),
                          errno == EADDRINUSE ? "another program uses that port; pick another with --listen" : "");
  if (::listen(fd.get(), SOMAXCONN) != 0) throw base::UserError(std::string("listen: ") + std::strerror(errno));
  std::string bound = local_address(fd.get()).str();
  add_listener(std::move(fd));
  return bound;
}

std::vector<std::string> Server::listening() const {
  std::vector<std::string> out;
  for (const auto& a : m->shared.listener_addrs) out.push_back(a.str());
  return out;
}

void Server::set_matcher(std::shared_ptr<const policy::Matcher> matcher) {
  if (matcher) m->shared.set_matcher(std::move(matcher));
}

void Server::run() {
  if (m->listeners.empty()) throw base::UserError("proxy: nothing to listen on");
  // splice(2) has no MSG_NOSIGNAL: a peer that closed while a pipe drains to it must be an EPIPE,
  // not a SIGPIPE that ends the process. (Commands netmap starts get the default back at exec.)
  if (struct sigaction old {}; ::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL)
    ::signal(SIGPIPE, SIG_IGN);
  auto& sh = m->shared;
  sh.resolver = std::make_unique<Resolver>(sh.config.resolver_threads, sh.config.host_overrides);
  std::vector<std::unique_ptr<detail::Worker>> workers;
  for (int i = 0; i < sh.config.threads; ++i) workers.push_back(std::make_unique<detail::Worker>(sh));
  {
    std::lock_guard lock(m->workers_mutex);
    for (auto& w : workers) m->workers.push_back(w.get());
  }
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto body = [&](detail::Worker& w) {
    try {
      w.run();
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
    stop(); // one loop ending (stop, signal or failure) ends them all
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers.size(); ++i) threads.emplace_back(body, std::ref(*workers[i]));
  body(*workers[0]);
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(m->workers_mutex);
    m->workers.clear();
  }
  workers.clear();
  sh.resolver.reset();
  if (failure) std::rethrow_exception(failure);
}

void Server::stop() noexcept {
  m->shared.stopping = true;
  std::lock_guard lock(m->workers_mutex);
  for (auto* w : m->workers) w->wake();
}

ProxyStats Server::stats() const {
  const auto& c = m->shared.counters;
  ProxyStats s;
  s.accepted = c.accepted;
  s.refused_clients = c.refused_clients;
  s.active = c.active;
  s.requests = c.requests;
  s.allowed = c.allowed;
  s.blocked = c.blocked;
  s.rate_limited = c.rate_limited;
  s.bad_requests = c.bad_requests;
  s.upstream_errors = c.upstream_errors;
  s.sni_mismatches = c.sni_mismatches;
  s.bytes_up = c.bytes_up;
  s.bytes_down = c.bytes_down;
  s.spliced = c.spliced;
  s.accept_pauses = c.accept_pauses;
  return s;
}

} // namespace netmap::proxy
