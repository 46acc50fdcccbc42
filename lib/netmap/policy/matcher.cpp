#include "netmap/policy/matcher.hpp"

#include <array>
#include <cstring>
#include <deque>
#include <string>

namespace netmap::policy {

namespace {

constexpr std::size_t k_actions = 4;
constexpr std::size_t k_kinds = 3; // Exact, Subdomains, ApexAndSubdomains (Any lives apart)
constexpr std::uint32_t k_root = 0;

std::size_t idx(Action a) { return static_cast<std::size_t>(a); }
std::size_t idx(MatchKind k) { return static_cast<std::size_t>(k); }

// An edge key is (parent node, label): hashing one label per step keeps a lookup linear in the
// name's length, where hashing whole suffixes would be quadratic.
std::uint64_t edge_hash(std::uint32_t parent, const char* label, std::size_t len) noexcept {
  std::uint64_t h = 1469598103934665603ull ^ (std::uint64_t{parent} * 0x9E3779B97F4A7C15ull);
  for (std::size_t i = 0; i < len; ++i) h = (h ^ static_cast<unsigned char>(label[i])) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

} // namespace

// A node of the reversed-label trie: one per distinct suffix of a rule name ("com",
// "example.com", …), holding the first rule of each action and kind written for that name.
struct Matcher::Node {
  std::array<std::array<const Rule*, k_kinds>, k_actions> rules{};
};

struct Matcher::Impl {
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t parent = 0;
    std::uint32_t child = 0; // 0 = empty slot (node 0 is the root, never a child)
    std::uint32_t label_off = 0;
    std::uint32_t label_len = 0;
  };
  std::deque<Rule> rules;
  std::vector<Node> nodes{Node{}};
  std::vector<Slot> slots = std::vector<Slot>(64);
  std::string labels; // every edge label, back to back
  std::size_t edges = 0;
  std::array<const Rule*, k_actions> any{};

  std::uint32_t find(std::uint32_t parent, const char* label, std::size_t len) const noexcept {
    std::uint64_t h = edge_hash(parent, label, len);
    std::size_t mask = slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots[i];
      if (s.child == 0) return 0;
      if (s.hash == h && s.parent == parent && s.label_len == len &&
          std::memcmp(labels.data() + s.label_off, label, len) == 0)
        return s.child;
    }
  }

  void place(const Slot& s) {
    std::size_t mask = slots.size() - 1;
    std::size_t i = s.hash & mask;
    while (slots[i].child != 0) i = (i + 1) & mask;
    slots[i] = s;
  }

  std::uint32_t insert(std::uint32_t parent, const char* label, std::size_t len) {
    if (std::uint32_t c = find(parent, label, len)) return c;
    if ((edges + 1) * 2 > slots.size()) { // keep the load under one half: short probe runs
      std::vector<Slot> old(slots.size() * 2);
      old.swap(slots);
      for (const Slot& s : old)
        if (s.child) place(s);
    }
    Slot s;
    s.hash = edge_hash(parent, label, len);
    s.parent = parent;
    s.child = static_cast<std::uint32_t>(nodes.size());
    s.label_off = static_cast<std::uint32_t>(labels.size());
    s.label_len = static_cast<std::uint32_t>(len);
    labels.append(label, len);
    nodes.emplace_back();
    place(s);
    ++edges;
    return s.child;
  }
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
  std::uint32_t node = k_root;
  std::size_t end = name.size();
  for (;;) {
    std::size_t dot = name.rfind('.', end - 1);
    std::size_t start = dot == std::string::npos ? 0 : dot + 1;
    node = m->insert(node, name.data() + start, end - start);
    if (start == 0) break;
    end = dot;
  }
  auto& slot = m->nodes[node].rules[idx(r.action)][idx(r.kind)];
  if (!slot) slot = &r; // the first rule of a kind wins; check reports later duplicates
}

Verdict Matcher::decide(const DomainName& dn) const noexcept { return walk(dn.str()); }

Verdict Matcher::walk(std::string_view name) const noexcept {
  std::array<const Rule*, k_actions> best = m->any;
  if (!name.empty() && m->edges > 0) {
    std::uint32_t node = k_root;
    std::size_t end = name.size();
    for (;;) {
      std::size_t start = end;
      while (start > 0 && name[start - 1] != '.') --start;
      node = m->find(node, name.data() + start, end - start);
      if (node == 0) break;
      bool apex = start == 0;
      const auto& rules = m->nodes[node].rules;
      for (std::size_t a = 0; a < k_actions; ++a) {
        const auto& r = rules[a];
        const Rule* hit = apex ? (r[idx(MatchKind::Exact)] ? r[idx(MatchKind::Exact)] : r[idx(MatchKind::ApexAndSubdomains)])
                               : (r[idx(MatchKind::Subdomains)] ? r[idx(MatchKind::Subdomains)] : r[idx(MatchKind::ApexAndSubdomains)]);
        if (hit) best[a] = hit; // deeper nodes overwrite: the most specific rule reports
      }
      if (apex) break;
      end = start - 1;
    }
  }
  if (best[idx(Action::Deny)]) return {Decision::Denied, best[idx(Action::Deny)]};
  if (best[idx(Action::Mock)]) return {Decision::Mock, best[idx(Action::Mock)]};
  if (best[idx(Action::Allow)]) return {Decision::Allowed, best[idx(Action::Allow)]};
  if (best[idx(Action::Ignore)]) return {Decision::Ignored, best[idx(Action::Ignore)]};
  return {Decision::Unlisted, nullptr};
}

Verdict Matcher::decide(std::string_view text) const {
  // The resolver and the dissector hand over names already lower-cased from the wire: deciding
  // them must not cost a parse and an allocation per query.
  if (is_canonical_host(text)) return walk(text);
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
