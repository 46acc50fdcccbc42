#pragma once
// Events folded per domain (and per bare-IP destination), with the policy's verdict on each.
// Written as JSON with a "schema" field; merges across CI matrix jobs.

#include "netmap/inventory/event.hpp"
#include "netmap/policy/matcher.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace netmap::inventory {

/// The inventory schema identifier and version written in every file.
inline constexpr const char* k_schema = "netmap.inventory";
inline constexpr int k_schema_version = 1;
/// The largest inventory or events file read (whole, into memory): far above any real run's.
inline constexpr std::size_t k_max_inventory_bytes = std::size_t{1} << 30;

/// Everything seen about one domain.
struct DomainRecord {
  std::string name;                 ///< normalized name (escaped raw text when invalid)
  std::set<std::string> via;        ///< seen_via_name() values
  std::set<std::uint16_t> ports;    ///< destination ports
  std::set<std::string> addresses;  ///< addresses it resolved to or was reached at
  std::uint64_t count = 0;          ///< contact attempts
  std::uint64_t blocked = 0;        ///< attempts a fence refused (resolver/proxy verdicts)
  std::int64_t first_us = 0;        ///< first seen
  std::int64_t last_us = 0;         ///< last seen
  std::set<std::string> notes;      ///< "ech", "ambiguous", "cname-of x", "sni-mismatch"…
  std::set<std::string> processes;  ///< "pid command" of the processes that made the attempts
  std::string verdict;              ///< decision_name() under the policy applied last
  std::string rule;                 ///< rule text that decided
  std::string rule_source;          ///< where that rule was written
};

/// A destination reached by address with no name ever seen for it.
struct UnnamedRecord {
  std::string address;
  std::uint16_t port = 0;
  std::string transport;
  std::uint64_t count = 0;
  std::int64_t first_us = 0;
  std::int64_t last_us = 0;
};

/// The inventory. Plain data plus folding; not thread-safe.
struct Inventory {
  std::map<std::string, DomainRecord> domains;   ///< keyed by name
  std::map<std::string, UnnamedRecord> unnamed;  ///< keyed by "transport address port"
  std::map<std::string, std::uint64_t> stats;    ///< capture and server counters ("packets", "dropped_kernel", "undecodable.<reason>"…)
  std::vector<std::string> sources;              ///< what was read or run ("pcap:file", "command:make test", "iface:any")
  std::int64_t started_us = 0;                   ///< earliest event or start of run
  std::int64_t finished_us = 0;                  ///< latest event or end of run

  /// Folds one event in. Events without a name but with an address go to `unnamed`.
  void add(const Event& e);
  /// Folds another inventory in (counts add up, sets unite, times widen, stats add).
  void merge(const Inventory& other);
  /// Sets every record's verdict and rule from `matcher`.
  void apply_policy(const policy::Matcher& matcher);
  /// The counter `key` of `stats`; 0 when absent.
  [[nodiscard]] std::uint64_t stat(const std::string& key) const;
};

/// The inventory as JSON.
[[nodiscard]] nlohmann::json to_json(const Inventory& inv);
/// One domain record as the object the inventory's "domains" list holds.
[[nodiscard]] nlohmann::json to_json(const DomainRecord& d);
/// One unnamed destination as the object the inventory's "unnamed" list holds.
[[nodiscard]] nlohmann::json to_json(const UnnamedRecord& u);
/// Parses an inventory JSON document; throws base::UserError naming `file` on bad shape or schema.
[[nodiscard]] Inventory inventory_from_json(const nlohmann::json& j, const std::string& file);
/// Parses text that is either an inventory (JSON) or events (JSON Lines), named `path` in errors;
/// throws base::UserError with path:line:col for malformed content.
[[nodiscard]] Inventory parse_inventory(std::string_view text, const std::string& path);
/// parse_inventory() of a file (at most k_max_inventory_bytes).
[[nodiscard]] Inventory read_inventory(const std::string& path);
/// Writes the inventory atomically ("-" for stdout), pretty-printed, ending with a newline.
void write_inventory(const std::string& path, const Inventory& inv);

} // namespace netmap::inventory
