// The dissector's DNS (UDP and TCP) and QUIC paths; frames and TCP are in dissector.cpp.

#include "netmap/dissect/dissector_impl.hpp"
#include "netmap/dissect/dns_message.hpp"
#include "netmap/dissect/tls_client_hello.hpp"

#include <algorithm>

namespace netmap::dissect {
namespace {

constexpr std::uint16_t k_port_dns = 53;
constexpr std::uint16_t k_port_mdns = 5353;  // RFC 6762
constexpr std::uint16_t k_port_llmnr = 5355; // RFC 4795

bool either(const Frame& f, std::uint16_t port) noexcept {
  return f.src_port == port || f.dst_port == port;
}

// A v1/v2 long-header Initial: the only QUIC packets that carry a name (RFC 9000 §17.2.2).
bool looks_like_quic_initial(std::span<const std::uint8_t> p) noexcept {
  if (p.size() < 7 || (p[0] & 0xc0) != 0xc0) return false;
  std::uint32_t v = std::uint32_t{p[1]} << 24 | std::uint32_t{p[2]} << 16 |
                    std::uint32_t{p[3]} << 8 | p[4];
  unsigned type = (p[0] >> 4) & 3u;
  return (v == k_quic_v1 && type == 0) || (v == k_quic_v2 && type == 1);
}

} // namespace

std::size_t Dissector::Impl::dns_message(std::span<const std::uint8_t> bytes, bool partial,
                                         const Frame& f, std::int64_t t, std::vector<Observation>& out) {
  auto msg = decode_dns_message(bytes, partial);
  if (!msg) {
    if (!partial) drop(DropReason::BadDns); // a snapshot was already counted as truncated
    return 0;
  }
  report_dns(*msg, f, t, out);
  return msg->size;
}

void Dissector::Impl::report_dns(const DnsMessage& msg, const Frame& f, std::int64_t t,
                                 std::vector<Observation>& out) {
  if (msg.opcode != 0) return; // RFC 1035 §4.1.1: only standard queries name destinations
  if (!msg.response) {
    for (const auto& q : msg.questions) {
      if (q.name.empty()) continue;
      Observation& o = emit(out, ObservationKind::DnsQuery, f, t);
      o.name = q.name;
      o.qtype = dns_type_name(q.type);
    }
    return;
  }
  std::string asked;
  std::uint16_t qtype = 0;
  if (!msg.questions.empty()) {
    asked = msg.questions.front().name;
    qtype = msg.questions.front().type;
  } else if (!msg.answers.empty()) {
    asked = msg.answers.front().owner; // RFC 7766 §6.2.1 allows question-less continuations
    qtype = msg.answers.front().type;
  }
  if (asked.empty()) return;
  DnsResolution res = resolve_answers(msg, asked);
  Observation& o = emit(out, ObservationKind::DnsAnswer, f, t);
  o.name = asked;
  o.qtype = dns_type_name(qtype);
  o.rcode = dns_rcode_name(msg.rcode);
  o.cname_chain = std::move(res.chain);
  for (const DnsRecord* rec : res.addresses)
    for (const auto& a : rec->addresses) o.answers.push_back({a, rec->ttl});
  for (const DnsRecord* rec : res.services) {
    if (!rec->target.empty()) o.svcb_targets.push_back(rec->target);
    for (const auto& a : rec->addresses) o.answers.push_back({a, rec->ttl});
  }
  if (msg.partial) o.note = "truncated";
}

void Dissector::Impl::dns_datagram(const Frame& f, std::int64_t t, std::vector<Observation>& out) {
  const std::size_t first = dns_message(f.payload, f.partial(), f, t, out);
  if (first == 0 || first >= f.payload.size()) return;
  // More bytes than one message: a capture taken before the kernel segmented a UDP GSO send
  // (loopback, or a NIC that segments) holds several messages cut at the first one's size, the
  // last possibly shorter. Each piece must be exactly one message; anything else after the first
  // is trailing junk, ignored as before. A send near 64 KiB can pass the snapshot length: the
  // pieces before the cut are still whole.
  // A kernel cuts a send into at most 128 pieces (UDP_MAX_SEGMENTS, 64 on older kernels): a
  // datagram of thousands of 12-byte "messages" is no GSO send, and would cost a decode each.
  constexpr std::size_t k_pieces_max = 128;
  for (std::size_t at = first, n = 1; at < f.payload.size() && n < k_pieces_max; at += first, ++n) {
    auto piece = f.payload.subspan(at, std::min(first, f.payload.size() - at));
    auto msg = decode_dns_message(piece, false);
    if (!msg || msg->size != piece.size()) return;
    report_dns(*msg, f, t, out);
  }
}

// RFC 7766 §8 / RFC 1035 §4.2.2: each message is preceded by a two-byte length; messages may be
// split across segments and several may share one. Only an unfinished message is buffered.
void Dissector::Impl::dns_tcp(FlowEntry& e, std::span<const std::uint8_t> bytes, const Frame& f,
                              std::int64_t t, std::vector<Observation>& out) {
  while (!bytes.empty()) {
    if (e.data && e.data->dns_skip > 0) { // the tail of a message larger than the budget
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(e.data->dns_skip, bytes.size()));
      e.data->dns_skip -= n;
      bytes = bytes.subspan(n);
      continue;
    }
    if (!e.data || e.data->stream.empty()) { // nothing buffered: decode in place when whole
      if (bytes.size() >= 2) {
        std::size_t len = std::size_t{bytes[0]} << 8 | bytes[1];
        if (bytes.size() >= 2 + len) {
          dns_message(bytes.subspan(2, len), false, f, t, out);
          bytes = bytes.subspan(2 + len);
          continue;
        }
      }
    }
    if (!e.data) e.data = std::make_unique<FlowData>();
    auto& s = e.data->stream;
    std::size_t before = e.data->bytes();
    s.insert(s.end(), bytes.begin(), bytes.end());
    bytes = {};
    for (;;) {
      if (s.size() < 2) break;
      std::size_t len = std::size_t{s[0]} << 8 | s[1];
      if (s.size() >= 2 + len) {
        dns_message(std::span<const std::uint8_t>(s).subspan(2, len), false, f, t, out);
        s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(2 + len));
        continue;
      }
      if (s.size() >= limits.max_flow_bytes) { // keep memory bounded: decode what we have
        dns_message(std::span<const std::uint8_t>(s).subspan(2), true, f, t, out);
        e.data->dns_skip = 2 + len - s.size();
        s.clear();
        s.shrink_to_fit();
      }
      break;
    }
    flows.account(before, e.data->bytes());
  }
}

