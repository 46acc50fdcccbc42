#include "netmap/dns/worker.hpp"

#include "netmap/dissect/dns_message.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/interrupt.hpp"
#include "netmap/base/sched_slice.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace netmap::dns {

namespace {

constexpr unsigned k_batch = 64;
constexpr std::size_t k_udp_buf = 4096;
// An idle worker sleeps until its next deadline; it still looks at the stop flag this often when
// it must notice a signal delivered to another thread (the command's own loop stops it sooner).
constexpr std::int64_t k_signal_poll_ns = 100'000'000;
constexpr std::int64_t k_idle_wake_ns = 1'000'000'000;
// Datagrams one wake-up must find before the socket is read directly (Worker::hold_busy): a
// lone query is answered and left in epoll, since taking it out and back costs two syscalls.
constexpr std::size_t k_busy_min = 4;
// UDP GSO (Worker::send_replies): at most 64 pieces a send (older kernels' UDP_MAX_SEGMENTS),
// each small enough for any path's MTU (1232, the EDNS size of DNS Flag Day 2020), since the
// kernel refuses a piece larger than the route's MTU.
constexpr unsigned k_gso_segments_max = 64;
constexpr std::size_t k_gso_size_max = 1232;
// One send is one IP packet before segmentation: its UDP payload must fit an IPv4 total length
// (65535 - 20 - 8), or the kernel refuses it (EMSGSIZE) - 64 answers of 1100 bytes would not.
constexpr std::size_t k_gso_bytes_max = 65507;

// A bounded text builder for EXTRA-TEXT: no allocation on the blocked path.
struct Text {
  char buf[k_ede_text_max];
  std::size_t len = 0;
  Text& operator<<(std::string_view s) noexcept {
    std::size_t n = std::min(s.size(), sizeof buf - len);
    std::memcpy(buf + len, s.data(), n);
    len += n;
    return *this;
  }
  [[nodiscard]] std::string_view view() const noexcept { return {buf, len}; }
};

void blocked_text(Text& t, const policy::Verdict& v, std::string_view name) {
  t << "netmap: ";
  switch (v.decision) {
  case policy::Decision::Denied:
    t << "denied by rule '" << (v.rule ? v.rule->written : "") << "'";
    break;
  case policy::Decision::Mock:
    t << "mock rule '" << (v.rule ? v.rule->written : "") << "': tests must mock this name";
    break;
  case policy::Decision::Invalid:
    t << "not a valid host name";
    break;
  default:
    t << "not on the allowlist; to allow it add the rule '" << name << "'";
    break;
  }
}

} // namespace

Worker::Worker(Server::Impl& srv, unsigned index)
    : tally(srv.cfg.tally_names), m_srv(srv), m_index(index), m_limiter(srv.cfg.rate_limit_qps, srv.cfg.rate_limit_burst),
      m_rng(0x9E3779B97F4A7C15ull ^ (static_cast<std::uint64_t>(base::monotonic_ns()) + index * 7919u)),
      m_scratch(65536 + 2) {}

Worker::~Worker() = default;

void Worker::watch(int fd, std::uint32_t events, std::uint32_t kind) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (std::uint64_t{kind} << 32) | static_cast<std::uint32_t>(fd);
  epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev);
}

void Worker::rewatch(int fd, std::uint32_t events, std::uint32_t kind) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (std::uint64_t{kind} << 32) | static_cast<std::uint32_t>(fd);
  epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &ev);
}

void Worker::watch_served(const ServedSocket& s) {
  // Shared sockets wake one worker per packet burst, not all (EPOLLEXCLUSIVE).
  watch(s.fd.get(), EPOLLIN | (s.owner < 0 ? EPOLLEXCLUSIVE : 0u), s.udp ? k_tag_udp : k_tag_listen);
}

void Worker::watch_served(bool udp_too) {
  for (const auto& s : m_srv.sockets)
    if (polls(s) && (udp_too || !s.udp)) watch_served(s);
}

