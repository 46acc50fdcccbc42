#include "netmap/base/inet_checksum.hpp"

namespace netmap::base {
namespace {

std::uint32_t fold16(std::uint64_t acc) noexcept {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint32_t>(acc);
}

} // namespace

std::uint32_t inet_sum(std::span<const std::uint8_t> bytes, std::uint32_t acc) noexcept {
  // A 64-bit total cannot overflow for any span; folding it keeps a running sum small (RFC 1071
  // §2(B): end-around carries may be added at any point without changing the result).
  std::uint64_t total = acc;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) total += std::uint32_t{bytes[i]} << 8 | bytes[i + 1];
  if (i < bytes.size()) total += std::uint32_t{bytes[i]} << 8;
  return fold16(total);
}

std::uint16_t inet_fold(std::uint32_t acc) noexcept {
  return static_cast<std::uint16_t>(~fold16(acc) & 0xffff);
}

std::uint16_t inet_checksum(std::span<const std::uint8_t> bytes) noexcept { return inet_fold(inet_sum(bytes)); }

std::uint16_t transport_checksum(std::span<const std::uint8_t> src, std::span<const std::uint8_t> dst,
                                 std::uint8_t protocol, std::span<const std::uint8_t> segment) noexcept {
  // RFC 768, RFC 9293 §3.1 (IPv4: zero, protocol, 16-bit length) and RFC 8200 §8.1 (IPv6: 32-bit
  // length, three zeros, next header) sum to the same words: addresses, protocol, length.
  std::uint64_t length = segment.size();
  std::uint32_t acc = inet_sum(dst, inet_sum(src));
  acc = fold16(std::uint64_t{acc} + protocol + (length & 0xffff) + ((length >> 16) & 0xffff) + (length >> 32));
  return inet_fold(inet_sum(segment, acc));
}

} // namespace netmap::base