void Dissector::Impl::udp(const Frame& f, std::int64_t t, std::vector<Observation>& out) {
  bool dns = either(f, k_port_dns);
  bool local = either(f, k_port_mdns) || either(f, k_port_llmnr);
  if (local && !dns) {
    if (limits.mdns_llmnr) dns_datagram(f, t, out);
    return;
  }
  if (dns) {
    dns_datagram(f, t, out);
    return;
  }
  FlowKey key = flow_key(f);
  std::uint64_t h = key.hash();
  FlowEntry* e = flows.find(key, h);
  if (e != nullptr && e->state == FlowState::Done) {
    e->last_us = t;
    return;
  }
  if (e == nullptr) {
    FlowKey back = key.reversed();
    bool reply = flows.find(back, back.hash()) != nullptr; // the answer to a flow we know
    bool quic = !reply && looks_like_quic_initial(f.payload);
    if (!reply && !quic) emit(out, ObservationKind::Connection, f, t);
    e = flows.insert(key, h, t);
    e->state = quic ? FlowState::Quic : FlowState::Done;
    if (!quic) return;
  }
  e->last_us = t;
  quic(*e, f, t, out);
}

bool Dissector::Impl::crypto_fragment(FlowData& d, const QuicCryptoFragment& frag) {
  auto& s = d.stream;
  if (frag.offset > limits.max_flow_bytes) return false;
  auto off = static_cast<std::size_t>(frag.offset);
  std::size_t room = limits.max_flow_bytes - off;
  auto data = frag.data.first(std::min(room, frag.data.size()));
  if (off > s.size()) { // out of order (RFC 9000 §19.6): hold it
    if (d.pending_bytes + data.size() + k_pending_overhead > limits.max_flow_bytes) return false;
    d.pending.emplace_back(frag.offset, std::vector<std::uint8_t>(data.begin(), data.end()));
    d.pending_bytes += data.size() + k_pending_overhead;
    return true;
  }
  if (off + data.size() > s.size()) s.insert(s.end(), data.begin() + static_cast<std::ptrdiff_t>(s.size() - off), data.end());
  for (bool progress = true; progress;) { // join held pieces that now touch the prefix
    progress = false;
    for (auto it = d.pending.begin(); it != d.pending.end(); ++it) {
      if (it->first > s.size()) continue;
      auto o = static_cast<std::size_t>(it->first);
      if (o + it->second.size() > s.size())
        s.insert(s.end(), it->second.begin() + static_cast<std::ptrdiff_t>(s.size() - o), it->second.end());
      d.pending_bytes -= it->second.size() + k_pending_overhead;
      d.pending.erase(it);
      progress = true;
      break;
    }
  }
  return true;
}

