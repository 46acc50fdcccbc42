#include "netmap/report/entries.hpp"

#include "netmap/base/text.hpp"
#include "netmap/policy/preset.hpp"

#include <algorithm>
#include <map>

namespace netmap::report {

namespace {

using policy::Rule;

std::string seen_reason(const inventory::DomainRecord& d) {
  std::string via;
  for (const auto& v : d.via) via += (via.empty() ? "" : ", ") + v;
  return "seen " + std::to_string(d.count) + (d.count == 1 ? " time" : " times") + " via " + via;
}

// The ports a name was contacted on. A DNS lookup's port is the resolver's (53), not the name's,
// so 53 is left out for names seen by DNS (a name really served on 53 is then reported as 443 by
// harden-runner: rare, and the file says where the ports come from).
std::vector<std::uint16_t> contact_ports(const inventory::DomainRecord& d) {
  bool by_dns = d.via.contains("dns") || d.via.contains("resolver");
  std::vector<std::uint16_t> out;
  for (auto p : d.ports)
    if (!(by_dns && p == 53)) out.push_back(p);
  return out;
}

Rule effective_rule(const ExportEntry& e) {
  Rule r = e.rule;
  r.kind = e.translation.effective;
  return r;
}

bool is_native(const std::string& preset, policy::Target t) {
  const char* n = native_preset(t);
  return n != nullptr && preset == n;
}

// Index of the first entry with each (kind, name), so coverage is found by walking a name's
// ancestors (a handful of labels) instead of comparing every pair: inventories can hold many
// thousands of names.
using EntryKey = std::pair<policy::MatchKind, std::string>;

bool covered_by_other(std::size_t i, const Rule& r, const std::map<EntryKey, std::size_t>& index) {
  auto other = [&](policy::MatchKind k, const std::string& name) {
    auto it = index.find({k, name});
    return it != index.end() && it->second != i;
  };
  if (r.kind != policy::MatchKind::Any && other(policy::MatchKind::Any, "")) return true;
  if (r.kind == policy::MatchKind::Any) return index.at({policy::MatchKind::Any, ""}) != i;
  // Same kind and name: the first one stays.
  if (index.at({r.kind, r.domain.str()}) != i) return true;
  const std::string& d = r.domain.str();
  if (r.kind != policy::MatchKind::ApexAndSubdomains && other(policy::MatchKind::ApexAndSubdomains, d)) return true;
  for (auto dot = d.find('.'); dot != std::string::npos; dot = d.find('.', dot + 1)) {
    std::string parent = d.substr(dot + 1);
    if (other(policy::MatchKind::ApexAndSubdomains, parent) || other(policy::MatchKind::Subdomains, parent)) return true;
  }
  return false;
}

// Drops entries that another entry admits under the target's own semantics, then sorts by the
// target's spelling so diffs between runs stay small.
std::vector<ExportEntry> minimal_sorted(std::vector<ExportEntry> out) {
  std::map<EntryKey, std::size_t> index;
  for (std::size_t i = 0; i < out.size(); ++i) {
    Rule r = effective_rule(out[i]);
    index.emplace(EntryKey{r.kind, r.kind == policy::MatchKind::Any ? std::string() : r.domain.str()}, i);
  }
  std::vector<ExportEntry> minimal;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!covered_by_other(i, effective_rule(out[i]), index)) minimal.push_back(std::move(out[i]));
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

// Entries the target cannot write at all ('*' on most targets), each with a "left out" line.
std::vector<ExportEntry> drop_unwritable(std::vector<ExportEntry> entries, std::vector<std::string>* left_out) {
  std::erase_if(entries, [&](const ExportEntry& e) {
    if (e.translation.fidelity != policy::Translation::Fidelity::Impossible) return false;
    std::string why = e.translation.note.empty() ? std::string("impossible on this target") : e.translation.note;
    if (left_out) left_out->push_back("left out: " + e.rule.text() + " (" + e.reason + "): " + why);
    return true;
  });
  return entries;
}

// 'x' and '*.x' together admit exactly '**.x', which most targets write in one entry (squid '.x',
// dnsmasq server=/x/UP, a suffix entry): one entry, no widening to report, no lines that
// contradict each other.
void merge_apex_pairs(std::vector<ExportEntry>& out, policy::Target target) {
  std::map<std::string, std::size_t> subdomains;
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i].rule.kind == policy::MatchKind::Subdomains) subdomains.emplace(out[i].rule.domain.str(), i);
  std::vector<bool> gone(out.size(), false);
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& e = out[i];
    if (e.rule.kind != policy::MatchKind::Exact) continue;
    auto it = subdomains.find(e.rule.domain.str());
    if (it == subdomains.end() || gone[it->second]) continue;
    const auto& w = out[it->second];
    std::string pair = e.rule.domain.str() + " and *." + e.rule.domain.str();
    e.reason = pair + ": " + (e.reason == w.reason ? e.reason : e.reason + "; " + w.reason);
    e.ports.insert(e.ports.end(), w.ports.begin(), w.ports.end());
    e.rule.kind = policy::MatchKind::ApexAndSubdomains;
    e.rule.written = pair;
    e.translation = policy::translate(e.rule, target);
    // The two-entry spelling on exact-host targets is what the user wrote: nothing to explain.
    if (e.translation.fidelity == policy::Translation::Fidelity::Exact) e.translation.note.clear();
    gone[it->second] = true;
  }
  std::size_t i = 0;
  std::erase_if(out, [&](const ExportEntry&) { return gone[i++]; });
}

} // namespace

