#include "netmap/capture/attribution.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <climits>

namespace netmap::capture {

using dissect::Observation;
using dissect::ObservationKind;
using inventory::Event;
using inventory::SeenVia;

namespace {

Event base_event(const Observation& o, SeenVia via) {
  Event e;
  e.time_us = o.time_us;
  e.producer = "discover";
  e.via = via;
  e.address = o.dst;
  e.port = o.dst_port;
  e.transport = o.transport;
  e.client = o.src;
  e.note = o.note;
  return e;
}

std::string query_key(const std::string& client, std::uint16_t port, const std::string& name, const std::string& qtype) {
  return client + " " + std::to_string(port) + " " + name + " " + qtype;
}

} // namespace

std::string flow_key(const Observation& o) {
  return o.transport + " " + o.src + " " + std::to_string(o.src_port) + " " + o.dst + " " + std::to_string(o.dst_port);
}

std::pair<std::string, std::uint16_t> split_host_port(const std::string& authority) {
  std::string host = authority;
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return {authority, 0};
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (std::count(authority.begin(), authority.end(), ':') == 1) {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) return {host, 0};
  return {host, static_cast<std::uint16_t>(value)};
}

bool is_ip_literal(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Attribution::Attribution(AttributionLimits limits, std::shared_ptr<inventory::StringPool> names)
    : m_limits(limits), m_map(limits.addresses, std::move(names)) {}

void Attribution::observe(const Observation& o, std::vector<Event>& out) {
  switch (o.kind) {
  case ObservationKind::Connection: {
    if (m_pending.size() >= m_limits.max_pending) expire(m_oldest_pending_us + m_limits.hold_us + 1, out);
    if (m_pending.size() >= m_limits.max_pending) finish(out); // all at one instant: decide them all
    Pending p{o.time_us, o.dst, o.dst_port, o.transport, o.src};
    if (m_pending.empty() || o.time_us < m_oldest_pending_us) m_oldest_pending_us = o.time_us;
    m_pending.emplace(flow_key(o), std::move(p));
    return;
  }
  case ObservationKind::DnsQuery:
    on_query(o, out);
    return;
  case ObservationKind::DnsAnswer:
    on_answer(o, out);
    return;
  default:
    on_named(o, out);
    return;
  }
}

void Attribution::on_query(const Observation& o, std::vector<Event>& out) {
  m_pending.erase(flow_key(o)); // the flow named itself: a lookup, not a nameless connection
  Event e = base_event(o, SeenVia::Dns);
  e.name = o.name;
  e.qtype = o.qtype;
  // A lookup contacts the resolver, not the name: its address and port are not the domain's.
  e.address.clear();
  e.port = 0;
  std::string key = query_key(o.src, o.src_port, o.name, o.qtype);
  // The same question again from the same socket is a retry: the first went unanswered.
  if (auto it = m_queries.find(key); it != m_queries.end()) {
    out.push_back(std::move(it->second));
    m_queries.erase(it);
  }
  if (m_queries.size() >= m_limits.max_queries) release_queries(m_oldest_query_us + 1, out);
  if (m_queries.size() >= m_limits.max_queries) release_queries(INT64_MAX, out);
  if (m_queries.empty() || o.time_us < m_oldest_query_us) m_oldest_query_us = o.time_us;
  m_queries.emplace(std::move(key), std::move(e));
}

void Attribution::on_answer(const Observation& o, std::vector<Event>& out) {
  for (const auto& a : o.answers) m_map.add(a.address, o.name, o.time_us, a.ttl);
  // The answer travels resolver → client: its destination is the client that asked.
  Event e;
  if (auto it = m_queries.find(query_key(o.dst, o.dst_port, o.name, o.qtype)); it != m_queries.end()) {
    e = std::move(it->second); // the lookup, as asked, now with its answer
    m_queries.erase(it);
  } else {
    // The query itself was not seen (capture started late, or it was dropped, or it waited past
    // query_hold_us): the answer is then the only evidence of the lookup.
    e = base_event(o, SeenVia::Dns);
    e.name = o.name;
    e.qtype = o.qtype;
    e.client = o.dst;
    e.port = 0;
  }
  e.rcode = o.rcode;
  e.address = o.answers.empty() ? std::string() : o.answers.front().address;
  e.ttl = o.answers.empty() ? 0 : o.answers.front().ttl;
  e.answers.clear();
  for (const auto& a : o.answers) e.answers.push_back(a.address);
  out.push_back(std::move(e));
  // Aliases the resolver followed are names too (a DNS allowlist may have to admit them).
  auto alias = [&](const std::string& target, const char* rel) {
    if (target.empty() || target == o.name) return;
    Event a = base_event(o, SeenVia::Dns);
    a.name = target;
    a.client = o.dst;
    a.address.clear();
    a.port = 0;
    a.qtype = o.qtype;
    a.note = std::string(rel) + o.name;
    out.push_back(std::move(a));
  };
  for (const auto& c : o.cname_chain) alias(c, "cname-of: ");
  for (const auto& t : o.svcb_targets) alias(t, "svcb-target-of: ");
}

void Attribution::on_named(const Observation& o, std::vector<Event>& out) {
  m_pending.erase(flow_key(o));
  SeenVia via = SeenVia::Sni;
  if (o.kind == ObservationKind::QuicSni) via = SeenVia::Quic;
  if (o.kind == ObservationKind::HttpHost) via = SeenVia::HttpHost;
  if (o.kind == ObservationKind::HttpConnect) via = SeenVia::Connect;
  Event e = base_event(o, via);
  if (o.kind == ObservationKind::QuicSni) e.transport = "quic";
  auto [host, port] = split_host_port(o.name);
  if (o.target_port != 0) port = o.target_port;
  // Through a proxy (CONNECT, absolute-form) the authority's port is the real destination's.
  if (port != 0) e.port = port;
  if (is_ip_literal(host)) {
    // A request that names an address, not a host: no domain rule can admit it.
    e.address = host;
    out.push_back(std::move(e));
    return;
  }
  // A CONNECT or an absolute-form request (RFC 9112 §3.2.2) went to a proxy: the packet's
  // address and port are the proxy's, the destination is the one the request names.
  const bool via_proxy = o.kind == ObservationKind::HttpConnect || o.note == "absolute-form";
  if (via_proxy) {
    e.address.clear();
    if (port == 0) e.port = o.kind == ObservationKind::HttpConnect ? 443 : 80;
  }
  e.name = host;
  out.push_back(std::move(e));
}

void Attribution::decide(const Pending& p, std::vector<Event>& out) {
  Event e;
  e.time_us = p.time_us;
  e.producer = "discover";
  e.address = p.address;
  e.port = p.port;
  e.transport = p.transport;
  e.client = p.client;
  auto names = m_map.lookup(p.address, p.time_us);
  if (names.empty()) {
    e.via = SeenVia::Direct;
    out.push_back(std::move(e)); // nameless: an unnamed bare-IP destination
    return;
  }
  // Attributed through DNS to the name the program asked for. A shared (CDN) address is given to
  // every candidate with a note, never silently to one of them.
  e.via = SeenVia::Dns;
  e.note = inventory::ambiguity_note(names);
  for (const auto& n : names) {
    Event copy = e;
    copy.name = n;
    out.push_back(std::move(copy));
  }
}

void Attribution::expire(std::int64_t now_us, std::vector<Event>& out) {
  if (!m_queries.empty() && now_us - m_oldest_query_us > m_limits.query_hold_us)
    release_queries(now_us - m_limits.query_hold_us, out);
  if (m_pending.empty() || now_us - m_oldest_pending_us <= m_limits.hold_us) return;
  std::vector<std::pair<std::string, Pending>> due;
  std::int64_t oldest = now_us;
  for (auto it = m_pending.begin(); it != m_pending.end();) {
    if (now_us - it->second.time_us > m_limits.hold_us) {
      due.emplace_back(it->first, std::move(it->second));
      it = m_pending.erase(it);
    } else {
      oldest = std::min(oldest, it->second.time_us);
      ++it;
    }
  }
  m_oldest_pending_us = oldest;
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return a.second.time_us != b.second.time_us ? a.second.time_us < b.second.time_us : a.first < b.first;
  });
  for (const auto& [key, p] : due) decide(p, out);
}