void Dissector::Impl::quic(FlowEntry& e, const Frame& f, std::int64_t t,
                           std::vector<Observation>& out) {
  auto datagram = f.payload;
  bool opened_any = false;
  // RFC 9000 §12.2: several packets may be coalesced into one datagram.
  while (!datagram.empty() && e.state == FlowState::Quic) {
    auto h = parse_quic_long_header(datagram);
    if (!h) break;
    auto packet = datagram.first(h->packet_len);
    datagram = datagram.subspan(h->packet_len);
    if (!h->initial) continue;
    if (!e.data) e.data = std::make_unique<FlowData>();
    FlowData& d = *e.data;
    // Keys come from the DCID of the client's first Initial, even after it switches DCIDs.
    bool ok = d.quic_keys && open_quic_initial(packet, *h, *d.quic_keys, plain, fragments);
    if (!ok) {
      auto keys = client_initial_keys(h->version, h->dcid_span());
      ok = keys && open_quic_initial(packet, *h, *keys, plain, fragments);
      if (ok && !d.quic_keys) d.quic_keys = keys;
    }
    if (!ok) continue;
    opened_any = true;
    std::size_t before = d.bytes();
    for (const auto& frag : fragments) (void)crypto_fragment(d, frag);
    flows.account(before, d.bytes());
    ClientHello hello;
    Scan s = scan_handshake(d.stream, hello);
    if (s == Scan::NeedMore && d.stream.size() >= limits.max_flow_bytes) s = Scan::Malformed;
    if (s == Scan::NeedMore) continue;
    if (s == Scan::Found && hello.has_sni) {
      Observation& o = emit(out, ObservationKind::QuicSni, f, t);
      o.name = hello.sni;
      if (h->version == k_quic_v2) o.note = "quic-v2";
      if (hello.ech) o.note = o.note.empty() ? "ech" : o.note + ",ech";
    } else {
      if (s == Scan::Malformed) drop(DropReason::BadQuic);
      emit(out, ObservationKind::Connection, f, t).note = "quic";
    }
    finish(e);
  }
  // A client's Initial datagram is padded to ≥ 1200 bytes (RFC 9000 §14.1); one that big that
  // does not open is broken. A server's Initials (keys from a DCID we never saw) cannot open
  // either: from a well-known port to an ephemeral one, that is what they are, not a drop.
  bool from_server = f.src_port < 1024 && f.dst_port >= 1024;
  if (!opened_any && e.state == FlowState::Quic && from_server && (!e.data || e.data->stream.empty())) {
    finish(e);
    return;
  }
  if (!opened_any && e.state == FlowState::Quic && f.payload.size() >= 1200 && !f.partial() &&
      (!e.data || e.data->stream.empty())) {
    drop(DropReason::BadQuic);
    emit(out, ObservationKind::Connection, f, t).note = "quic";
    finish(e);
  }
}

} // namespace netmap::dissect
