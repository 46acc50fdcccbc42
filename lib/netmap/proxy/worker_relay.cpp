// The upstream half of a session: connecting, the parent proxy's CONNECT, the ClientHello peek,
// rewriting the response head of forwarded requests, and the bounded relay with backpressure.

#include "netmap/proxy/worker.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/text.hpp"
#include "netmap/policy/domain_name.hpp"
#include "netmap/proxy/client_hello.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>
#include <cstring>
#include <utility>

namespace netmap::proxy::detail {

namespace {
constexpr std::size_t k_hello_limit = 16 * 1024; // past this, the tunnel relays without a verdict
constexpr std::int64_t k_hello_wait_ns = 3'000'000'000;
// A tunnel direction that has carried this much is a bulk transfer: it switches to splice(2),
// whose pipe costs two fds and three syscalls to set up, not worth it for a short exchange.
constexpr std::uint64_t k_splice_after = 256 * 1024;
// Interim (1xx) responses move from the server's buffer to the client's queue as soon as they are
// parsed, so without a cap a server sending them endlessly to a slow client grows that queue
// without bound. A few 100 Continue and 103 Early Hints are all an honest server sends.
constexpr int k_max_interim = 32;

void append_note(std::string& note, const std::string& more) { note += note.empty() ? more : "; " + more; }

// How a final response's body is delimited (RFC 9112 §6.3).
struct ResponseFraming {
  bool bad = false;     ///< Content-Length copies disagree or one is invalid, with no Transfer-Encoding
  bool chunked = false; ///< a Transfer-Encoding is present: it wins, and Content-Length is dropped
  std::optional<std::uint64_t> length; ///< the body's length when known; else it runs until close
};

// None for HEAD, 204 and 304; else Transfer-Encoding (the body runs until the server closes, as
// we asked for Connection: close), or one valid Content-Length whose every copy agrees.
ResponseFraming response_framing(const std::string& method, const ResponseHead& h) {
  ResponseFraming f;
  std::optional<std::uint64_t> length;
  bool bad_length = false;
  for (const auto& field : h.headers) {
    if (iequals(field.name, "transfer-encoding")) f.chunked = true;
    if (!iequals(field.name, "content-length")) continue;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(field.value.data(), field.value.data() + field.value.size(), v);
    if (ec != std::errc() || p != field.value.data() + field.value.size() || field.value.empty() || (length && *length != v))
      bad_length = true;
    length = v;
  }
  if (method == "HEAD" || h.status == 204 || h.status == 304) {
    f.length = 0;
    return f;
  }
  if (f.chunked) return f;
  f.bad = bad_length;
  f.length = length;
  return f;
}
} // namespace

void Worker::try_connect(Session& s) {
  while (s.next_addr < s.addrs.size()) {
    const base::SockAddr& a = s.addrs[s.next_addr++];
    base::Fd fd(::socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      s.connect_error = std::strerror(errno);
      continue;
    }
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.ss), a.len);
    if (rc != 0 && errno != EINPROGRESS) {
      s.connect_error = std::strerror(errno);
      continue;
    }
    if (s.server_reg) ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, s.server.get(), nullptr);
    s.server_reg = false;
    s.server_hup = false;
    s.server = std::move(fd);
    s.ev.address = a.host();
    s.phase = Phase::Connecting;
    if (rc == 0) return on_connected(s);
    // A nearby server (loopback) has often completed the handshake before connect() returned: an
    // empty send says so at once (RFC 9293 §3.10.2 allows SEND only when established, else it
    // waits: EAGAIN here), saving a trip through epoll_wait and a getsockopt per connection.
    if (::send(s.server.get(), nullptr, 0, MSG_NOSIGNAL | MSG_DONTWAIT) == 0) return on_connected(s);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      s.connect_error = std::strerror(errno == EPIPE ? ECONNREFUSED : errno);
      s.server.reset();
      continue;
    }
    return update(s);
  }
  ++m_shared.counters.upstream_errors;
  std::string what = s.parent ? "the upstream proxy " + s.parent->url : s.ev.name + ":" + std::to_string(s.ev.port);
  refuse(s, plain_refusal(502, "cannot connect to " + what + ": " + s.connect_error, "upstream-connect-failure"), nullptr);
}

