#include "netmap/inventory/address_map.hpp"

#include <algorithm>

namespace netmap::inventory {

AddressMap::AddressMap(AddressMapLimits limits) : m_limits(limits) {
  if (m_limits.max_addresses == 0) m_limits.max_addresses = 1;
}

void AddressMap::add(const std::string& address, const std::string& name, std::int64_t time_us,
                     std::uint32_t ttl) {
  if (address.empty() || name.empty()) return;
  if (m_entries.size() >= m_limits.max_addresses && m_entries.find(address) == m_entries.end())
    make_room(time_us);
  // RFC 1035 §3.2.1: TTL is how long the answer may be cached. Clients routinely use an answer a
  // little past it (connection pools, happy eyeballs retries), hence the grace period; a TTL of 0
  // ("use only for this transaction") still covers the connection that follows at once.
  const std::int64_t until = time_us + static_cast<std::int64_t>(ttl) * 1000000 + m_limits.grace_us;
  Entry& e = m_entries[address];
  e.newest_us = std::max(e.newest_us, time_us);
  for (Mapping& m : e.names) {
    if (m.name != name) continue;
    // A fresh answer after the old one lapsed starts a new validity window; an overlapping one
    // extends the current window.
    if (time_us > m.until_us) m.from_us = time_us;
    m.from_us = std::min(m.from_us, time_us);
    m.until_us = std::max(m.until_us, until);
    return;
  }
  e.names.push_back(Mapping{name, time_us, until});
}

std::vector<std::string> AddressMap::lookup(const std::string& address, std::int64_t time_us) const {
  std::vector<std::string> out;
  auto it = m_entries.find(address);
  if (it == m_entries.end()) return out;
  for (const Mapping& m : it->second.names)
    if (time_us >= m.from_us && time_us <= m.until_us) out.push_back(m.name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool AddressMap::ever(const std::string& address, const std::string& name) const {
  auto it = m_entries.find(address);
  if (it == m_entries.end()) return false;
  return std::any_of(it->second.names.begin(), it->second.names.end(),
                     [&](const Mapping& m) { return m.name == name; });
}

void AddressMap::make_room(std::int64_t now_us) {
  // First forget what can no longer be used, then (if that freed too little) the addresses whose
  // newest answer is oldest. Freeing a quarter at a time keeps insertion amortised O(1).
  for (auto it = m_entries.begin(); it != m_entries.end();) {
    auto& names = it->second.names;
    names.erase(std::remove_if(names.begin(), names.end(), [&](const Mapping& m) { return m.until_us < now_us; }),
                names.end());
    it = names.empty() ? m_entries.erase(it) : std::next(it);
  }
  const std::size_t target = m_limits.max_addresses - m_limits.max_addresses / 4;
  if (m_entries.size() <= target) return;
  std::vector<std::int64_t> ages;
  ages.reserve(m_entries.size());
  for (const auto& [addr, e] : m_entries) ages.push_back(e.newest_us);
  const std::size_t excess = m_entries.size() - target;
  std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(excess - 1), ages.end());
  const std::int64_t cutoff = ages[excess - 1];
  for (auto it = m_entries.begin(); it != m_entries.end() && m_entries.size() > target;) {
    if (it->second.newest_us <= cutoff) {
      ++m_evicted_live;
      it = m_entries.erase(it);
    } else {
      ++it;
    }
  }
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
