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

/// The preset the target offers in its own settings (codex-common for codex, copilot-recommended
/// for copilot), or null (Claude Code's local sandbox settings have no default list). Exports leave that preset's entries out and
/// tell the user to select it; every other preset is written out entry by entry.
[[nodiscard]] const char* native_preset(policy::Target t) noexcept;

/// True when the target can refuse names inside an allowed entry (srt, squid, dnsmasq, unbound, json).
[[nodiscard]] bool has_deny(policy::Target t) noexcept;

/// The additions for `target`: sorted by name, deduplicated, none covered by another written entry
/// (under the target's semantics) or by the target's native preset; 'x' with '*.x' as one '**.x'
/// entry (not for json). Presets the target does not offer are expanded into entries. Denied, mock
/// and ignored inventory domains are left out (they are reported by check, never exported as
/// allowed); so are entries the target cannot write, with a "left out: …" line to `left_out`.
[[nodiscard]] std::vector<ExportEntry> collect_entries(const ExportInput& in, policy::Target target,
                                                       std::vector<std::string>* left_out = nullptr);

/// A deny or mock rule as the target refuses it; Narrowed (with a note) when the target's entry
/// refuses more names than the rule names.
[[nodiscard]] policy::Translation translate_deny(const policy::Rule& r, policy::Target target);

/// The policy's deny and mock rules as the target spells them (a refusal, for targets that have
/// one), sorted, none covered by another. The translation's note says when the target refuses more;
/// refusals the target cannot write go to `left_out` as "left out: …" lines.
[[nodiscard]] std::vector<ExportEntry> collect_denies(const ExportInput& in, policy::Target target,
                                                      std::vector<std::string>* left_out = nullptr);

/// True when rules `a` and `b` admit at least one name in common.
[[nodiscard]] bool rules_overlap(const policy::Rule& a, const policy::Rule& b);

/// For targets without a deny list: one line per deny or mock rule that an exported entry (or the
/// target's native preset) admits anyway, so the file can say the refusal is lost there.
[[nodiscard]] std::vector<std::string> unenforced_denies(const ExportInput& in, policy::Target target,
                                                         const std::vector<ExportEntry>& entries);

/// One line per kind of thing the export could not carry: URL-prefix and IP entries of expanded
/// presets ("preset copilot-recommended: 11 URL entries left out: …"), and contacted names in the
/// inventory that are not host names, which no entry can name.
[[nodiscard]] std::vector<std::string> left_out_notes(const ExportInput& in, policy::Target target);

} // namespace netmap::report
