#include "netmap/dns/tally.hpp"

#include "netmap/base/hash.hpp"

namespace netmap::dns {

namespace {

std::uint64_t hash_of(std::string_view s) noexcept { return base::hash_text(s); }

std::uint64_t tag_of(std::uint64_t hash) noexcept { return hash & 0xFFFFFFFF00000000ull; }

} // namespace

KeyCounts::Entry* KeyCounts::find(std::string_view key, std::uint64_t hash) noexcept {
  if (m_slots.empty()) return nullptr;
  std::size_t mask = m_slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    std::uint64_t s = m_slots[i];
    if (s == 0) return nullptr;
    if (tag_of(s) != tag_of(hash)) continue;
    Entry& e = m_entries[static_cast<std::size_t>((s & 0xFFFFFFFFu) - 1)];
    if (e.key == key) return &e;
  }
}

void KeyCounts::grow() {
  // Load factor at most 1/2, so a miss ends after a few probes.
  std::size_t n = m_slots.empty() ? 64 : m_slots.size() * 2;
  std::vector<std::uint64_t> slots(n, 0);
  for (std::size_t idx = 0; idx < m_entries.size(); ++idx) {
    std::uint64_t h = hash_of(m_entries[idx].key);
    std::size_t i = h & (n - 1);
    while (slots[i] != 0) i = (i + 1) & (n - 1);
    slots[i] = tag_of(h) | (idx + 1);
  }
  m_slots.swap(slots);
}

KeyCounts::Entry* KeyCounts::insert(std::string_view key, std::uint64_t hash) {
  if (full()) return nullptr;
  if ((m_entries.size() + 1) * 2 > m_slots.size()) grow();
  m_entries.emplace_back().key.assign(key);
  std::size_t mask = m_slots.size() - 1, i = hash & mask;
  while (m_slots[i] != 0) i = (i + 1) & mask;
  m_slots[i] = tag_of(hash) | m_entries.size();
  return &m_entries.back();
}

void Tally::name(std::string_view name, bool allowed, std::string_view verdict, std::string_view rule) {
  this->name(name, hash_of(name), allowed, verdict, rule);
}

void Tally::name(std::string_view name, std::uint64_t h, bool allowed, std::string_view verdict, std::string_view rule) {
  KeyCounts::Entry* e = m_names.find(name, h);
  if (!e) {
    if (m_names.full()) {
      m_untracked.add();
      return;
    }
    std::lock_guard lock(m_mu);
    e = m_names.insert(name, h);
    e->allowed = allowed;
    e->verdict = verdict;
    e->rule = rule;
  }
  e->count.add();
}

void Tally::client(std::string_view client) {
  if (m_last_client_count && client == m_last_client) {
    m_last_client_count->add();
    return;
  }
  std::uint64_t h = hash_of(client);
  KeyCounts::Entry* e = m_clients.find(client, h);
  if (!e) {
    if (m_clients.full()) return;
    std::lock_guard lock(m_mu);
    e = m_clients.insert(client, h);
  }
  m_last_client.assign(client);
  m_last_client_count = &e->count;
  e->count.add();
}

void Tally::add_to(Summary& out, std::unordered_map<std::string, std::size_t>& allowed_idx,
                   std::unordered_map<std::string, std::size_t>& blocked_idx,
                   std::unordered_map<std::string, std::size_t>& client_idx) const {
  std::lock_guard lock(m_mu);
  m_names.each([&](const KeyCounts::Entry& e) {
    auto& list = e.allowed ? out.allowed : out.blocked;
    auto& idx = e.allowed ? allowed_idx : blocked_idx;
    auto [it, fresh] = idx.emplace(e.key, list.size());
    if (fresh) list.push_back({e.key, 0, e.verdict, e.rule});
    list[it->second].count += e.count.get();
  });
  m_clients.each([&](const KeyCounts::Entry& e) {
    auto [it, fresh] = client_idx.emplace(e.key, out.clients.size());
    if (fresh) out.clients.push_back({e.key, 0, {}, {}});
    out.clients[it->second].count += e.count.get();
  });
  out.untracked_names += m_untracked.get();
}

} // namespace netmap::dns
