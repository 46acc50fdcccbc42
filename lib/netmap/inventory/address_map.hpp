#pragma once
// Which names DNS answers gave each address, and when: lets a later connection to that address
// be attributed to the name the program asked for. Bounded; shared addresses stay ambiguous.

#include "netmap/inventory/string_pool.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>
namespace netmap::inventory {

/// Bounds and tolerances of an AddressMap.
struct AddressMapLimits {
  std::size_t max_addresses = 262144; ///< addresses remembered at once (expired, then oldest go first)
  std::int64_t grace_us = 10000000;   ///< a mapping stays usable this long past its TTL
};

/// Address → names from DNS answers, each valid from the answer's time until time + TTL + grace.
/// Addresses are held in binary and names in a pool (~70 bytes an address, not ~200); text that
/// is not an IPv4 or IPv6 address is ignored (no packet can be sent to it).
class AddressMap {
public:
  /// An empty map with these limits, keeping names in `names` (shared with the DomainTable that
  /// holds the same names) or in a pool of its own.
  explicit AddressMap(AddressMapLimits limits = {}, std::shared_ptr<StringPool> names = nullptr);

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
    std::int64_t from_us = 0;  ///< first answer time
    std::int64_t until_us = 0; ///< last answer time + TTL + grace
    std::uint32_t name = 0;    ///< in m_names
    std::uint32_t next = 0;    ///< the entry's next mapping (0 = none)
  };
  struct Entry {
    std::array<std::uint8_t, 16> address{};
    std::uint8_t family = 0;    ///< 4 or 6
    std::uint32_t mappings = 0; ///< first mapping (0 = none)
    std::int64_t newest_us = 0; ///< latest answer time, for eviction order
  };

  [[nodiscard]] const Entry* find(const std::string& address) const noexcept;
  [[nodiscard]] std::uint32_t slot_of(const Entry& key) const noexcept;
  std::uint32_t new_mapping(const Mapping& m);
  void free_mappings(std::uint32_t head);
  void rebuild_index();
  void make_room(std::int64_t now_us);

  AddressMapLimits m_limits;
  std::deque<Entry> m_entries;                ///< a deque: growing never copies the entries
  std::deque<Mapping> m_mappings{Mapping{}};  ///< mapping 0 is the "none" sentinel
  std::uint32_t m_free = 0;                   ///< freed mappings, chained through `next`
  std::vector<std::uint32_t> m_index = std::vector<std::uint32_t>(1024, 0); ///< entry + 1; 0 = free
  std::shared_ptr<StringPool> m_names;
  std::uint64_t m_evicted_live = 0;
};

/// "ambiguous: a, b" for a name list of two or more; empty otherwise.
[[nodiscard]] std::string ambiguity_note(const std::vector<std::string>& names);

} // namespace netmap::inventory
