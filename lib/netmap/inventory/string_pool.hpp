#pragma once
// Strings stored once, named by a 32-bit id: the names, addresses and notes of a long capture
// held without a heap block (and a 32-byte std::string) each. Append-only; ids stay valid.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace netmap::inventory {

/// An append-only arena of strings with an index for interning. Not thread-safe.
class StringPool {
public:
  /// The id of the empty string (every pool holds it).
  static constexpr std::uint32_t k_empty = 0;
  /// What find() returns for a string never interned.
  static constexpr std::uint32_t k_none = 0xffffffffu;

  /// A pool holding only the empty string.
  StringPool();

  /// The id of `s`, storing it on first sight; equal strings get equal ids.
  [[nodiscard]] std::uint32_t intern(std::string_view s);
  /// The id of `s` if it was interned, else k_none (k_empty for "").
  [[nodiscard]] std::uint32_t find(std::string_view s) const noexcept;
  /// Stores `s` without interning it (the caller keeps its own index); a fresh id each call.
  [[nodiscard]] std::uint32_t store(std::string_view s);
  /// The text of an id this pool returned.
  [[nodiscard]] std::string_view view(std::uint32_t id) const noexcept {
    const char* p = m_chunks[id >> k_chunk_bits].get() + (id & ((1u << k_chunk_bits) - 1));
    std::uint32_t len;
    std::memcpy(&len, p, sizeof len);
    return {p + sizeof len, len};
  }
  /// Bytes allocated (arena chunks and index).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  /// The hash used for the index (also handy for callers' own indexes).
  [[nodiscard]] static std::uint64_t hash(std::string_view s) noexcept;

private:
  static constexpr unsigned k_chunk_bits = 20; ///< 1 MiB chunks; an id is chunk << 20 | offset
  static constexpr std::uint32_t k_missing = k_none; ///< a free index slot

  void grow_index();

  std::vector<std::unique_ptr<char[]>> m_chunks;
  std::size_t m_used = 0;            ///< bytes used in the last chunk
  std::size_t m_bytes = 0;           ///< bytes of all chunks
  std::vector<std::uint32_t> m_index; ///< open addressing; k_missing = free slot
  std::size_t m_interned = 0;
};

} // namespace netmap::inventory
