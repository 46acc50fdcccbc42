#include "netmap/capture/session.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/interrupt.hpp"

#include <poll.h>

#include <utility>

namespace netmap::capture {

namespace {

constexpr std::int64_t k_expire_every_us = 1000000;
constexpr std::int64_t k_progress_every_ns = 250000000;
constexpr int k_file_batch = 4096; // packets per dispatch: how often a file read checks for Ctrl-C

} // namespace

Session::Session(SessionOptions options)
    : m_options(std::move(options)), m_dissector(m_options.dissect), m_attribution(m_options.attribution, m_strings),
      m_domains(m_strings) {}

void Session::packet(dissect::LinkType link, std::span<const std::uint8_t> frame, std::int64_t time_us) {
  widen_span(time_us, time_us);
  m_dissector.packet(link, frame, time_us, m_observations);
  if (!m_observations.empty()) {
    for (const auto& o : m_observations) m_attribution.observe(o, m_events);
    m_observations.clear();
  }
  // Nameless connections wait for their flow to name itself; decide the overdue ones about once
  // a second of capture time (cheap: the check is a comparison when nothing is due).
  if (time_us - m_last_expire_us > k_expire_every_us) {
    m_attribution.expire(time_us, m_events);
    m_last_expire_us = time_us;
  }
  if (!m_events.empty()) emit(m_events);
}

void Session::widen_span(std::int64_t first_us, std::int64_t last_us) {
  // As Inventory::add: a time no inventory can write (a capture file's to choose) is unknown.
  auto& inv = m_inventory;
  if (base::rfc3339_representable(first_us) && first_us != 0 && (inv.started_us == 0 || first_us < inv.started_us))
    inv.started_us = first_us;
  if (base::rfc3339_representable(last_us) && last_us > inv.finished_us) inv.finished_us = last_us;
}

void Session::emit(std::vector<inventory::Event>& events) {
  for (auto& e : events) {
    if (m_options.matcher && !e.name.empty()) {
      auto v = m_options.matcher->decide(e.name);
      e.verdict = policy::decision_name(v.decision);
      if (v.rule) {
        e.rule = v.rule->text();
        e.rule_source = v.rule->source.str();
      }
    }
    if (m_options.on_event) m_options.on_event(e);
    if (e.name.empty()) {
      m_inventory.add(e);
      continue;
    }
    m_domains.add(e);
    widen_span(e.time_us, e.time_us); // what Inventory::add does to the run's span
  }
  events.clear();
}

void Session::on_packet(void* self, const PacketSource::Packet& p) {
  auto* s = static_cast<Session*>(self);
  s->packet(static_cast<dissect::LinkType>(p.linktype), p.bytes, p.time_us); // pcapng: per interface
}

void Session::read(PacketSource& source, const RunControl& control) {
  m_link = static_cast<dissect::LinkType>(source.linktype());
  m_inventory.sources.push_back(source.description());
  std::int64_t last_progress = base::monotonic_ns();
  while (!base::stop_requested()) {
    if (source.dispatch(k_file_batch, &Session::on_packet, this) < 0) break;
    if (control.progress && base::monotonic_ns() - last_progress > k_progress_every_ns) {
      last_progress = base::monotonic_ns();
      control.progress(progress());
    }
  }
  if (!source.cut_short().empty()) ++m_inventory.stats["cut_short_captures"];
}

void Session::capture(PacketSource& source, const RunControl& control) {
  m_link = static_cast<dissect::LinkType>(source.linktype());
  m_inventory.sources.push_back(source.description());
  const std::int64_t start = base::monotonic_ns();
  // The window, not only the packets in it: "nothing contacted between T1 and T2" is a result.
  const std::int64_t started_us = base::now_unix_us();
  std::int64_t last_progress = start;
  std::int64_t drain_until = -1;
  pollfd pfd{source.selectable_fd(), POLLIN, 0};
  for (;;) {
    // Wake at least every 100 ms to poll the child and the stop flag; EINTR (a signal) is fine.
    if (pfd.fd >= 0) (void)::poll(&pfd, 1, 100);
    source.dispatch(-1, &Session::on_packet, this);
    const std::int64_t now = base::monotonic_ns();
    if (drain_until < 0) {
      bool done = control.finished ? control.finished() : base::stop_requested();
      if (control.duration_ms > 0 && now - start >= control.duration_ms * 1000000) done = true;
      // Packets already in the kernel ring (and answers in flight) still belong to the run.
      if (done) drain_until = now + std::int64_t{control.drain_ms} * 1000000;
    } else if (now >= drain_until) {
      break;
    }
    if (control.progress && now - last_progress > k_progress_every_ns) {
      last_progress = now;
      m_dropped_kernel = source.stats().dropped_kernel;
      control.progress(progress());
    }
  }
  source.dispatch(-1, &Session::on_packet, this);
  widen_span(started_us, base::now_unix_us());
  record_source_stats(source);
}

void Session::record_source_stats(const PacketSource& source) {
  SourceStats s = source.stats();
  m_dropped_kernel = s.dropped_kernel;
  m_inventory.stats["received"] += s.received;
  m_inventory.stats["dropped_kernel"] += s.dropped_kernel;
  m_inventory.stats["dropped_interface"] += s.dropped_interface;
}

Findings Session::finish_findings() {
  m_attribution.finish(m_events);
  emit(m_events);
  auto& st = m_inventory.stats;
  st["packets"] = m_dissector.packets();
  for (const auto& [reason, n] : m_dissector.drops()) st["undecodable." + reason] = n;
  st["evicted_unfinished_flows"] = m_dissector.evicted_unfinished();
  st["address_map_evicted"] = m_attribution.addresses().evicted_live();
  if (const auto gaps = m_dissector.lost_to_gaps(); gaps > 0) st["flows_lost_to_gaps"] = gaps; // written when any
  // With the kernel filter on, every dropped packet was one that could carry a name; an evicted
  // unfinished flow had not yet shown its name; an evicted address loses its attribution; the
  // partial last packet of a capture cut short may have carried a name; so may the bytes a
  // sequence gap hid from a TCP flow that could not be read across it (dissector.hpp).
  st["names_maybe_lost"] = st["dropped_kernel"] + st["dropped_interface"] + st["evicted_unfinished_flows"] +
                           st["address_map_evicted"] + st["cut_short_captures"] + m_inventory.stat("flows_lost_to_gaps");
  return Findings{std::move(m_inventory), std::move(m_domains), m_options.matcher};
}

inventory::Inventory Session::finish() { return finish_findings().to_inventory(); }

Progress Session::progress() const {
  return Progress{m_dissector.packets(), m_domains.size(), m_inventory.unnamed.size(), m_dropped_kernel};
}

} // namespace netmap::capture
