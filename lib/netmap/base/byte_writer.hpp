#pragma once
// Appending network-order (big-endian) fields to a byte buffer: the writing side of ByteReader,
// for the packets netmap builds itself (the fence's refusals) and the test generators.

#include <cstdint>
#include <vector>

namespace netmap::base {

/// Appends the low 16 bits of `v`, most significant byte first.
inline void put_u16be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

/// Appends `v`, most significant byte first.
inline void put_u32be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put_u16be(out, v >> 16);
  put_u16be(out, v & 0xffff);
}

} // namespace netmap::base
