#pragma once
// One allowlist entry in netmap's explicit grammar, with where it came from.

#include "netmap/base/error.hpp"
#include "netmap/policy/domain_name.hpp"

#include <string>
#include <string_view>

namespace netmap::policy {

/// How a rule's name admits other names.
enum class MatchKind {
  Exact,             ///< `example.com`: that host only
  Subdomains,        ///< `*.example.com`: any name below, not the apex
  ApexAndSubdomains, ///< `**.example.com`: the apex and every name below
  Any,               ///< `*`: every name
};

/// What a matching rule does to a name.
enum class Action {
  Allow,  ///< reachable
  Deny,   ///< blocked, even if an allow rule also matches
  Mock,   ///< tests must mock it: contacting it is an error
  Ignore, ///< left out of reports (local services, telemetry the user accepts)
};

/// Where a rule was written: a preset, a policy file position, or the command line.
struct RuleSource {
  std::string origin;    ///< "preset codex-common", "netmap.yaml", "--allow"
  base::Location where;  ///< file:line:col when from a file
  /// "netmap.yaml:12:5" or "preset codex-common" or "--allow".
  [[nodiscard]] std::string str() const;
};

/// A parsed rule.
struct Rule {
  DomainName domain;                 ///< the name part (apex for wildcard rules; empty for Any)
  MatchKind kind = MatchKind::Exact; ///< how it matches
  Action action = Action::Allow;     ///< what it does
  RuleSource source;                 ///< where it came from
  std::string written;               ///< the text as the user wrote it

  /// The rule in netmap's grammar: "example.com", "*.example.com", "**.example.com" or "*".
  [[nodiscard]] std::string text() const;
  /// True when this rule admits `name`.
  [[nodiscard]] bool matches(const DomainName& name) const noexcept;
  /// True when every name this rule admits is also admitted by `other`.
  [[nodiscard]] bool covered_by(const Rule& other) const noexcept;
};

/// Parses rule text. `bare` is what a plain name means (Exact in netmap's grammar; presets pass
/// their vendor's meaning). Schemes, paths, ports, queries and mid-name '*' are errors whose reason
/// quotes the spec: the proxy sees the CONNECT host, never the URL path.
[[nodiscard]] base::Result<Rule> parse_rule(std::string_view text, MatchKind bare = MatchKind::Exact);

/// Lowercase name of an action ("allow", "deny", "mock", "ignore").
[[nodiscard]] const char* action_name(Action a) noexcept;
/// Lowercase name of a match kind ("exact", "subdomains", "apex-and-subdomains", "any").
[[nodiscard]] const char* match_kind_name(MatchKind k) noexcept;

} // namespace netmap::policy
