#pragma once
// Where replay's servers send what they see: every event is folded into the report, streamed to
// --events, and a refused attempt is tied to the fenced process that made it (the socket's owner).

#include "netmap/capture/event_log.hpp"
#include "netmap/inventory/event.hpp"
#include "netmap/report/replay_report.hpp"
#include "netmap/sandbox/direct_watch.hpp"
#include "netmap/sandbox/socket_owner.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace netmap::report {

/// The events of one replay run; every member function is safe from the servers' threads.
class ReplaySink {
public:
  /// Decides with `matcher` (outlives the sink); the resolver and proxy listen on these fence
  /// ports; a non-empty `events_path` gets every event as a JSON line (through a temporary file,
  /// so memory stays flat however long the run); fixes name `policy_name` as the file to edit.
  /// Throws base::UserError when the events file cannot be written.
  ReplaySink(const policy::Matcher* matcher, std::uint16_t dns_port, std::uint16_t proxy_port,
             const std::string& events_path = {}, std::string policy_name = "netmap.yaml");

  /// From now on, refused attempts are attributed through `owners` (set once, before traffic).
  void set_owners(std::unique_ptr<sandbox::SocketOwnerFinder> owners) { m_owners = std::move(owners); }
  /// Names the process behind `e` when it was refused and no process is named yet. Call it
  /// while the client still waits for its answer: its socket must still exist to be found.
  void attribute(inventory::Event& e, std::uint16_t server_port) const;
  /// attribute() for a refusal by the proxy.
  void attribute_proxy_refusal(inventory::Event& e) const { attribute(e, m_proxy_port); }
  /// Folds an event from the resolver or the proxy.
  void add(inventory::Event e);
  /// Folds a connection or DNS query that tried to bypass both, as a `direct` event.
  void add_direct(const sandbox::DirectAttempt& a);

  /// What the events add up to so far.
  [[nodiscard]] const ReplayCollector& collector() const noexcept { return m_collector; }
  /// Puts the events file in place (call once the servers have stopped). Throws
  /// base::UserError when a write failed at any point; the partial file is gone then.
  void finish_events();
  /// Walks of /proc the attribution made (0 before set_owners()).
  [[nodiscard]] std::uint64_t process_lookups() const noexcept { return m_owners ? m_owners->walks() : 0; }

private:
  ReplayCollector m_collector;
  std::unique_ptr<sandbox::SocketOwnerFinder> m_owners;
  std::uint16_t m_dns_port, m_proxy_port;
  mutable std::mutex m_mu;
  std::optional<capture::EventLog> m_log;
};

} // namespace netmap::report
