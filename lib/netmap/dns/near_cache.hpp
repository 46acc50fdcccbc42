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
  /// The hash a question is filed under: its name's base::hash_text() mixed with its type,
  /// class and DO/CD bits, the rest of its cache key.
  [[nodiscard]] static std::uint64_t question_hash(std::uint64_t name_hash, std::uint16_t qtype, std::uint16_t qclass,
                                                   unsigned bits) noexcept;
  /// False when no slot holds a question hashed `h`: a blocked name is turned away before its
  /// cache key is even built.
  [[nodiscard]] bool may_hold(std::uint64_t h) const noexcept { return m_tags[h & m_mask] == tag_of(h); }
  /// The live entry for `key` (hashed `h`) remembered under `generation` at `now_ns`; entry null on a miss.
  [[nodiscard]] NearHit find(std::uint64_t h, std::string_view key, std::uint64_t generation, std::int64_t now_ns) noexcept;
  /// Remembers that `entry` (its question hashed `h`) answered a name `rule` allowed under `generation`.
  void remember(std::uint64_t h, std::uint64_t generation, std::shared_ptr<const CacheEntry> entry,
                const policy::Rule* rule);

private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t generation = 0; ///< 0: empty (policy generations start at 1)
    const policy::Rule* rule = nullptr;
    std::shared_ptr<const CacheEntry> entry; ///< keeps the entry alive while the slot names it
  };
  [[nodiscard]] static std::uint32_t tag_of(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 32) | 1u; }
  // One tag a slot, apart from the slots: a question that is not in the memo (every blocked
  // name asks) is turned away by 16 KiB that stay in the L1 cache, not by a 160 KiB table.
  std::vector<std::uint32_t> m_tags; ///< tag_of(hash) of the slot's key; 0: empty
  std::vector<Slot> m_slots;
  std::size_t m_mask;
};

} // namespace netmap::dns
