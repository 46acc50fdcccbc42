#include "netmap/policy/policy.hpp"

#include "netmap/base/text.hpp"
#include "netmap/policy/preset.hpp"

#include <filesystem>

namespace netmap::policy {

Matcher Policy::build_matcher() const {
  Matcher m;
  for (const auto& ref : presets) {
    if (const Preset* p = find_preset(ref.name))
      for (const auto& r : p->rules) m.add(r);
  }
  for (const auto& r : rules) m.add(r);
  return m;
}

std::string fix_file_name(const std::string& path) {
  return path.empty() || path == "/dev/null" ? std::string("netmap.yaml") : base::printable(path);
}

std::optional<std::string> find_policy_file(const std::string& start_dir) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(start_dir, ec);
  if (ec) return std::nullopt;
  for (;;) {
    auto candidate = dir / "netmap.yaml";
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

Policy resolve_policy(const PolicyOverrides& o, std::string* note) {
  Policy p;
  if (!o.file.empty()) {
    p = load_policy_file(o.file);
  } else if (auto found = find_policy_file(".")) {
    // Show the path relative to the working directory when it is below it: shorter diagnostics.
    std::error_code ec;
    auto rel = std::filesystem::relative(*found, ".", ec);
    p = load_policy_file(!ec && !rel.empty() && !rel.string().starts_with("..") ? rel.string() : *found);
  } else if (note && o.presets.empty() && o.allow.empty()) {
    *note = "no netmap.yaml found here or in a parent directory: the policy is empty (every name is blocked); "
            "give --policy FILE, --preset NAME or --allow RULE";
  }
  if (!o.presets.empty()) {
    p.presets.clear();
    for (const auto& name : o.presets) {
      if (!find_preset(name)) {
        std::string hint;
        if (auto c = base::closest(name, preset_names()); !c.empty()) hint = "did you mean '" + c + "'?";
        else hint = "see 'netmap presets' for the list";
        throw base::UserError("unknown preset '" + base::escape_bytes(name) + "'", hint);
      }
      p.presets.push_back({name, {"--preset", {}}});
    }
  }
  for (const auto& text : o.allow) {
    auto r = parse_rule(text);
    if (!r) throw base::UserError("--allow " + r.error(), "rules look like example.com, *.example.com or **.example.com");
    Rule rule = std::move(r).value();
    rule.source.origin = "--allow";
    p.rules.push_back(std::move(rule));
  }
  return p;
}

} // namespace netmap::policy
