#include "netmap/base/hash.hpp"

#include <cstring>

namespace netmap::base {

std::uint64_t hash_text(std::string_view s) noexcept {
  // FNV-1a over 8-byte words, then a final mix: names differ in their middles, not only ends.
  std::uint64_t h = 0xcbf29ce484222325ull ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 32;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001b3ull;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

} // namespace netmap::base
