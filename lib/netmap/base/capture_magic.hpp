#pragma once
// The numbers that open packet capture files: the capture readers check them, and readers of other
// files use them to say "this is a capture" when one is given in the wrong place.

#include <cstdint>
#include <string_view>

namespace netmap::base {

inline constexpr std::uint32_t k_pcap_magic_us = 0xa1b2c3d4; ///< classic pcap, microsecond stamps
inline constexpr std::uint32_t k_pcap_magic_ns = 0xa1b23c4d; ///< classic pcap, nanosecond stamps
inline constexpr std::uint32_t k_pcapng_shb = 0x0a0d0d0a;    ///< pcapng's section header block type

/// True when `bytes` open with one of those numbers, in either byte order.
[[nodiscard]] inline bool starts_like_capture(std::string_view bytes) noexcept {
  if (bytes.size() < 4) return false;
  std::uint32_t be = 0;
  for (int i = 0; i < 4; ++i) be = be << 8 | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  for (std::uint32_t magic : {k_pcap_magic_us, k_pcap_magic_ns, k_pcapng_shb})
    if (be == magic || __builtin_bswap32(be) == magic) return true;
  return false;
}

} // namespace netmap::base
