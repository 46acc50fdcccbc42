#pragma once
// Decides every name against every rule: a hash of reversed-label suffixes, deny wins over allow.

#include "netmap/policy/rule.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace netmap::policy {

/// The outcome for one name.
enum class Decision {
  Allowed,  ///< an allow rule matched and nothing stronger
  Denied,   ///< a deny rule matched
  Mock,     ///< a mock rule matched: tests must not reach it
  Ignored,  ///< an ignore rule matched: still fenced, but left out of findings
  Unlisted, ///< no rule matched: blocked by the fence
  Invalid,  ///< not a valid host name at all (blocked)
};

/// A decision and the rule that made it (null for Unlisted and Invalid).
struct Verdict {
  Decision decision = Decision::Unlisted;
  const Rule* rule = nullptr;
  /// True when the name may pass the fence (only Allowed: ignored names stay fenced, unreported).
  [[nodiscard]] bool reachable() const noexcept { return decision == Decision::Allowed; }
};

/// Lowercase word for a decision ("allowed", "denied", "mock", "ignored", "unlisted", "invalid").
[[nodiscard]] const char* decision_name(Decision d) noexcept;

/// An immutable-after-build rule set. Thread-safe for concurrent decide() once built.
/// Precedence: deny > mock > allow > ignore; within one action the most specific rule reports.
class Matcher {
public:
  Matcher();
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  /// Adds a rule; the matcher keeps its own copy.
  void add(Rule rule);
  /// Decides a normalized name.
  [[nodiscard]] Verdict decide(const DomainName& name) const noexcept;
  /// Decides raw text (Invalid when it is not a host name); text already in canonical form
  /// (is_canonical_host) is decided without parsing or allocating.
  [[nodiscard]] Verdict decide(std::string_view name) const;
  /// Decides text the caller has checked is canonical (is_canonical_host): no checks at all.
  [[nodiscard]] Verdict decide_canonical(std::string_view name) const noexcept { return walk(name); }
  /// Every rule, in the order added.
  [[nodiscard]] std::vector<const Rule*> rules() const;
  /// Number of rules.
  [[nodiscard]] std::size_t size() const noexcept;

private:
  [[nodiscard]] Verdict walk(std::string_view canonical) const noexcept;
  struct Node;
  struct Impl;
  std::unique_ptr<Impl> m;
};

} // namespace netmap::policy
