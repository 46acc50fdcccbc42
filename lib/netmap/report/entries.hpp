#pragma once
// What an exported allowlist must hold: the policy's allow rules plus every inventory domain the
// chosen presets do not already admit, each with the reason it is there.

#include "netmap/inventory/inventory.hpp"
#include "netmap/policy/policy.hpp"
#include "netmap/policy/target.hpp"

#include <string>
#include <vector>

namespace netmap::report {

/// One entry of an exported allowlist.
struct ExportEntry {
  policy::Rule rule;                  ///< in netmap's grammar
  policy::Translation translation;    ///< as the target spells it
  std::string reason;                 ///< "allow rule at netmap.yaml:5:5", "seen 12× via dns, sni"
  std::vector<std::uint16_t> ports;   ///< ports seen in the inventory (harden-runner)
};

/// What exporters get.
struct ExportInput {
  const policy::Policy* policy = nullptr;            ///< required
  const inventory::Inventory* inventory = nullptr;   ///< optional
};

/// The additions for `target`: sorted by name, deduplicated, none covered by another entry (under
/// the target's semantics) or by the policy's presets. Denied, mock and ignored inventory domains
/// are left out (they are reported by check, never exported as allowed).
[[nodiscard]] std::vector<ExportEntry> collect_entries(const ExportInput& in, policy::Target target);

} // namespace netmap::report
