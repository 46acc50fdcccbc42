#pragma once
// `netmap check`: the policy against what a build contacted, as findings with severities.

#include "netmap/inventory/inventory.hpp"
#include "netmap/policy/policy.hpp"
#include "netmap/policy/target.hpp"
#include "netmap/report/entries.hpp"
#include "netmap/report/finding.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace netmap::report {

/// What to check beyond the contacted domains.
struct CheckOptions {
  std::optional<policy::Target> target; ///< also report rules the target cannot express exactly
  bool stale = false;                   ///< also report allow rules no contacted domain needed
};

/// The verdict on one contacted domain under the current policy.
struct DomainOutcome {
  std::string name;                ///< escaped for output
  policy::Decision decision = policy::Decision::Unlisted;
  std::string rule;                ///< deciding rule's text (empty when none)
  std::string rule_source;         ///< where that rule was written
  std::uint64_t count = 0;         ///< contact attempts
  std::set<std::string> via;       ///< how it was seen
};

/// Everything check found, ready for any output format.
struct CheckResult {
  std::string policy_path;                       ///< the policy file (empty when none)
  std::optional<policy::Target> target;          ///< --target, if given
  std::vector<Finding> findings;                 ///< worst first, then by place and name
  std::vector<DomainOutcome> domains;            ///< every contacted domain, sorted by name
  std::vector<inventory::UnnamedRecord> unnamed; ///< bare-IP destinations

  /// Number of findings of exactly this severity.
  [[nodiscard]] std::size_t count(Severity s) const noexcept;
  /// True when a finding is at or above `fail_on`.
  [[nodiscard]] bool fails(Severity fail_on) const noexcept;
  /// Re-sorts findings (call after adding one).
  void sort_findings();
};

/// Decides every contacted domain and inspects the policy's rules. Never throws for data in the
/// inventory (invalid names become findings).
[[nodiscard]] CheckResult run_check(const policy::Policy& policy, const inventory::Inventory& inventory,
                                    const CheckOptions& options);

} // namespace netmap::report
