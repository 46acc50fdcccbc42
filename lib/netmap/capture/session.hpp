#pragma once
// One discover run: packets from capture sources → Dissector → observations → events (with the
// address map) → Inventory with the policy's verdicts, plus capture statistics.

#include "netmap/capture/attribution.hpp"
#include "netmap/capture/findings.hpp"
#include "netmap/capture/packet_source.hpp"
#include "netmap/dissect/dissector.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/inventory/string_pool.hpp"
#include "netmap/policy/matcher.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace netmap::capture {

/// How a session decodes and what it tells its caller.
struct SessionOptions {
  dissect::Limits dissect;                                 ///< per-flow state bounds
  AttributionLimits attribution;                           ///< pending connections, address map
  const policy::Matcher* matcher = nullptr;                ///< verdict for every event; may be null
  std::function<void(const inventory::Event&)> on_event;   ///< each contact as it is decided (--events)
};

/// A snapshot for the progress line.
struct Progress {
  std::uint64_t packets = 0;        ///< packets decoded
  std::uint64_t domains = 0;        ///< distinct domains so far
  std::uint64_t unnamed = 0;        ///< distinct bare-IP destinations so far
  std::uint64_t dropped_kernel = 0; ///< kernel drops of the live source (last known)
};

/// When a run ends and how it reports.
struct RunControl {
  std::function<bool()> finished;                 ///< polled ~10×/s live: true starts the drain
  int drain_ms = 500;                             ///< keep capturing this long after `finished`
  std::int64_t duration_ms = 0;                   ///< live: stop after this long (0 = no limit)
  std::function<void(const Progress&)> progress;  ///< called ~4×/s while running; may be empty
};

/// The pipeline for one run over one or more sources. Not thread-safe.
class Session {
public:
  /// A session with these options.
  explicit Session(SessionOptions options);

  /// Decodes one frame of link type `link` captured at `time_us`; the run's span (started,
  /// finished) takes in every packet's time.
  void packet(dissect::LinkType link, std::span<const std::uint8_t> frame, std::int64_t time_us);
  /// Reads a capture file source to its end (or until base::stop_requested()). Throws
  /// base::UserError on a corrupt file; one cut short is read up to its last whole packet and
  /// counted in the statistics (cut_short_captures).
  void read(PacketSource& source, const RunControl& control);
  /// Captures live until control.finished() (then drains), the duration passes, or a stop arrives
  /// while no `finished` callback is set. Kernel drop counters are recorded; the run's span is
  /// the capture window (wall clock), even when nothing arrived.
  void capture(PacketSource& source, const RunControl& control);
  /// Decides what still waits and records the statistics; the domains stay compact and get the
  /// policy's verdicts as they are read. Call once (or finish() once).
  [[nodiscard]] Findings finish_findings();
  /// finish_findings() as one whole Inventory with the policy applied (small runs, tests).
  [[nodiscard]] inventory::Inventory finish();
  /// Current counters, for the progress line.
  [[nodiscard]] Progress progress() const;

private:
  static void on_packet(void* self, const PacketSource::Packet& p);
  void emit(std::vector<inventory::Event>& events);
  void widen_span(std::int64_t first_us, std::int64_t last_us);
  void record_source_stats(const PacketSource& source);

  SessionOptions m_options;
  dissect::Dissector m_dissector;
  /// Names, addresses and notes, held once for the address map and the domains alike.
  std::shared_ptr<inventory::StringPool> m_strings = std::make_shared<inventory::StringPool>();
  Attribution m_attribution;
  inventory::Inventory m_inventory; ///< all but the domains
  inventory::DomainTable m_domains;
  dissect::LinkType m_link = dissect::LinkType::Ethernet;
  std::vector<dissect::Observation> m_observations;
  std::vector<inventory::Event> m_events;
  std::int64_t m_last_expire_us = 0;
  std::uint64_t m_dropped_kernel = 0;
};

} // namespace netmap::capture
