#include "netmap/inventory/address_map.hpp"

#include <algorithm>
#include <cstring>

#include <arpa/inet.h>

namespace netmap::inventory {

namespace {

// The binary form of an address literal; false for anything else.
template <class E> bool parse_address(const std::string& text, E& e) {
  if (inet_pton(AF_INET, text.c_str(), e.address.data()) == 1) {
    e.family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), e.address.data()) == 1) {
    e.family = 6;
    return true;
  }
  return false;
}

template <class E> std::uint64_t address_hash(const E& e) noexcept {
  std::uint64_t w[2];
  std::memcpy(w, e.address.data(), sizeof w);
  std::uint64_t h = (w[0] ^ e.family) * 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 29) ^ w[1]) * 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

template <class E> bool same_address(const E& a, const E& b) noexcept {
  return a.family == b.family && a.address == b.address;
}

} // namespace

AddressMap::AddressMap(AddressMapLimits limits, std::shared_ptr<StringPool> names)
    : m_limits(limits), m_names(names ? std::move(names) : std::make_shared<StringPool>()) {
  if (m_limits.max_addresses == 0) m_limits.max_addresses = 1;
}

// The index slot holding `key`'s entry, or the free slot where it would go.
std::uint32_t AddressMap::slot_of(const Entry& key) const noexcept {
  const std::size_t mask = m_index.size() - 1;
  std::size_t i = address_hash(key) & mask;
  while (m_index[i] != 0 && !same_address(m_entries[m_index[i] - 1], key)) i = (i + 1) & mask;
  return static_cast<std::uint32_t>(i);
}

const AddressMap::Entry* AddressMap::find(const std::string& address) const noexcept {
  Entry key;
  if (!parse_address(address, key)) return nullptr;
  const std::uint32_t slot = m_index[slot_of(key)];
  return slot == 0 ? nullptr : &m_entries[slot - 1];
}

std::uint32_t AddressMap::new_mapping(const Mapping& m) {
  if (m_free != 0) {
    const std::uint32_t i = m_free;
    m_free = m_mappings[i].next;
    m_mappings[i] = m;
    return i;
  }
  m_mappings.push_back(m);
  return static_cast<std::uint32_t>(m_mappings.size() - 1);
}

void AddressMap::free_mappings(std::uint32_t head) {
  while (head != 0) {
    const std::uint32_t next = m_mappings[head].next;
    m_mappings[head].next = m_free;
    m_free = head;
    head = next;
  }
}

void AddressMap::rebuild_index() {
  std::size_t size = 1024;
  while (size < (m_entries.size() + 1) * 2) size *= 2;
  m_index.assign(size, 0);
  for (std::size_t i = 0; i < m_entries.size(); ++i) m_index[slot_of(m_entries[i])] = static_cast<std::uint32_t>(i + 1);
}

void AddressMap::add(const std::string& address, const std::string& name, std::int64_t time_us,
                     std::uint32_t ttl) {
  Entry key;
  if (name.empty() || !parse_address(address, key)) return;
  std::uint32_t slot = slot_of(key);
  if (m_index[slot] == 0) {
    if (m_entries.size() >= m_limits.max_addresses) make_room(time_us);
    m_entries.push_back(key);
    // make_room() rebuilt the index, so the free slot is looked up again.
    if (m_entries.size() * 2 > m_index.size()) rebuild_index();
    else m_index[slot_of(key)] = static_cast<std::uint32_t>(m_entries.size());
    slot = slot_of(key);
  }
  // RFC 1035 §3.2.1: TTL is how long the answer may be cached. Clients routinely use an answer a
  // little past it (connection pools, happy eyeballs retries), hence the grace period; a TTL of 0
  // ("use only for this transaction") still covers the connection that follows at once.
  const std::int64_t until = time_us + static_cast<std::int64_t>(ttl) * 1000000 + m_limits.grace_us;
  Entry& e = m_entries[m_index[slot] - 1];
  e.newest_us = std::max(e.newest_us, time_us);
  const std::uint32_t id = m_names->intern(name);
  for (std::uint32_t i = e.mappings; i != 0; i = m_mappings[i].next) {
    Mapping& m = m_mappings[i];
    if (m.name != id) continue;
    // A fresh answer after the old one lapsed starts a new validity window; an overlapping one
    // extends the current window.
    if (time_us > m.until_us) m.from_us = time_us;
    m.from_us = std::min(m.from_us, time_us);
    m.until_us = std::max(m.until_us, until);
    return;
  }
  e.mappings = new_mapping(Mapping{time_us, until, id, e.mappings});
}

std::vector<std::string> AddressMap::lookup(const std::string& address, std::int64_t time_us) const {
  std::vector<std::string> out;
  const Entry* e = find(address);
  if (e == nullptr) return out;
  for (std::uint32_t i = e->mappings; i != 0; i = m_mappings[i].next) {
    const Mapping& m = m_mappings[i];
    if (time_us >= m.from_us && time_us <= m.until_us) out.emplace_back(m_names->view(m.name));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool AddressMap::ever(const std::string& address, const std::string& name) const {
  const Entry* e = find(address);
  if (e == nullptr) return false;
  for (std::uint32_t i = e->mappings; i != 0; i = m_mappings[i].next)
    if (m_names->view(m_mappings[i].name) == name) return true;
  return false;
}

void AddressMap::make_room(std::int64_t now_us) {
  // First forget what can no longer be used, then (if that freed too little) the addresses whose
  // newest answer is oldest. Freeing a quarter at a time keeps insertion amortised O(1).
  std::vector<bool> dead(m_entries.size(), false);
  std::size_t live = 0;
  for (std::size_t k = 0; k < m_entries.size(); ++k) {
    Entry& e = m_entries[k];
    std::uint32_t* link = &e.mappings;
    while (*link != 0) {
      Mapping& m = m_mappings[*link];
      if (m.until_us >= now_us) {
        link = &m.next;
        continue;
      }
      const std::uint32_t gone = *link;
      *link = m.next;
      m.next = 0;
      free_mappings(gone);
    }
    dead[k] = e.mappings == 0;
    if (!dead[k]) ++live;
  }
  const std::size_t target = m_limits.max_addresses - m_limits.max_addresses / 4;
  if (live > target) {
    std::vector<std::int64_t> ages;
    ages.reserve(live);
    for (std::size_t k = 0; k < m_entries.size(); ++k)
      if (!dead[k]) ages.push_back(m_entries[k].newest_us);
    const std::size_t excess = live - target;
    std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(excess - 1), ages.end());
    const std::int64_t cutoff = ages[excess - 1];
    for (std::size_t k = 0; k < m_entries.size() && live > target; ++k) {
      if (dead[k] || m_entries[k].newest_us > cutoff) continue;
      dead[k] = true;
      --live;
      ++m_evicted_live;
    }
  }
  std::size_t kept = 0;
  for (std::size_t k = 0; k < m_entries.size(); ++k) {
    if (dead[k]) {
      free_mappings(m_entries[k].mappings);
      continue;
    }
    m_entries[kept++] = m_entries[k];
  }
  m_entries.resize(kept);
  rebuild_index();
}

std::string ambiguity_note(const std::vector<std::string>& names) {
  if (names.size() < 2) return {};
  std::string out = "ambiguous: ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out;
}

} // namespace netmap::inventory
