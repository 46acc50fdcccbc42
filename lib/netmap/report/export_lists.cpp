// Plain allowlist targets: Copilot's custom allowlist (text), Claude Code and sandbox-runtime
// settings (JSON), and netmap's own JSON. Facts from shared/reference/sandbox-semantics.md §1.2-1.3.

#include "netmap/report/export_plan.hpp"
#include "netmap/report/export_util.hpp"
#include "netmap/report/exporter.hpp"

#include <nlohmann/json.hpp>

namespace netmap::report {

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

nlohmann::ordered_json texts_of(const std::vector<ExportEntry>& entries) {
  auto arr = nlohmann::ordered_json::array();
  for (const auto& e : entries)
    for (const auto& t : entry_texts(e)) arr.push_back(t);
  return arr;
}

} // namespace

std::string export_copilot(const ExportInput& in) {
  using policy::Target;
  auto plan = plan_export(in, Target::Copilot);
  const auto& entries = plan.allows;
  bool native = false;
  for (const auto& ref : in.policy->presets) native = native || ref.name == native_preset(Target::Copilot);
  std::string out =
      "# netmap export --target copilot: custom allowlist entries for the Copilot coding agent firewall\n"
      "# (repository Settings > Copilot > Coding agent > Custom allowlist), one entry a line.\n"
      "# Copilot admits a bare domain and every subdomain of it; '*.x' admits the subdomains only.\n";
  out += native ? "# Keep the recommended allowlist enabled: the policy uses preset copilot-recommended.\n"
                : "# Turn the recommended allowlist off: the policy does not use preset copilot-recommended.\n";
  if (!entries.empty()) out += "#\n# Why each entry is here:\n";
  for (const auto& e : entries) out += "#   " + e.translation.text + ": " + entry_comment(e) + "\n";
  for (const auto& n : plan.left_out) out += "# " + n + "\n";
  for (const auto& n : plan.unenforced) out += "# " + n + "\n";
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.translation.text);
  out += join(names, "\n") + (names.empty() ? "" : "\n");
  // The Actions variable some repositories still carry (comma-separated; observed, not documented).
  out += "# Legacy form, an Actions variable of the repository's copilot environment:\n";
  out += "# COPILOT_AGENT_FIREWALL_ALLOW_LIST_ADDITIONS=" + join(names, ",") + "\n";
  return out;
}

// Claude Code's settings.json exposes sandbox.network.allowedDomains (reference §1.3). It did not
// honour deniedDomains when the reference was written (anthropics/claude-code#35159), so refusals
// are not written here; `check --target claude` reports denies an allowed entry would admit.
std::string export_claude(const ExportInput& in, std::vector<std::string>& notes) {
  auto plan = plan_export(in, policy::Target::Claude);
  notes = plan_notes(plan);
  nlohmann::ordered_json doc;
  doc["sandbox"]["network"]["allowedDomains"] = texts_of(plan.allows);
  return doc.dump(2) + "\n";
}

// sandbox-runtime reads network.allowedDomains and network.deniedDomains (checked first, wins).
std::string export_srt(const ExportInput& in, std::vector<std::string>& notes) {
  auto plan = plan_export(in, policy::Target::Srt);
  notes = plan_notes(plan);
  nlohmann::ordered_json doc;
  doc["network"]["allowedDomains"] = texts_of(plan.allows);
  doc["network"]["deniedDomains"] = texts_of(plan.denies);
  return doc.dump(2) + "\n";
}

std::string export_json(const ExportInput& in) {
  using json = nlohmann::ordered_json;
  auto entries = collect_entries(in, policy::Target::Json);
  auto denies = collect_denies(in, policy::Target::Json);
  json doc{{"schema", "netmap.allowlist"}, {"version", 1}, {"policy", in.policy->path}};
  doc["presets"] = json::array();
  for (const auto& ref : in.policy->presets) doc["presets"].push_back(ref.name);
  auto list = [](const std::vector<ExportEntry>& v) {
    json arr = json::array();
    for (const auto& e : v) {
      json o{{"rule", e.rule.text()}, {"match", policy::match_kind_name(e.rule.kind)},
             {"action", policy::action_name(e.rule.action)}, {"reason", e.reason}};
      if (!e.ports.empty()) o["ports"] = e.ports;
      if (!e.translation.note.empty()) o["note"] = e.translation.note;
      arr.push_back(std::move(o));
    }
    return arr;
  };
  doc["allow"] = list(entries);
  doc["deny"] = list(denies);
  doc["methods"] = in.policy->methods;
  doc["notes"] = left_out_notes(in, policy::Target::Json);
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace netmap::report