void Worker::on_server_event(Session& s, std::uint32_t events) {
  if (s.phase == Phase::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.server.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      s.connect_error = std::strerror(err != 0 ? err : ECONNREFUSED);
      return try_connect(s);
    }
    if (events & EPOLLOUT) on_connected(s);
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    if (!read_into(s, false)) return close_session(s);
    if (s.phase == Phase::Parent) return on_parent_reply(s);
    if (s.await_head) on_response_head(s);
    if (s.client && !flush(s, false)) return close_session(s);
  }
  if (s.server && (events & EPOLLOUT) && !flush(s, true)) return close_session(s);
}

void Worker::on_connected(Session& s) {
  s.phase = Phase::Relay;
  s.deadline_ns = 0;
  if (s.tunnel && s.parent) {
    // RFC 9110 §9.3.6: our own CONNECT to the parent, with its credentials and our Via for loops.
    std::string target = s.ev.name + ":" + std::to_string(s.ev.port);
    s.to_server = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nVia: 1.1 " + m_shared.via_token + "\r\n";
    if (!s.parent->authorization.empty()) s.to_server += "Proxy-Authorization: " + s.parent->authorization + "\r\n";
    s.to_server += "\r\n";
    s.phase = Phase::Parent;
    s.deadline_ns = base::monotonic_ns() + std::int64_t{m_shared.config.connect_timeout_ms} * 1'000'000;
  } else if (s.tunnel) {
    s.to_client = "HTTP/1.1 200 Connection established\r\n\r\n";
    s.ev.status = 200;
    s.phase = Phase::Hello;
    s.deadline_ns = base::monotonic_ns() + k_hello_wait_ns;
    if (s.up.size() > 0) check_hello(s, false); // bytes that arrived with the CONNECT head
  }
  if (s.client && !flush(s, true)) return close_session(s);
  if (s.client && !flush(s, false)) return close_session(s);
  if (s.client) update(s);
}

void Worker::on_parent_reply(Session& s) {
  auto r = parse_response_head(s.down.bytes(), m_shared.config.max_head_bytes);
  std::string who = "the upstream proxy " + s.parent->url;
  if (r.status == HeadStatus::Incomplete && !s.server_eof) return;
  ++m_shared.counters.upstream_errors;
  if (r.status != HeadStatus::Complete)
    return refuse(s, plain_refusal(502, who + " sent no valid answer to CONNECT", "upstream-proxy-error"), nullptr);
  int code = r.head.status;
  if (code / 100 != 2) {
    // 407 is the standard answer (RFC 9110 §15.5.8); tinyproxy answers 401 for the same cause.
    std::string more = code == 407 || code == 401 ? " (check the credentials in its URL)" : "";
    return refuse(s, plain_refusal(502, who + " answered " + std::to_string(code) + " " + base::escape_bytes(r.head.reason) +
                                            " to CONNECT " + s.ev.name + more, "upstream-proxy-error"), nullptr);
  }
  --m_shared.counters.upstream_errors;
  s.down.consume(r.head_bytes);
  s.to_client = "HTTP/1.1 200 Connection established\r\n\r\n";
  s.ev.status = 200;
  s.phase = Phase::Hello;
  s.deadline_ns = base::monotonic_ns() + k_hello_wait_ns;
  if (s.up.size() > 0) check_hello(s, false);
  if (s.client && !flush(s, false)) return close_session(s);
}