void Worker::refresh_matcher() {
  std::uint64_t g = m_srv.generation.load(std::memory_order_acquire);
  if (g == m_generation) return;
  m_matcher = m_srv.current_matcher();
  m_generation = g;
}

void Worker::run() {
  base::request_slice(); // answers first after a stall, ahead of the build's processes
  m_epoll.reset(epoll_create1(EPOLL_CLOEXEC));
  watch(m_srv.stop_fd.get(), EPOLLIN, k_tag_stop);
  watch_served(true);
  open_upstreams();
  refresh_matcher();
  epoll_event evs[k_batch];
  bool on_signal = m_srv.cfg.stop_on_signal;
  while (!m_srv.stopping.load(std::memory_order_relaxed) && !(on_signal && base::stop_requested())) {
    int n = epoll_wait(m_epoll.get(), evs, k_batch, wait_ms());
    std::int64_t now = base::monotonic_ns();
    refresh_matcher();
    for (int i = 0; i < n; ++i) {
      auto kind = static_cast<std::uint32_t>(evs[i].data.u64 >> 32);
      auto fd = static_cast<int>(evs[i].data.u64 & 0xFFFFFFFFu);
      switch (kind) {
      case k_tag_udp:
        if (on_udp(fd, now) >= k_busy_min) hold_busy(fd);
        break;
      case k_tag_listen: on_accept(fd, now); break;
      case k_tag_upstream:
        for (std::size_t u = 0; u < m_upstream_fds.size(); ++u)
          if (m_upstream_fds[u].get() == fd) on_upstream_udp(u, now);
        break;
      case k_tag_tcp: on_tcp_client(fd, evs[i].events, now); break;
      case k_tag_up_tcp: on_upstream_tcp(fd, evs[i].events, now); break;
      default: break;
      }
    }
    if (!m_busy.empty()) poll_busy(now);
    expire(base::monotonic_ns());
    expire_tcp(now);
    if (m_accept_resume_ns && now >= m_accept_resume_ns) {
      m_accept_resume_ns = 0;
      watch_served(false);
    }
  }
  abandon_all();
}

