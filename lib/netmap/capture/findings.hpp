#pragma once
// What a discover run found, as it holds it: the inventory's header (stats, sources, unnamed
// destinations, times) plus its domains in compact form. Records are expanded (and given the
// policy's verdict) one at a time as they are written, so output never holds them all at once.

#include "netmap/inventory/domain_table.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/policy/matcher.hpp"

#include <functional>

namespace netmap::capture {

/// The result of a Session. Move-only in practice (the table can be large).
struct Findings {
  inventory::Inventory inventory;           ///< everything but the domains (its `domains` stays empty)
  inventory::DomainTable domains;           ///< the domains, compact
  const policy::Matcher* matcher = nullptr; ///< verdicts applied as records are read; may be null

  /// Calls `f` with each domain record in name order, its verdict decided by `matcher`.
  void for_each_domain(const std::function<void(const inventory::DomainRecord&)>& f) const;
  /// The whole inventory, domains included, with the policy applied (for small runs and tests).
  [[nodiscard]] inventory::Inventory to_inventory() &&;
};

} // namespace netmap::capture
