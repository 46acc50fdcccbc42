#include "netmap/policy/preset.hpp"

#include "netmap/base/text.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <mutex>
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

namespace {

constexpr std::size_t k_count = std::size(k_embedded);

// Each preset is parsed the first time it is asked for: a policy naming one preset (most
// commands, at every start) does not pay for the others.
const Preset& parsed(std::size_t i) {
  static std::once_flag once[k_count];
  static std::unique_ptr<const Preset> slot[k_count];
  std::call_once(once[i], [i] { slot[i] = std::make_unique<const Preset>(parse_preset(k_embedded[i])); });
  return *slot[i];
}

} // namespace

std::vector<const Preset*> presets() {
  std::vector<const Preset*> all;
  for (std::size_t i = 0; i < k_count; ++i) all.push_back(&parsed(i));
  std::sort(all.begin(), all.end(), [](const Preset* a, const Preset* b) { return a->name < b->name; });
  return all;
}

const Preset* find_preset(std::string_view name) {
  for (std::size_t i = 0; i < k_count; ++i)
    if (name == k_embedded[i].name) return &parsed(i);
  return nullptr;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& e : k_embedded) out.emplace_back(e.name);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace netmap::policy