const std::string& Worker::client_text(const sockaddr* sa) {
  const bool v6 = sa->sa_family == AF_INET6;
  const std::size_t n = v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  const std::uint16_t port = ntohs(v6 ? reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port
                                      : reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
  std::uint32_t h = port;
  if (v6) {
    const auto* b = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr;
    for (int i = 12; i < 16; ++i) h = h * 31 + b[i];
  } else {
    h ^= reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr;
  }
  ClientName& c = m_clients[(h ^ (h >> 4) ^ (h >> 8)) % m_clients.size()];
  if (c.text.empty() || std::memcmp(&c.addr, sa, n) != 0) {
    std::memcpy(&c.addr, sa, n);
    c.host = base::sockaddr_text(sa, static_cast<socklen_t>(n));
    // Events carry the port too: replay traces the client's socket to its process by it.
    c.text = (v6 ? "[" + c.host + "]:" : c.host + ":") + std::to_string(port);
  }
  m_client = &c;
  return c.text;
}

int Worker::wait_ms() const {
  if (!m_busy.empty()) return 0; // a held socket has work queued: look at the others without waiting
  const std::int64_t now = base::monotonic_ns(); // read only here: a busy loop turns without it
  std::int64_t next = now + (m_srv.cfg.stop_on_signal ? k_signal_poll_ns : k_idle_wake_ns);
  if (!m_deadlines.empty()) next = std::min(next, m_deadlines.front().first); // FIFO: one timeout for all
  if (!m_tcp.empty()) next = std::min(next, m_next_tcp_sweep_ns);
  if (m_accept_resume_ns) next = std::min(next, m_accept_resume_ns);
  if (next <= now) return 0;
  return static_cast<int>((next - now + 999'999) / 1'000'000); // rounded up: never early for a deadline
}

void Worker::hold_busy(int fd) {
  if (epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr) == 0) m_busy.push_back(fd);
}

void Worker::poll_busy(std::int64_t now) {
  for (std::size_t i = 0; i < m_busy.size();) {
    int fd = m_busy[i];
    if (on_udp(fd, now) != 0) {
      ++i;
      continue;
    }
    // Ran dry: back under epoll, which reports at once anything that came in meanwhile.
    for (const auto& s : m_srv.sockets)
      if (s.fd.get() == fd) watch_served(s);
    m_busy[i] = m_busy.back();
    m_busy.pop_back();
  }
}

std::size_t Worker::on_udp(int fd, std::int64_t) {
  // One batch in, one batch out: the syscalls are the cost that matters (see docs/performance.md).
  static thread_local std::vector<std::uint8_t> in_buf(k_batch * k_udp_buf), out_buf(k_batch * k_udp_buf);
  mmsghdr in[k_batch] = {}, out[k_batch] = {};
  iovec in_iov[k_batch], out_iov[k_batch];
  sockaddr_storage from[k_batch];
  // Filled only on a wildcard socket (local_dest.hpp); elsewhere the kernel writes no control.
  alignas(cmsghdr) char in_ctrl[k_batch][k_local_dest_space];
  alignas(cmsghdr) char out_ctrl[k_batch][k_local_dest_space];
  std::size_t got = 0;
  for (int rounds = 0; rounds < 4; ++rounds) {
    for (unsigned i = 0; i < k_batch; ++i) {
      in_iov[i] = {in_buf.data() + i * k_udp_buf, k_udp_buf};
      in[i].msg_hdr = {};
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
      in[i].msg_hdr.msg_name = &from[i];
      in[i].msg_hdr.msg_namelen = sizeof from[i];
      in[i].msg_hdr.msg_control = in_ctrl[i];
      in[i].msg_hdr.msg_controllen = sizeof in_ctrl[i];
    }
    int n = recvmmsg(fd, in, k_batch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return got;
    got += static_cast<unsigned>(n);
    // A query sent after reload() returned must meet the new policy, even in a busy stretch.
    refresh_matcher();
    std::int64_t start = base::monotonic_ns();
    unsigned replies = 0;
    for (int i = 0; i < n; ++i) {
      auto* sa = reinterpret_cast<const sockaddr*>(&from[i]);
      ClientRef ref;
      ref.udp_fd = fd;
      std::memcpy(&ref.addr.ss, &from[i], in[i].msg_hdr.msg_namelen);
      ref.addr.len = in[i].msg_hdr.msg_namelen;
      ref.local = read_local_dest(in[i].msg_hdr);
      std::span<const std::uint8_t> pkt(in_buf.data() + static_cast<std::size_t>(i) * k_udp_buf, in[i].msg_len);
      if (in[i].msg_hdr.msg_flags & MSG_TRUNC) pkt = pkt.first(k_header_size); // oversized: FORMERR at most
      std::span<std::uint8_t> slot(out_buf.data() + replies * k_udp_buf, k_udp_buf);
      std::size_t len = answer(pkt, sa, ref, slot, start);
      if (len == 0) continue;
      out_iov[replies] = {slot.data(), len};
      out[replies].msg_hdr = {};
      out[replies].msg_hdr.msg_iov = &out_iov[replies];
      out[replies].msg_hdr.msg_iovlen = 1;
      out[replies].msg_hdr.msg_name = &from[i];
      out[replies].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
      if (std::size_t used = write_local_dest(ref.local, out_ctrl[replies]); used != 0) {
        out[replies].msg_hdr.msg_control = out_ctrl[replies];
        out[replies].msg_hdr.msg_controllen = used;
      }
      ++replies;
    }
    send_replies(fd, out, out_iov, replies);
    std::int64_t took = base::monotonic_ns() - start;
    for (unsigned i = 0; i < replies; ++i) counters.latency.record(took);
    if (static_cast<unsigned>(n) < k_batch) return got;
  }
  return got;
}

namespace {

// Sends `n` messages; how many went before the first error (errno then says why).
unsigned send_all(int fd, mmsghdr* msgs, unsigned n) noexcept {
  unsigned sent = 0;
  while (sent < n) {
    int k = sendmmsg(fd, msgs + sent, n - sent, MSG_DONTWAIT);
    if (k <= 0) break;
    sent += static_cast<unsigned>(k);
  }
  return sent;
}

// Whether two replies go to one client from one source address, so one GSO send can carry both.
bool same_route(const msghdr& a, const msghdr& b) noexcept {
  return a.msg_namelen == b.msg_namelen && std::memcmp(a.msg_name, b.msg_name, a.msg_namelen) == 0 &&
         a.msg_controllen == b.msg_controllen &&
         (a.msg_controllen == 0 || std::memcmp(a.msg_control, b.msg_control, a.msg_controllen) == 0);
}

} // namespace

void Worker::send_replies(int fd, mmsghdr* out, iovec* iov, unsigned replies) {
  // One GSO send takes the IP and loopback path once for up to 64 datagrams; the receiver's
  // socket still gets them one by one. UDP_SEGMENT cuts a payload at one size with a shorter last
  // piece, so replies are ordered by client, then by size, longest first: a run of one client's
  // equal-size replies and the next shorter one go as one send. UDP keeps no order to break.
  // key: client (bits 24+), 0x1FFF - size (bits 8-20, so longest first), index (bits 0-7).
  static_assert(k_batch <= 256 && k_udp_buf <= 0x1FFF, "send_replies' sort key has no room");
  std::uint32_t key[k_batch];
  const msghdr* client[k_batch];
  unsigned clients = 0;
  for (unsigned r = 0; r < replies; ++r) {
    key[r] = r;
    if (!m_gso) continue; // one datagram a message, in arrival order
    const msghdr& h = out[r].msg_hdr;
    unsigned c = 0;
    while (c < clients && !same_route(*client[c], h)) ++c;
    if (c == clients) client[clients++] = &h;
    key[r] |= c << 24 | static_cast<std::uint32_t>(0x1FFF - iov[r].iov_len) << 8;
  }
  if (m_gso && replies > 1) std::sort(key, key + replies);
  mmsghdr msgs[k_batch] = {};
  iovec seq[k_batch];
  unsigned count[k_batch];
  const msghdr* route[k_batch]; // each send's first reply: its client and source address
  alignas(cmsghdr) char ctrl[k_batch][k_local_dest_space + CMSG_SPACE(sizeof(std::uint16_t))];
  unsigned n = 0;
  for (unsigned i = 0; i < replies;) {
    const unsigned first = key[i] & 0xFF;
    const std::size_t size = iov[first].iov_len;
    unsigned k = 1;
    std::size_t bytes = size;
    seq[i] = iov[first];
    while (m_gso && size <= k_gso_size_max && i + k < replies && k < k_gso_segments_max &&
           key[i + k] >> 24 == key[i] >> 24) {
      const unsigned r = key[i + k] & 0xFF;
      if (bytes + iov[r].iov_len > k_gso_bytes_max) break;
      bytes += iov[r].iov_len;
      seq[i + k] = iov[r];
      ++k;
      if (iov[r].iov_len < size) break;
    }
    msgs[n].msg_hdr = out[first].msg_hdr;
    msgs[n].msg_hdr.msg_iov = &seq[i];
    msgs[n].msg_hdr.msg_iovlen = k;
    if (k > 1) {
      // After the source address's control message, if the reply has one.
      const std::size_t used = msgs[n].msg_hdr.msg_controllen;
      if (used != 0) std::memcpy(ctrl[n], msgs[n].msg_hdr.msg_control, used);
      msgs[n].msg_hdr.msg_control = ctrl[n];
      msgs[n].msg_hdr.msg_controllen = used + CMSG_SPACE(sizeof(std::uint16_t));
      auto* c = reinterpret_cast<cmsghdr*>(ctrl[n] + used);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      auto seg = static_cast<std::uint16_t>(size);
      std::memcpy(CMSG_DATA(c), &seg, sizeof seg);
    }
    route[n] = &out[first].msg_hdr;
    count[n++] = k;
    i += k;
  }
  const unsigned sent = send_all(fd, msgs, n);
  if (sent == n) return;
  if (count[sent] > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EMSGSIZE)) {
    // A kernel or route that cannot segment (IPsec, no checksum offload, no UDP_SEGMENT): this
    // worker stops trying, and what is left goes one datagram a message. A send the route found
    // too large (a smaller MTU than assumed) is only split, this once.
    if (errno != EMSGSIZE) m_gso = false;
    mmsghdr single[k_batch] = {};
    unsigned m = 0;
    for (unsigned i = sent; i < n; ++i)
      for (std::size_t j = 0; j < msgs[i].msg_hdr.msg_iovlen; ++j) {
        single[m].msg_hdr = *route[i]; // its client and source address, without UDP_SEGMENT
        single[m++].msg_hdr.msg_iov = &msgs[i].msg_hdr.msg_iov[j];
      }
    counters.dropped.add(m - send_all(fd, single, m));
    return;
  }
  for (unsigned i = sent; i < n; ++i) counters.dropped.add(count[i]);
}

std::size_t Worker::answer(std::span<const std::uint8_t> pkt, const sockaddr* from, const ClientRef& ref,
                           std::span<std::uint8_t> out, std::int64_t now) {
  counters.queries.add();
  if (ref.tcp()) counters.tcp_queries.add();
  Query q;
  QueryStatus st = parse_query(pkt, q);
  if (st == QueryStatus::Drop) {
    counters.dropped.add();
    return 0;
  }
  bool allowed_client = base::is_loopback(from);
  for (const auto& c : m_srv.allow_from) allowed_client = allowed_client || c.contains(from);
  if (!allowed_client) {
    // Never an open resolver: REFUSED is no bigger than the question (RFC 1035 §4.1.1).
    counters.refused_clients.add();
    return write_simple(out, pkt, q, k_refused);
  }
  if (m_srv.cfg.rate_limit_qps) {
    std::uint64_t key = base::address_hash(from);
    if (!m_limiter.admit(key, now)) {
      counters.rate_limited.add();
      return 0;
    }
  }
  switch (st) {
  case QueryStatus::FormErr: counters.formerr.add(); return write_simple(out, pkt, q, k_formerr);
  case QueryStatus::NotImp: counters.notimp.add(); return write_simple(out, pkt, q, k_notimp);
  case QueryStatus::BadVers: return write_simple(out, pkt, q, 16);
  default: break;
  }
  const std::string& client = client_text(from);
  tally.client(m_client->host); // the summary counts clients by address, whatever their port
  if (q.qclass != k_class_in || q.qtype == k_type_axfr || q.qtype == k_type_ixfr) {
    // Only the Internet class, and no zone transfers: we serve no zones (RFC 5936 §4.2).
    return write_simple(out, pkt, q, k_refused);
  }
  std::array<char, 264> kb;
  std::string_view key;
  const bool cd = (q.flags & 0x0010u) != 0;
  const std::uint64_t qhash = q.name_ok ? NearCache::question_hash(q.name_hash, q.qtype, q.qclass, (q.dnssec_ok ? 1u : 0u) | (cd ? 2u : 0u)) : 0;
  // Only questions the shared cache answered under this policy generation are in the memo; the
  // rest (every blocked name) are turned away by a tag before a key is built.
  if (q.name_ok && m_near.may_hold(qhash)) {
    key = cache_key(pkt.subspan(k_header_size, q.qname_wire_len), q.qtype, q.qclass, q.dnssec_ok, cd, kb);
    if (NearHit hit = m_near.find(qhash, key, m_generation, now); hit.entry) {
      counters.allowed.add();
      counters.cache_hits.add();
      tally.name(q.name_view(), q.name_hash, true, "allowed", hit.rule ? hit.rule->written : "");
      return reply_from_entry(*hit.entry, pkt, q, client, ref.tcp(), out, now, now, true);
    }
  }
  policy::Verdict v = q.name_ok ? m_matcher->decide_canonical(q.name_view()) : policy::Verdict{policy::Decision::Invalid, nullptr};
  if (!v.reachable()) {
    if (q.name_ok) return answer_blocked(pkt, q, v, q.name_view(), client, ref.tcp(), out, now);
    std::string shown = display_name(pkt);
    return answer_blocked(pkt, q, v, shown, client, ref.tcp(), out, now);
  }
  counters.allowed.add();
  tally.name(q.name_view(), q.name_hash, true, "allowed", v.rule ? v.rule->written : "");
  if (key.empty()) key = cache_key(pkt.subspan(k_header_size, q.qname_wire_len), q.qtype, q.qclass, q.dnssec_ok, cd, kb);
  return answer_allowed(pkt, q, ref, client, key, qhash, v.rule, out, now);
}

std::size_t Worker::answer_blocked(std::span<const std::uint8_t> pkt, const Query& q, const policy::Verdict& v,
                                   std::string_view name, const std::string& client, bool tcp,
                                   std::span<std::uint8_t> out, std::int64_t now) {
  // RFC 8914 §4.16: EDE 15 says a policy blocked the name; the text says which rule to add.
  counters.blocked.add();
  Text t;
  if (q.edns) blocked_text(t, v, name); // the text travels in OPT: without EDNS nobody reads it
  auto rcode = m_srv.cfg.block_rcode == BlockRcode::Refused ? k_refused : k_nxdomain;
  std::size_t len = write_blocked(out, pkt, q, rcode, t.view());
  const char* verdict = policy::decision_name(v.decision);
  std::string_view rule = v.rule ? std::string_view(v.rule->written) : name;
  if (q.name_ok) tally.name(name, q.name_hash, false, verdict, rule); // name is q's own then
  else tally.name(name, false, verdict, rule);
  if (m_srv.cfg.on_event) emit(q, pkt, client, tcp, verdict, v.rule, rcode, base::monotonic_ns() - now);
  return len;
}

std::size_t Worker::answer_allowed(std::span<const std::uint8_t> pkt, const Query& q, const ClientRef& ref,
                                   const std::string& client, std::string_view key, std::uint64_t qhash,
                                   const policy::Rule* rule, std::span<std::uint8_t> out, std::int64_t now) {
  if (q.qtype == k_type_any) {
    // RFC 8482 §4.2: a minimal synthesized answer, never the whole RRset collection.
    std::size_t len = write_any_hinfo(out, pkt, q);
    if (m_srv.cfg.on_event) emit(q, pkt, client, ref.tcp(), "allowed", nullptr, k_noerror, base::monotonic_ns() - now, "rfc8482");
    return len;
  }
  if (auto e = m_srv.cache.find(key, now)) {
    counters.cache_hits.add();
    m_near.remember(qhash, m_generation, e, rule);
    return reply_from_entry(*e, pkt, q, client, ref.tcp(), out, now, now, true);
  }
  forward(pkt, q, ref, client, now);
  return 0;
}

std::size_t Worker::reply_from_entry(const CacheEntry& e, std::span<const std::uint8_t> pkt, const Query& q,
                                     const std::string& client, bool tcp, std::span<std::uint8_t> out,
                                     std::int64_t start_ns, std::int64_t now_ns, bool from_cache) {
  // The policy covers the whole resolution: every alias target is decided now, on each answer,
  // so a reload or a cached chain never lets a blocked target through (issue 4).
  for (const auto& target : e.alias_targets) {
    policy::Verdict tv = m_matcher->decide(std::string_view(target));
    if (tv.reachable()) continue;
    std::string note = "alias-of: " + std::string(q.name_view());
    tally.name(target, false, policy::decision_name(tv.decision), tv.rule ? std::string_view(tv.rule->written) : target);
    if (m_srv.cfg.cname_policy == CnamePolicy::Strict) {
      counters.alias_blocked.add();
      Text t;
      t << "netmap: alias target '" << target << "' is not on the allowlist; to allow it add the rule '" << target << "'";
      auto rcode = m_srv.cfg.block_rcode == BlockRcode::Refused ? k_refused : k_nxdomain;
      std::size_t len = write_blocked(out, pkt, q, rcode, t.view());
      if (m_srv.cfg.on_event) emit(q, pkt, client, tcp, "blocked-alias", tv.rule, rcode, base::monotonic_ns() - start_ns, note + " -> " + target);
      return len;
    }
    counters.alias_reported.add();
    if (m_srv.cfg.on_event) {
      inventory::Event ev;
      ev.time_us = base::now_unix_us();
      ev.producer = m_srv.cfg.producer;
      ev.via = inventory::SeenVia::Resolver;
      ev.name = target;
      ev.client = client;
      ev.transport = tcp ? "tcp" : "udp";
      ev.qtype = dissect::dns_type_name(q.qtype);
      ev.verdict = policy::decision_name(tv.decision);
      if (tv.rule) ev.rule = tv.rule->written, ev.rule_source = tv.rule->source.str();
      ev.note = "cname-of: " + std::string(q.name_view());
      m_srv.cfg.on_event(ev);
    }
  }
  // RFC 6891 §6.2.5: no UDP answer bigger than the size we advertise (DNS flag day 2020), whatever
  // the client claims: a spoofed source must not draw a 4 KiB answer out of a 40-byte query.
  std::size_t udp_max = q.edns ? std::min(q.udp_size, k_edns_size) : 512;
  std::size_t limit = tcp ? out.size() : std::min(udp_max, out.size());
  std::size_t len = write_from_cache(out, e, pkt, q.question_end, q.flags, q.edns, q.dnssec_ok, now_ns);
  bool tc = len == 0 || len > limit;
  if (tc) {
    // RFC 1035 §4.2.1 / RFC 7766 §5: too big for the client's UDP size; it retries over TCP.
    counters.truncated.add();
    len = write_simple(out, pkt, q, static_cast<std::uint8_t>(e.rcode & 0xF), true);
  }
  if (m_srv.cfg.on_event)
    emit(q, pkt, client, tcp, "allowed", m_matcher->decide(q.name_view()).rule, e.rcode, base::monotonic_ns() - start_ns,
         std::string(from_cache ? "cache" : "") + (tc ? (from_cache ? ",tc" : "tc") : ""), e.first_address, e.ttl);
  return len;
}

void Worker::emit(const Query& q, std::span<const std::uint8_t> pkt, const std::string& client, bool tcp,
                  std::string_view verdict, const policy::Rule* rule, unsigned rcode, std::int64_t latency_ns,
                  std::string note, std::string address, std::uint32_t ttl) {
  inventory::Event ev;
  ev.time_us = base::now_unix_us();
  ev.producer = m_srv.cfg.producer;
  ev.via = inventory::SeenVia::Resolver;
  ev.name = q.name_ok ? std::string(q.name_view()) : display_name(pkt);
  ev.client = client;
  ev.transport = tcp ? "tcp" : "udp";
  ev.qtype = dissect::dns_type_name(q.qtype);
  ev.rcode = rcode_name(rcode);
  ev.verdict = std::string(verdict);
  if (rule) {
    ev.rule = rule->written;
    ev.rule_source = rule->source.str();
  }
  ev.latency_ms = static_cast<double>(latency_ns) / 1e6;
  ev.note = std::move(note);
  ev.address = std::move(address);
  ev.ttl = ttl;
  m_srv.cfg.on_event(ev);
}

} // namespace netmap::dns
