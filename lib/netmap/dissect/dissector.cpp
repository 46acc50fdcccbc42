#include "netmap/dissect/dissector.hpp"

#include "netmap/dissect/dissector_impl.hpp"
#include "netmap/dissect/dns_message.hpp"
#include "netmap/dissect/http_request.hpp"
#include "netmap/dissect/tls_client_hello.hpp"

#include <algorithm>
#include <limits>

namespace netmap::dissect {
namespace {

bool is_dns_port(std::uint16_t p) noexcept { return p == 53; }

std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b)
    return std::numeric_limits<std::int64_t>::max();
  return a + b;
}

} // namespace

FlowKey flow_key(const Frame& f) noexcept {
  FlowKey k;
  k.src = f.src.bytes;
  k.dst = f.dst.bytes;
  k.src_port = f.src_port;
  k.dst_port = f.dst_port;
  k.protocol = static_cast<std::uint8_t>(f.transport);
  k.family = f.src.family;
  return k;
}

Dissector::Impl::Impl(const Limits& l)
    : limits(l), flows(l.max_flows, l.flow_idle_us) {}

Observation& Dissector::Impl::emit(std::vector<Observation>& out, ObservationKind kind,
                                   const Frame& f, std::int64_t t) {
  Observation& o = out.emplace_back();
  o.kind = kind;
  o.time_us = t;
  o.src = f.src.to_string();
  o.dst = f.dst.to_string();
  o.src_port = f.src_port;
  o.dst_port = f.dst_port;
  o.transport = f.transport == Transport::Tcp ? "tcp" : "udp";
  return o;
}

void Dissector::Impl::packet(LinkType link, std::span<const std::uint8_t> bytes, std::int64_t t,
                             std::vector<Observation>& out) {
  ++packets;
  Frame f;
  DropReason r = decode_frame(link, bytes, f);
  if (r != DropReason::None) {
    drop(r);
    return;
  }
  if (f.snapped) drop(DropReason::TruncatedIp);
  if (f.transport == Transport::Tcp) tcp(f, t, out);
  else if (f.transport == Transport::Udp) udp(f, t, out);
  // Idle flows are forgotten every quarter idle period of capture time. A sweep costs O(table),
  // so it also waits for capacity/16 packets: amortised O(16) per packet even with tiny timeouts.
  if (t >= next_sweep_us && packets - last_sweep_packets >= flows.capacity() / 16) {
    if (next_sweep_us != 0) flows.sweep(t);
    next_sweep_us = saturating_add(t, std::max<std::int64_t>(limits.flow_idle_us / 4, 1));
    last_sweep_packets = packets;
  }
  if (flows.buffered() > limits.max_buffered_bytes) flows.shed(limits.max_buffered_bytes * 3 / 4);
}

void Dissector::Impl::finish(FlowEntry& e) noexcept {
  flows.release(e);
  e.state = FlowState::Done;
}

void Dissector::Impl::tcp(const Frame& f, std::int64_t t, std::vector<Observation>& out) {
  FlowKey key = flow_key(f);
  std::uint64_t h = key.hash();
  FlowEntry* e = flows.find(key, h);
  const bool closing = (f.tcp_flags & (k_tcp_fin | k_tcp_rst)) != 0;
  const bool syn = (f.tcp_flags & k_tcp_syn) != 0;
  if (e != nullptr && e->state == FlowState::Done && !syn) { // the hot path: bulk data
    e->last_us = t;
    if (closing) flows.erase(e);
    return;
  }
  if (syn) { // a new connection, possibly reusing the 4-tuple of a finished one
    std::uint32_t isn_next = f.tcp_seq + 1;
    if ((f.tcp_flags & k_tcp_ack) == 0) {
      // A retransmitted SYN is the same connection attempt, not a new one.
      bool retransmit = e != nullptr && e->state == FlowState::Start && e->next_seq == isn_next;
      if (!retransmit) emit(out, ObservationKind::Connection, f, t);
    }
    if (e == nullptr) e = flows.insert(key, h, t);
    flows.release(*e);
    e->state = FlowState::Start;
    e->flags = 0;
    e->next_seq = isn_next;
    e->last_us = t;
    if (!f.payload.empty()) tcp_payload(*e, f, t, out); // TCP Fast Open data (RFC 7413)
    return;
  }
  if (f.payload.empty()) {
    if (e != nullptr && closing) close(e);
    return;
  }
  if (e != nullptr && t - e->last_us > limits.flow_idle_us) { // a reused 4-tuple: start over
    flows.release(*e);
    e->state = FlowState::Start;
    e->flags = 0;
    e->next_seq = f.tcp_seq;
  }
  if (e == nullptr) { // capture began mid-connection: take this segment as the stream start
    e = flows.insert(key, h, t);
    e->next_seq = f.tcp_seq;
  }
  e->last_us = t;
  tcp_payload(*e, f, t, out);
  if (closing) close(e);
}

