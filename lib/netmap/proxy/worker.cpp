#include "netmap/proxy/worker.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/fd_limit.hpp"
#include "netmap/base/interrupt.hpp"
#include "netmap/proxy/no_proxy.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace netmap::proxy::detail {

namespace {
constexpr std::uint64_t k_tag_client = 0, k_tag_server = 1, k_tag_listener = 2, k_tag_mailbox = 3;
constexpr int k_max_events = 256;
constexpr int k_accept_batch = 128;

} // namespace

char* Buffer::write_ptr() {
  if (!m_data) m_data.reset(new char[m_cap]); // NOLINT: uninitialized on purpose (pages touched lazily)
  // space() counts the free bytes at the front too, so they must be made contiguous before a
  // read may fill space() bytes from here.
  if (m_start > 0) {
    std::memmove(m_data.get(), m_data.get() + m_start, m_end - m_start);
    m_end -= m_start;
    m_start = 0;
  }
  return m_data.get() + m_end;
}

std::span<const std::uint8_t> Buffer::bytes() const noexcept {
  if (!m_data) return {};
  return {reinterpret_cast<const std::uint8_t*>(m_data.get() + m_start), size()};
}

void Buffer::consume(std::size_t n) noexcept {
  m_start += n;
  if (m_start == m_end) m_start = m_end = 0;
}

bool Buffer::use_pipe(std::size_t cap) {
  if (piped() || m_end != m_start) return false;
  int p[2];
  if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  base::Fd r(p[0]), w(p[1]);
  // A pipe holds 16 pages by default; ask for the relay buffer's size (the kernel rounds up to a
  // power of two of pages, and past fs.pipe-max-size keeps the default).
  int got = ::fcntl(w.get(), F_SETPIPE_SZ, static_cast<int>(std::min<std::size_t>(cap, 1u << 20)));
  if (got <= 0) got = ::fcntl(w.get(), F_GETPIPE_SZ);
  if (got <= 0) return false;
  m_pipe_r = std::move(r);
  m_pipe_w = std::move(w);
  m_cap = static_cast<std::size_t>(got);
  m_data.reset();
  m_start = m_end = 0;
  return true;
}

ssize_t Buffer::splice_from(int fd, std::size_t want) {
  ssize_t n = ::splice(fd, nullptr, m_pipe_w.get(), nullptr, std::min(want, space()), SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n > 0) m_piped += static_cast<std::size_t>(n);
  // EAGAIN with bytes in the pipe: either the socket is empty or the pipe is full; assuming full
  // costs at most a wakeup, since draining the pipe (its destination is watched) clears it.
  if (n < 0 && errno == EAGAIN && m_piped > 0) m_pipe_full = true;
  return n;
}

ssize_t Buffer::splice_to(int fd) {
  ssize_t n = ::splice(m_pipe_r.get(), nullptr, fd, nullptr, m_piped, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n > 0) {
    m_piped -= static_cast<std::size_t>(n);
    m_pipe_full = false;
  }
  return n;
}

Worker::Worker(Shared& shared) : m_shared(shared), m_epoll(::epoll_create1(EPOLL_CLOEXEC)), m_mailbox(std::make_shared<Mailbox>()) {
  if (!m_epoll || !m_mailbox->event_fd) throw base::UserError(std::string("epoll/eventfd: ") + std::strerror(errno));
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.u64 = k_tag_mailbox;
  ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_mailbox->event_fd.get(), &e);
  watch_listeners();
}

void Worker::watch_listeners() {
  for (std::size_t i = 0; i < m_shared.listeners.size(); ++i) {
    // EPOLLEXCLUSIVE: one worker wakes per new connection instead of all of them.
    epoll_event e{};
    e.events = EPOLLIN | EPOLLEXCLUSIVE;
    e.data.u64 = (i << 2) | k_tag_listener;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_shared.listeners[i], &e) != 0)
      throw base::UserError(std::string("epoll_ctl(listener): ") + std::strerror(errno));
  }
}

void Worker::pause_accepting(std::int64_t now) {
  // A listener with a queued connection stays readable: watching it while accept4 fails would
  // spin the loop at full CPU until an fd is freed.
  for (int l : m_shared.listeners) ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, l, nullptr);
  m_accept_resume_ns = now + base::k_accept_pause_ns;
  ++m_shared.counters.accept_pauses;
}

Worker::~Worker() = default;

void Worker::wake() noexcept { m_mailbox->wake(); }

