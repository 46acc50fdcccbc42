#include "netmap/policy/target.hpp"

#include <array>
#include <utility>

namespace netmap::policy {

namespace {

using Fidelity = Translation::Fidelity;

constexpr std::array<std::pair<Target, const char*>, 10> k_names{{
    {Target::Netmap, "netmap"}, {Target::Codex, "codex"}, {Target::Copilot, "copilot"},
    {Target::Claude, "claude"}, {Target::Srt, "srt"}, {Target::HardenRunner, "harden-runner"},
    {Target::Squid, "squid"}, {Target::Dnsmasq, "dnsmasq"}, {Target::Unbound, "unbound"},
    {Target::Json, "json"},
}};

// Targets whose entries are suffix matches with no way to say "exact" or "subdomains only".
bool suffix_only(Target t) { return t == Target::Codex || t == Target::Copilot || t == Target::Dnsmasq; }

// dnsmasq >= 2.86: server=/x/ covers x and below, server=/*.x/ only below, and the more specific
// pattern wins, so an exact host is server=/x/UP plus a local-only server=/*.x/ (verified against
// dnsmasq 2.90 in tests/cli/export_dnsmasq_test.sh).
Translation dnsmasq_target(const Rule& r) {
  switch (r.kind) {
  case MatchKind::Exact:
    return {r.domain.str(), MatchKind::Exact, Fidelity::Exact, "written as two lines: forward " + r.domain.str() + ", answer NXDOMAIN below it"};
  case MatchKind::Subdomains: return {"*." + r.domain.str(), MatchKind::Subdomains, Fidelity::Exact, {}};
  default: return {r.domain.str(), MatchKind::ApexAndSubdomains, Fidelity::Exact, {}};
  }
}

Translation suffix_target(const Rule& r, Target t) {
  Translation tr{r.domain.str(), MatchKind::ApexAndSubdomains, Fidelity::Exact, {}};
  if (t == Target::Copilot && r.kind == MatchKind::Subdomains) {
    // Copilot's own list uses "*.x" entries, so subdomain-only wildcards are expressible.
    tr.text = "*." + r.domain.str();
    tr.effective = MatchKind::Subdomains;
    return tr;
  }
  if (r.kind == MatchKind::Exact) {
    tr.fidelity = Fidelity::Widened;
    tr.note = std::string("widened: ") + target_name(t) + " admits every subdomain of a bare entry";
  } else if (r.kind == MatchKind::Subdomains) {
    tr.fidelity = Fidelity::Widened;
    tr.note = std::string("widened: ") + target_name(t) + " cannot exclude the apex " + r.domain.str();
  }
  return tr;
}

Translation exact_target(const Rule& r, Target t) {
  Translation tr{r.domain.str(), r.kind, Fidelity::Exact, {}};
  switch (r.kind) {
  case MatchKind::Exact: break;
  case MatchKind::Subdomains: tr.text = "*." + r.domain.str(); break;
  case MatchKind::ApexAndSubdomains:
    // Exact-host targets need two entries for apex+subdomains; callers emit both texts.
    tr.text = r.domain.str() + "\n*." + r.domain.str();
    tr.note = std::string("written as two entries: ") + target_name(t) + " has no apex-and-subdomains form";
    break;
  case MatchKind::Any: break;
  }
  return tr;
}

} // namespace

const char* target_name(Target t) noexcept {
  for (const auto& [k, n] : k_names)
    if (k == t) return n;
  return "netmap";
}

std::optional<Target> parse_target(std::string_view name) noexcept {
  for (const auto& [k, n] : k_names)
    if (name == n) return k;
  return std::nullopt;
}

std::vector<std::string> target_names() {
  std::vector<std::string> out;
  for (const auto& kn : k_names) out.emplace_back(kn.second);
  return out;
}

MatchKind bare_meaning(Target t) noexcept {
  return suffix_only(t) || t == Target::Unbound ? MatchKind::ApexAndSubdomains : MatchKind::Exact;
}

std::string semantics_summary(Target t) {
  switch (t) {
  case Target::Netmap: return "netmap: 'x' exact, '*.x' subdomains only, '**.x' apex and subdomains";
  case Target::Codex: return "codex: a bare entry admits the apex and every subdomain (inferred from the preset; the docs are silent)";
  case Target::Copilot: return "copilot: a bare domain admits the domain and any subdomains (documented); '*.x' subdomains";
  case Target::Claude: return "claude: bare entries are exact hosts; '*.x' admits subdomains, not the apex (documented)";
  case Target::Srt: return "srt: allowedDomains entries are exact; '*.x' strict subdomains; deniedDomains checked first (documented)";
  case Target::HardenRunner: return "harden-runner: exact host:port entries; '*.x:port' subdomains (documented)";
  case Target::Squid: return "squid: dstdomain '.x' admits the apex and subdomains, 'x' exact";
  case Target::Dnsmasq: return "dnsmasq (>= 2.86): server=/x/ forwards x and every name below it, server=/*.x/ only the names below (documented, tested)";
  case Target::Unbound: return "unbound: local-zone transparent/always_nxdomain per zone; a zone covers its apex and every name below it (documented)";
  case Target::Json: return "json: netmap's own grammar";
  }
  return {};
}

namespace {

// '*' where the target has no entry for it: what to do instead, per the vendor's own settings
// (reference §1.1-1.3, §1.7).
std::string no_allow_all(Target t) {
  std::string head = std::string("impossible: ") + target_name(t);
  switch (t) {
  case Target::Codex: return head + " has no allow-everything entry; choose the 'All (unrestricted)' domain allowlist instead";
  case Target::Copilot: return head + " has no allow-everything entry; turn the agent firewall off instead";
  case Target::Claude: return head + " has no allow-everything entry; choose full network access instead";
  case Target::Srt: return head + " accepts a bare '*' only in deniedDomains, so no entry admits every name";
  case Target::HardenRunner: return head + " has no allow-everything endpoint; use egress-policy: audit instead";
  default: return head + " has no allow-everything entry";
  }
}

} // namespace

Translation translate(const Rule& r, Target t) {
  if (r.kind == MatchKind::Any) {
    // The proxy and the resolvers admit everything by leaving their final refusal out (squid
    // "http_access allow all", dnsmasq default servers, unbound no "." always_nxdomain zone).
    if (t == Target::Netmap || t == Target::Json || t == Target::Squid || t == Target::Dnsmasq || t == Target::Unbound)
      return {"*", MatchKind::Any, Fidelity::Exact, {}};
    return {"*", MatchKind::Any, Fidelity::Impossible, no_allow_all(t)};
  }
  switch (t) {
  case Target::Netmap:
  case Target::Json: return {r.text(), r.kind, Fidelity::Exact, {}};
  case Target::Codex:
  case Target::Copilot: return suffix_target(r, t);
  case Target::Dnsmasq: return dnsmasq_target(r);
  case Target::Claude:
  case Target::Srt:
  case Target::HardenRunner: return exact_target(r, t);
  case Target::Squid: {
    if (r.kind == MatchKind::Exact) return {r.domain.str(), MatchKind::Exact, Fidelity::Exact, {}};
    Translation tr{"." + r.domain.str(), MatchKind::ApexAndSubdomains, Fidelity::Exact, {}};
    if (r.kind == MatchKind::Subdomains) {
      tr.fidelity = Fidelity::Widened;
      tr.note = "widened: squid's .x also admits the apex " + r.domain.str();
    }
    return tr;
  }
  case Target::Unbound: {
    Translation tr{r.domain.str(), MatchKind::ApexAndSubdomains, Fidelity::Exact, {}};
    if (r.kind == MatchKind::Exact) {
      // A local-zone answers for its apex and every name below it; no zone type stops at the apex.
      tr.fidelity = Fidelity::Widened;
      tr.note = "widened: an unbound zone also admits every name below " + r.domain.str();
    } else if (r.kind == MatchKind::Subdomains) {
      tr.fidelity = Fidelity::Widened;
      tr.note = "widened: an unbound zone also admits its apex " + r.domain.str();
    }
    return tr;
  }
  }
  return {r.text(), r.kind, Fidelity::Exact, {}};
}

} // namespace netmap::policy
