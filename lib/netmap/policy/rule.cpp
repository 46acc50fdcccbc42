#include "netmap/policy/rule.hpp"

#include "netmap/base/text.hpp"

namespace netmap::policy {

namespace {

constexpr const char* k_host_only_reason =
    "the sandbox's proxy sees only the CONNECT host (SNI), never the URL path, so rules match "
    "domain names: you can allow api.example.com, not api.example.com/v2";

base::Result<Rule> fail(std::string why) { return base::Result<Rule>::failure(std::move(why)); }

} // namespace

std::string RuleSource::str() const {
  std::string w = where.str();
  return w.empty() ? origin : w;
}

std::string Rule::text() const {
  switch (kind) {
  case MatchKind::Exact: return domain.str();
  case MatchKind::Subdomains: return "*." + domain.str();
  case MatchKind::ApexAndSubdomains: return "**." + domain.str();
  case MatchKind::Any: return "*";
  }
  return domain.str();
}

bool Rule::matches(const DomainName& name) const noexcept {
  switch (kind) {
  case MatchKind::Exact: return name == domain;
  case MatchKind::Subdomains: return name.is_strictly_below(domain);
  case MatchKind::ApexAndSubdomains: return name.is_within(domain);
  case MatchKind::Any: return true;
  }
  return false;
}

bool Rule::covered_by(const Rule& other) const noexcept {
  switch (other.kind) {
  case MatchKind::Any: return true;
  case MatchKind::Exact: return kind == MatchKind::Exact && domain == other.domain;
  case MatchKind::Subdomains:
    if (kind == MatchKind::Any) return false;
    if (kind == MatchKind::Exact) return domain.is_strictly_below(other.domain);
    return domain.is_strictly_below(other.domain) || (kind == MatchKind::Subdomains && domain == other.domain);
  case MatchKind::ApexAndSubdomains: return kind != MatchKind::Any && domain.is_within(other.domain);
  }
  return false;
}

base::Result<Rule> parse_rule(std::string_view text, MatchKind bare) {
  std::string_view t = base::trim(text);
  if (t.empty()) return fail("empty rule");
  if (auto p = t.find("://"); p != std::string_view::npos)
    return fail("rule '" + base::escape_bytes(t) + "' has a scheme ('" + std::string(t.substr(0, p + 3)) +
                "'): " + k_host_only_reason);
  if (t.find('/') != std::string_view::npos)
    return fail("rule '" + base::escape_bytes(t) + "' has a path: " + k_host_only_reason);
  if (t.find_first_of("?#") != std::string_view::npos)
    return fail("rule '" + base::escape_bytes(t) + "' has a query or fragment: " + k_host_only_reason);
  if (t.find('@') != std::string_view::npos)
    return fail("rule '" + base::escape_bytes(t) + "' has user information: " + k_host_only_reason);
  if (!is_ip_literal(t) && t.find(':') != std::string_view::npos)
    return fail("rule '" + base::escape_bytes(t) + "' has a port: domain rules admit a host on every port; "
                "ports are only expressed by the harden-runner export, from the inventory");
  Rule r;
  r.written = std::string(t);
  if (t == "*") {
    r.kind = MatchKind::Any;
    return r;
  }
  std::string_view name = t;
  if (name.starts_with("**.")) {
    r.kind = MatchKind::ApexAndSubdomains;
    name.remove_prefix(3);
  } else if (name.starts_with("*.")) {
    r.kind = MatchKind::Subdomains;
    name.remove_prefix(2);
  } else if (name.starts_with(".")) {
    return fail("rule '" + base::escape_bytes(t) + "' starts with a dot; write *." +
                std::string(name.substr(1)) + " (subdomains) or **." + std::string(name.substr(1)) +
                " (apex and subdomains)");
  } else {
    r.kind = bare;
  }
  if (name.find('*') != std::string_view::npos)
    return fail("rule '" + base::escape_bytes(t) + "' has '*' inside the name; only a leading '*.' "
                "(subdomains) or '**.' (apex and subdomains) is allowed");
  if (is_ip_literal(name))
    return fail("rule '" + base::escape_bytes(t) + "' is an IP address: the fence admits names, and "
                "bare-IP destinations cannot be allowlisted by name");
  auto d = DomainName::parse(name);
  if (!d) return fail("rule '" + base::escape_bytes(t) + "': " + d.error());
  r.domain = d.value();
  return r;
}

const char* action_name(Action a) noexcept {
  switch (a) {
  case Action::Allow: return "allow";
  case Action::Deny: return "deny";
  case Action::Mock: return "mock";
  case Action::Ignore: return "ignore";
  }
  return "allow";
}

const char* match_kind_name(MatchKind k) noexcept {
  switch (k) {
  case MatchKind::Exact: return "exact";
  case MatchKind::Subdomains: return "subdomains";
  case MatchKind::ApexAndSubdomains: return "apex-and-subdomains";
  case MatchKind::Any: return "any";
  }
  return "exact";
}

} // namespace netmap::policy