void Worker::run() {
  epoll_event events[k_max_events];
  std::int64_t next_sweep = 0;
  while (!m_shared.stopping.load(std::memory_order_relaxed) && !base::stop_requested()) {
    // Byte limits need a fine tick to resume throttled relays; otherwise timeouts are coarse.
    int tick_ms = m_shared.limiter.limits_bytes() ? 20 : 250;
    if (m_accept_resume_ns) tick_ms = std::min(tick_ms, static_cast<int>(base::k_accept_pause_ns / 1'000'000));
    int n = ::epoll_wait(m_epoll.get(), events, k_max_events, tick_ms);
    if (n < 0 && errno != EINTR) throw base::UserError(std::string("epoll_wait: ") + std::strerror(errno));
    for (int i = 0; i < n; ++i) dispatch(events[i].data.u64, events[i].events);
    m_closed.clear();
    std::int64_t now = base::monotonic_ns();
    if (m_accept_resume_ns && now >= m_accept_resume_ns) {
      m_accept_resume_ns = 0;
      watch_listeners();
    }
    if (now >= next_sweep) {
      sweep(now);
      m_closed.clear();
      next_sweep = now + std::int64_t{tick_ms} * 1'000'000;
    }
  }
  std::vector<Session*> open;
  for (auto& [id, s] : m_sessions) open.push_back(s.get());
  for (Session* s : open) {
    if (s->phase == Phase::Relay || s->phase == Phase::Hello)
      s->ev.note += s->ev.note.empty() ? "proxy-stopped" : "; proxy-stopped";
    close_session(*s);
  }
  m_closed.clear();
}

void Worker::dispatch(std::uint64_t data, std::uint32_t events) {
  std::uint64_t tag = data & 3;
  if (tag == k_tag_listener) return accept_all(m_shared.listeners[data >> 2]);
  if (tag == k_tag_mailbox) return drain_mailbox();
  auto it = m_sessions.find(data >> 2);
  if (it == m_sessions.end()) return; // closed earlier in this batch
  Session& s = *it->second;
  s.last_ns = base::monotonic_ns();
  if (events & (EPOLLHUP | EPOLLERR)) (tag == k_tag_server ? s.server_hup : s.client_hup) = true;
  if (tag == k_tag_server) {
    on_server_event(s, events);
  } else {
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_client_readable(s);
    if (s.client && (events & EPOLLOUT) && !flush(s, false)) return close_session(s);
  }
  if (s.client) update(s);
}

void Worker::accept_all(int listener) {
  for (int i = 0; i < k_accept_batch; ++i) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (base::accept_starved(errno)) pause_accepting(base::monotonic_ns());
      return; // else EAGAIN (another worker took it) or the client gave up (ECONNABORTED)
    }
    base::Fd client(fd);
    const auto* a = reinterpret_cast<const sockaddr*>(&peer);
    bool allowed = base::is_loopback(a);
    for (const auto& c : m_shared.config.allow_from) allowed = allowed || c.contains(a);
    auto& c = m_shared.counters;
    if (!allowed || c.active.load() >= m_shared.config.max_connections) {
      ++c.refused_clients; // never an open proxy: other clients are dropped before reading a byte
      continue;
    }
    ++c.accepted;
    ++c.active; // TCP_NODELAY comes from the listener (Server::add_listener)
    auto s = std::make_unique<Session>();
    s->id = m_next_id++;
    s->client = std::move(client);
    s->start_ns = s->last_ns = base::monotonic_ns();
    s->start_us = base::now_unix_us();
    s->deadline_ns = s->start_ns + std::int64_t{m_shared.config.head_timeout_ms} * 1'000'000;
    base::SockAddr sa;
    sa.ss = peer;
    sa.len = len;
    s->ev.client = sa.str();
    s->ev.producer = m_shared.config.producer;
    s->ev.transport = "tcp";
    s->up.set_capacity(std::max(m_shared.config.buffer_bytes, m_shared.config.max_head_bytes));
    s->down.set_capacity(m_shared.config.buffer_bytes);
    Session& ref = *s;
    m_sessions.emplace(ref.id, std::move(s));
    // A client usually sends its head right after connecting, so it is often here already: reading
    // now saves a trip through epoll_wait per connection (the loop's wakeups are its latency).
    on_client_readable(ref);
    if (ref.client) update(ref);
  }
}

void Worker::drain_mailbox() {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(m_mailbox->event_fd.get(), &count, sizeof count);
  std::vector<std::pair<std::uint64_t, Resolution>> results;
  {
    std::lock_guard lock(m_mailbox->mutex);
    results.swap(m_mailbox->results);
  }
  for (auto& [id, r] : results) on_resolved(id, std::move(r));
}

void Worker::sweep(std::int64_t now) {
  const auto& cfg = m_shared.config;
  std::vector<Session*> all;
  all.reserve(m_sessions.size());
  for (auto& [id, s] : m_sessions) all.push_back(s.get());
  for (Session* s : all) {
    if (!s->client) continue;
    if (s->throttle_ns != 0 && now >= s->throttle_ns) s->throttle_ns = 0;
    bool expired = s->deadline_ns != 0 && now >= s->deadline_ns;
    switch (s->phase) {
    case Phase::Head:
      if (expired) refuse(*s, plain_refusal(408, "no complete request head within the time limit"), nullptr);
      break;
    case Phase::Resolving:
    case Phase::Connecting:
    case Phase::Parent:
      if (expired) {
        ++m_shared.counters.upstream_errors;
        refuse(*s, plain_refusal(504, "connecting to " + s->ev.name + " timed out", "upstream-timeout"), nullptr);
      }
      break;
    case Phase::Hello:
      if (expired) check_hello(*s, true);
      break;
    case Phase::Relay:
      if (now - s->last_ns >= std::int64_t{cfg.idle_timeout_ms} * 1'000'000) {
        if (!s->tunnel && s->await_head && s->to_client.empty()) {
          // The server never answered: the client gets a 504 (RFC 9110 §15.6.5), not an empty reply.
          ++m_shared.counters.upstream_errors;
          refuse(*s, plain_refusal(504, s->ev.name + " sent no response within the idle timeout", "upstream-timeout"), nullptr);
          break;
        }
        s->ev.note += s->ev.note.empty() ? "idle-timeout" : "; idle-timeout";
        close_session(*s);
        continue;
      }
      break;
    case Phase::Linger:
      if (expired) {
        close_session(*s);
        continue;
      }
      break;
    }
    if (s->client) update(*s);
  }
}

