#include "netmap/report/export_plan.hpp"

#include "netmap/policy/preset.hpp"

#include <algorithm>
#include <set>

namespace netmap::report {

namespace {

using policy::MatchKind;
using policy::Rule;

Rule effective(const ExportEntry& e) {
  Rule r = e.rule;
  r.kind = e.translation.effective;
  return r;
}

// How specific a resolver's entry is for the names it matches: deeper zones win, and dnsmasq's
// "*.x" beats "x" for the names below x (man dnsmasq, --server). '*' loses to everything.
int specificity(const Rule& r) {
  if (r.kind == MatchKind::Any) return -1;
  return static_cast<int>(r.domain.label_count()) * 2 + (r.kind == MatchKind::Subdomains ? 1 : 0);
}

bool most_specific_wins(policy::Target t) { return t == policy::Target::Dnsmasq || t == policy::Target::Unbound; }

// One zone cannot be both transparent and always_nxdomain (unbound warns and keeps one); the
// refusal wins, as deny does in netmap, so the allowed names below it are lost: say so.
void drop_unbound_zone_clashes(ExportPlan& plan) {
  std::erase_if(plan.allows, [&](const ExportEntry& e) {
    auto same = std::find_if(plan.denies.begin(), plan.denies.end(),
                             [&](const ExportEntry& d) { return d.translation.text == e.translation.text; });
    if (same == plan.denies.end()) return false;
    plan.left_out.push_back("left out: " + e.rule.text() + " (" + e.reason + "): its zone " + e.translation.text +
                            " is refused by " + same->rule.text() + " (" + same->reason + "), and unbound keeps one type per zone");
    return true;
  });
}

} // namespace

policy::Verdict ExportPlan::decide(const policy::DomainName& name) const {
  struct Hit {
    const Rule* rule = nullptr; // the netmap rule behind the entry
    int rank = -2;
    bool refusal = false;
  };
  Hit best_allow, best_deny;
  auto consider = [&](const Rule& eff, const Rule* source, bool refusal) {
    if (!eff.matches(name)) return;
    Hit& best = refusal ? best_deny : best_allow;
    int rank = specificity(eff);
    // Among refusals, deny outranks mock as in netmap's matcher.
    if (refusal && best.rule && rank == best.rank && source->action == policy::Action::Mock) return;
    if (!best.rule || rank > best.rank || (refusal && rank == best.rank)) best = {source, rank, refusal};
  };
  for (const auto& e : allows) consider(effective(e), &e.rule, false);
  if (allow_all) consider(effective(*allow_all), &allow_all->rule, false);
  for (const auto& r : native) consider(r, &r, false);
  for (const auto& e : denies) consider(effective(e), &e.rule, true);

  auto refused = [&] {
    return policy::Verdict{best_deny.rule->action == policy::Action::Mock ? policy::Decision::Mock : policy::Decision::Denied,
                           best_deny.rule};
  };
  if (best_deny.rule && (!best_allow.rule || !most_specific_wins(target) || best_deny.rank >= best_allow.rank)) return refused();
  if (best_allow.rule) return {policy::Decision::Allowed, best_allow.rule};
  return {policy::Decision::Unlisted, nullptr};
}

bool ExportPlan::admits_all_below(const policy::DomainName& domain) const {
  if (allow_all) return true;
  Rule below;
  below.domain = domain;
  below.kind = MatchKind::Subdomains;
  return std::any_of(allows.begin(), allows.end(), [&](const ExportEntry& e) { return below.covered_by(effective(e)); }) ||
         std::any_of(native.begin(), native.end(), [&](const Rule& r) { return below.covered_by(r); });
}

ExportPlan plan_export(const ExportInput& in, policy::Target target) {
  ExportPlan plan;
  plan.target = target;
  plan.left_out = left_out_notes(in, target);
  plan.allows = collect_entries(in, target, &plan.left_out);
  auto all = std::find_if(plan.allows.begin(), plan.allows.end(),
                          [](const ExportEntry& e) { return e.translation.effective == MatchKind::Any; });
  if (all != plan.allows.end()) {
    plan.allow_all = std::move(*all);
    plan.allows.erase(all);
  }
  if (has_deny(target)) plan.denies = collect_denies(in, target, &plan.left_out);
  if (target == policy::Target::Unbound) drop_unbound_zone_clashes(plan);
  if (const char* n = native_preset(target))
    for (const auto& ref : in.policy->presets)
      if (ref.name == n)
        if (const auto* p = policy::find_preset(n))
          for (const auto& r : p->rules) {
            auto tr = policy::translate(r, target);
            if (tr.fidelity == policy::Translation::Fidelity::Impossible) continue;
            Rule eff = r;
            eff.kind = tr.effective;
            plan.native.push_back(std::move(eff));
          }
  plan.unenforced = unenforced_denies(in, target, plan.allows);
  if (auto m = methods_note(*in.policy, target); !m.empty()) plan.unenforced.push_back(std::move(m));
  return plan;
}

std::string methods_note(const policy::Policy& p, policy::Target target) {
  using policy::Target;
  // squid writes its own method ACL; json carries the list; netmap is the policy itself.
  if (p.methods.empty() || target == Target::Squid || target == Target::Json || target == Target::Netmap) return {};
  std::string list;
  for (const auto& m : p.methods) list += (list.empty() ? "" : ", ") + m;
  std::string where = p.methods_at.str();
  std::string what = "methods " + list + (where.empty() ? "" : " (" + where + ")");
  if (target == Target::Codex) {
    // Codex cloud's only method setting admits exactly GET, HEAD and OPTIONS (reference §1.1).
    const std::set<std::string> codex{"GET", "HEAD", "OPTIONS"};
    std::set<std::string> wanted(p.methods.begin(), p.methods.end());
    bool subset = std::includes(codex.begin(), codex.end(), wanted.begin(), wanted.end());
    if (subset && wanted.size() == codex.size())
      return "not enforced by this block: " + what + ": select the environment's 'Allowed HTTP methods: GET, HEAD, OPTIONS' setting";
    if (subset)
      return "not enforced by this block: " + what + ": codex can only limit methods to GET, HEAD and OPTIONS together; "
             "select 'Allowed HTTP methods: GET, HEAD, OPTIONS' (widened: it admits all three)";
    return "not enforced: " + what + ": codex can only limit methods to GET, HEAD and OPTIONS, which would refuse the others";
  }
  if (target == Target::Dnsmasq || target == Target::Unbound) return "not enforced: " + what + ": a resolver never sees HTTP methods";
  return "not enforced: " + what + ": " + policy::target_name(target) + " has no setting for HTTP methods";
}

} // namespace netmap::report