void Dissector::Impl::close(FlowEntry* e) noexcept {
  // Held segments at the close: the bytes before them never came, and with them maybe a name.
  if (e->state != FlowState::Done && e->data && !e->data->pending.empty()) count_gap(*e);
  flows.erase(e);
}

void Dissector::Impl::count_gap(FlowEntry& e) noexcept {
  if ((e.flags & k_flow_gap_counted) != 0) return;
  e.flags |= k_flow_gap_counted;
  ++gap_lost;
}

// Whether `p` can begin what the flow reads next, so reading may resume there after a gap. These
// are the segments the live kernel filter passes (kernel_filter.cpp): request heads, TLS handshake
// records, and everything on port 53.
bool Dissector::Impl::starts_unit(const FlowEntry& e, std::span<const std::uint8_t> p) noexcept {
  switch (e.state) {
  case FlowState::Start:
  case FlowState::Tls:
    return looks_like_tls(p) || looks_like_http(p);
  case FlowState::Http:
  case FlowState::Heads:
    return looks_like_http(p);
  case FlowState::Dns:
    return looks_like_dns_tcp(p);
  default:
    return false;
  }
}

bool Dissector::Impl::gap(FlowEntry& e, std::uint32_t seq, std::span<const std::uint8_t> p) {
  if (e.state == FlowState::Heads) { // heads are read segment by segment: nothing to wait for
    flows.release(e);
    e.next_seq = seq;
    return true;
  }
  const auto ahead = static_cast<std::size_t>(seq - e.next_seq);
  const std::size_t held = e.data ? e.data->pending_bytes : 0;
  if (ahead + p.size() <= limits.max_flow_bytes &&
      held + p.size() + k_pending_overhead <= limits.max_flow_bytes) {
    // Within the first-bytes budget: hold the segment until the missing bytes arrive.
    if (!e.data) e.data = std::make_unique<FlowData>();
    e.data->pending.emplace_back(seq, std::vector<std::uint8_t>(p.begin(), p.end()));
    e.data->pending_bytes += p.size() + k_pending_overhead;
    flows.account(0, p.size() + k_pending_overhead);
    return false;
  }
  // Beyond the budget the missing bytes are not waited for: the live kernel filter drops bulk
  // segments on purpose, so they may never come. Whatever they held (the rest of a head or a
  // hello, the first bytes, DNS messages) is counted as maybe lost, and reading resumes where a
  // new unit begins.
  count_gap(e);
  flows.release(e);
  if (e.state == FlowState::Http) e.state = FlowState::Heads;
  else if (e.state == FlowState::Tls) e.state = FlowState::Start;
  if (!starts_unit(e, p)) {
    // An HTTP flow goes on at its next head; a hello or unclassified first bytes cut short end
    // the flow; DNS waits here (next_seq unchanged) for a segment that begins a message.
    if (e.state == FlowState::Start) finish(e);
    else if (e.state == FlowState::Heads) e.next_seq = seq + static_cast<std::uint32_t>(p.size());
    return false;
  }
  e.next_seq = seq;
  return true;
}

