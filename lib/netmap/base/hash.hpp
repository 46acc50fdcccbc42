#pragma once
// One fast hash for the short strings netmap keys its tables by (domain names, cache keys).

#include <cstdint>
#include <string_view>

namespace netmap::base {

/// A well-mixed 64-bit hash of `s`, eight bytes a step; not for adversarial use across runs.
[[nodiscard]] std::uint64_t hash_text(std::string_view s) noexcept;

/// `h` mixed with `v`, so that (h, v) pairs spread as well as `h` alone.
[[nodiscard]] constexpr std::uint64_t hash_mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 31);
}

} // namespace netmap::base
