#include "netmap/dns/near_cache.hpp"

#include <algorithm>
#include <bit>
#include <functional>

namespace netmap::dns {

NearCache::NearCache(std::size_t slots)
    : m_tags(std::bit_ceil(std::max<std::size_t>(slots, 1))), m_slots(m_tags.size()), m_mask(m_slots.size() - 1) {}

std::uint64_t NearCache::hash_of(std::string_view key) noexcept { return std::hash<std::string_view>{}(key); }

NearHit NearCache::find(std::string_view key, std::uint64_t generation, std::int64_t now_ns) noexcept {
  std::uint64_t h = hash_of(key);
  if (m_tags[h & m_mask] != tag_of(h)) return {};
  Slot& s = m_slots[h & m_mask];
  if (s.generation != generation || s.hash != h || !s.entry || s.entry->key != key) return {};
  if (s.entry->expires_ns <= now_ns) {
    // Let an expired answer go now rather than when the slot is next reused.
    s = Slot{};
    m_tags[h & m_mask] = 0;
    return {};
  }
  return {s.entry.get(), s.rule};
}

void NearCache::remember(std::string_view key, std::uint64_t generation, std::shared_ptr<const CacheEntry> entry,
                         const policy::Rule* rule) {
  std::uint64_t h = hash_of(key);
  m_tags[h & m_mask] = tag_of(h);
  Slot& s = m_slots[h & m_mask];
  s.hash = h;
  s.generation = generation;
  s.rule = rule;
  s.entry = std::move(entry);
}

} // namespace netmap::dns
