// The upstream side of a worker: its own connected UDP socket per upstream (so ICMP "port
// unreachable" comes back as ECONNREFUSED and fails the queries at once), IDs drawn at random,
// answers matched by ID and question, TCP when an upstream truncates, deadlines, retries.

#include "netmap/dns/worker.hpp"

#include "netmap/base/clock.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace netmap::dns {

namespace {
constexpr unsigned k_batch = 32;
constexpr std::size_t k_buf = 4096;
// Queries a worker waits on at once. Far above what a build asks (an allowed name that misses the
// cache), and low enough that a random free ID is found at once among the 65 536 per upstream;
// past it, a flood of never-cached allowed names is answered SERVFAIL rather than held.
constexpr std::size_t k_max_pending = 16'384;
} // namespace

void Worker::open_upstreams() {
  for (const auto& u : m_srv.upstreams) {
    base::Fd fd(socket(u.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd && connect(fd.get(), reinterpret_cast<const sockaddr*>(&u.ss), u.len) == 0)
      watch(fd.get(), EPOLLIN, k_tag_upstream);
    else
      fd.reset();
    m_upstream_fds.push_back(std::move(fd));
  }
}

void Worker::forward(std::span<const std::uint8_t> pkt, const Query& q, const ClientRef& ref,
                     const std::string& client, std::int64_t now) {
  if (m_srv.upstreams.empty()) {
    // No upstream configured: fail closed at once rather than leave the client waiting.
    counters.upstream_errors.add();
    std::span<std::uint8_t> out(m_scratch.data() + 2, m_scratch.size() - 2);
    deliver(ref, out.first(write_simple(out, pkt, q, k_servfail, false, k_ede_no_reachable, "netmap: no upstream")));
    return;
  }
  Pending p;
  p.client = ref;
  p.query.assign(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(q.question_end));
  p.q = q;
  p.client_text = client;
  p.start_ns = now;
  // Spread first attempts over the upstreams; retries move to the next one.
  p.upstream = static_cast<std::size_t>(m_rng % m_srv.upstreams.size());
  send_upstream(p, now);
}

bool Worker::send_upstream(Pending& p, std::int64_t now) {
  std::uint32_t key = 0;
  bool free_id = false;
  for (int tries = 0; tries < 16 && !free_id && m_pending.size() < k_max_pending; ++tries) {
    m_rng ^= m_rng << 13;
    m_rng ^= m_rng >> 7;
    m_rng ^= m_rng << 17;
    p.id = static_cast<std::uint16_t>(m_rng >> 24);
    key = static_cast<std::uint32_t>(p.upstream << 16) | p.id;
    free_id = m_pending.count(key) == 0;
  }
  if (!free_id) { // the query would take another's ID, or never be answered at all
    counters.upstream_errors.add();
    fail_closed(p, "too many queries in flight");
    return false;
  }
  std::uint8_t buf[600];
  std::size_t len = write_upstream_query(buf, p.query, p.q, p.id);
  ++p.attempts;
  p.deadline_ns = now + m_srv.cfg.upstream_timeout.count() * 1'000'000;
  const base::Fd& fd = m_upstream_fds[p.upstream];
  counters.upstream_queries.add();
  m_pending.emplace(key, std::move(p));
  m_deadlines.emplace_back(m_pending.at(key).deadline_ns, key);
  if (!fd || len == 0 || send(fd.get(), buf, len, MSG_DONTWAIT) < 0) {
    retry_or_fail(key, "upstream unreachable", now);
    return false;
  }
  return true;
}

void Worker::on_upstream_udp(std::size_t index, std::int64_t now) {
  static thread_local std::vector<std::uint8_t> bufs(k_batch * k_buf);
  mmsghdr msgs[k_batch] = {};
  iovec iov[k_batch];
  for (;;) {
    for (unsigned i = 0; i < k_batch; ++i) {
      iov[i] = {bufs.data() + i * k_buf, k_buf};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(m_upstream_fds[index].get(), msgs, k_batch, MSG_DONTWAIT, nullptr);
    if (n < 0 && errno == ECONNREFUSED) {
      // ICMP port unreachable: nobody listens there, so every query waiting on it fails now.
      std::vector<std::uint32_t> keys;
      for (const auto& [k, p] : m_pending)
        if (p.upstream == index && p.tcp_fd < 0) keys.push_back(k);
      for (auto k : keys) retry_or_fail(k, "upstream refused (port unreachable)", now);
      continue;
    }
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      std::span<const std::uint8_t> msg(bufs.data() + static_cast<std::size_t>(i) * k_buf, msgs[i].msg_len);
      if (msg.size() < k_header_size) continue;
      std::uint32_t key = static_cast<std::uint32_t>(index << 16) | load16(msg.data());
      on_upstream_answer(key, msg, false, now);
    }
    if (static_cast<unsigned>(n) < k_batch) return;
  }
}

void Worker::on_upstream_answer(std::uint32_t key, std::span<const std::uint8_t> msg, bool over_tcp, std::int64_t now) {
  auto it = m_pending.find(key);
  if (it == m_pending.end()) {
    counters.dropped.add(); // late or forged: nobody waits for it
    return;
  }
  Pending& p = it->second;
  if (msg.size() < k_header_size || load16(msg.data()) != p.id) {
    // Over UDP the ID chose `key`; over TCP nothing did. RFC 1035 §4.1.1: the ID is our query's.
    retry_or_fail(key, "upstream answered another ID", now);
    return;
  }
  std::span<const std::uint8_t> question(p.query.data() + k_header_size, p.q.question_end - k_header_size);
  ResponseError err = ResponseError::None;
  auto info = read_response(msg, question, err);
  if (err == ResponseError::Mismatch) {
    counters.dropped.add(); // RFC 5452 §9.1: a wrong question is not our answer; keep waiting
    return;
  }
  if (!info || !ldns_accepts(msg)) {
    retry_or_fail(key, "malformed upstream answer", now);
    return;
  }
  if (info->truncated && !over_tcp) {
    if (p.tcp_fd < 0) start_upstream_tcp(key, now); // a repeated TC answer opens no second connection
    return;
  }
  if (info->rcode != k_noerror && info->rcode != k_nxdomain) {
    retry_or_fail(key, std::string("upstream answered ") + rcode_name(info->rcode), now);
    return;
  }
  std::array<char, 264> kb;
  auto ckey = cache_key(question.first(p.q.qname_wire_len), p.q.qtype, p.q.qclass, p.q.dnssec_ok,
                        (p.q.flags & 0x0010u) != 0, kb);
  auto entry = m_srv.cache.store(ckey, msg, *info, now);
  Pending done = std::move(p);
  if (done.tcp_fd >= 0) close_upstream_tcp(done.tcp_fd);
  m_pending.erase(key);
  std::span<std::uint8_t> out(m_scratch.data() + 2, m_scratch.size() - 2);
  std::size_t len = reply_from_entry(*entry, done.query, done.q, done.client_text, done.client.tcp(), out,
                                     done.start_ns, now, false);
  deliver(done.client, out.first(len));
  counters.latency.record(base::monotonic_ns() - done.start_ns);
}

void Worker::retry_or_fail(std::uint32_t key, std::string_view why, std::int64_t now) {
  auto it = m_pending.find(key);
  if (it == m_pending.end()) return;
  Pending p = std::move(it->second);
  m_pending.erase(it);
  if (p.tcp_fd >= 0) {
    close_upstream_tcp(p.tcp_fd);
    p.tcp_fd = -1;
  }
  counters.upstream_errors.add();
  if (p.attempts < m_srv.upstreams.size()) {
    p.upstream = (p.upstream + 1) % m_srv.upstreams.size();
    send_upstream(p, now);
    return;
  }
  fail_closed(p, why);
}

void Worker::fail_closed(const Pending& p, std::string_view why) {
  // Issue 4: SERVFAIL with EDE 22, never an answer from anywhere else.
  std::span<std::uint8_t> out(m_scratch.data() + 2, m_scratch.size() - 2);
  std::string text = "netmap: " + std::string(why);
  std::size_t len = write_simple(out, p.query, p.q, k_servfail, false, k_ede_no_reachable, text);
  deliver(p.client, out.first(len));
  std::int64_t latency = base::monotonic_ns() - p.start_ns;
  counters.latency.record(latency);
  if (m_srv.cfg.on_event) emit(p.q, p.query, p.client_text, p.client.tcp(), "allowed", nullptr, k_servfail, latency, std::string(why));
}

void Worker::deliver(const ClientRef& to, std::span<const std::uint8_t> reply) {
  if (reply.empty()) return;
  if (!to.tcp()) {
    iovec iov{const_cast<std::uint8_t*>(reply.data()), reply.size()};
    alignas(cmsghdr) char ctrl[k_local_dest_space];
    msghdr h{};
    h.msg_name = const_cast<sockaddr_storage*>(&to.addr.ss);
    h.msg_namelen = to.addr.len;
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    if (std::size_t used = write_local_dest(to.local, ctrl); used != 0) {
      h.msg_control = ctrl;
      h.msg_controllen = used;
    }
    if (sendmsg(to.udp_fd, &h, MSG_DONTWAIT) < 0) counters.dropped.add();
    return;
  }
  auto it = m_tcp.find(to.tcp_fd);
  if (it == m_tcp.end() || it->second.serial != to.tcp_serial) return; // the client went away
  auto& c = it->second;
  if (c.out.size() > k_tcp_max_out) return close_tcp(to.tcp_fd); // it does not read its answers
  c.last_ns = base::monotonic_ns(); // an answer owed is activity: the idle sweep must not close it
  c.out.push_back(static_cast<std::uint8_t>(reply.size() >> 8));
  c.out.push_back(static_cast<std::uint8_t>(reply.size()));
  c.out.insert(c.out.end(), reply.begin(), reply.end());
  tcp_flush(c);
}

void Worker::expire(std::int64_t now) {
  while (!m_deadlines.empty() && m_deadlines.front().first <= now) {
    auto [deadline, key] = m_deadlines.front();
    m_deadlines.pop_front();
    auto it = m_pending.find(key);
    if (it != m_pending.end() && it->second.deadline_ns == deadline) retry_or_fail(key, "upstream timed out", now);
  }
}

void Worker::start_upstream_tcp(std::uint32_t key, std::int64_t now) {
  // RFC 7766 §6.2.2 / RFC 1035 §4.2.2: the truncated answer is asked again over TCP.
  auto it = m_pending.find(key);
  if (it == m_pending.end()) return;
  Pending& p = it->second;
  const base::SockAddr& u = m_srv.upstreams[p.upstream];
  base::Fd fd(socket(u.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd || (connect(fd.get(), reinterpret_cast<const sockaddr*>(&u.ss), u.len) < 0 && errno != EINPROGRESS)) {
    retry_or_fail(key, "upstream TCP connect failed", now);
    return;
  }
  UpTcp t;
  t.key = key;
  t.out.resize(2 + 600);
  std::size_t len = write_upstream_query(std::span(t.out).subspan(2), p.query, p.q, p.id);
  t.out.resize(2 + len);
  store16(t.out.data(), static_cast<std::uint16_t>(len));
  p.tcp_fd = fd.get();
  p.deadline_ns = now + m_srv.cfg.upstream_timeout.count() * 1'000'000;
  m_deadlines.emplace_back(p.deadline_ns, key);
  watch(fd.get(), EPOLLOUT | EPOLLIN, k_tag_up_tcp);
  t.fd = std::move(fd);
  int raw = t.fd.get();
  m_up_tcp.emplace(raw, std::move(t));
}

void Worker::on_upstream_tcp(int fd, std::uint32_t events, std::int64_t now) {
  auto it = m_up_tcp.find(fd);
  if (it == m_up_tcp.end()) return;
  UpTcp& t = it->second;
  std::uint32_t key = t.key;
  auto waiting = m_pending.find(key);
  if (waiting == m_pending.end() || waiting->second.tcp_fd != fd) {
    // Nobody waits on this connection any more: left open, its EOF would wake the loop forever.
    close_upstream_tcp(fd);
    return;
  }
  if (events & (EPOLLERR | EPOLLHUP)) {
    if (!(events & EPOLLIN)) return retry_or_fail(key, "upstream TCP connection failed", now);
  }
  if ((events & EPOLLOUT) && t.sent < t.out.size()) {
    ssize_t n = send(fd, t.out.data() + t.sent, t.out.size() - t.sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) return retry_or_fail(key, "upstream TCP send failed", now);
    if (n > 0) t.sent += static_cast<std::size_t>(n);
    if (t.sent == t.out.size()) rewatch(fd, EPOLLIN, k_tag_up_tcp);
  }
  if (!(events & EPOLLIN)) return;
  std::uint8_t buf[16384];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return retry_or_fail(key, "upstream closed the TCP connection", now);
    if (n < 0) {
      if (errno == EAGAIN) break;
      return retry_or_fail(key, "upstream TCP receive failed", now);
    }
    t.in.insert(t.in.end(), buf, buf + n);
    if (t.in.size() > 65537) return retry_or_fail(key, "upstream TCP answer too long", now);
  }
  if (t.in.size() < 2 || t.in.size() < 2u + load16(t.in.data())) return;
  std::vector<std::uint8_t> msg(t.in.begin() + 2, t.in.begin() + 2 + load16(t.in.data()));
  on_upstream_answer(key, msg, true, now);
}

void Worker::close_upstream_tcp(int fd) {
  auto it = m_up_tcp.find(fd);
  if (it == m_up_tcp.end()) return;
  epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
  m_up_tcp.erase(it);
}

void Worker::abandon_all() {
  std::vector<std::uint32_t> keys;
  for (const auto& [k, p] : m_pending) keys.push_back(k);
  for (auto k : keys) {
    auto it = m_pending.find(k);
    if (it == m_pending.end()) continue;
    it->second.attempts = static_cast<unsigned>(m_srv.upstreams.size()); // no retry while stopping
    retry_or_fail(k, "resolver stopping", base::monotonic_ns());
  }
}

} // namespace netmap::dns
