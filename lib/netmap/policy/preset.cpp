#include "netmap/policy/preset.hpp"

#include "netmap/base/text.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace netmap::policy {

namespace {

struct Embedded {
  const char* name;
  const char* text;
};

constexpr Embedded k_embedded[] = {
#include "netmap/policy/preset_data.inc"
};

std::string header_value(std::string_view line, std::string_view key) {
  if (!line.starts_with(key)) return {};
  return std::string(base::trim(line.substr(key.size())));
}

Preset parse_preset(const Embedded& e) {
  Preset p;
  p.name = e.name;
  p.text = e.text;
  std::string_view text = p.text;
  int line_no = 0;
  std::vector<std::pair<std::string, int>> entries;
  for (const auto& raw : base::split(text, "\n")) {
    ++line_no;
    std::string_view line = base::trim(raw);
    if (line.starts_with("#! bare:")) {
      auto v = header_value(line, "#! bare:");
      p.bare = v == "apex-and-subdomains" ? MatchKind::ApexAndSubdomains : MatchKind::Exact;
      continue;
    }
    if (line.starts_with("#")) {
      if (auto v = header_value(line, "# title:"); !v.empty()) p.title = v;
      if (auto v = header_value(line, "# source:"); !v.empty()) p.source = v;
      if (auto v = header_value(line, "# semantics:"); !v.empty()) p.semantics = v;
      continue;
    }
    for (auto& word : base::split(line, " \t")) entries.emplace_back(word, line_no);
  }
  for (auto& [word, ln] : entries) {
    if (word.find('/') != std::string::npos) {
      p.url_entries.push_back(word);
      continue;
    }
    if (is_ip_literal(word)) {
      p.ip_entries.push_back(word);
      continue;
    }
    auto r = parse_rule(word, p.bare);
    if (!r) {
      std::fprintf(stderr, "netmap: internal error: preset %s line %d: %s\n", e.name, ln, r.error().c_str());
      std::abort();
    }
    Rule rule = std::move(r).value();
    rule.source.origin = "preset " + p.name;
    p.rules.push_back(std::move(rule));
  }
  return p;
}

} // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = [] {
    std::vector<Preset> v;
    for (const auto& e : k_embedded) v.push_back(parse_preset(e));
    std::sort(v.begin(), v.end(), [](const Preset& a, const Preset& b) { return a.name < b.name; });
    return v;
  }();
  return all;
}

const Preset* find_preset(std::string_view name) {
  for (const auto& p : presets())
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& p : presets()) out.push_back(p.name);
  return out;
}

} // namespace netmap::policy
