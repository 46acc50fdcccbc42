#pragma once
// What each sandbox makes of an allowlist entry, so netmap can translate its rules and warn.
// Facts from shared/reference/sandbox-semantics.md §1.8.

#include "netmap/policy/rule.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::policy {

/// Targets netmap can export to or explain under.
enum class Target { Netmap, Codex, Copilot, Claude, Srt, HardenRunner, Squid, Dnsmasq, Unbound, Json };

/// How one netmap rule is written for a target, and whether that changes what it admits.
struct Translation {
  std::string text;          ///< the entry as the target spells it (without port)
  MatchKind effective{};     ///< what the target will actually admit
  enum class Fidelity { Exact, Widened, Narrowed, Impossible } fidelity = Fidelity::Exact;
  std::string note;          ///< why it was widened or narrowed (empty when exact)
};

/// The lowercase target name ("codex", "harden-runner", …).
[[nodiscard]] const char* target_name(Target t) noexcept;
/// Parses a target name; nothing for an unknown one.
[[nodiscard]] std::optional<Target> parse_target(std::string_view name) noexcept;
/// Every target name, for help text and "did you mean".
[[nodiscard]] std::vector<std::string> target_names();
/// What a bare entry (no wildcard) means on the target.
[[nodiscard]] MatchKind bare_meaning(Target t) noexcept;
/// One line describing the target's matching semantics, with its confidence.
[[nodiscard]] std::string semantics_summary(Target t);
/// Translates a netmap rule into the target's entry syntax (an allow-everything `*` is Impossible
/// except on Netmap, Json, Squid, Dnsmasq and Unbound, which admit everything by their own means).
[[nodiscard]] Translation translate(const Rule& rule, Target t);

} // namespace netmap::policy
