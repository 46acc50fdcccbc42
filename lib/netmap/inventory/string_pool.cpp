#include "netmap/inventory/string_pool.hpp"

#include "netmap/base/hash.hpp"

#include <cstring>
#include <stdexcept>

namespace netmap::inventory {

namespace {
constexpr std::size_t k_chunk = std::size_t{1} << 20;
} // namespace

// Chunks are left uninitialised (not make_unique's zeroes): only the bytes written are touched, so
// a pool that holds little costs little resident memory.
StringPool::StringPool() {
  m_chunks.push_back(std::unique_ptr<char[]>(new char[k_chunk]));
  std::uint32_t zero = 0;
  std::memcpy(m_chunks[0].get(), &zero, sizeof zero); // id 0: offset 0, length 0
  m_used = sizeof zero;
  m_bytes = k_chunk;
  m_index.assign(1024, k_missing);
}

std::uint64_t StringPool::hash(std::string_view s) noexcept { return base::hash_text(s); }

std::uint32_t StringPool::store(std::string_view s) {
  if (s.empty()) return k_empty;
  if (s.size() > 0xffffffffu - 4) throw std::length_error("string too long for the pool");
  const std::size_t need = 4 + s.size();
  if (m_chunks.size() >= (std::size_t{1} << (32 - k_chunk_bits)) - 1) throw std::length_error("string pool full");
  // Long strings (over a quarter chunk: a command line, never a name) get a chunk of their own;
  // the next short string starts a fresh chunk, since ids name chunks by position.
  if (need > k_chunk / 4) {
    auto big = std::unique_ptr<char[]>(new char[need]);
    auto len = static_cast<std::uint32_t>(s.size());
    std::memcpy(big.get(), &len, 4);
    std::memcpy(big.get() + 4, s.data(), s.size());
    m_bytes += need;
    m_chunks.push_back(std::move(big));
    m_used = k_chunk;
    return static_cast<std::uint32_t>((m_chunks.size() - 1) << k_chunk_bits);
  }
  if (m_used + need > k_chunk) {
    m_chunks.push_back(std::unique_ptr<char[]>(new char[k_chunk]));
    m_bytes += k_chunk;
    m_used = 0;
  }
  char* p = m_chunks.back().get() + m_used;
  auto len = static_cast<std::uint32_t>(s.size());
  std::memcpy(p, &len, 4);
  std::memcpy(p + 4, s.data(), s.size());
  auto id = static_cast<std::uint32_t>(((m_chunks.size() - 1) << k_chunk_bits) | m_used);
  m_used += need;
  return id;
}

std::uint32_t StringPool::find(std::string_view s) const noexcept {
  if (s.empty()) return k_empty;
  const std::size_t mask = m_index.size() - 1;
  for (std::size_t i = hash(s) & mask;; i = (i + 1) & mask) {
    if (m_index[i] == k_missing) return k_missing;
    if (view(m_index[i]) == s) return m_index[i];
  }
}

std::uint32_t StringPool::intern(std::string_view s) {
  if (s.empty()) return k_empty;
  if ((m_interned + 1) * 2 > m_index.size()) grow_index();
  const std::size_t mask = m_index.size() - 1;
  std::size_t i = hash(s) & mask;
  for (; m_index[i] != k_missing; i = (i + 1) & mask)
    if (view(m_index[i]) == s) return m_index[i];
  const std::uint32_t id = store(s);
  m_index[i] = id;
  ++m_interned;
  return id;
}

void StringPool::grow_index() {
  std::vector<std::uint32_t> old(m_index.size() * 2, k_missing);
  old.swap(m_index);
  const std::size_t mask = m_index.size() - 1;
  for (std::uint32_t id : old) {
    if (id == k_missing) continue;
    std::size_t i = hash(view(id)) & mask;
    while (m_index[i] != k_missing) i = (i + 1) & mask;
    m_index[i] = id;
  }
}

std::size_t StringPool::memory_bytes() const noexcept {
  return m_bytes + m_index.size() * sizeof(std::uint32_t);
}

} // namespace netmap::inventory
