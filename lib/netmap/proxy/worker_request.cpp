// The request half of a session: reading and judging the head, refusing, resolving the upstream.

#include "netmap/proxy/worker.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/text.hpp"
#include "netmap/policy/domain_name.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <utility>

namespace netmap::proxy::detail {

namespace {

// The request head as sent on: origin-form to an origin, absolute-form to a parent proxy, without
// hop-by-hop fields (RFC 9110 §7.6.1), with our Via (§7.6.3) and Connection: close (we serve one
// request per client connection, so the response can be relayed without parsing its framing).
std::string forward_head(const RequestHead& h, const ProxyTarget& t, const UpstreamProxy* parent, const std::string& via) {
  std::string connection;
  for (const auto& f : h.headers)
    if (iequals(f.name, "connection")) connection += f.value + ",";
  std::string authority = t.authority.port == 80 ? (t.authority.ip_literal && t.authority.host.find(':') != std::string::npos
                                                        ? "[" + t.authority.host + "]"
                                                        : t.authority.host)
                                                  : t.authority.str();
  std::string out = h.method + " " + (parent ? "http://" + authority + t.path : t.path) + " HTTP/1.1\r\n";
  out += "Host: " + authority + "\r\n";
  std::string prior_via;
  bool length_sent = false;
  for (const auto& f : h.headers) {
    if (is_hop_by_hop(f.name, connection) || iequals(f.name, "host")) continue;
    if (iequals(f.name, "via")) {
      prior_via += f.value + ", ";
      continue;
    }
    // Copies of one Content-Length (check_framing refused differing ones) go on as one field
    // (RFC 9110 §8.6): some parsers, Node's among them, reject a message that repeats it.
    if (iequals(f.name, "content-length") && std::exchange(length_sent, true)) continue;
    out += f.name + ": " + f.value + "\r\n";
  }
  out += "Via: " + prior_via + (h.minor_version == 0 ? "1.0 " : "1.1 ") + via + "\r\n";
  if (parent && !parent->authorization.empty()) out += "Proxy-Authorization: " + parent->authorization + "\r\n";
  out += "Connection: close\r\n\r\n";
  return out;
}

bool method_allowed(const std::vector<std::string>& methods, const std::string& m) {
  if (methods.empty()) return true;
  for (const auto& x : methods)
    if (x == m) return true;
  return false;
}

} // namespace

void Worker::on_client_readable(Session& s) {
  if (s.phase == Phase::Head || s.phase == Phase::Linger) {
    char* p = s.up.write_ptr();
    std::size_t room = s.up.space();
    if (s.phase == Phase::Linger && room == 0) {
      s.up.consume(s.up.size());
      p = s.up.write_ptr();
      room = s.up.space();
    }
    ssize_t n = ::recv(s.client.get(), p, room, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) return close_session(s); // a client gone before its head, or done lingering
    if (s.phase == Phase::Linger) return s.up.consume(s.up.size());
    s.up.produced(static_cast<std::size_t>(n));
    auto parsed = parse_request_head(s.up.bytes(), m_shared.config.max_head_bytes);
    if (parsed.status == HeadStatus::Incomplete) return;
    ++m_shared.counters.requests;
    if (parsed.status == HeadStatus::Error) {
      ++m_shared.counters.bad_requests;
      return refuse(s, plain_refusal(parsed.error_status, parsed.reason), nullptr);
    }
    return on_head(s, parsed.head, parsed.head_bytes);
  }
  if (s.phase == Phase::Hello || s.phase == Phase::Relay || (s.phase != Phase::Head && s.client_reg && (s.client_events & EPOLLIN))) {
    if (!read_into(s, true)) return close_session(s);
    if (s.phase != Phase::Hello && s.phase != Phase::Relay) return; // held until the tunnel is up
    if (s.phase == Phase::Hello) check_hello(s, s.client_eof);
    if (s.client && s.phase == Phase::Relay && !flush(s, true)) return close_session(s);
    return;
  }
  // Resolving, Connecting, Parent: no read interest; HUP/ERR here means the client went away.
  char probe;
  ssize_t n = ::recv(s.client.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    s.ev.note = "client-closed";
    close_session(s);
  }
}

void Worker::on_head(Session& s, const RequestHead& head, std::size_t head_bytes) {
  s.ev.method = base::escape_bytes(head.method);
  auto t = parse_target(head);
  if (!t.target) {
    ++m_shared.counters.bad_requests;
    s.ev.name = {};
    return refuse(s, plain_refusal(t.error_status, t.reason), "invalid");
  }
  s.tunnel = t.target->tunnel;
  s.ev.via = s.tunnel ? inventory::SeenVia::Connect : inventory::SeenVia::Proxy;
  s.ev.port = t.target->authority.port;
  if (!decide(s, head, *t.target)) return;
  s.up.consume(head_bytes); // what follows the head is body (http) or early tunnel bytes
  s.parent = m_shared.config.upstream.pick(t.target->authority.host, s.tunnel);
  if (!s.tunnel) {
    s.to_server = forward_head(head, *t.target, s.parent, m_shared.via_token);
    s.await_head = true;
    s.request_body = t.target->chunked ? BodyFramer::chunked() : BodyFramer::fixed(t.target->content_length);
    if (!frame_request_body(s, s.up.size())) return;
  }
  start_connect(s);
}

bool Worker::decide(Session& s, const RequestHead& head, const ProxyTarget& t) {
  const auto& cfg = m_shared.config;
  const std::string& host = t.authority.host;
  s.has_request = true;
  if (t.authority.ip_literal) {
    s.ev.address = host; // the unnamed destination the inventory lists
    refuse(s, ip_literal_refusal(t.authority.str()), "ip-literal");
    return false;
  }
  auto name = policy::DomainName::parse(host);
  s.ev.name = name ? name.value().str() : base::escape_bytes(host);
  if (!name) {
    refuse(s, policy_refusal({policy::Decision::Invalid, nullptr}, s.ev.name, cfg.policy_name), "invalid");
    return false;
  }
  auto matcher = m_shared.matcher();
  auto v = matcher->decide(name.value());
  s.ev.verdict = policy::decision_name(v.decision);
  if (v.rule) {
    s.ev.rule = v.rule->text();
    s.ev.rule_source = v.rule->source.str();
  }
  if (!v.reachable()) {
    refuse(s, policy_refusal(v, s.ev.name, cfg.policy_name), nullptr);
    return false;
  }
  if (!method_allowed(cfg.methods, head.method)) {
    refuse(s, method_refusal(s.ev.method, t.authority.str(), cfg.methods, cfg.policy_name), "method-blocked");
    return false;
  }
  // A request that already passed this very proxy is a loop (RFC 9110 §7.6.3 Via).
  for (const auto& f : head.headers)
    if (iequals(f.name, "via") && f.value.find(m_shared.via_token) != std::string::npos) {
      refuse(s, plain_refusal(508, "request loop: this request already passed this proxy", "loop-detected"), "loop");
      return false;
    }
  double retry = 0;
  if (!m_shared.limiter.admit_request(s.ev.name, base::monotonic_ns(), &retry)) {
    ++m_shared.counters.rate_limited;
    auto r = plain_refusal(429, "rate limit for " + s.ev.name + " exceeded (" +
                                    std::to_string(static_cast<long long>(cfg.limits.requests_per_s)) + " requests/s)",
                           "rate-limited");
    r.headers.emplace_back("Retry-After", std::to_string(static_cast<long long>(std::ceil(std::max(retry, 1e-3)))));
    s.ev.note = "rate-limited";
    refuse(s, r, nullptr);
    return false;
  }
  ++m_shared.counters.allowed;
  return true;
}

void Worker::refuse(Session& s, const Refusal& r, const char* verdict) {
  if (r.status == 403) ++m_shared.counters.blocked;
  if (verdict) s.ev.verdict = verdict;
  s.ev.status = r.status;
  if (s.ev.note.empty() && !r.tag.empty()) s.ev.note = r.tag;
  if (s.has_request && m_shared.config.on_refusal) m_shared.config.on_refusal(s.ev); // before the client can read and go
  s.to_client = render(r);
  s.down.consume(s.down.size());
  s.server.reset(); // closing also takes it out of epoll
  s.server_reg = false;
  s.phase = Phase::Linger;
  s.deadline_ns = base::monotonic_ns() + 2'000'000'000LL;
  s.client_eof = false;
  update(s);
}

bool Worker::frame_request_body(Session& s, std::size_t got) {
  // Only the body goes on: a pipelined request behind it would reach the server without having
  // been judged (and with a Host of its own), so it is dropped; the client sees Connection: close
  // and sends it again on a new connection (RFC 9112 §9.3.2).
  std::size_t keep = s.request_body.feed(s.up.bytes().last(got));
  if (s.request_body.status() != BodyFramer::Status::Error) {
    s.up.drop_back(got - keep);
    return true;
  }
  ++m_shared.counters.bad_requests;
  if (s.await_head && s.to_client.empty() && s.down.size() == 0 && s.ev.bytes_down == 0)
    refuse(s, plain_refusal(400, "malformed chunked request body"), "invalid");
  else
    close_session(s);
  return false;
}

void Worker::start_connect(Session& s) {
  const std::string& host = s.parent ? s.parent->host : s.ev.name;
  std::uint16_t port = s.parent ? s.parent->port : s.ev.port;
  s.phase = Phase::Resolving;
  s.deadline_ns = base::monotonic_ns() + std::int64_t{m_shared.config.connect_timeout_ms} * 1'000'000;
  Resolution now;
  if (m_shared.resolver->resolve_now(host, port, now)) return on_resolved(s.id, std::move(now));
  std::weak_ptr<Mailbox> box = m_mailbox;
  std::uint64_t id = s.id;
  m_shared.resolver->submit(host, port, [box, id](Resolution r) {
    if (auto b = box.lock()) b->post(id, std::move(r));
  });
  update(s);
}

void Worker::on_resolved(std::uint64_t id, Resolution res) {
  auto it = m_sessions.find(id);
  if (it == m_sessions.end() || it->second->phase != Phase::Resolving) return;
  Session& s = *it->second;
  std::string what = s.parent ? "the upstream proxy " + s.parent->host : s.ev.name;
  if (res.addresses.empty()) {
    ++m_shared.counters.upstream_errors;
    return refuse(s, plain_refusal(502, "cannot resolve " + what + ": " + res.error, "upstream-dns-failure"), nullptr);
  }
  for (const auto& a : res.addresses)
    if (m_shared.is_self(a)) {
      ++m_shared.counters.blocked;
      return refuse(s, plain_refusal(508, what + " resolves to " + a.str() + ", this proxy itself", "loop-detected"), "loop");
    }
  if (m_shared.config.refuse_local_upstreams && !s.parent && !res.overridden) {
    // Only public addresses are tried: an answer mixing in 127.0.0.1 is a rebinding attempt.
    std::vector<base::SockAddr> outside;
    for (const auto& a : res.addresses)
      if (!Shared::is_local(a)) outside.push_back(a);
    if (outside.empty()) {
      ++m_shared.counters.blocked;
      return refuse(s,
                    plain_refusal(403, what + " resolves to " + res.addresses.front().str() +
                                           ", an address of this machine, whose services this proxy does not reach "
                                           "(map the name to a test server with --resolve, or mock it)",
                                  "blocked-local-address"),
                    "local-address");
    }
    res.addresses = std::move(outside);
  }
  s.addrs = std::move(res.addresses);
  s.next_addr = 0;
  try_connect(s);
}

} // namespace netmap::proxy::detail
