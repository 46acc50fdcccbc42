#pragma once
// What a target is given once the policy is exported, decided once: every exporter writes it and
// `explain --target` decides names by it, so the two cannot disagree.

#include "netmap/report/entries.hpp"

#include <optional>
#include <string>
#include <vector>

namespace netmap::report {

/// One target's export before it is spelled out.
struct ExportPlan {
  policy::Target target = policy::Target::Json;
  std::vector<ExportEntry> allows;       ///< allow entries written, minimal and sorted (no '*')
  std::vector<ExportEntry> denies;       ///< refusals written; empty where the target has no deny list
  std::optional<ExportEntry> allow_all;  ///< the '*' rule, where the target admits every name its own way
  std::vector<policy::Rule> native;      ///< the native preset's rules (the target's own setting), as it reads them
  std::vector<std::string> left_out;     ///< "left out: …" and inventory lines, for the file's head
  std::vector<std::string> unenforced;   ///< "not enforced: …" lines: refusals and methods the target drops

  /// The target's verdict for `name` under what is written: Allowed, Denied, Mock or Unlisted, with
  /// the netmap rule behind the deciding entry. Resolvers (dnsmasq, unbound) let the most specific
  /// entry decide; every other target lets a refusal win.
  [[nodiscard]] policy::Verdict decide(const policy::DomainName& name) const;
  /// True when an allow entry that is written admits every name strictly below `domain`.
  [[nodiscard]] bool admits_all_below(const policy::DomainName& domain) const;
};

/// The plan for `target` (not Netmap). Throws nothing; upstreams are the exporters' business.
[[nodiscard]] ExportPlan plan_export(const ExportInput& in, policy::Target target);

/// The "not enforced: methods …" (or the setting to choose) line for targets that cannot hold the
/// policy's `methods:` in their file; empty when there are none or the target writes them.
[[nodiscard]] std::string methods_note(const policy::Policy& p, policy::Target target);

} // namespace netmap::report