void Dissector::Impl::tcp_payload(FlowEntry& e, const Frame& f, std::int64_t t,
                                  std::vector<Observation>& out) {
  std::uint32_t seq = f.tcp_seq + ((f.tcp_flags & k_tcp_syn) != 0 ? 1u : 0u);
  auto p = f.payload;
  auto delta = static_cast<std::int32_t>(seq - e.next_seq); // RFC 9293 §3.4 modular compare
  if (delta < 0) { // retransmission, possibly with new bytes at its end
    auto old = static_cast<std::size_t>(-static_cast<std::int64_t>(delta));
    if (old >= p.size()) return;
    p = p.subspan(old);
  } else if (delta > 0 && !gap(e, seq, p)) { // a gap: held, or waiting for a place to resume
    return;
  }
  e.next_seq += static_cast<std::uint32_t>(p.size());
  deliver(e, p, f, t, out);
  // Drain held segments that now continue the stream.
  while (e.data && !e.data->pending.empty() && e.state != FlowState::Done) {
    auto& pend = e.data->pending;
    auto it = std::find_if(pend.begin(), pend.end(), [&](const auto& s) {
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(s.first) - e.next_seq) <= 0;
    });
    if (it == pend.end()) break;
    std::vector<std::uint8_t> seg = std::move(it->second);
    auto skip = static_cast<std::uint32_t>(e.next_seq - static_cast<std::uint32_t>(it->first));
    pend.erase(it);
    e.data->pending_bytes -= seg.size() + k_pending_overhead;
    flows.account(seg.size() + k_pending_overhead, 0);
    if (skip >= seg.size()) continue;
    e.next_seq += static_cast<std::uint32_t>(seg.size() - skip);
    deliver(e, std::span<const std::uint8_t>(seg).subspan(skip), f, t, out);
  }
}

void Dissector::Impl::deliver(FlowEntry& e, std::span<const std::uint8_t> bytes, const Frame& f,
                              std::int64_t t, std::vector<Observation>& out) {
  if (e.state == FlowState::Start) {
    // Content decides, not the port (RFC 7605 §4 warns ports are hints); DNS is the exception:
    // its length-prefixed binary messages have no signature.
    if (is_dns_port(f.src_port) || is_dns_port(f.dst_port)) e.state = FlowState::Dns;
    else if (looks_like_tls(bytes)) e.state = FlowState::Tls;
    else if (looks_like_http(bytes)) e.state = FlowState::Http;
    else {
      finish(e);
      return;
    }
  }
  if (e.state == FlowState::Dns) dns_tcp(e, bytes, f, t, out);
  else if (e.state == FlowState::Tls || e.state == FlowState::Http) scan_stream(e, bytes, f, t, out);
  else if (e.state == FlowState::Heads && looks_like_http(bytes)) {
    // A kept-alive connection carries more requests, to a forward proxy for many hosts (RFC 9112
    // §3.2.2) and to a virtual-hosting server for many Host values (RFC 9112 §9.3): a segment that
    // begins a request head is read like the first one, joined with the next if it is split.
    // Heads that begin inside a segment (pipelining) are not looked for.
    e.state = FlowState::Http;
    scan_stream(e, bytes, f, t, out);
  }
}

