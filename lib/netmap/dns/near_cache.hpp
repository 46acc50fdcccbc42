#pragma once
// A worker's own direct-mapped memo in front of the shared cache: the question's cache key → the
// cache entry that answered it and the rule that admitted the name, under one policy generation.
// A hit takes no lock, touches no reference count and skips the matcher; a reload (new
// generation) makes every slot miss, so the memo never answers around the policy, and alias
// targets are still re-checked on each answer (Worker::reply_from_entry).

#include "netmap/dns/cache.hpp"
#include "netmap/policy/rule.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace netmap::dns {

/// What a hit gives back: the entry to answer from and the rule that allowed its name.
struct NearHit {
  const CacheEntry* entry = nullptr;
  const policy::Rule* rule = nullptr;
};

/// A bounded memo of recent cache hits, for one thread.
class NearCache {
public:
  /// A memo of `slots` slots (rounded up to a power of two, at least 1).
  explicit NearCache(std::size_t slots);
  /// The live entry for `key` remembered under `generation` at `now_ns`; entry null on a miss.
  [[nodiscard]] NearHit find(std::string_view key, std::uint64_t generation, std::int64_t now_ns) noexcept;
  /// Remembers that `entry` (whose key is `key`) answered a name `rule` allowed under `generation`.
  void remember(std::string_view key, std::uint64_t generation, std::shared_ptr<const CacheEntry> entry,
                const policy::Rule* rule);

private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t generation = 0; ///< 0: empty (policy generations start at 1)
    const policy::Rule* rule = nullptr;
    std::shared_ptr<const CacheEntry> entry; ///< keeps the entry alive while the slot names it
  };
  [[nodiscard]] static std::uint64_t hash_of(std::string_view key) noexcept;
  [[nodiscard]] static std::uint32_t tag_of(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 32) | 1u; }
  // One tag a slot, apart from the slots: a question that is not in the memo (every blocked
  // name asks) is turned away by 16 KiB that stay in the L1 cache, not by a 160 KiB table.
  std::vector<std::uint32_t> m_tags; ///< tag_of(hash) of the slot's key; 0: empty
  std::vector<Slot> m_slots;
  std::size_t m_mask;
};

} // namespace netmap::dns