void Attribution::finish(std::vector<Event>& out) {
  release_queries(INT64_MAX, out);
  std::vector<std::pair<std::string, Pending>> all(m_pending.begin(), m_pending.end());
  m_pending.clear();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second.time_us != b.second.time_us ? a.second.time_us < b.second.time_us : a.first < b.first;
  });
  for (const auto& [key, p] : all) decide(p, out);
}

void Attribution::release_queries(std::int64_t before_us, std::vector<Event>& out) {
  // Unanswered: the lookup still happened (NXDOMAIN floods and lost answers look like this).
  std::vector<std::pair<std::string, Event>> due;
  std::int64_t oldest = INT64_MAX;
  for (auto it = m_queries.begin(); it != m_queries.end();) {
    if (it->second.time_us < before_us || before_us == INT64_MAX) {
      due.emplace_back(it->first, std::move(it->second));
      it = m_queries.erase(it);
    } else {
      oldest = std::min(oldest, it->second.time_us);
      ++it;
    }
  }
  m_oldest_query_us = oldest == INT64_MAX ? 0 : oldest;
  // Oldest first, ties by key: the same capture always writes the same events file.
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return a.second.time_us != b.second.time_us ? a.second.time_us < b.second.time_us : a.first < b.first;
  });
  for (auto& [key, e] : due) out.push_back(std::move(e));
}

} // namespace netmap::capture
