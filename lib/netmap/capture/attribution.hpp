#pragma once
// Observations → inventory events: names seen directly are their own evidence; a connection with
// no name of its own waits briefly for one from its own flow, then is attributed through the
// address map (DNS answers), marked ambiguous, or reported as an unnamed bare-IP destination.
// A request that names an address itself (an IP literal in Host or CONNECT) is a bare-IP
// destination even when DNS answered that address for a name: a proxy sees the address, and no
// name rule admits it. A DNS query's event waits for its answer, so that it carries the answer's
// code, addresses and TTL (the inventory rebuilt from events is the inventory written by -o).

#include "netmap/dissect/observation.hpp"
#include "netmap/inventory/address_map.hpp"
#include "netmap/inventory/event.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace netmap::capture {

/// Bounds of the attribution state.
struct AttributionLimits {
  std::size_t max_pending = 65536;    ///< nameless connections waiting at once (oldest decided first)
  std::int64_t hold_us = 3000000;     ///< how long a connection waits for its own flow to name it
  std::size_t max_queries = 65536;    ///< DNS queries waiting for their answers (oldest decided first)
  std::int64_t query_hold_us = 10000000; ///< how long a query waits for its answer (a stub resolver's whole wait)
  inventory::AddressMapLimits addresses; ///< the address → name map
};

/// Turns observations into events. Not thread-safe; one per capture session.
class Attribution {
public:
  /// Empty state with these limits; the address map keeps its names in `names` when given.
  explicit Attribution(AttributionLimits limits = {}, std::shared_ptr<inventory::StringPool> names = nullptr);

  /// Takes one observation; appends the events it decides now (others wait in pending state).
  void observe(const dissect::Observation& o, std::vector<inventory::Event>& out);
  /// Decides connections that waited longer than hold_us, and queries longer than query_hold_us,
  /// before capture time `now_us`.
  void expire(std::int64_t now_us, std::vector<inventory::Event>& out);
  /// Decides every waiting connection and query (end of capture).
  void finish(std::vector<inventory::Event>& out);
  /// The address map built so far.
  [[nodiscard]] const inventory::AddressMap& addresses() const noexcept { return m_map; }
  /// Connections still waiting.
  [[nodiscard]] std::size_t pending() const noexcept { return m_pending.size(); }
  /// DNS queries still waiting for their answers.
  [[nodiscard]] std::size_t pending_queries() const noexcept { return m_queries.size(); }

private:
  struct Pending {
    std::int64_t time_us = 0;
    std::string address;
    std::uint16_t port = 0;
    std::string transport;
    std::string client;
  };

  void on_query(const dissect::Observation& o, std::vector<inventory::Event>& out);
  void on_answer(const dissect::Observation& o, std::vector<inventory::Event>& out);
  void on_named(const dissect::Observation& o, std::vector<inventory::Event>& out);
  void decide(const Pending& p, std::vector<inventory::Event>& out);
  /// Emits the queries asked before `before_us` (all when `before_us` is INT64_MAX), oldest first.
  void release_queries(std::int64_t before_us, std::vector<inventory::Event>& out);

  AttributionLimits m_limits;
  inventory::AddressMap m_map;
  std::unordered_map<std::string, Pending> m_pending;        ///< by flow key
  std::unordered_map<std::string, inventory::Event> m_queries; ///< "client port name qtype" → its event
  std::int64_t m_oldest_pending_us = 0;
  std::int64_t m_oldest_query_us = 0;
};

/// The flow key of an observation in the client → server direction.
[[nodiscard]] std::string flow_key(const dissect::Observation& o);

/// Splits "host:port" / "[v6]:port" into host and port (port 0 and the whole text when none).
[[nodiscard]] std::pair<std::string, std::uint16_t> split_host_port(const std::string& authority);

/// True when `text` is an IPv4 or IPv6 address literal (a destination no domain rule can admit).
[[nodiscard]] bool is_ip_literal(const std::string& text);

} // namespace netmap::capture