void Worker::watch(Session& s, bool server_side, std::uint32_t want) {
  base::Fd& fd = server_side ? s.server : s.client;
  if (!fd) return;
  bool& reg = server_side ? s.server_reg : s.client_reg;
  std::uint32_t& cur = server_side ? s.server_events : s.client_events;
  if (reg && cur == want) return;
  if (want == 0 && (server_side ? s.server_hup : s.client_hup)) {
    // HUP and ERR are reported whatever the mask says; a side we cannot serve yet (its buffer is
    // full) would spin the loop, so it leaves epoll until there is room again.
    if (reg) ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd.get(), nullptr);
    reg = false;
    cur = 0;
    return;
  }
  epoll_event e{};
  e.events = want;
  e.data.u64 = (s.id << 2) | (server_side ? k_tag_server : k_tag_client);
  ::epoll_ctl(m_epoll.get(), reg ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd.get(), &e);
  reg = true;
  cur = want;
}

void Worker::update(Session& s) {
  bool relaying = s.phase == Phase::Relay || s.phase == Phase::Hello;
  // Half-close (RFC 9293 §3.6): once one side finished sending and its bytes are delivered, pass
  // the FIN on and keep relaying the other direction.
  if (relaying && s.client_eof && s.up.size() == 0 && s.to_server.empty() && !s.server_shut && s.phase == Phase::Relay) {
    ::shutdown(s.server.get(), SHUT_WR);
    s.server_shut = true;
  }
  // A forwarded response of known length is over once its last byte is delivered: closing then,
  // not at the server's FIN, spares the loop a wakeup per request (we asked for Connection: close).
  // Whatever else the server sent is not relayed (flush stops at the body's end).
  if (s.phase == Phase::Relay && !s.tunnel && !s.await_head && s.body_known && s.body_left == 0 && s.to_client.empty())
    return close_session(s);
  if (relaying && s.server_eof && s.down.size() == 0 && s.to_client.empty() && !s.client_shut) {
    if (!s.tunnel) return close_session(s); // forwarded requests end with the response (Connection: close)
    ::shutdown(s.client.get(), SHUT_WR);
    s.client_shut = true;
  }
  if (s.phase == Phase::Linger && s.to_client.empty() && !s.client_shut) {
    ::shutdown(s.client.get(), SHUT_WR); // then drain what the client still sends (RFC 9112 §9.6)
    s.client_shut = true;
  }
  if (relaying && s.client_shut && s.server_shut) return close_session(s);
  bool throttled = s.throttle_ns != 0;
  bool down_ready = !s.await_head && s.phase != Phase::Parent;
  std::uint32_t c = 0, v = 0;
  if (s.phase == Phase::Head || s.phase == Phase::Linger) c |= EPOLLIN;
  // While the upstream side is being set up the client may already send (early tunnel bytes, a
  // request body): keep reading into `up`, which stays gated until Relay, so the interest mask
  // need not flip twice per tunnel.
  if (s.phase != Phase::Head && s.phase != Phase::Linger && !s.client_eof && s.up.space() > 0 && !throttled) c |= EPOLLIN;
  if (!s.client_shut && (!s.to_client.empty() || (down_ready && s.down.size() > 0))) c |= EPOLLOUT;
  if (s.phase == Phase::Connecting) v |= EPOLLOUT;
  if ((relaying || s.phase == Phase::Parent) && !s.server_eof && s.down.space() > 0 && !throttled) v |= EPOLLIN;
  if (s.server && !s.server_shut && s.phase != Phase::Connecting &&
      (!s.to_server.empty() || (s.phase == Phase::Relay && s.up.size() > 0)))
    v |= EPOLLOUT;
  watch(s, false, c);
  watch(s, true, v);
}

void Worker::close_session(Session& s) {
  if (!s.client) return;
  if (s.has_request) {
    s.ev.time_us = s.start_us;
    s.ev.latency_ms = static_cast<double>(base::monotonic_ns() - s.start_ns) / 1e6;
    m_shared.emit(s.ev);
  }
  // Closing an fd removes it from epoll (nothing else holds it), so no EPOLL_CTL_DEL is needed.
  s.client.reset();
  s.server.reset();
  --m_shared.counters.active;
  auto it = m_sessions.find(s.id);
  if (it != m_sessions.end()) {
    m_closed.push_back(std::move(it->second)); // the caller may still hold a reference
    m_sessions.erase(it);
  }
}

} // namespace netmap::proxy::detail
