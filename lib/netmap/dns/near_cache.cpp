#include "netmap/dns/near_cache.hpp"

#include "netmap/base/hash.hpp"

#include <algorithm>
#include <bit>

namespace netmap::dns {

NearCache::NearCache(std::size_t slots)
    : m_tags(std::bit_ceil(std::max<std::size_t>(slots, 1))), m_slots(m_tags.size()), m_mask(m_slots.size() - 1) {}

std::uint64_t NearCache::question_hash(std::uint64_t name_hash, std::uint16_t qtype, std::uint16_t qclass,
                                       unsigned bits) noexcept {
  return base::hash_mix(name_hash, (std::uint64_t{qtype} << 32) | (std::uint64_t{qclass} << 8) | bits);
}

NearHit NearCache::find(std::uint64_t h, std::string_view key, std::uint64_t generation, std::int64_t now_ns) noexcept {
  if (!may_hold(h)) return {};
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

void NearCache::remember(std::uint64_t h, std::uint64_t generation, std::shared_ptr<const CacheEntry> entry,
                         const policy::Rule* rule) {
  m_tags[h & m_mask] = tag_of(h);
  Slot& s = m_slots[h & m_mask];
  s.hash = h;
  s.generation = generation;
  s.rule = rule;
  s.entry = std::move(entry);
}

} // namespace netmap::dns
