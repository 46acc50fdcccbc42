// TCP clients (RFC 7766): two-byte length prefix, pipelined queries answered as they complete,
// idle connections closed, a bound on connections and buffered bytes per worker.

#include "netmap/dns/worker.hpp"

#include "netmap/base/fd_limit.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

namespace netmap::dns {

namespace {
constexpr std::size_t k_max_conns = 256;
constexpr std::int64_t k_idle_ns = 10'000'000'000; // RFC 7766 §6.2.3: close idle connections
constexpr std::int64_t k_tcp_sweep_ns = 1'000'000'000;
} // namespace

void Worker::on_accept(int listen_fd, std::int64_t now) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (base::accept_starved(errno)) {
        // A listener with a queued connection stays readable: watching it while accept4 fails
        // would spin the loop. Stop for a moment; the connections wait in the kernel's queue.
        for (const auto& s : m_srv.sockets)
          if (!s.udp && polls(s)) epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, s.fd.get(), nullptr);
        m_accept_resume_ns = now + base::k_accept_pause_ns;
        counters.accept_pauses.add();
      }
      return;
    }
    base::Fd owned(fd);
    if (m_tcp.size() >= k_max_conns) evict_idlest();
    TcpConn c;
    c.fd = std::move(owned);
    c.serial = ++m_serial;
    c.last_ns = now;
    watch(fd, EPOLLIN | EPOLLRDHUP, k_tag_tcp);
    m_tcp.emplace(fd, std::move(c));
  }
}

void Worker::on_tcp_client(int fd, std::uint32_t events, std::int64_t now) {
  auto it = m_tcp.find(fd);
  if (it == m_tcp.end()) return;
  TcpConn& c = it->second;
  if (events & EPOLLOUT) {
    const std::size_t owed = c.out.size();
    tcp_flush(c);
    if (m_tcp.find(fd) == m_tcp.end()) return;
    if (c.out.size() < owed) c.last_ns = now; // the client reads its answers
  }
  if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
  std::uint8_t buf[16384];
  bool closed = false;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      c.in.insert(c.in.end(), buf, buf + n);
      if (c.in.size() > 2 * 65538) break;
      continue;
    }
    if (n == 0 || errno != EAGAIN) closed = true;
    break;
  }
  sockaddr_storage peer{};
  socklen_t plen = sizeof peer;
  getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen);
  std::size_t off = 0;
  // A client that pipelines queries and never reads gets answers up to k_tcp_max_out, then is
  // closed: 34 bytes of query can ask for a 64 KiB cached answer.
  while (c.in.size() - off >= 2 && c.out.size() <= k_tcp_max_out) {
    std::size_t len = load16(c.in.data() + off);
    if (c.in.size() - off < 2 + len) break;
    std::span<const std::uint8_t> msg(c.in.data() + off + 2, len);
    ClientRef ref;
    ref.tcp_fd = fd;
    ref.tcp_serial = c.serial;
    std::span<std::uint8_t> out(m_scratch.data() + 2, m_scratch.size() - 2);
    std::size_t n = answer(msg, reinterpret_cast<const sockaddr*>(&peer), ref, out, now);
    // A query answered later may be answered now: an upstream that fails at once gets its SERVFAIL
    // delivered from inside answer(), and a failed write there closed the connection (and `c`).
    if (n == 0 && !m_tcp.count(fd)) return;
    off += 2 + len;
    if (n > 0) {
      store16(m_scratch.data(), static_cast<std::uint16_t>(n));
      c.out.insert(c.out.end(), m_scratch.begin(), m_scratch.begin() + static_cast<std::ptrdiff_t>(n + 2));
    }
  }
  // Only a whole query counts as activity: a client that trickles a byte now and then must not
  // hold its slot past the idle limit (RFC 7766 §6.2.3).
  if (off != 0) c.last_ns = now;
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(off));
  if (c.out.size() > k_tcp_max_out) closed = true;
  if (!c.out.empty()) tcp_flush(c);
  if (closed && m_tcp.count(fd)) {
    auto again = m_tcp.find(fd);
    // Answers still owed to a half-closed client go out first; the idle timer ends it otherwise.
    if (again->second.out.empty()) close_tcp(fd);
    else rewatch(fd, EPOLLOUT, k_tag_tcp);
  }
}

void Worker::tcp_flush(TcpConn& c) {
  while (!c.out.empty()) {
    ssize_t n = send(c.fd.get(), c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN) {
        if (!c.writing) rewatch(c.fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP, k_tag_tcp);
        c.writing = true;
        return;
      }
      close_tcp(c.fd.get());
      return;
    }
    c.out.erase(c.out.begin(), c.out.begin() + n);
  }
  if (c.writing) rewatch(c.fd.get(), EPOLLIN | EPOLLRDHUP, k_tag_tcp);
  c.writing = false;
}

void Worker::close_tcp(int fd) {
  epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
  m_tcp.erase(fd);
}

void Worker::evict_idlest() {
  // RFC 7766 §6.2.3 lets a server under pressure close idle connections: a full table then costs
  // the quietest connection its slot, not every new client its answer.
  auto idlest = m_tcp.begin();
  for (auto it = m_tcp.begin(); it != m_tcp.end(); ++it)
    if (it->second.last_ns < idlest->second.last_ns) idlest = it;
  if (idlest == m_tcp.end()) return;
  counters.dropped.add();
  close_tcp(idlest->first);
}

void Worker::expire_tcp(std::int64_t now) {
  // The idle limit is seconds long: a sweep a second is plenty, and the loop may turn 10k times
  // a second under load.
  if (now < m_next_tcp_sweep_ns) return;
  m_next_tcp_sweep_ns = now + k_tcp_sweep_ns;
  std::vector<int> idle;
  for (const auto& [fd, c] : m_tcp)
    if (now - c.last_ns > k_idle_ns) idle.push_back(fd);
  for (int fd : idle) close_tcp(fd);
}

} // namespace netmap::dns
