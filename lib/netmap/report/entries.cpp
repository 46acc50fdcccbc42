#include "netmap/report/entries.hpp"

#include "netmap/policy/preset.hpp"

#include <algorithm>

namespace netmap::report {

namespace {

using policy::Rule;

std::string seen_reason(const inventory::DomainRecord& d) {
  std::string via;
  for (const auto& v : d.via) via += (via.empty() ? "" : ", ") + v;
  return "seen " + std::to_string(d.count) + (d.count == 1 ? " time" : " times") + " via " + via;
}

Rule effective_rule(const ExportEntry& e) {
  Rule r = e.rule;
  r.kind = e.translation.effective;
  return r;
}

} // namespace

std::vector<ExportEntry> collect_entries(const ExportInput& in, policy::Target target) {
  policy::Matcher presets;
  for (const auto& ref : in.policy->presets)
    if (const auto* p = policy::find_preset(ref.name))
      for (const auto& r : p->rules) presets.add(r);
  policy::Matcher full = in.policy->build_matcher();

  std::vector<ExportEntry> out;
  for (const auto& r : in.policy->rules) {
    if (r.action != policy::Action::Allow) continue;
    if (r.kind != policy::MatchKind::Any && presets.size() > 0) {
      bool covered = false;
      for (const Rule* p : presets.rules()) covered = covered || r.covered_by(*p);
      if (covered) continue;
    }
    out.push_back({r, policy::translate(r, target), "allow rule at " + r.source.str(), {}});
  }
  if (in.inventory) {
    for (const auto& [name, d] : in.inventory->domains) {
      auto dn = policy::DomainName::parse(name);
      if (!dn) continue;
      auto v = full.decide(dn.value());
      if (v.decision == policy::Decision::Denied || v.decision == policy::Decision::Mock ||
          v.decision == policy::Decision::Ignored)
        continue;
      if (presets.decide(dn.value()).decision == policy::Decision::Allowed) continue;
      auto hit = std::find_if(out.begin(), out.end(), [&](const ExportEntry& e) { return e.rule.matches(dn.value()); });
      if (hit != out.end()) {
        hit->ports.insert(hit->ports.end(), d.ports.begin(), d.ports.end());
        continue;
      }
      Rule r;
      r.domain = dn.value();
      r.kind = policy::MatchKind::Exact;
      r.source.origin = "inventory";
      r.written = name;
      out.push_back({r, policy::translate(r, target), seen_reason(d), {d.ports.begin(), d.ports.end()}});
    }
  }
  // Minimal: drop entries that another entry admits under the target's own semantics.
  std::vector<ExportEntry> minimal;
  for (std::size_t i = 0; i < out.size(); ++i) {
    Rule ri = effective_rule(out[i]);
    bool covered = false;
    for (std::size_t j = 0; j < out.size() && !covered; ++j) {
      if (i == j) continue;
      Rule rj = effective_rule(out[j]);
      bool same = ri.kind == rj.kind && ri.domain == rj.domain;
      covered = same ? j < i : ri.covered_by(rj);
    }
    if (!covered) minimal.push_back(std::move(out[i]));
  }
  for (auto& e : minimal) {
    std::sort(e.ports.begin(), e.ports.end());
    e.ports.erase(std::unique(e.ports.begin(), e.ports.end()), e.ports.end());
  }
  std::sort(minimal.begin(), minimal.end(), [](const ExportEntry& a, const ExportEntry& b) {
    return a.translation.text != b.translation.text ? a.translation.text < b.translation.text
                                                    : a.rule.text() < b.rule.text();
  });
  return minimal;
}

} // namespace netmap::report
