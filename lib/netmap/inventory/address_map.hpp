#pragma once
// Which names DNS answers gave each address, and when: lets a later connection to that address
// be attributed to the name the program asked for. Bounded; shared addresses stay ambiguous.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace netmap::inventory {

/// Bounds and tolerances of an AddressMap.
struct AddressMapLimits {
  std::size_t max_addresses = 262144; ///< addresses remembered at once (expired, then oldest go first)
  std::int64_t grace_us = 10000000;   ///< a mapping stays usable this long past its TTL
};

/// Address → names from DNS answers, each valid from the answer's time until time + TTL + grace.
class AddressMap {
public:
  /// An empty map with these limits.
  explicit AddressMap(AddressMapLimits limits = {});

  /// Records that a DNS answer seen at `time_us` gave `address` to `name` for `ttl` seconds.
  /// Answering the same name again extends its validity.
  void add(const std::string& address, const std::string& name, std::int64_t time_us, std::uint32_t ttl);
  /// The names `address` was validly answered for at `time_us`, sorted; more than one = ambiguous.
  [[nodiscard]] std::vector<std::string> lookup(const std::string& address, std::int64_t time_us) const;
  /// True when `address` was ever answered for `name` (regardless of time), e.g. to explain drops.
  [[nodiscard]] bool ever(const std::string& address, const std::string& name) const;
  /// Addresses held now.
  [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
  /// Addresses forgotten to stay within max_addresses while still valid (attribution may be lost).
  [[nodiscard]] std::uint64_t evicted_live() const noexcept { return m_evicted_live; }

private:
  struct Mapping {
    std::string name;
    std::int64_t from_us = 0;  ///< first answer time
    std::int64_t until_us = 0; ///< last answer time + TTL + grace
  };
  struct Entry {
    std::vector<Mapping> names;
    std::int64_t newest_us = 0; ///< latest answer time, for eviction order
  };

  void make_room(std::int64_t now_us);

  AddressMapLimits m_limits;
  std::unordered_map<std::string, Entry> m_entries;
  std::uint64_t m_evicted_live = 0;
};

/// "ambiguous: a, b" for a name list of two or more; empty otherwise.
[[nodiscard]] std::string ambiguity_note(const std::vector<std::string>& names);

} // namespace netmap::inventory