const char* native_preset(policy::Target t) noexcept {
  switch (t) {
  case policy::Target::Codex: return "codex-common";
  case policy::Target::Copilot: return "copilot-recommended";
  default: return nullptr;
  }
}

bool has_deny(policy::Target t) noexcept {
  using policy::Target;
  return t == Target::Srt || t == Target::Squid || t == Target::Dnsmasq || t == Target::Unbound ||
         t == Target::Json || t == Target::Netmap;
}

std::vector<ExportEntry> collect_entries(const ExportInput& in, policy::Target target, std::vector<std::string>* left_out) {
  policy::Matcher presets;
  std::vector<ExportEntry> out;
  for (const auto& ref : in.policy->presets) {
    const auto* p = policy::find_preset(ref.name);
    if (!p) continue;
    for (const auto& r : p->rules) {
      if (is_native(ref.name, target)) {
        presets.add(r);
      } else {
        Rule copy = r;
        copy.action = policy::Action::Allow;
        out.push_back({copy, policy::translate(copy, target), "preset " + ref.name, {}});
      }
    }
  }
  policy::Matcher full = in.policy->build_matcher();

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
    // Only rules can admit an inventory name: names are unique, so later exact entries never do.
    const auto rules_end = static_cast<std::ptrdiff_t>(out.size());
    for (const auto& [name, d] : in.inventory->domains) {
      auto dn = policy::DomainName::parse(name);
      if (!dn) continue;
      auto v = full.decide(dn.value());
      if (v.decision == policy::Decision::Denied || v.decision == policy::Decision::Mock ||
          v.decision == policy::Decision::Ignored)
        continue;
      if (presets.decide(dn.value()).decision == policy::Decision::Allowed) continue;
      auto last = out.begin() + rules_end;
      auto hit = std::find_if(out.begin(), last, [&](const ExportEntry& e) { return e.rule.matches(dn.value()); });
      if (hit != last) {
        auto ports = contact_ports(d);
        hit->ports.insert(hit->ports.end(), ports.begin(), ports.end());
        continue;
      }
      Rule r;
      r.domain = dn.value();
      r.kind = policy::MatchKind::Exact;
      r.source.origin = "inventory";
      r.written = name;
      out.push_back({r, policy::translate(r, target), seen_reason(d), contact_ports(d)});
    }
  }
  // An allow rule that a deny or mock rule covers admits nothing (deny wins): never export it.
  std::erase_if(out, [&](const ExportEntry& e) {
    return std::any_of(in.policy->rules.begin(), in.policy->rules.end(), [&](const Rule& d) {
      return (d.action == policy::Action::Deny || d.action == policy::Action::Mock) && e.rule.covered_by(d);
    });
  });
  // Only what is written may cover another entry: '*' left out must not take the rest with it.
  out = drop_unwritable(std::move(out), left_out);
  if (target != policy::Target::Json && target != policy::Target::Netmap) merge_apex_pairs(out, target);
  return minimal_sorted(std::move(out));
}

policy::Translation translate_deny(const policy::Rule& r, policy::Target target) {
  if (r.kind == policy::MatchKind::Any) // the policy loader refuses it; rules made in code may not
    return {"*", policy::MatchKind::Any, policy::Translation::Fidelity::Impossible,
            "impossible: a refusal of every name would refuse the allowed ones too"};
  auto tr = policy::translate(r, target);
  // dnsmasq refuses x with address=/x/, which covers the names below x as well; the exporter
  // hands those back to the upstream with server=/*.x/UP where an allow entry admits them, and
  // elsewhere they are unlisted (refused) anyway, so the refusal is exact either way.
  if (target == policy::Target::Dnsmasq && r.kind == policy::MatchKind::Exact) {
    tr.note = "written as address=/" + r.domain.str() + "/, and the names below it forwarded where an allow entry admits them";
    return tr;
  }
  if (tr.fidelity == policy::Translation::Fidelity::Widened) {
    // For a refusal, a wider entry blocks names the rule does not name: the reachable set narrows.
    tr.fidelity = policy::Translation::Fidelity::Narrowed;
    tr.note = std::string("narrowed: ") + policy::target_name(target) + " refuses '" +
              (tr.effective == policy::MatchKind::ApexAndSubdomains ? "**." : "*.") + r.domain.str() +
              "', more than the rule " + r.text() + " names";
  } else if (target == policy::Target::Dnsmasq) {
    tr.note.clear();
  }
  return tr;
}