void Dissector::Impl::scan_stream(FlowEntry& e, std::span<const std::uint8_t> bytes,
                                  const Frame& f, std::int64_t t, std::vector<Observation>& out) {
  std::span<const std::uint8_t> stream = bytes;
  bool at_budget = false;
  if (e.data && !e.data->stream.empty()) { // earlier segments are buffered: append (bounded)
    auto& s = e.data->stream;
    std::size_t before = e.data->bytes();
    std::size_t room = limits.max_flow_bytes > s.size() ? limits.max_flow_bytes - s.size() : 0;
    s.insert(s.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(std::min(room, bytes.size())));
    flows.account(before, e.data->bytes());
    stream = s;
    at_budget = s.size() >= limits.max_flow_bytes;
  } else if (bytes.size() >= limits.max_flow_bytes) {
    stream = bytes.first(limits.max_flow_bytes);
    at_budget = true;
  }
  Scan result;
  bool http_connect = false;
  if (e.state == FlowState::Tls) {
    ClientHello hello;
    result = scan_tls_stream(stream, scratch, hello);
    if (result == Scan::Found || (result == Scan::NeedMore && at_budget && hello.has_sni)) {
      if (hello.has_sni) {
        Observation& o = emit(out, ObservationKind::TlsSni, f, t);
        o.name = hello.sni;
        if (hello.ech) o.note = "ech";
        if (result == Scan::NeedMore) o.note = o.note.empty() ? "truncated" : o.note + ",truncated";
      }
      result = Scan::Found;
    }
  } else {
    HttpRequest req;
    result = scan_http_request(stream, req);
    if (result == Scan::Found) {
      Observation& o = emit(out, req.connect ? ObservationKind::HttpConnect
                                             : ObservationKind::HttpHost, f, t);
      o.name = req.host;
      o.target_port = req.port;
      if (req.absolute) o.note = "absolute-form";
      http_connect = req.connect;
    }
  }
  if (result == Scan::Malformed)
    drop(e.state == FlowState::Tls ? DropReason::BadTls : DropReason::BadHttp);
  if (result != Scan::NeedMore) {
    FlowState next = FlowState::Done;
    if (e.state == FlowState::Http && (result == Scan::Found || (e.flags & k_flow_keepalive) != 0)) {
      e.flags |= k_flow_keepalive;
      next = http_connect ? FlowState::Start : FlowState::Heads;
    }
    finish(e);
    // After CONNECT the tunnel's first bytes are the client's own ClientHello: classify again.
    e.state = next;
    return;
  }
  if (at_budget) { // the budget is spent and the answer is not in it
    const bool keepalive = e.state == FlowState::Http && (e.flags & k_flow_keepalive) != 0;
    finish(e);
    if (keepalive) e.state = FlowState::Heads;
    return;
  }
  if (!e.data) e.data = std::make_unique<FlowData>();
  if (e.data->stream.empty()) { // first segment incomplete: keep a copy for the next one
    std::size_t before = e.data->bytes();
    e.data->stream.assign(bytes.begin(), bytes.end());
    flows.account(before, e.data->bytes());
  }
}

Dissector::Dissector(Limits limits) : m(std::make_unique<Impl>(limits)) {}
Dissector::~Dissector() = default;

void Dissector::packet(LinkType link, std::span<const std::uint8_t> frame, std::int64_t time_us,
                       std::vector<Observation>& out) noexcept {
  try {
    m->packet(link, frame, time_us, out);
  } catch (...) { // only allocation can throw here; the packet is lost, not the process
    m->drop(DropReason::NoMemory);
  }
}

const DropCounters& Dissector::drops() const noexcept {
  for (std::size_t i = 1; i < m->drop_counts.size(); ++i) {
    if (m->drop_counts[i] == 0) continue;
    try {
      m->drop_map[drop_reason_name(static_cast<DropReason>(i))] = m->drop_counts[i];
    } catch (...) {
    }
  }
  return m->drop_map;
}

std::uint64_t Dissector::packets() const noexcept { return m->packets; }

std::uint64_t Dissector::evicted_unfinished() const noexcept { return m->flows.lost_unfinished(); }

std::uint64_t Dissector::lost_to_gaps() const noexcept { return m->gap_lost + m->flows.waiting_on_gaps(); }

bool supported_link(std::uint32_t linktype) noexcept {
  switch (static_cast<LinkType>(linktype)) {
  case LinkType::Null:
  case LinkType::Ethernet:
  case LinkType::Raw:
  case LinkType::Loop:
  case LinkType::LinuxSll:
  case LinkType::LinuxSll2:
    return true;
  }
  return linktype == k_dlt_raw || linktype == k_dlt_raw_openbsd;
}

} // namespace netmap::dissect
