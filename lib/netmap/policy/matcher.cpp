#include "netmap/policy/matcher.hpp"

#include <array>
#include <deque>
#include <string>

namespace netmap::policy {

namespace {

constexpr std::size_t k_actions = 4;
constexpr std::size_t k_kinds = 3; // Exact, Subdomains, ApexAndSubdomains (Any lives apart)

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    // FNV-1a: names are short, and this beats std::hash's murmur on 10-20 byte keys.
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

std::size_t idx(Action a) { return static_cast<std::size_t>(a); }
std::size_t idx(MatchKind k) { return static_cast<std::size_t>(k); }

} // namespace

// A node exists for every suffix of every rule name, so a lookup can stop at the first miss.
struct Matcher::Node {
  std::array<std::array<const Rule*, k_kinds>, k_actions> rules{};
};

struct Matcher::Impl {
  std::deque<Rule> rules;
  std::unordered_map<std::string, Node, SvHash, std::equal_to<>> nodes;
  std::array<const Rule*, k_actions> any{};
};

Matcher::Matcher() : m(std::make_unique<Impl>()) {}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

void Matcher::add(Rule rule) {
  const Rule& r = m->rules.emplace_back(std::move(rule));
  if (r.kind == MatchKind::Any) {
    if (!m->any[idx(r.action)]) m->any[idx(r.action)] = &r;
    return;
  }
  const std::string& name = r.domain.str();
  for (std::size_t pos = name.size();;) {
    std::size_t dot = name.rfind('.', pos == 0 ? 0 : pos - 1);
    std::size_t start = (dot == std::string::npos || pos == 0) ? 0 : dot + 1;
    m->nodes.try_emplace(name.substr(start));
    if (start == 0) break;
    pos = dot;
  }
  auto& slot = m->nodes[name].rules[idx(r.action)][idx(r.kind)];
  if (!slot) slot = &r; // first rule of a kind wins; later duplicates are reported by check
}

Verdict Matcher::decide(const DomainName& dn) const noexcept {
  std::array<const Rule*, k_actions> best = m->any;
  const std::string& name = dn.str();
  if (!name.empty() && !m->nodes.empty()) {
    std::size_t end = name.size();
    std::size_t pos = end;
    for (;;) {
      std::size_t dot = pos == 0 ? std::string::npos : name.rfind('.', pos - 1);
      std::size_t start = dot == std::string::npos ? 0 : dot + 1;
      auto it = m->nodes.find(std::string_view(name).substr(start));
      if (it == m->nodes.end()) break;
      bool apex = start == 0;
      for (std::size_t a = 0; a < k_actions; ++a) {
        const auto& r = it->second.rules[a];
        const Rule* hit = apex ? (r[idx(MatchKind::Exact)] ? r[idx(MatchKind::Exact)] : r[idx(MatchKind::ApexAndSubdomains)])
                               : (r[idx(MatchKind::Subdomains)] ? r[idx(MatchKind::Subdomains)] : r[idx(MatchKind::ApexAndSubdomains)]);
        if (hit) best[a] = hit; // deeper nodes overwrite: the most specific rule reports
      }
      if (apex) break;
      pos = dot;
    }
  }
  if (best[idx(Action::Deny)]) return {Decision::Denied, best[idx(Action::Deny)]};
  if (best[idx(Action::Mock)]) return {Decision::Mock, best[idx(Action::Mock)]};
  if (best[idx(Action::Allow)]) return {Decision::Allowed, best[idx(Action::Allow)]};
  if (best[idx(Action::Ignore)]) return {Decision::Ignored, best[idx(Action::Ignore)]};
  return {Decision::Unlisted, nullptr};
}

Verdict Matcher::decide(std::string_view text) const {
  auto dn = DomainName::parse(text);
  if (!dn) return {Decision::Invalid, nullptr};
  return decide(dn.value());
}

std::vector<const Rule*> Matcher::rules() const {
  std::vector<const Rule*> out;
  out.reserve(m->rules.size());
  for (const auto& r : m->rules) out.push_back(&r);
  return out;
}

std::size_t Matcher::size() const noexcept { return m->rules.size(); }

const char* decision_name(Decision d) noexcept {
  switch (d) {
  case Decision::Allowed: return "allowed";
  case Decision::Denied: return "denied";
  case Decision::Mock: return "mock";
  case Decision::Ignored: return "ignored";
  case Decision::Unlisted: return "unlisted";
  case Decision::Invalid: return "invalid";
  }
  return "unlisted";
}

} // namespace netmap::policy