void Worker::on_response_head(Session& s) {
  for (;;) {
    auto r = parse_response_head(s.down.bytes(), m_shared.config.max_head_bytes);
    if (r.status == HeadStatus::Incomplete && !s.server_eof) return;
    if (r.status != HeadStatus::Complete) {
      ++m_shared.counters.upstream_errors;
      return refuse(s, plain_refusal(502, s.ev.name + " sent no valid HTTP response head", "upstream-bad-response"), nullptr);
    }
    std::string connection;
    for (const auto& f : r.head.headers)
      if (iequals(f.name, "connection")) connection += f.value + ",";
    bool interim = r.head.status / 100 == 1 && r.head.status != 101;
    if (interim && ++s.interim_responses > k_max_interim) {
      ++m_shared.counters.upstream_errors;
      std::string interims = std::move(s.to_client); // whole 1xx heads: a final answer may follow them
      refuse(s, plain_refusal(502, s.ev.name + " sent more than " + std::to_string(k_max_interim) + " interim (1xx) responses",
                              "upstream-bad-response"), nullptr);
      s.to_client.insert(0, interims);
      return;
    }
    auto framing = response_framing(s.ev.method, r.head);
    if (!interim && framing.bad) {
      // RFC 9112 §6.3 item 5: a proxy discards such a response and answers 502; relayed, the
      // client and any cache behind it could each take a different length for the body.
      ++m_shared.counters.upstream_errors;
      return refuse(s, plain_refusal(502, s.ev.name + " sent conflicting or invalid Content-Length", "upstream-bad-response"), nullptr);
    }
    std::string out = "HTTP/1.1 " + std::to_string(r.head.status) + " " + r.head.reason + "\r\n";
    bool length_sent = false;
    for (const auto& f : r.head.headers) {
      if (is_hop_by_hop(f.name, connection)) continue;
      if (iequals(f.name, "content-length")) {
        if (framing.chunked) continue; // §6.3 item 3: removed before forwarding
        if (std::exchange(length_sent, true)) continue; // agreeing copies go on as one (RFC 9110 §8.6)
      }
      out += f.name + ": " + f.value + "\r\n";
    }
    out += "Via: 1.1 " + m_shared.via_token + "\r\n";
    if (!interim) out += "Connection: close\r\n";
    out += "\r\n";
    s.to_client += out;
    s.down.consume(r.head_bytes);
    if (!interim) {
      s.ev.status = r.head.status;
      s.await_head = false;
      s.body_known = framing.length.has_value();
      s.body_left = framing.length.value_or(0);
      return;
    }
  }
}

void Worker::check_hello(Session& s, bool final) {
  auto info = read_client_hello(s.up.bytes());
  if (info.status == HelloStatus::NeedMore && !final && s.up.size() < k_hello_limit) return;
  if (info.status == HelloStatus::Ok && info.has_server_name) {
    auto sni = policy::DomainName::parse(info.server_name);
    std::string shown = sni ? sni.value().str() : base::escape_bytes(info.server_name);
    if (shown != s.ev.name) {
      ++m_shared.counters.sni_mismatches;
      append_note(s.ev.note, "sni-mismatch: " + shown);
      bool allowed_too = sni && m_shared.matcher()->decide(sni.value()).reachable();
      if (m_shared.config.sni_mismatch == SniMismatch::Block && !allowed_too) {
        ++m_shared.counters.blocked;
        append_note(s.ev.note, "tunnel closed");
        s.ev.verdict = sni ? policy::decision_name(m_shared.matcher()->decide(sni.value()).decision) : "invalid";
        if (m_shared.config.on_refusal) m_shared.config.on_refusal(s.ev);
        return close_session(s);
      }
    }
  } else if (info.status == HelloStatus::Ok && !info.has_server_name) {
    append_note(s.ev.note, "no-sni");
  }
  if (info.ech) append_note(s.ev.note, "ech");
  s.phase = Phase::Relay;
  s.deadline_ns = 0;
  if (!flush(s, true)) return close_session(s);
  update(s);
}