std::vector<ExportEntry> collect_denies(const ExportInput& in, policy::Target target, std::vector<std::string>* left_out) {
  std::vector<ExportEntry> out;
  for (const auto& r : in.policy->rules) {
    if (r.action != policy::Action::Deny && r.action != policy::Action::Mock) continue;
    out.push_back({r, translate_deny(r, target), std::string(policy::action_name(r.action)) + " rule at " + r.source.str(), {}});
  }
  return minimal_sorted(drop_unwritable(std::move(out), left_out));
}

namespace {

// A name one label below `d`, to probe wildcard rules that exclude their apex.
std::optional<policy::DomainName> child_of(const policy::DomainName& d) {
  auto c = policy::DomainName::parse("x." + d.str());
  if (!c) return std::nullopt;
  return c.value();
}

} // namespace

bool rules_overlap(const Rule& a, const Rule& b) {
  if (a.kind == policy::MatchKind::Any || b.kind == policy::MatchKind::Any) return true;
  std::vector<policy::DomainName> probes{a.domain, b.domain};
  if (auto c = child_of(a.domain)) probes.push_back(*c);
  if (auto c = child_of(b.domain)) probes.push_back(*c);
  return std::any_of(probes.begin(), probes.end(), [&](const policy::DomainName& n) { return a.matches(n) && b.matches(n); });
}

std::vector<std::string> unenforced_denies(const ExportInput& in, policy::Target target, const std::vector<ExportEntry>& entries) {
  std::vector<std::string> out;
  if (has_deny(target)) return out;
  std::vector<std::pair<Rule, std::string>> admitted;
  for (const auto& e : entries) admitted.emplace_back(effective_rule(e), e.translation.text);
  for (const auto& ref : in.policy->presets)
    if (const auto* p = policy::find_preset(ref.name); p && is_native(ref.name, target))
      for (const auto& r : p->rules) admitted.emplace_back(r, "preset " + ref.name + " entry " + r.text());
  for (const auto& r : in.policy->rules) {
    if (r.action != policy::Action::Deny && r.action != policy::Action::Mock) continue;
    auto hit = std::find_if(admitted.begin(), admitted.end(), [&](const auto& a) { return rules_overlap(r, a.first); });
    if (hit == admitted.end()) continue;
    std::string by = hit->second;
    for (auto& c : by) c = c == '\n' ? ' ' : c;
    out.push_back(std::string("not enforced: ") + policy::action_name(r.action) + " rule " + r.text() + " (" + r.source.str() +
                  "): " + policy::target_name(target) + " has no deny list, and '" + by + "' admits it");
  }
  return out;
}

std::vector<std::string> left_out_notes(const ExportInput& in, policy::Target target) {
  std::vector<std::string> notes;
  for (const auto& ref : in.policy->presets) {
    const auto* p = policy::find_preset(ref.name);
    if (!p || is_native(ref.name, target)) continue;
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    if (!p->url_entries.empty())
      notes.push_back("preset " + ref.name + ": " + std::to_string(p->url_entries.size()) +
                      " URL-prefix entries left out (a host-level fence cannot hold a path): " + list(p->url_entries));
    if (!p->ip_entries.empty())
      notes.push_back("preset " + ref.name + ": " + std::to_string(p->ip_entries.size()) +
                      " IP entries left out (names only): " + list(p->ip_entries));
  }
  // Names taken from packets can be anything; an export that dropped them without a word would
  // hide that something was contacted by a name no allowlist can hold.
  if (in.inventory) {
    constexpr std::size_t k_shown = 5;
    std::size_t invalid = 0;
    std::string shown;
    for (const auto& [name, d] : in.inventory->domains) {
      if (policy::DomainName::parse(name)) continue;
      if (++invalid <= k_shown) shown += (shown.empty() ? "'" : ", '") + base::escape_bytes(name) + "'";
    }
    // An allowlist made from a capture that lost names lacks what it never saw (check warns too).
    if (auto lost = in.inventory->stat("names_maybe_lost"); lost > 0)
      notes.push_back("inventory: " + std::to_string(lost) + (lost == 1 ? " name" : " names") +
                      " may have been lost while capturing (see 'netmap check'), so this list may lack domains the build needs");
    if (invalid > 0)
      notes.push_back("inventory: " + std::to_string(invalid) +
                      (invalid == 1 ? " contacted name is not a valid host name, so no entry can admit it"
                                    : " contacted names are not valid host names, so no entry can admit them") +
                      " ('netmap check' reports each): " + shown + (invalid > k_shown ? ", …" : ""));
  }
  return notes;
}

} // namespace netmap::report
