// The findings of `netmap check`. Severities (documented in docs and `netmap check --help`):
//   error   — a contacted domain the fence would block (unlisted, denied, mock, invalid name), and
//             rules the chosen target cannot express at all (impossible, or a deny it cannot enforce);
//   warning — bare-IP destinations (no name rule can admit them), an inventory whose capture may
//             have lost names (kernel drops, evicted flows, a file cut short), and rules the
//             target widens or narrows (it admits more, or less, than netmap.yaml says);
//   notice  — allow rules a preset already covers, and (with --stale) allow rules nothing needed.

#include "netmap/report/check.hpp"

#include "netmap/base/text.hpp"
#include "netmap/policy/policy.hpp"
#include "netmap/policy/preset.hpp"
#include "netmap/report/entries.hpp"

#include <algorithm>
#include <tuple>

namespace netmap::report {

namespace {

using policy::Decision;
using policy::Rule;
using Fidelity = policy::Translation::Fidelity;

std::string via_text(const std::set<std::string>& via) {
  std::string s;
  for (const auto& v : via) s += (s.empty() ? "" : ", ") + v;
  return s.empty() ? "unknown means" : s;
}

std::string times(std::uint64_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }

// Inventory names are in DNS presentation format already (a zero byte in a label is written as
// the four characters \000): escaping them again would print a name no inventory holds. Only a
// name that is not plain ASCII (a hand-made or damaged file) is escaped, to keep terminals safe.
std::string shown(const std::string& text) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
  return plain ? text : base::escape_bytes(text);
}


Finding domain_finding(const DomainOutcome& o, const policy::Verdict& v, const std::string& policy_path) {
  Finding f;
  f.domain = o.name;
  std::string seen = "contacted " + times(o.count) + " via " + via_text(o.via);
  if (v.rule) {
    f.rule = v.rule->text();
    f.where = v.rule->source.where;
  }
  switch (v.decision) {
  case Decision::Denied:
    f.code = "denied";
    f.title = "denied domain contacted";
    f.message = o.name + " was " + seen + ", but deny rule " + f.rule + " (" + v.rule->source.str() + ") refuses it";
    f.hint = "remove the dependency, or drop the deny rule if the contact is wanted";
    break;
  case Decision::Mock:
    f.code = "mock";
    f.title = "mock domain contacted";
    f.message = o.name + " was " + seen + ", but mock rule " + f.rule + " (" + v.rule->source.str() + ") says tests must mock it";
    f.hint = "make the tests use their mock (the sandbox will refuse the real host)";
    break;
  case Decision::Invalid:
    f.code = "invalid-name";
    f.title = "invalid host name contacted";
    f.message = "'" + o.name + "' was " + seen + ", but it is not a valid host name, so no rule can allow it";
    break;
  default:
    f.code = "unlisted";
    f.title = "domain not allowed";
    f.message = o.name + " was " + seen + ", but no rule allows it";
    f.hint = "add it to 'allow' in " + policy::fix_file_name(policy_path) + " (or 'mock'/'ignore' it)";
    break;
  }
  return f;
}

void check_domains(const policy::Matcher& m, const inventory::Inventory& inv, CheckResult& res) {
  for (const auto& [key, d] : inv.domains) {
    DomainOutcome o;
    o.name = shown(key);
    o.count = d.count;
    for (const auto& v : d.via) o.via.insert(shown(v));
    auto dn = policy::DomainName::parse(key);
    policy::Verdict v;
    v.decision = Decision::Invalid;
    if (dn) v = m.decide(dn.value());
    o.decision = v.decision;
    if (v.rule) {
      o.rule = v.rule->text();
      o.rule_source = v.rule->source.str();
    }
    if (v.decision != Decision::Allowed && v.decision != Decision::Ignored) res.findings.push_back(domain_finding(o, v, res.policy_path));
    res.domains.push_back(std::move(o));
  }
  for (const auto& [key, u] : inv.unnamed) {
    res.unnamed.push_back(u);
    Finding f;
    f.severity = Severity::Warning;
    f.code = "bare-ip";
    f.title = "bare-IP destination";
    std::string addr = shown(u.address);
    bool v6 = addr.find(':') != std::string::npos;
    std::string transport = u.transport.empty() ? "" : "/" + shown(u.transport);
    f.domain = (v6 ? "[" + addr + "]" : addr) + ":" + std::to_string(u.port) + transport;
    f.message = addr + " port " + std::to_string(u.port) + transport +
                " was contacted " + times(u.count) + " by address: no domain rule can admit it";
    f.hint = "use a host name for it, or expect the sandbox to refuse it";
    res.findings.push_back(std::move(f));
  }
}

// A check passes only on what was seen: a domain whose packets the capture lost would pass
// unnoticed, so the inventory's own count of possibly lost names is a finding of its own.
void check_completeness(const inventory::Inventory& inv, CheckResult& res) {
  std::uint64_t lost = inv.stat("names_maybe_lost");
  if (lost == 0) return;
  std::string why;
  auto part = [&](const char* key, const char* one, const char* many) {
    if (std::uint64_t n = inv.stat(key)) why += (why.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
  };
  part("dropped_kernel", "packet dropped by the kernel", "packets dropped by the kernel");
  part("dropped_interface", "packet dropped by the interface", "packets dropped by the interface");
  part("evicted_unfinished_flows", "flow evicted before its name", "flows evicted before their names");
  part("flows_lost_to_gaps", "connection cut by a sequence gap", "connections cut by sequence gaps");
  part("address_map_evicted", "address evicted from the address map", "addresses evicted from the address map");
  part("cut_short_captures", "capture file cut short", "capture files cut short");
  Finding f;
  f.severity = Severity::Warning;
  f.code = "incomplete-capture";
  f.title = "capture may have lost names";
  f.message = "the inventory may lack contacted domains: " + std::to_string(lost) + (lost == 1 ? " name" : " names") +
              " may have been lost while capturing" + (why.empty() ? "" : " (" + why + ")");
  f.hint = inv.stat("dropped_kernel") + inv.stat("dropped_interface") > 0
               ? "capture again with a larger 'netmap discover --buffer'"
               : "capture again, letting the capture end on its own or with Ctrl-C";
  res.findings.push_back(std::move(f));
}

Finding rule_finding(const Rule& r, Severity s, std::string code, std::string title, std::string message) {
  Finding f;
  f.severity = s;
  f.code = std::move(code);
  f.title = std::move(title);
  f.message = std::move(message);
  f.rule = r.text();
  f.where = r.source.where;
  return f;
}

void check_presets(const policy::Policy& p, CheckResult& res) {
  for (const auto& r : p.rules) {
    if (r.action != policy::Action::Allow || r.kind == policy::MatchKind::Any) continue;
    for (const auto& ref : p.presets) {
      const auto* preset = policy::find_preset(ref.name);
      if (!preset) continue;
      auto hit = std::find_if(preset->rules.begin(), preset->rules.end(), [&](const Rule& pr) { return r.covered_by(pr); });
      if (hit == preset->rules.end()) continue;
      res.findings.push_back(rule_finding(r, Severity::Notice, "covered-by-preset", "allow rule covered by a preset",
                                          "allow rule " + r.text() + " is already admitted by preset " + ref.name +
                                              " (entry " + hit->text() + ")"));
      res.findings.back().hint = "remove it from " + policy::fix_file_name(p.path);
      break;
    }
  }
}

void check_stale(const policy::Policy& p, const inventory::Inventory& inv, CheckResult& res) {
  std::vector<policy::DomainName> seen;
  for (const auto& [key, d] : inv.domains)
    if (auto dn = policy::DomainName::parse(key)) seen.push_back(dn.value());
  for (const auto& r : p.rules) {
    if (r.action != policy::Action::Allow) continue;
    bool used = std::any_of(seen.begin(), seen.end(), [&](const policy::DomainName& n) { return r.matches(n); });
    if (used) continue;
    res.findings.push_back(rule_finding(r, Severity::Notice, "stale", "allow rule never used",
                                        "allow rule " + r.text() + " admitted none of the " + std::to_string(seen.size()) +
                                            " contacted domains"));
    res.findings.back().hint = "remove it if no other job needs it (merge the matrix's inventories first)";
  }
}

} // namespace


namespace {

std::string on(policy::Target t) { return std::string("on ") + policy::target_name(t); }

// Preset entries the target spells differently, one aggregated warning per preset.
void check_target_presets(const policy::Policy& p, policy::Target t, std::vector<Rule>& admitted, CheckResult& res) {
  const char* native = native_preset(t);
  for (const auto& ref : p.presets) {
    const auto* preset = policy::find_preset(ref.name);
    if (!preset) continue;
    bool is_native = native != nullptr && ref.name == native;
    std::size_t changed = 0;
    std::string example;
    for (const auto& r : preset->rules) {
      auto tr = policy::translate(r, t);
      if (tr.fidelity == Fidelity::Impossible) continue;
      Rule eff = r;
      eff.kind = tr.effective;
      admitted.push_back(eff);
      if (!is_native && tr.fidelity != Fidelity::Exact && ++changed == 1) example = r.text() + " → " + tr.text + " (" + tr.note + ")";
    }
    if (changed == 0) continue;
    Finding f;
    f.severity = Severity::Warning;
    f.code = "target-widened";
    f.title = "preset entries change meaning " + on(t);
    f.message = "preset " + ref.name + ": " + std::to_string(changed) + " entries admit more " + on(t) + ", e.g. " + example;
    f.where = ref.source.where;
    res.findings.push_back(std::move(f));
  }
}

void check_target_allows(const policy::Policy& p, policy::Target t, std::vector<Rule>& admitted, CheckResult& res) {
  policy::Matcher native;
  if (const char* n = native_preset(t))
    if (const auto* preset = policy::find_preset(n))
      for (const auto& ref : p.presets)
        if (ref.name == n)
          for (const auto& r : preset->rules) native.add(r);
  for (const auto& r : p.rules) {
    if (r.action != policy::Action::Allow) continue;
    auto tr = policy::translate(r, t);
    if (tr.fidelity == Fidelity::Impossible) {
      res.findings.push_back(rule_finding(r, Severity::Error, "target-impossible", "rule impossible " + on(t),
                                          "allow rule " + r.text() + " cannot be written " + on(t) + ": " + tr.note));
      continue;
    }
    Rule eff = r;
    eff.kind = tr.effective;
    admitted.push_back(eff);
    auto nr = native.rules();
    bool by_native = r.kind != policy::MatchKind::Any && std::any_of(nr.begin(), nr.end(), [&](const Rule* x) { return r.covered_by(*x); });
    if (by_native || tr.fidelity == Fidelity::Exact) continue;
    bool wide = tr.fidelity == Fidelity::Widened;
    res.findings.push_back(rule_finding(r, Severity::Warning, wide ? "target-widened" : "target-narrowed",
                                        std::string(wide ? "rule widened " : "rule narrowed ") + on(t),
                                        "allow rule " + r.text() + " is written '" + tr.text + "' " + on(t) + ": " + tr.note));
  }
}

// A refusal the target writes more widely matters only where the extra names are allowed: an exact
// deny widened to its subdomains, or a subdomain deny widened to its apex.
bool refuses_allowed_names(const Rule& r, const std::vector<Rule>& admitted) {
  Rule extra = r;
  extra.kind = r.kind == policy::MatchKind::Exact ? policy::MatchKind::Subdomains : policy::MatchKind::Exact;
  return std::any_of(admitted.begin(), admitted.end(), [&](const Rule& a) { return rules_overlap(extra, a); });
}

void check_target_denies(const policy::Policy& p, policy::Target t, const std::vector<Rule>& admitted, CheckResult& res) {
  for (const auto& r : p.rules) {
    if (r.action != policy::Action::Deny && r.action != policy::Action::Mock) continue;
    std::string what = std::string(policy::action_name(r.action)) + " rule " + r.text();
    if (!has_deny(t)) {
      auto hit = std::find_if(admitted.begin(), admitted.end(), [&](const Rule& a) { return rules_overlap(r, a); });
      if (hit == admitted.end()) continue;
      Finding f = rule_finding(r, Severity::Error, "deny-unenforced", "deny not enforceable " + on(t),
                               what + " cannot be enforced " + on(t) + ", which has no deny list: its entry for " +
                                   hit->text() + " (" + hit->source.str() + ") admits names this rule refuses");
      f.hint = "narrow the allow rule so it leaves these names out";
      res.findings.push_back(std::move(f));
      continue;
    }
    auto tr = translate_deny(r, t);
    if (tr.fidelity == Fidelity::Impossible) {
      res.findings.push_back(rule_finding(r, Severity::Error, "target-impossible", "rule impossible " + on(t),
                                          what + " cannot be written " + on(t) + ": " + tr.note));
    } else if (tr.fidelity != Fidelity::Exact && refuses_allowed_names(r, admitted)) {
      res.findings.push_back(rule_finding(r, Severity::Warning, "target-narrowed", "refusal widened " + on(t),
                                          what + " is written '" + tr.text + "' " + on(t) + ": " + tr.note));
    }
  }
}

} // namespace

std::size_t CheckResult::count(Severity s) const noexcept {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == s; }));
}

bool CheckResult::fails(Severity fail_on) const noexcept {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity >= fail_on; });
}

void CheckResult::sort_findings() {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::make_tuple(-static_cast<int>(a.severity), a.where.file, a.where.line, a.where.column, a.domain, a.code) <
           std::make_tuple(-static_cast<int>(b.severity), b.where.file, b.where.line, b.where.column, b.domain, b.code);
  });
}

CheckResult run_check(const policy::Policy& p, const inventory::Inventory& inv, const CheckOptions& opt) {
  CheckResult res;
  res.policy_path = p.path;
  res.target = opt.target;
  policy::Matcher m = p.build_matcher();
  check_domains(m, inv, res);
  check_completeness(inv, res);
  check_presets(p, res);
  if (opt.stale) check_stale(p, inv, res);
  if (opt.target && *opt.target != policy::Target::Netmap && *opt.target != policy::Target::Json) {
    std::vector<Rule> admitted;
    check_target_presets(p, *opt.target, admitted, res);
    check_target_allows(p, *opt.target, admitted, res);
    check_target_denies(p, *opt.target, admitted, res);
  }
  res.sort_findings();
  return res;
}

} // namespace netmap::report