bool Worker::read_into(Session& s, bool from_client) {
  Buffer& b = from_client ? s.up : s.down;
  base::Fd& fd = from_client ? s.client : s.server;
  if ((from_client ? s.client_eof : s.server_eof) || b.space() == 0) return true;
  std::size_t want = b.space();
  bool limited = m_shared.limiter.limits_bytes();
  std::int64_t now = limited ? base::monotonic_ns() : 0;
  if (limited) {
    want = m_shared.limiter.take_bytes(s.ev.name, want, now);
    if (want == 0) {
      s.throttle_ns = now + std::max<std::int64_t>(1'000'000, m_shared.limiter.bytes_wait_ns(s.ev.name, now));
      return true;
    }
  }
  if (m_shared.config.splice && s.tunnel && s.phase == Phase::Relay && !b.piped() && b.size() == 0 &&
      (from_client ? s.ev.bytes_up : s.ev.bytes_down) >= k_splice_after)
    if (b.use_pipe(m_shared.config.buffer_bytes)) ++m_shared.counters.spliced; // else it stays a memory buffer
  ssize_t n = b.piped() ? b.splice_from(fd.get(), want) : ::recv(fd.get(), b.write_ptr(), want, 0);
  std::size_t got = n > 0 ? static_cast<std::size_t>(n) : 0;
  if (limited && got < want) m_shared.limiter.return_bytes(s.ev.name, want - got, now);
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  if (n == 0) {
    (from_client ? s.client_eof : s.server_eof) = true;
    return true;
  }
  b.produced(got);
  if (from_client && !s.tunnel) {
    std::size_t before = b.size();
    if (!frame_request_body(s, got)) return true; // refused or closed already
    got -= before - b.size();
  }
  if (from_client) {
    s.ev.bytes_up += got;
    m_shared.counters.bytes_up += got;
  } else {
    s.ev.bytes_down += got;
    m_shared.counters.bytes_down += got;
  }
  return true;
}

bool Worker::flush(Session& s, bool to_server) {
  base::Fd& fd = to_server ? s.server : s.client;
  if (!fd || (to_server ? s.server_shut : s.client_shut)) return true;
  if (to_server && s.phase == Phase::Connecting) return true;
  std::string& own = to_server ? s.to_server : s.to_client;
  Buffer& b = to_server ? s.up : s.down;
  bool ready = to_server ? s.phase == Phase::Relay : (!s.await_head && s.phase != Phase::Parent && s.phase != Phase::Linger);
  // A response of known length ends there: bytes the server sends after it (a second response)
  // are no part of it and never reach the client (RFC 9112 §6.3).
  auto relayable = [&] { return !to_server && s.body_known ? std::min<std::uint64_t>(b.size(), s.body_left) : b.size(); };
  // Our own bytes (a rewritten response head, a 200) and the relayed ones leave in one sendmsg.
  while (!own.empty() || (ready && relayable() > 0)) {
    if (own.empty() && b.piped()) {
      ssize_t n = b.splice_to(fd.get());
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      if (n == 0) return true;
      continue;
    }
    iovec iov[2];
    std::size_t count = 0;
    if (!own.empty()) iov[count++] = {own.data(), own.size()};
    if (ready && relayable() > 0 && !b.piped()) iov[count++] = {const_cast<char*>(b.data()), static_cast<std::size_t>(relayable())};
    msghdr mh{};
    mh.msg_iov = iov;
    mh.msg_iovlen = count;
    ssize_t n = ::sendmsg(fd.get(), &mh, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    std::size_t sent = static_cast<std::size_t>(n);
    std::size_t from_own = std::min(sent, own.size());
    own.erase(0, from_own);
    b.consume(sent - from_own);
    if (!to_server && s.body_known) s.body_left -= std::min<std::uint64_t>(s.body_left, sent - from_own);
  }
  return true;
}

} // namespace netmap::proxy::detail
