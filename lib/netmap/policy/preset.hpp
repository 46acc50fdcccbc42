#pragma once
// The built-in allowlists, embedded at build time from data/presets/*.txt with their provenance.

#include "netmap/policy/rule.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace netmap::policy {

/// One built-in allowlist.
struct Preset {
  std::string name;                   ///< "codex-common"
  std::string title;                  ///< one line saying what it is
  std::string source;                 ///< where the list was taken from
  std::string semantics;              ///< how the vendor matches its entries
  MatchKind bare = MatchKind::Exact;  ///< what a bare entry means in this list
  std::vector<Rule> rules;            ///< the host entries, as allow rules with that meaning
  std::vector<std::string> url_entries; ///< vendor entries with a path (a host-level fence cannot hold them)
  std::vector<std::string> ip_entries;  ///< vendor entries that are IP addresses
  std::string text;                   ///< the data file as embedded
};

/// Every preset, sorted by name. Each is parsed once, when first asked for; parse errors in the
/// data are a build bug (abort). The pointers stay valid for the life of the program.
[[nodiscard]] std::vector<const Preset*> presets();
/// The preset of that name (parsed now if it was not yet), or null.
[[nodiscard]] const Preset* find_preset(std::string_view name);
/// The preset names, for help and "did you mean".
[[nodiscard]] std::vector<std::string> preset_names();

} // namespace netmap::policy
