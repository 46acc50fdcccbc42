#pragma once
// The domains of one long run, folded compactly: a fixed-size record per name, its sets as lists
// of pooled string ids. Inventory::domains costs ~0.8 KB a name (map node, five std::sets, eight
// strings); this costs ~0.1 KB, which is what lets discover hold 100 k+ names in a few MiB.
// Records come out one at a time, in name order, as DomainRecord: the same fold, the same JSON.

#include "netmap/inventory/event.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/inventory/string_pool.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace netmap::inventory {

/// Named events folded per domain exactly as Inventory::add folds them. Not thread-safe. A table
/// moved from may only be destroyed or assigned to.
class DomainTable {
public:
  /// An empty table keeping its strings in `strings` (shared with an AddressMap, say), or in a
  /// pool of its own.
  explicit DomainTable(std::shared_ptr<StringPool> strings = nullptr)
      : m_strings(strings ? std::move(strings) : std::make_shared<StringPool>()) {}

  /// Folds one event in; events without a name are ignored (they are Inventory::unnamed's).
  void add(const Event& e);
  /// Adds `addresses` to `name`'s record when there is one (answered addresses, not a contact).
  void add_addresses(std::string_view name, const std::vector<std::string>& addresses);
  /// True when `name` has a record.
  [[nodiscard]] bool contains(std::string_view name) const noexcept;
  /// Domains held.
  [[nodiscard]] std::size_t size() const noexcept { return m_records.size(); }
  /// Calls `f` with each domain's record in name order (std::map order), built one at a time;
  /// `f` may change or move it.
  void for_each(const std::function<void(DomainRecord&)>& f) const;
  /// Moves every record into `inv.domains` (folding as Inventory::add would) and empties the table.
  void move_into(Inventory& inv);
  /// Bytes allocated, approximately (records, lists, index, strings).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
  /// One element of a set: a pooled string id (or a port), and the next element (0 = none).
  struct Node {
    std::uint32_t value = 0;
    std::uint32_t next = 0;
  };
  struct Record {
    std::uint32_t name = 0;
    std::uint32_t verdict = StringPool::k_empty;
    std::uint32_t rule = StringPool::k_empty;
    std::uint32_t rule_source = StringPool::k_empty;
    std::uint32_t ports = 0;     ///< list heads: node indexes, 0 = empty
    std::uint32_t addresses = 0;
    std::uint32_t notes = 0;
    std::uint32_t processes = 0;
    std::uint32_t via = 0;       ///< bit per SeenVia
    std::uint64_t count = 0;
    std::uint64_t blocked = 0;
    std::int64_t first_us = 0;
    std::int64_t last_us = 0;
  };

  [[nodiscard]] std::uint32_t find(std::string_view name, std::uint64_t h) const noexcept;
  Record& record(std::string_view name);
  void insert_value(std::uint32_t& head, std::uint32_t value);
  void grow_index();
  [[nodiscard]] DomainRecord expand(const Record& r) const;

  std::shared_ptr<StringPool> m_strings;
  std::deque<Record> m_records;       ///< a deque: growing never copies (or doubles) the records
  std::deque<Node> m_nodes{Node{}};   ///< node 0 is the "none" sentinel
  std::vector<std::uint32_t> m_index = std::vector<std::uint32_t>(1024, 0); ///< record index + 1; 0 = free
};

} // namespace netmap::inventory
